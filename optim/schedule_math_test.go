package optim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The reference values here are computed in big.Float at schedPrec bits,
// far beyond float64's 53, so that their own error does not show.
const schedPrec = 256

// schedBigPi is π by Machin's formula, π = 16·atan(1/5) - 4·atan(1/239).
func schedBigPi() *big.Float {
	atanInv := func(x int64) *big.Float { // atan(1/x) = Σ (-1)^k / ((2k+1)·x^(2k+1))
		sum := new(big.Float).SetPrec(schedPrec)
		pow := new(big.Float).SetPrec(schedPrec).Quo(big.NewFloat(1), big.NewFloat(float64(x)))
		x2 := new(big.Float).SetPrec(schedPrec).SetInt64(x * x)
		eps := new(big.Float).SetMantExp(big.NewFloat(1), -schedPrec-8)
		for k := int64(0); ; k++ {
			term := new(big.Float).SetPrec(schedPrec).Quo(pow, new(big.Float).SetInt64(2*k+1))
			if term.Cmp(eps) < 0 {
				return sum
			}
			if k%2 == 0 {
				sum.Add(sum, term)
			} else {
				sum.Sub(sum, term)
			}
			pow.Quo(pow, x2)
		}
	}
	a := new(big.Float).SetPrec(schedPrec).Mul(big.NewFloat(16), atanInv(5))
	b := new(big.Float).SetPrec(schedPrec).Mul(big.NewFloat(4), atanInv(239))
	return a.Sub(a, b)
}

// schedBigCosPi is cos(πq) by its Taylor series at x = πq, |x| <= π: the
// terms x^(2k)/(2k)! fall below 2^-270 after some 50 of them, and their
// largest, about 4, costs no more than 3 of the 256 bits.
func schedBigCosPi(pi *big.Float, q float64) *big.Float {
	x := new(big.Float).SetPrec(schedPrec).Mul(pi, big.NewFloat(q))
	x2 := new(big.Float).SetPrec(schedPrec).Mul(x, x)
	sum := new(big.Float).SetPrec(schedPrec).SetInt64(1)
	term := new(big.Float).SetPrec(schedPrec).SetInt64(1)
	eps := new(big.Float).SetMantExp(big.NewFloat(1), -270)
	for k := int64(1); ; k++ {
		term.Mul(term, x2)
		term.Quo(term, new(big.Float).SetInt64((2*k-1)*(2*k)))
		term.Neg(term)
		sum.Add(sum, term)
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			return sum
		}
	}
}

// schedULPError is |got - want| in ulps of want rounded to float64 (the
// spacing of float64 values there); 0 if both are exactly 0.
func schedULPError(got float64, want *big.Float) float64 {
	w, _ := want.Float64()
	d := new(big.Float).SetPrec(schedPrec).Sub(big.NewFloat(got), want)
	dev, _ := d.Abs(d).Float64()
	if dev == 0 {
		return 0
	}
	return dev / schedULP(w)
}

// TestSchedCosPi measures schedCosPi against the 256-bit reference over
// 200,000 random points in [0, 1] (20,000 with -short), every k/4096, and
// the points around the ends of the reduction's intervals. The promise is
// one ulp; the measured maximum, 0.69 ulp, is stated at schedCosPi.
func TestSchedCosPi(t *testing.T) {
	pi := schedBigPi()
	qs := []float64{0, 1, 0.5, 0.25, 0.75, 0x1p-1074, 0x1p-30, 1e-300}
	for _, q := range []float64{0, 0.25, 0.5, 0.75, 1} {
		qs = append(qs, math.Nextafter(q, 2), math.Nextafter(q, -1))
	}
	for k := range 4097 {
		qs = append(qs, float64(k)/4096)
	}
	n := 200000
	if testing.Short() {
		n = 20000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range n {
		qs = append(qs, rng.Float64())
	}
	worst, at := 0.0, 0.0
	for _, q := range qs {
		if q == 0.5 { // cos(π/2) = 0 exactly, checked below; the 256-bit π makes it 1e-77
			continue
		}
		got := schedCosPi(q)
		e := schedULPError(got, schedBigCosPi(pi, q))
		if e > worst {
			worst, at = e, q
		}
	}
	if worst > 1 {
		t.Errorf("schedCosPi(%v) is %.3g ulps off, want <= 1", at, worst)
	}
	t.Logf("schedCosPi: max error %.3g ulps (at q = %v) over %d points", worst, at, len(qs))

	for q, want := range map[float64]float64{0: 1, 0.5: 0, 1: -1} {
		if got := schedCosPi(q); got != want || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("schedCosPi(%v) = %v, want exactly %v", q, got, want)
		}
	}
}

