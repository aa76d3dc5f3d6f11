package kernels

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"testing"
	"unsafe"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// The bfloat16 reduction is the float32 one of the widened values: every
// test here demands SumSquares32's bits of SliceTo32(x) as well as the
// pure-Go kernel's.

// bf16Specials are bfloat16 values at the edges: signed zeros, the
// smallest and largest subnormals, the largest finite, the infinities,
// and NaNs (quiet, signaling, with payloads, negative).
var bf16Specials = []BF16{0x0000, 0x8000, 0x0001, 0x8001, 0x007f, 0x807f, 0x0080, 0x7f7f, 0xff7f,
	0x7f80, 0xff80, 0x7fc0, 0xffc0, 0x7f81, 0xffff, 0x3f80, 0xbf40}

// bf16NormInput is n bfloat16 elements starting off elements into their
// allocation: float32 values of every magnitude rounded to bfloat16, with
// every bit pattern (NaNs and infinities among them) for kind 1, specials
// sprinkled for kind 2 and small magnitudes (finite sums in which every
// bit counts) otherwise.
func bf16NormInput(r *testbuf.Rand, n, off, kind int) []BF16 {
	f := make([]float32, n+off)
	testbuf.Fill(r, f, -133, 127)
	if kind == 0 {
		testbuf.Fill(r, f, -20, 20)
	}
	buf := make([]BF16, n+off)
	SliceFrom32(buf, f)
	for i := range buf {
		switch {
		case kind == 1:
			buf[i] = BF16(r.Uint64())
		case kind == 2 && r.Intn(64) == 0:
			buf[i] = bf16Specials[r.Intn(len(bf16Specials))]
		}
	}
	return buf[off:]
}

// widened is x widened to float32 (SliceTo32), in a new slice.
func widened(x []BF16) []float32 {
	w := make([]float32, len(x))
	SliceTo32(w, x)
	return w
}

// checkBF16Sum demands of SumSquaresBF16(x) at level l the bits (any NaN
// for NaN) of the pure-Go kernel and of SumSquares32 of the widened
// values at l.
func checkBF16Sum(t *testing.T, l Level, x []BF16, what string) {
	t.Helper()
	got := sumSquares(l, x)
	if want := sumSquares(Generic, x); !sameFloat(got, want) {
		t.Fatalf("%v %s: %x (%g), generic %x (%g)", l, what, math.Float64bits(got), got, math.Float64bits(want), want)
	}
	if want := sumSquares(l, widened(x)); !sameFloat(got, want) {
		t.Fatalf("%v %s: %x (%g), SumSquares32 of the widened values %x (%g)",
			l, what, math.Float64bits(got), got, math.Float64bits(want), want)
	}
}

// TestSumSquaresBF16LevelsMatchGeneric runs every level over every length
// of normLens (every tail of every block and vector, and around the
// chunks), starts misaligned by 0 to 3 elements, and three mixes of
// values.
func TestSumSquaresBF16LevelsMatchGeneric(t *testing.T) {
	for _, l := range allLevels(t) {
		t.Run(l.String(), func(t *testing.T) {
			r := testbuf.NewRand(12)
			for _, n := range normLens() {
				for off := range 4 {
					checkBF16Sum(t, l, bf16NormInput(r, n, off, n%3), fmt.Sprintf("n=%d offset=%d", n, off))
				}
			}
		})
	}
}

// bf16AtStart is n bfloat16 elements of p starting offset elements after
// its leading guard page (bf16AtEnd's counterpart).
func bf16AtStart(p *testbuf.Pages, n, offset int) []BF16 {
	f := testbuf.AtStart[float32](p, (offset+n+1)/2, 0)
	all := unsafe.Slice((*BF16)(unsafe.Pointer(unsafe.SliceData(f))), 2*len(f))
	return all[offset : offset+n]
}

// TestSumSquaresBF16GuardPages reduces slices that end on an inaccessible
// page or start (0 to 3 elements) after one, at every level: a read
// outside the slice faults.
func TestSumSquaresBF16GuardPages(t *testing.T) {
	p, err := testbuf.NewPages(2 * (pageLens[len(pageLens)-1] + 4))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Free()
	r := testbuf.NewRand(4)
	for _, l := range allLevels(t) {
		for _, n := range pageLens {
			src := bf16NormInput(r, n, 0, 0)
			for _, off := range []int{-1, 0, 1, 2, 3} {
				var x []BF16
				if off < 0 {
					x = testbuf.AtEnd[BF16](p, n)
				} else {
					x = bf16AtStart(p, n, off)
				}
				copy(x, src)
				what := fmt.Sprintf("n=%d placement %d", n, off)
				if err := testbuf.CatchFault(func() { checkBF16Sum(t, l, x, what) }); err != nil {
					t.Fatalf("%v %s: %v", l, what, err)
				}
			}
		}
	}
}

