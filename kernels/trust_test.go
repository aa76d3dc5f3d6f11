package kernels

import (
	"math"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// trustLens are the lengths the LAMB and LARS level tests sweep: every
// tail of the first blocks and vectors, and around the NormChunk
// boundaries, where the trust ratio's chunk sums are combined.
func trustLens(short bool) []int {
	var ns []int
	for n := range 70 {
		ns = append(ns, n)
	}
	ns = append(ns, 127, 128, 129, 255, 1000)
	if short {
		return append(ns, NormChunk+17)
	}
	return append(ns, NormChunk-1, NormChunk, NormChunk+1, 2*NormChunk+37)
}

// TestTrustLevelsMatchGeneric runs three LAMB and LARS steps at every
// level and compares every slice bit for bit with the generic level:
// every option, both precisions, starts misaligned by 0 to 3 elements,
// special values sprinkled in, guard bands around every slice.
func TestTrustLevelsMatchGeneric(t *testing.T) {
	for _, l := range fastLevels(t) {
		for _, c := range trustCases() {
			t.Run(l.String()+"/"+c.name, func(t *testing.T) {
				t.Run("float32", func(t *testing.T) { trustLevel[float32](t, c, l) })
				t.Run("float64", func(t *testing.T) { trustLevel[float64](t, c, l) })
			})
		}
	}
}

func trustLevel[F testbuf.Float](t *testing.T, c trustCase, l Level) {
	r := testbuf.NewRand(7)
	for _, n := range trustLens(testing.Short()) {
		for off := range 4 {
			if n > 1000 && off%2 == 1 {
				continue // the large lengths at two offsets are enough
			}
			every := 0
			if n%3 == 1 {
				every = 29
			}
			in := trustInputs[F](c, r, n, every)
			want := trustLevelRun(t, c, Generic, in, off, 3)
			got := trustLevelRun(t, c, l, in, off, 3)
			if d := diffSlices(c.slots, got, want); d != "" {
				t.Fatalf("n=%d offset=%d: %v: %s (generic)", n, off, l, d)
			}
		}
	}
}

// trustTensorLens is a tensor list for the parallel tests: tensors of
// several NormChunk chunks with partial last chunks, small ones packed
// between them, and an empty one, over 256 KiB in all so that the pool
// splits them.
var trustTensorLens = []int{3*NormChunk + 1001, 17, 0, NormChunk, 5000, 2*NormChunk - 3, 1, 700}

// TestTrustTensorsWorkers runs StepTensors and StepParallel on pools of
// 1 to 7 workers at every level and demands the bits of Step on each
// tensor alone: the trust ratio's sums must not depend on the split.
func TestTrustTensorsWorkers(t *testing.T) {
	workers := []int{1, 2, 3, 7}
	if testing.Short() {
		workers = []int{1, 3}
	}
	for _, l := range allLevels(t) {
		for _, c := range trustCases() {
			t.Run(l.String()+"/"+c.name, func(t *testing.T) {
				withLevel(t, l)
				trustWorkers[float32](t, c, workers)
				trustWorkers[float64](t, c, workers)
			})
		}
	}
}

func trustWorkers[F testbuf.Float](t *testing.T, c trustCase, workers []int) {
	r := testbuf.NewRand(5)
	in := make([][][]F, len(trustTensorLens))
	want := make([][][]F, len(trustTensorLens))
	for i, n := range trustTensorLens {
		in[i] = trustInputs[F](c, r, n, 0)
		want[i] = cloneSlices(in[i])
		for step := 1; step <= 2; step++ {
			if err := trustStepOf(c, step, want[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, w := range workers {
		p := NewPool(w)
		got := make([][][]F, len(in))
		for i := range in {
			got[i] = cloneSlices(in[i])
		}
		for step := 1; step <= 2; step++ {
			if err := trustTensorsOf(c, p, step, got); err != nil {
				t.Fatal(err)
			}
		}
		for i := range got {
			if d := diffSlices(c.slots, got[i], want[i]); d != "" {
				t.Fatalf("StepTensors, %d workers: tensor %d (n=%d): %s (Step)", w, i, trustTensorLens[i], d)
			}
		}
		one := cloneSlices(in[0])
		for step := 1; step <= 2; step++ {
			if err := trustParallelOf(c, p, step, one); err != nil {
				t.Fatal(err)
			}
		}
		if d := diffSlices(c.slots, one, want[0]); d != "" {
			t.Fatalf("StepParallel, %d workers: %s (Step)", w, d)
		}
		p.Close()
	}
}

// TestTrustParamNormIsSumSquares checks the claim of trust.go that the
// first pass sums the parameter's squares in the reductions' order:
// LAMB's and LARS's ‖param‖² is SumSquares's, bit for bit, at every
// level (so a ratio could be recomputed with SumSquares32).
func TestTrustParamNormIsSumSquares(t *testing.T) {
	r := testbuf.NewRand(9)
	for _, l := range allLevels(t) {
		for _, n := range []int{0, 1, 15, 16, 17, 1000, NormChunk + 33} {
			for _, c := range trustCases()[:3] {
				s := trustInputs[float32](c, r, n, 0)
				var pp float64
				for lo := 0; lo < n; lo += NormChunk {
					var cp float64
					hi := min(lo+NormChunk, n)
					if c.lamb != nil {
						ps, _ := c.lamb.passes32(1)
						ps.l = l
						_, cp = ps.norms(LAMBTensor32{s[0], s[1], s[2], s[3]}, lo, hi)
					} else {
						ps, _ := c.lars.passes32(1)
						ps.l = l
						_, cp = ps.norms(LARSTensor32{s[0], s[1], s[2]}, lo, hi)
					}
					pp += cp
				}
				if want := sumSquares(l, s[0]); !sameFloat(pp, want) {
					t.Errorf("%v %s n=%d: ‖param‖² = %g, SumSquares %g", l, c.name, n, pp, want)
				}
			}
		}
	}
}

// TestTrustZeroNorms checks the guards of the trust ratio: a zero
// parameter tensor, or a zero update, takes ratio 1 (optax's
// safe_trust_ratio), at every level.
func TestTrustZeroNorms(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		const n = 37
		// LAMB, param = 0: u = m̂/(sqrt(v̂)+eps) = sign(g)/(1+eps/|g|) at
		// step 1, and ratio 1 makes the step -LR*u.
		o := DefaultLAMB()
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = float32(i%5) - 2
		}
		if err := o.Step32(1, p, g, m, v); err != nil {
			t.Fatal(err)
		}
		for i := range p {
			want := -o.LR * float64(g[i]) / (math.Abs(float64(g[i])) + o.Eps)
			if g[i] == 0 {
				want = 0
			}
			if math.Abs(float64(p[i])-want) > 1e-6*o.LR {
				t.Fatalf("%v LAMB with param 0: param[%d] = %g, want %g (ratio 1)", l, i, p[i], want)
			}
		}
		// LARS, grad = 0 and no decay: u = 0, ratio 1, nothing moves; and
		// param = 0: ratio 1, the step is -LR*g.
		lo := DefaultLARS()
		p64, g64, b64 := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range p64 {
			p64[i] = float64(i) - 3
		}
		before := append([]float64(nil), p64...)
		if err := lo.Step64(1, p64, g64, b64); err != nil {
			t.Fatal(err)
		}
		if d := testbuf.FirstDiff(p64, before); d >= 0 {
			t.Fatalf("%v LARS with grad 0: param[%d] moved to %g", l, d, p64[d])
		}
		clear(p64)
		for i := range g64 {
			g64[i] = float64(i) + 1
		}
		if err := lo.Step64(1, p64, g64, b64); err != nil {
			t.Fatal(err)
		}
		for i := range p64 {
			if want := -lo.LR * g64[i]; p64[i] != want {
				t.Fatalf("%v LARS with param 0: param[%d] = %g, want %g (ratio 1)", l, i, p64[i], want)
			}
		}
	}
}

// TestTrustGuardPages runs LAMB and LARS on slices that end on an
// inaccessible page or start right after one, at every level: a read or
// write outside the slices faults.
func TestTrustGuardPages(t *testing.T) {
	for _, l := range allLevels(t) {
		for _, c := range trustCases() {
			t.Run(l.String()+"/"+c.name, func(t *testing.T) {
				withLevel(t, l)
				trustGuardPages[float32](t, c)
				trustGuardPages[float64](t, c)
			})
		}
	}
}

func trustGuardPages[F testbuf.Float](t *testing.T, c trustCase) {
	lens := []int{1, 15, 16, 17, 33, 100, 255}
	maxLen := lens[len(lens)-1] + 3
	pages := make([]*testbuf.Pages, len(c.slots))
	for i := range pages {
		p, err := testbuf.NewPages(maxLen * testbuf.Size[F]())
		if err != nil {
			t.Fatal(err)
		}
		defer p.Free()
		pages[i] = p
	}
	r := testbuf.NewRand(13)
	for _, n := range lens {
		in := trustInputs[F](c, r, n, 0)
		want := cloneSlices(in)
		if err := trustStepOf(c, 1, want); err != nil {
			t.Fatal(err)
		}
		for _, off := range []int{-1, 0, 1, 3} {
			s := make([][]F, len(in))
			for i := range s {
				if off < 0 {
					s[i] = testbuf.AtEnd[F](pages[i], n)
				} else {
					s[i] = testbuf.AtStart[F](pages[i], n, off)
				}
				copy(s[i], in[i])
			}
			if err := testbuf.CatchFault(func() { trustStepOf(c, 1, s) }); err != nil {
				t.Fatalf("float%d n=%d placement %d: %v", 8*testbuf.Size[F](), n, off, err)
			}
			if d := diffSlices(c.slots, s, want); d != "" {
				t.Fatalf("float%d n=%d placement %d: %s", 8*testbuf.Size[F](), n, off, d)
			}
		}
	}
}

// TestTrustDoesNotAllocate holds Step, StepParallel and StepTensors to
// their promise, at every level, for every case.
func TestTrustDoesNotAllocate(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	const n = 3*NormChunk + 5 // parallel: over 256 KiB in float32
	s32 := make([][]float32, 4)
	s64 := make([][]float64, 4)
	for i := range s32 {
		s32[i], s64[i] = make([]float32, n), make([]float64, n)
	}
	l32 := []LAMBTensor32{{s32[0], s32[1], s32[2], s32[3]}}
	r32 := []LARSTensor32{{s32[0], s32[1], s32[2]}}
	l64 := []LAMBTensor64{{s64[0], s64[1], s64[2], s64[3]}}
	r64 := []LARSTensor64{{s64[0], s64[1], s64[2]}}
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, c := range trustCases() {
			calls := map[string]func(){
				"Step32":         func() { trustStepOf(c, 2, s32) },
				"Step64":         func() { trustStepOf(c, 2, s64) },
				"StepParallel32": func() { trustParallelOf(c, p, 2, s32) },
				"StepParallel64": func() { trustParallelOf(c, p, 2, s64) },
				"StepTensors32": func() {
					if c.lamb != nil {
						c.lamb.StepTensors32(p, 2, l32)
					} else {
						c.lars.StepTensors32(p, 2, r32)
					}
				},
				"StepTensors64": func() {
					if c.lamb != nil {
						c.lamb.StepTensors64(p, 2, l64)
					} else {
						c.lars.StepTensors64(p, 2, r64)
					}
				},
			}
			for name, f := range calls {
				f() // warm up the free lists
				if allocs := testing.AllocsPerRun(5, f); allocs != 0 {
					t.Errorf("%v %s: %s allocates %v times per call", l, c.name, name, allocs)
				}
			}
		}
	}
}
