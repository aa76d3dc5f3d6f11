package kernels

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// normLens are the lengths every reduction test sweeps: 0 to 300 (every
// tail of every block and vector), and around the chunk boundaries.
func normLens() []int {
	var ns []int
	for n := range 301 {
		ns = append(ns, n)
	}
	return append(ns, 1000, NormChunk-1, NormChunk, NormChunk+1, 2*NormChunk+17, 3*NormChunk+255)
}

// sumSquaresAt is SumSquares32 or SumSquares64 at level l, without
// changing the active level.
func sumSquaresAt[F testbuf.Float](l Level, x []F) float64 {
	switch x := any(x).(type) {
	case []float32:
		return sumSquares(l, x)
	case []float64:
		return sumSquares(l, x)
	}
	panic("unreachable")
}

// sameFloat reports whether a and b have the same bits or are both NaN.
func sameFloat(a, b float64) bool { return testbuf.Same(a, b) }

// TestSumSquaresLevelsMatchGeneric compares every level with the pure-Go
// reduction bit for bit: every length of normLens, starts misaligned by 0
// to 3 elements, values of every magnitude with special values sprinkled
// in (NaN only as NaN: the payload may differ).
func TestSumSquaresLevelsMatchGeneric(t *testing.T) {
	for _, l := range fastLevels(t) {
		t.Run(l.String(), func(t *testing.T) {
			t.Run("float32", func(t *testing.T) { sumSquaresLevel[float32](t, l, -126, 127) })
			t.Run("float64", func(t *testing.T) { sumSquaresLevel[float64](t, l, -600, 600) })
		})
	}
}

func sumSquaresLevel[F testbuf.Float](t *testing.T, l Level, minExp, maxExp int) {
	r := testbuf.NewRand(11)
	for _, n := range normLens() {
		for off := range 4 {
			buf := make([]F, n+off)
			testbuf.Fill(r, buf, minExp, maxExp)
			if n%3 == 1 {
				testbuf.Sprinkle(r, buf, 64)
			}
			if n%3 == 2 {
				testbuf.Fill(r, buf, -20, 20) // finite sums: every bit counts
			}
			x := buf[off:]
			got, want := sumSquaresAt(l, x), sumSquaresAt(Generic, x)
			if !sameFloat(got, want) {
				t.Fatalf("n=%d offset=%d: %v gives %x (%g), generic %x (%g)",
					n, off, l, math.Float64bits(got), got, math.Float64bits(want), want)
			}
		}
	}
}

// TestSumSquaresGuardPages reduces slices that end on an inaccessible page
// or start right after one, at every level: a read outside the slice
// faults.
func TestSumSquaresGuardPages(t *testing.T) {
	for _, l := range allLevels(t) {
		t.Run(l.String(), func(t *testing.T) {
			guardPagesSumSquares[float32](t, l)
			guardPagesSumSquares[float64](t, l)
		})
	}
}

func guardPagesSumSquares[F testbuf.Float](t *testing.T, l Level) {
	p, err := testbuf.NewPages((pageLens[len(pageLens)-1] + 3) * testbuf.Size[F]())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Free()
	r := testbuf.NewRand(3)
	for _, n := range pageLens {
		src := make([]F, n)
		testbuf.Fill(r, src, -10, 10)
		want := sumSquaresAt(Generic, src)
		for _, off := range []int{-1, 0, 1, 2, 3} {
			var x []F
			if off < 0 {
				x = testbuf.AtEnd[F](p, n)
			} else {
				x = testbuf.AtStart[F](p, n, off)
			}
			copy(x, src)
			var got float64
			if err := testbuf.CatchFault(func() { got = sumSquaresAt(l, x) }); err != nil {
				t.Fatalf("%v float%d n=%d placement %d: %v", l, 8*testbuf.Size[F](), n, off, err)
			}
			if !sameFloat(got, want) {
				t.Fatalf("%v n=%d placement %d: %g, want %g", l, n, off, got, want)
			}
		}
	}
}

