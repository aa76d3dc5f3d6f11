package kernels

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// pow096Inputs are the exponents the pow096 tests try: the y = t*psi of
// NAdam's first steps and of long runs for several momentum decays, and
// random ones up to where 0.96^y underflows.
func pow096Inputs() []float64 {
	var ys []float64
	for _, psi := range []float64{0.004, 0.001, 0.0123, 0.5, 1} {
		for t := 1; t <= 300; t++ {
			ys = append(ys, float64(t)*psi)
		}
		for t := 1000; t <= 1_000_000; t += 9973 {
			ys = append(ys, float64(t)*psi)
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		ys = append(ys, rng.Float64()*18300, rng.Float64()*rng.Float64()*40)
	}
	return append(ys, 0, 1e-300, 5e-324, 18000, 18250, 18260, 18270, 18300, 1e6, 1e300, math.Inf(1))
}

// TestPow096 checks pow096 against 0.96^y computed with 256-bit
// arithmetic: less than one ulp off (faithful) for every normal result,
// at most one unit of 2^-1074 for a subnormal one (Ldexp rounds a second
// time there), and correctly rounded for the large majority of inputs.
// math.Pow, which it replaces, is logged for comparison: it is far less
// accurate at large y.
func TestPow096(t *testing.T) {
	ys := pow096Inputs()
	worst, wrong, powWrong, powWorst := 0.0, 0, 0, 0.0
	for _, y := range ys {
		want, _ := pow096Big(y).Float64()
		ulp := math.Nextafter(want, math.Inf(1)) - want
		if p := math.Pow(0.96, y); p != want {
			powWrong++
			powWorst = max(powWorst, math.Abs(p-want)/ulp)
		}
		got := pow096(y)
		if got == want {
			continue
		}
		wrong++
		e := math.Abs(pow096BigDiff(got, y)) / ulp
		if want < 0x1p-1022 { // subnormal
			if e > 1 {
				t.Errorf("pow096(%v) = %v (%x), 0.96^y = %v: %.3f units of 2^-1074 off", y, got, math.Float64bits(got), want, e)
			}
			continue
		}
		worst = max(worst, e)
		if e >= 1 {
			t.Errorf("pow096(%v) = %v (%x), 0.96^y = %v: %.3f ulp off", y, got, math.Float64bits(got), want, e)
		}
	}
	t.Logf("%d inputs: pow096 not correctly rounded for %d (at most %.3f ulp off when normal); math.Pow for %d (at most %.0f ulp off)",
		len(ys), wrong, worst, powWrong, powWorst)
	if wrong > len(ys)/10 {
		t.Errorf("%d of %d results not correctly rounded; expected about 5%%", wrong, len(ys))
	}
}

// pow096BigDiff is got - 0.96^y, rounded to float64.
func pow096BigDiff(got, y float64) float64 {
	d := new(big.Float).SetPrec(256).SetFloat64(got)
	f, _ := d.Sub(d, pow096Big(y)).Float64()
	return f
}

// TestPow096Digest pins the bits of pow096 over many inputs. It runs on
// every architecture CI tests (amd64, arm64 and s390x under qemu), so a
// machine that computed NAdam's decay differently would fail here
// before its kernels' results differed.
func TestPow096Digest(t *testing.T) {
	const want = "6aed8406bc8c078d3cebfef5bb32b345"
	h := sha256.New()
	var b [8]byte
	for _, y := range pow096Inputs() {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(pow096(y)))
		h.Write(b[:])
	}
	if got := fmt.Sprintf("%x", h.Sum(nil))[:32]; got != want {
		t.Errorf("digest of pow096 over pow096Inputs = %s, want %s", got, want)
	}
}

// pow096Big is 0.96^y = e^(y*ln 0.96) in 256-bit arithmetic, with
// ln 0.96 = -2*atanh(1/49) by its series, and e^z = (e^(z/2^12))^(2^12) by
// the Taylor series of the reduced argument, |z/2^12| < 0.2.
func pow096Big(y float64) *big.Float {
	const prec = 256
	nf := func() *big.Float { return new(big.Float).SetPrec(prec) }
	if y > 20000 { // 0.96^y < e^-816, far below half the smallest subnormal
		return nf()
	}
	// atanh(x) = x + x^3/3 + x^5/5 + ..., x = 1/49.
	x := nf().Quo(nf().SetInt64(1), nf().SetInt64(49))
	x2 := nf().Mul(x, x)
	term, atanh := nf().Set(x), nf()
	for k := int64(0); k < 40; k++ {
		atanh.Add(atanh, nf().Quo(term, nf().SetInt64(2*k+1)))
		term.Mul(term, x2)
	}
	z := nf().Mul(nf().SetFloat64(y), atanh)
	z.Mul(z, nf().SetInt64(-2))
	const m = 12
	z.SetMantExp(z, -m)
	sum, tk := nf().SetInt64(1), nf().SetInt64(1)
	for k := int64(1); k < 60; k++ {
		tk.Mul(tk, z)
		tk.Quo(tk, nf().SetInt64(k))
		sum.Add(sum, tk)
	}
	for range m {
		sum.Mul(sum, sum)
	}
	return sum
}