// TestSchedCosPiConstants checks the coefficients of schedCosPi's
// polynomials, untyped constants built from math.Pi, against π^n/n! from
// the 256-bit π, rounded once to float64.
func TestSchedCosPiConstants(t *testing.T) {
	pi := schedBigPi()
	if hi, _ := pi.Float64(); hi != schedPiHi {
		t.Errorf("schedPiHi = %v, want %v", schedPiHi, hi)
	}
	lo := new(big.Float).SetPrec(schedPrec).Sub(pi, big.NewFloat(schedPiHi))
	if want, _ := lo.Float64(); want != schedPiLo {
		t.Errorf("schedPiLo = %v, want %v", schedPiLo, want)
	}
	coef := func(n int64) float64 { // (-1)^floor(n/2)·π^n/n!
		c := new(big.Float).SetPrec(schedPrec).SetInt64(1)
		for i := int64(1); i <= n; i++ {
			c.Mul(c, pi)
			c.Quo(c, new(big.Float).SetInt64(i))
		}
		if (n/2)%2 == 1 {
			c.Neg(c)
		}
		f, _ := c.Float64()
		return f
	}
	got := map[int64]float64{
		2: cosPi2, 4: cosPi4, 6: cosPi6, 8: cosPi8, 10: cosPi10, 12: cosPi12, 14: cosPi14, 16: cosPi16, 18: cosPi18,
		3: sinPi3, 5: sinPi5, 7: sinPi7, 9: sinPi9, 11: sinPi11, 13: sinPi13, 15: sinPi15, 17: sinPi17, 19: sinPi19,
	}
	for n, g := range got {
		if want := coef(n); g != want {
			t.Errorf("coefficient of degree %d = %v, want %v", n, g, want)
		}
	}
}

// schedBigPow is x^n to 256 bits by repeated squaring; its error, about
// 2^-250 relative per squaring, is far below what is measured.
func schedBigPow(x float64, n uint64) *big.Float {
	r := new(big.Float).SetPrec(schedPrec).SetInt64(1)
	b := new(big.Float).SetPrec(schedPrec).SetFloat64(x)
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			r.Mul(r, b)
		}
		b.Mul(b, b)
	}
	return r
}

// TestSchedPowInt measures schedPowInt against the 256-bit reference, on
// bases a schedule uses (gamma near 1, 1 - t/T) and exponents up to 2^40
// chosen so that the result stays a normal float64, and checks the ends:
// exponent 0, results that under- or overflow, base 0.
func TestSchedPowInt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	worst := 0.0
	var wx float64
	var wn uint64
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := range n {
		var k uint64
		switch i % 3 {
		case 0:
			k = rng.Uint64N(100)
		case 1:
			k = rng.Uint64N(100000)
		default:
			k = rng.Uint64N(1 << 40)
		}
		// x^k within [2^-1000, 2^1000]: x = 2^(e/k) for |e| < 1000.
		e := (rng.Float64()*2 - 1) * 1000
		x := math.Exp2(e / float64(max(k, 1)))
		if i%7 == 0 {
			x = 1 - float64(rng.IntN(1000))/1000 // Polynomial's 1 - t/T
		}
		e2 := schedULPError(schedPowInt(x, k), schedBigPow(x, k))
		if e2 > worst {
			worst, wx, wn = e2, x, k
		}
	}
	if worst > 1 {
		t.Errorf("schedPowInt(%v, %d) is %.3g ulps off, want <= 1", wx, wn, worst)
	}
	t.Logf("schedPowInt: max error %.3g ulps (at %v^%d)", worst, wx, wn)

	for _, c := range []struct {
		x    float64
		n    uint64
		want float64
	}{
		{0.5, 0, 1}, {0, 0, 1}, {0, 3, 0}, {1, 1 << 62, 1}, {0.5, 1 << 62, 0}, {0.999, 1 << 40, 0},
		{2, 1 << 62, math.Inf(1)}, {1.001, 1 << 40, math.Inf(1)}, {math.MaxFloat64, 2, math.Inf(1)},
		{0.1, 1, 0.1}, {3, 4, 81},
	} {
		if got := schedPowInt(c.x, c.n); got != c.want {
			t.Errorf("schedPowInt(%v, %d) = %v, want %v", c.x, c.n, got, c.want)
		}
	}
}