// TestSumSquaresSpecials checks the special values at every level: NaN
// anywhere gives NaN, an infinity (without NaN) +Inf, float64 squares
// beyond the range +Inf, and the largest float32s no overflow.
func TestSumSquaresSpecials(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, l := range allLevels(t) {
		for _, n := range []int{1, 15, 16, 17, 100, NormChunk + 3} {
			for _, at := range []int{0, n / 2, n - 1} {
				check := func(name string, x32 float32, x64 float64, want32, want64 float64) {
					t.Helper()
					a := make([]float32, n)
					b := make([]float64, n)
					for i := range a {
						a[i], b[i] = 0.5, 0.5
					}
					a[at], b[at] = x32, x64
					if got := sumSquaresAt(l, a); !sameFloat(got, want32) {
						t.Errorf("%v float32 %s n=%d at %d: %g, want %g", l, name, n, at, got, want32)
					}
					if got := sumSquaresAt(l, b); !sameFloat(got, want64) {
						t.Errorf("%v float64 %s n=%d at %d: %g, want %g", l, name, n, at, got, want64)
					}
				}
				check("NaN", float32(nan), nan, nan, nan)
				check("+Inf", float32(inf), inf, inf, inf)
				check("-Inf", float32(-inf), -inf, inf, inf)
				// The other squares (0.25 each) vanish next to MaxFloat32².
				check("huge", math.MaxFloat32, 1e200, float64(math.MaxFloat32)*float64(math.MaxFloat32), inf)
			}
		}
		x := []float32{float32(inf), float32(nan), 1}
		if got := sumSquaresAt(l, x); !math.IsNaN(got) {
			t.Errorf("%v: Inf and NaN give %g, want NaN", l, got)
		}
		big := make([]float32, 3*NormChunk)
		for i := range big {
			big[i] = -math.MaxFloat32
		}
		want := float64(len(big)) * (float64(math.MaxFloat32) * float64(math.MaxFloat32))
		if got := sumSquaresAt(l, big); math.IsInf(got, 0) || math.Abs(got-want) > 1e-12*want {
			t.Errorf("%v: %d squares of MaxFloat32 give %g, want %g", l, len(big), got, want)
		}
	}
}

// normBound is the documented error bound of the reduction of n elements,
// relative to the exact sum of the squares: γ_k = k·u/(1-k·u), u = 2⁻⁵³,
// where k counts the rounded additions on one square's path (see the
// package documentation), plus one for a rounded float64 square.
func normBound(n int, float64Input bool) float64 {
	if n == 0 {
		return 0
	}
	per := (min(n, NormChunk) + normPartials - 1) / normPartials
	k := float64((per - 1) + 4 + (chunksOf(n) - 1))
	if float64Input {
		k++
	}
	u := math.Ldexp(1, -53)
	return k * u / (1 - k*u)
}

// TestSumSquaresBound compares the reduction with the exact sum of the
// squares, computed with big.Float, and requires the documented bound.
func TestSumSquaresBound(t *testing.T) {
	r := testbuf.NewRand(5)
	lens := []int{1, 7, 16, 33, 1000, NormChunk + 5, 5*NormChunk + 1234}
	if testing.Short() {
		lens = lens[:6]
	}
	for _, n := range lens {
		for _, spread := range []int{0, 10, 60} {
			a := make([]float32, n)
			testbuf.Fill(r, a, -spread, spread)
			b := make([]float64, n)
			testbuf.Fill(r, b, -spread*4, spread*4)
			checkBound(t, n, sumSquaresAt(ActiveLevel(), a), exactSumSquares(a), false)
			checkBound(t, n, sumSquaresAt(ActiveLevel(), b), exactSumSquares(b), true)
		}
	}
}