// TestSumSquaresBF16Specials puts each special value among halves at the
// start, middle and end of slices of several lengths: NaN anywhere gives
// NaN, an infinity (without NaN) +Inf, at every level; and the smallest
// subnormal's square, 2⁻²⁶⁶, is exact.
func TestSumSquaresBF16Specials(t *testing.T) {
	for _, l := range allLevels(t) {
		for _, n := range []int{1, 15, 16, 17, 100, NormChunk + 3} {
			for _, at := range []int{0, n / 2, n - 1} {
				for _, s := range bf16Specials {
					x := make([]BF16, n)
					for i := range x {
						x[i] = 0x3f00 // 0.5
					}
					x[at] = s
					what := fmt.Sprintf("%#04x at %d of %d", uint16(s), at, n)
					checkBF16Sum(t, l, x, what)
					got, v := sumSquares(l, x), float64(s.Float32())
					switch {
					case v != v && !math.IsNaN(got):
						t.Fatalf("%v %s: %g, want NaN", l, what, got)
					case math.IsInf(v, 0) && !math.IsInf(got, 1):
						t.Fatalf("%v %s: %g, want +Inf", l, what, got)
					}
				}
			}
		}
		if got := sumSquares(l, []BF16{0x8001}); got != math.Ldexp(1, -266) {
			t.Errorf("%v: the smallest subnormal's square is %g, want 2^-266", l, got)
		}
	}
}

// TestSumSquaresTensorsBF16Workers checks that the multi-tensor form
// gives, for every tensor, SumSquaresBF16's bits (and so SumSquares32's
// of the widened values) on 1, 2, 3 and 7 workers: tensors of many
// sizes, small ones packed and large ones split.
func TestSumSquaresTensorsBF16Workers(t *testing.T) {
	r := testbuf.NewRand(10)
	sizes := []int{0, 1, 17, 300, NormChunk - 1, 3*NormChunk + 5, 100, NormChunk, 2*NormChunk + 1, 5, 40000, 70000}
	xs := make([][]BF16, len(sizes))
	for i, n := range sizes {
		xs[i] = bf16NormInput(r, n, i%4, 0)
	}
	for _, workers := range []int{1, 2, 3, 7} {
		p := NewPool(workers)
		for range 2 {
			got := make([]float64, len(sizes))
			SumSquaresTensorsBF16(p, xs, got)
			for i := range sizes {
				want := SumSquares32(widened(xs[i]))
				if w := SumSquaresBF16(xs[i]); !sameFloat(got[i], w) || !sameFloat(w, want) {
					t.Fatalf("%d workers: tensor %d (%d elements): %g, SumSquaresBF16 %g, SumSquares32 %g",
						workers, i, sizes[i], got[i], w, want)
				}
			}
		}
		p.Close()
	}
}

func TestSumSquaresTensorsBF16LengthPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || fmt.Sprint(r) != "fusedopt: SumSquaresTensors: 1 sums for 2 tensors" {
			t.Errorf("panic %v", r)
		}
	}()
	SumSquaresTensorsBF16(nil, make([][]BF16, 2), make([]float64, 1))
}

func TestSumSquaresBF16NoAllocs(t *testing.T) {
	x := make([]BF16, 4*NormChunk+5)
	xs := [][]BF16{x, x[:100], x}
	sums := make([]float64, len(xs))
	p := NewPool(2)
	defer p.Close()
	SumSquaresTensorsBF16(p, xs, sums)
	if n := testing.AllocsPerRun(20, func() {
		SumSquaresBF16(x)
		SumSquaresTensorsBF16(p, xs, sums)
	}); n != 0 && !raceEnabled {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// sumSquaresBF16Digest is sumSquaresDigest for bfloat16 inputs: the same
// on every level and architecture.
const sumSquaresBF16Digest = "5c4546e18722d21eea0209da004dda80b9fa26e660709d16a25c8fb82933d5f2"

func TestSumSquaresBF16Digest(t *testing.T) {
	for _, l := range allLevels(t) {
		h := sha256.New()
		r := testbuf.NewRand(2025)
		var b [8]byte
		for _, n := range normLens() {
			x := bf16NormInput(r, n, 0, n%3)
			for _, s := range []float64{sumSquares(l, x), sumSquares(l, x[min(n, 5):])} {
				if math.IsNaN(s) {
					s = math.NaN() // one NaN for every payload
				}
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(s))
				h.Write(b[:])
			}
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sumSquaresBF16Digest {
			t.Errorf("%v: digest %s, want %s", l, got, sumSquaresBF16Digest)
		}
	}
}
