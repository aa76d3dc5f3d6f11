package fuzz

import (
	"math"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// sumsqMaxLen bounds the fuzzed length: past one chunk of the reduction
// (kernels.NormChunk), so that the chunk boundary is fuzzed too.
const sumsqMaxLen = kernels.NormChunk + 300

// FuzzSumSquares32 runs SumSquares32 at every supported level on the same
// fuzzed slice (any length, start offset, magnitudes and special values)
// and demands the generic level's bits (any NaN for NaN), and the same
// bits from SumSquaresTensors32 on the slice cut into fuzzed tensors, on
// a fuzzed number of workers.
func FuzzSumSquares32(f *testing.F) {
	f.Add(uint32(100), uint8(1), int8(0), int8(10), uint64(1), []byte{3, 7}, uint8(2), uint32(40))
	f.Add(uint32(kernels.NormChunk+17), uint8(0), int8(-126), int8(127), uint64(2), []byte{}, uint8(3), uint32(1000))
	f.Fuzz(func(t *testing.T, n uint32, offset uint8, lo, hi int8, seed uint64, specials []byte, workers uint8, cut uint32) {
		x := sumsqInput[float32](n, offset, int(lo), int(hi), -126, 127, seed, specials)
		sumsqCheck(t, x, kernels.SumSquares32, kernels.SumSquaresTensors32, int(workers), int(cut))
	})
}

// FuzzSumSquares64 is FuzzSumSquares32 for SumSquares64.
func FuzzSumSquares64(f *testing.F) {
	f.Add(uint32(100), uint8(1), int8(0), int8(10), uint64(1), []byte{3, 7}, uint8(2), uint32(40))
	f.Add(uint32(kernels.NormChunk+17), uint8(0), int8(-100), int8(100), uint64(2), []byte{}, uint8(3), uint32(1000))
	f.Fuzz(func(t *testing.T, n uint32, offset uint8, lo, hi int8, seed uint64, specials []byte, workers uint8, cut uint32) {
		x := sumsqInput[float64](n, offset, int(lo)*8, int(hi)*8, -1022, 1023, seed, specials)
		sumsqCheck(t, x, kernels.SumSquares64, kernels.SumSquaresTensors64, int(workers), int(cut))
	})
}

// FuzzSumSquaresBF16 is FuzzSumSquares32 for SumSquaresBF16 on the
// fuzzed float32 slice rounded to bfloat16 (specials included), with
// every other element's bits fuzzed outright if raw is odd (any bit
// pattern: NaNs, infinities, subnormals), and demands besides the bits
// of SumSquares32 of the widened values.
func FuzzSumSquaresBF16(f *testing.F) {
	f.Add(uint32(100), uint8(1), int8(0), int8(10), uint64(1), []byte{3, 7}, uint8(2), uint32(40), uint8(0))
	f.Add(uint32(kernels.NormChunk+17), uint8(0), int8(-126), int8(127), uint64(2), []byte{}, uint8(3), uint32(1000), uint8(1))
	f.Fuzz(func(t *testing.T, n uint32, offset uint8, lo, hi int8, seed uint64, specials []byte, workers uint8, cut uint32, raw uint8) {
		x32 := sumsqInput[float32](n, offset, int(lo), int(hi), -133, 127, seed, specials)
		x := make([]kernels.BF16, len(x32)+int(offset%4))[offset%4:]
		kernels.SliceFrom32(x, x32)
		if raw%2 == 1 {
			r := testbuf.NewRand(seed ^ 0x5bf16)
			for i := 0; i < len(x); i += 2 {
				x[i] = kernels.BF16(r.Uint64())
			}
		}
		sumsqCheck(t, x, kernels.SumSquaresBF16, kernels.SumSquaresTensorsBF16, int(workers), int(cut))
		kernels.SliceTo32(x32, x)
		if got, want := kernels.SumSquaresBF16(x), kernels.SumSquares32(x32); math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("n=%d: %x, SumSquares32 of the widened values %x", len(x), math.Float64bits(got), math.Float64bits(want))
		}
	})
}

// sumsqInput is a seeded slice of the fuzzed length, starting offset%4
// elements into its allocation, with exponents in [lo, hi] (clamped to
// [minExp, maxExp]) and, at the positions specials names, special values.
func sumsqInput[F testbuf.Float](n uint32, offset uint8, lo, hi, minExp, maxExp int, seed uint64, specials []byte) []F {
	size := int(n % (sumsqMaxLen + 1))
	lo, hi = max(min(lo, hi), minExp), min(max(lo, hi), maxExp)
	lo = min(lo, hi)
	off := int(offset % 4)
	buf := make([]F, size+off)
	testbuf.Fill(testbuf.NewRand(seed), buf, lo, hi)
	x := buf[off:]
	sp := testbuf.Specials[F]()
	for i := 0; i+1 < len(specials) && size > 0; i += 2 {
		x[int(specials[i])*257%size] = sp[int(specials[i+1])%len(sp)]
	}
	return x
}

func sumsqCheck[F any](t *testing.T, x []F, one func([]F) float64, many func(*kernels.Pool, [][]F, []float64), workers, cut int) {
	t.Helper()
	orig := kernels.ActiveLevel()
	defer kernels.SetLevel(orig)
	kernels.SetLevel(kernels.Generic)
	want := one(x)
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	for _, l := range kernels.Levels() {
		kernels.SetLevel(l)
		if got := one(x); !same(got, want) {
			t.Fatalf("level %v, n=%d: %x, generic %x", l, len(x), math.Float64bits(got), math.Float64bits(want))
		}
	}
	// The slice cut into tensors of cut elements (the last shorter).
	step := max(cut%(len(x)+1), 1)
	var xs [][]F
	for lo := 0; lo < len(x); lo += step {
		xs = append(xs, x[lo:min(lo+step, len(x))])
	}
	sums := make([]float64, len(xs))
	p := kernels.NewPool(workers%8 + 1)
	defer p.Close()
	many(p, xs, sums)
	for i := range xs {
		if w := one(xs[i]); !same(sums[i], w) {
			t.Fatalf("%d workers: tensor %d of %d: %x, want %x", workers%8+1, i, len(xs), math.Float64bits(sums[i]), math.Float64bits(w))
		}
	}
}