func checkBound(t *testing.T, n int, got float64, exact *big.Float, f64 bool) {
	t.Helper()
	diff := new(big.Float).SetPrec(2000).Sub(new(big.Float).SetFloat64(got), exact)
	diff.Abs(diff)
	limit := new(big.Float).Mul(exact, big.NewFloat(normBound(n, f64)))
	if diff.Cmp(limit) > 0 {
		rel, _ := new(big.Float).Quo(diff, exact).Float64()
		t.Errorf("n=%d float64 input %v: relative error %.3g above the bound %.3g", n, f64, rel, normBound(n, f64))
	}
}

// exactSumSquares is Σ x[i]², exact: 2000 bits hold any sum of squares of
// float64s of the test's range.
func exactSumSquares[F testbuf.Float](x []F) *big.Float {
	s := new(big.Float).SetPrec(2000)
	v := new(big.Float).SetPrec(2000)
	for _, e := range x {
		v.SetFloat64(float64(e))
		v.Mul(v, v)
		s.Add(s, v)
	}
	return s
}

// TestSumSquaresTensorsWorkers checks that the multi-tensor form gives,
// for every tensor, SumSquares32's bits, on any number of workers:
// tensors of many sizes, small ones packed and large ones split.
func TestSumSquaresTensorsWorkers(t *testing.T) {
	r := testbuf.NewRand(9)
	sizes := []int{0, 1, 17, 300, NormChunk - 1, 3*NormChunk + 5, 100, NormChunk, 2*NormChunk + 1, 5, 40000, 70000}
	xs32 := make([][]float32, len(sizes))
	xs64 := make([][]float64, len(sizes))
	for i, n := range sizes {
		xs32[i] = make([]float32, n)
		xs64[i] = make([]float64, n)
		testbuf.Fill(r, xs32[i], -30, 30)
		testbuf.Fill(r, xs64[i], -30, 30)
	}
	for _, workers := range []int{1, 2, 3, 8, 33} {
		p := NewPool(workers)
		for range 3 {
			got32 := make([]float64, len(sizes))
			got64 := make([]float64, len(sizes))
			SumSquaresTensors32(p, xs32, got32)
			SumSquaresTensors64(p, xs64, got64)
			for i := range sizes {
				if w := SumSquares32(xs32[i]); !sameFloat(got32[i], w) {
					t.Fatalf("%d workers: float32 tensor %d (%d elements): %g, want %g", workers, i, sizes[i], got32[i], w)
				}
				if w := SumSquares64(xs64[i]); !sameFloat(got64[i], w) {
					t.Fatalf("%d workers: float64 tensor %d (%d elements): %g, want %g", workers, i, sizes[i], got64[i], w)
				}
			}
		}
		p.Close()
	}
}

func TestSumSquaresTensorsLengthPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || fmt.Sprint(r) != "fusedopt: SumSquaresTensors: 1 sums for 2 tensors" {
			t.Errorf("panic %v", r)
		}
	}()
	SumSquaresTensors32(nil, make([][]float32, 2), make([]float64, 1))
}

func TestSumSquaresNoAllocs(t *testing.T) {
	x32 := make([]float32, 4*NormChunk)
	x64 := make([]float64, 4*NormChunk)
	xs := [][]float32{x32, x32[:100], x32}
	sums := make([]float64, len(xs))
	p := NewPool(2)
	defer p.Close()
	SumSquaresTensors32(p, xs, sums)
	if n := testing.AllocsPerRun(20, func() {
		SumSquares32(x32)
		SumSquares64(x64)
		SumSquaresTensors32(p, xs, sums)
	}); n != 0 && !raceEnabled {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// TestMaxAbs checks the infinity norm: the largest magnitude, NaN wins.
func TestMaxAbs(t *testing.T) {
	cases := []struct {
		x    []float64
		want float64
	}{
		{nil, 0},
		{[]float64{-3, 2}, 3},
		{[]float64{math.Copysign(0, -1)}, 0},
		{[]float64{1, math.Inf(-1), 2}, math.Inf(1)},
		{[]float64{math.Inf(1), math.NaN(), 2}, math.NaN()},
		{[]float64{1, 2, math.NaN()}, math.NaN()},
	}
	for _, c := range cases {
		x32 := make([]float32, len(c.x))
		for i, v := range c.x {
			x32[i] = float32(v)
		}
		if got := MaxAbs64(c.x); !sameFloat(got, c.want) || math.Signbit(got) {
			t.Errorf("MaxAbs64(%v) = %g, want %g", c.x, got, c.want)
		}
		if got := MaxAbs32(x32); !sameFloat(got, c.want) || math.Signbit(got) {
			t.Errorf("MaxAbs32(%v) = %g, want %g", c.x, got, c.want)
		}
	}
}

// sumSquaresDigest is the SHA-256 of the reductions' bits over seeded
// inputs of many lengths, magnitudes and special values, both precisions:
// the same on every level and architecture (the CI runs it on arm64 under
// qemu and on s390x).
const sumSquaresDigest = "37c157daa325862de4681a62fd664a95a448b386ef216d20ed3a0db6d0f7cf2a"

func TestSumSquaresDigest(t *testing.T) {
	for _, l := range allLevels(t) {
		h := sha256.New()
		r := testbuf.NewRand(2024)
		var b [8]byte
		for _, n := range normLens() {
			a := make([]float32, n)
			c := make([]float64, n)
			testbuf.Fill(r, a, -126, 127)
			testbuf.Fill(r, c, -500, 500)
			if n%4 == 3 {
				testbuf.Sprinkle(r, a, 50)
				testbuf.Sprinkle(r, c, 50)
			}
			for _, s := range []float64{sumSquaresAt(l, a), sumSquaresAt(l, c), sumSquaresAt(l, a[min(n, 5):])} {
				if math.IsNaN(s) {
					s = math.NaN() // one NaN for every payload
				}
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(s))
				h.Write(b[:])
			}
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sumSquaresDigest {
			t.Errorf("%v: digest %s, want %s", l, got, sumSquaresDigest)
		}
	}
}

// BenchmarkSumSquares times the reduction at every level, in cache (64K
// elements) and from memory (16M), one goroutine, for float32, float64 and
// bfloat16 slices; the bytes are the slice's, read once.
//
//	go test -run '^$' -bench SumSquares -benchtime 200x ./kernels
func BenchmarkSumSquares(b *testing.B) {
	for _, n := range []int{64 << 10, 16 << 20} {
		x32 := make([]float32, n)
		x64 := make([]float64, n)
		x16 := make([]BF16, n)
		for i := range x32 {
			x32[i], x64[i], x16[i] = float32(i%7), float64(i%7), BF16From32(float32(i%7))
		}
		for _, l := range Levels() {
			b.Run(fmt.Sprintf("f32/%s/%dK", l, n>>10), func(b *testing.B) {
				b.SetBytes(int64(4 * n))
				for b.Loop() {
					sumSquares(l, x32)
				}
			})
			b.Run(fmt.Sprintf("f64/%s/%dK", l, n>>10), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				for b.Loop() {
					sumSquares(l, x64)
				}
			})
			b.Run(fmt.Sprintf("bf16/%s/%dK", l, n>>10), func(b *testing.B) {
				b.SetBytes(int64(2 * n))
				for b.Loop() {
					sumSquares(l, x16)
				}
			})
		}
	}
}

// BenchmarkSumSquaresTensors times the multi-tensor form on the default
// pool: 16M float32 elements in 64 tensors.
func BenchmarkSumSquaresTensors(b *testing.B) {
	xs := make([][]float32, 64)
	for i := range xs {
		xs[i] = make([]float32, 256<<10)
	}
	sums := make([]float64, len(xs))
	b.SetBytes(4 * 16 << 20)
	for b.Loop() {
		SumSquaresTensors32(nil, xs, sums)
	}
}
