package kernels

// The harness of the parallel API's tests, shared by every optimizer (the
// external tests reach it through export_test.go): StepTensors and
// StepParallel give Step's bits on every tensor (parTest.Run), they do not
// allocate once warm (parNoAlloc), and a slice of the wrong length panics
// before anything changes (parLengthPanic).
//
// An optimizer supplies, per hyperparameter set, its three steps at each
// precision as parOps, made from its method values by parOps3, parOps4 or
// parOps5 (by the number of slices), and, once, its slices as parSlots:
// their names and the ranges of their random values. The harness works on
// a tensor as its slices in argument order, [][]F, and on a list of
// tensors as [][][]F, and converts a list to the optimizer's
// []<Opt>Tensor32/64 by field order.

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// parSlot is one slice of a step: its name, as in the length panics, and
// the binary exponents [Lo, Hi] of its random values (testbuf.Fill),
// without a sign if NonNeg (state that is never negative).
type parSlot struct {
	Name   string
	Lo, Hi int
	NonNeg bool
}

// parOps are an optimizer's three steps at precision F on tensors given as
// their slices; S is what a step takes before the slices (the step number
// t, or NAdam's schedule).
type parOps[F testbuf.Float, S any] struct {
	Step     func(s S, x [][]F) error              // Step32 or Step64
	Parallel func(p *Pool, s S, x [][]F) error     // StepParallel
	List     func(ts [][][]F) func(*Pool, S) error // StepTensors on ts, converted once
}

// parCase is one set of hyperparameters: its subtest name, the step
// arguments in order, the slots its options leave unused (passed as nil),
// and its steps at both precisions.
type parCase[S any] struct {
	Name  string
	Steps []S
	Nil   []int
	Ops32 parOps[float32, S]
	Ops64 parOps[float64, S]
}

// parTest checks StepTensors and StepParallel against Step on each
// tensor, bit for bit (NaN payloads aside), on random tensor lists, for
// each worker count and case, at both precisions: ref is stepped tensor by
// tensor with Step, list by one StepTensors call, one tensor by tensor
// with StepParallel, and after every step all three must agree.
type parTest[S any] struct {
	Seed    [2]uint64 // of the PCG that draws the sizes and the tensors' seeds
	Workers [2][]int  // the worker counts; [1] under parSmall
	Lists   [2]int    // the longest list parSizes draws; [1] under parSmall
	Sizes   []int     // if not nil, the sizes of every list instead
	Slots   []parSlot
	Cases   []parCase[S]
}

// Run runs the subtests workers=<w>/<case>/f32 and .../f64.
func (pt parTest[S]) Run(t *testing.T) {
	r := rand.New(rand.NewPCG(pt.Seed[0], pt.Seed[1]))
	small := parBtoi(parSmall())
	for _, w := range pt.Workers[small] {
		p := NewPool(w)
		for _, c := range pt.Cases {
			sizes := pt.Sizes
			if sizes == nil {
				sizes = parSizes(r, 1+r.IntN(pt.Lists[small]))
			}
			seed := r.Uint64()
			name := fmt.Sprintf("workers=%d/%s", w, c.Name)
			t.Run(name+"/f32", func(t *testing.T) { parMatch(t, p, pt.Slots, c, c.Ops32, sizes, seed) })
			t.Run(name+"/f64", func(t *testing.T) { parMatch(t, p, pt.Slots, c, c.Ops64, sizes, seed) })
		}
		p.Close()
	}
}

func parMatch[F testbuf.Float, S any](t *testing.T, p *Pool, slots []parSlot, c parCase[S], ops parOps[F, S], sizes []int, seed uint64) {
	ref := parRandom[F](slots, c.Nil, sizes, seed)
	list, one := parCopy(ref), parCopy(ref)
	stepList := ops.List(list)
	for _, s := range c.Steps {
		for _, x := range ref {
			if err := ops.Step(s, x); err != nil {
				t.Fatal(err)
			}
		}
		if err := stepList(p, s); err != nil {
			t.Fatal(err)
		}
		for _, x := range one {
			if err := ops.Parallel(p, s, x); err != nil {
				t.Fatal(err)
			}
		}
		for _, got := range []struct {
			method string
			ts     [][][]F
		}{{"StepTensors", list}, {"StepParallel", one}} {
			if d := parDiff(slots, got.ts, ref); d != "" {
				t.Fatalf("%s%s, step %+v, sizes %v: %s", got.method, parPrec[F](), s, sizes, d)
			}
		}
	}
}

// parNoAlloc checks that, after warm-up, StepTensors (split across the
// pool's workers or run inline) and StepParallel (with a pool or nil)
// allocate nothing, at both precisions, for c's first step.
func parNoAlloc[S any](t *testing.T, slots []parSlot, c parCase[S]) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	p := NewPool(2)
	defer p.Close()
	parNoAllocAt(t, p, slots, c, c.Ops32)
	parNoAllocAt(t, p, slots, c, c.Ops64)
}

func parNoAllocAt[F testbuf.Float, S any](t *testing.T, p *Pool, slots []parSlot, c parCase[S], ops parOps[F, S]) {
	s := c.Steps[0]
	split := ops.List(parRandom[F](slots, c.Nil, []int{100_000, 3, 70_000, 0, 5000}, 1))
	inline := ops.List(parRandom[F](slots, c.Nil, []int{10, 300}, 2))
	x := parRandom[F](slots, c.Nil, []int{100_000}, 3)[0]
	for _, f := range []struct {
		name string
		f    func()
	}{
		{"StepTensors/split", func() { split(p, s) }},
		{"StepTensors/inline", func() { inline(p, s) }},
		{"StepParallel", func() { ops.Parallel(p, s, x) }},
		{"StepParallel/nil", func() { ops.Parallel(nil, s, x) }},
	} {
		// Warm up the free lists: a helper may still hold the previous
		// step's batch when the next step starts, so a few batches
		// circulate before none needs allocating.
		for range 20 {
			f.f()
		}
		if n := testing.AllocsPerRun(50, f.f); n != 0 {
			t.Errorf("%s (%s): %v allocations per step, want 0", f.name, parPrec[F](), n)
		}
	}
}

// parLengthPanic checks, at both precisions and for each slice but param,
// that a short slice in the third tensor of a list makes StepTensors
// panic in the caller, naming the tensor and both lengths, and so
// StepParallel on that tensor, before any tensor changes. opt is the
// optimizer's name in the message; c must use every slot.
func parLengthPanic[S any](t *testing.T, opt string, slots []parSlot, c parCase[S]) {
	p := NewPool(2)
	defer p.Close()
	parLengthPanicAt(t, p, opt, slots, c.Steps[0], c.Ops32)
	parLengthPanicAt(t, p, opt, slots, c.Steps[0], c.Ops64)
}

func parLengthPanicAt[F testbuf.Float, S any](t *testing.T, p *Pool, opt string, slots []parSlot, s S, ops parOps[F, S]) {
	ts := parRandom[F](slots, nil, []int{parMaxLen(), 50, 70, 20}, 5)
	before := parCopy(ts)
	prec := parPrec[F]()
	for slot := 1; slot < len(slots); slot++ {
		ts[2][slot] = ts[2][slot][:69]
		name := slots[slot].Name
		want := fmt.Sprintf("fusedopt: %s.StepTensors%s: tensor 2: len(%s) = 69, want len(param) = 70", opt, prec, name)
		if got := parPanicMsg(func() { ops.List(ts)(p, s) }); got != want {
			t.Errorf("panic %q, want %q", got, want)
		}
		want = fmt.Sprintf("fusedopt: %s.StepParallel%s: len(%s) = 69, want len(param) = 70", opt, prec, name)
		if got := parPanicMsg(func() { ops.Parallel(p, s, ts[2]) }); got != want {
			t.Errorf("panic %q, want %q", got, want)
		}
		ts[2][slot] = ts[2][slot][:70]
		if d := parDiff(slots, ts, before); d != "" {
			t.Errorf("short %s (%s): a tensor changed before the panic: %s", name, prec, d)
		}
	}
}

// parRandom makes tensors of the given sizes, tensor i's slots filled in
// order from testbuf.NewRand(seed+i), the slots in nils left nil.
func parRandom[F testbuf.Float](slots []parSlot, nils, sizes []int, seed uint64) [][][]F {
	ts := make([][][]F, len(sizes))
	for i, n := range sizes {
		r := testbuf.NewRand(seed + uint64(i))
		ts[i] = make([][]F, len(slots))
		for k, sl := range slots {
			x := make([]F, n)
			if sl.NonNeg {
				testbuf.FillNonNeg(r, x, sl.Lo, sl.Hi)
			} else {
				testbuf.Fill(r, x, sl.Lo, sl.Hi)
			}
			if !slices.Contains(nils, k) {
				ts[i][k] = x
			}
		}
	}
	return ts
}

// parCopy copies every slice (nil stays nil).
func parCopy[F testbuf.Float](ts [][][]F) [][][]F {
	out := make([][][]F, len(ts))
	for i, x := range ts {
		out[i] = make([][]F, len(x))
		for k, s := range x {
			if s != nil {
				out[i][k] = slices.Clone(s)
			}
		}
	}
	return out
}

// parDiff reports the first element whose bits differ (NaN payloads
// aside), or "".
func parDiff[F testbuf.Float](slots []parSlot, got, want [][][]F) string {
	for i := range want {
		for k, w := range want[i] {
			if j := testbuf.FirstDiff(got[i][k], w); j >= 0 {
				g := "missing"
				if j < len(got[i][k]) {
					g = testbuf.Hex(got[i][k][j])
				}
				return fmt.Sprintf("tensor %d (len %d): %s[%d] = %s, want %s", i, len(w), slots[k].Name, j, g, testbuf.Hex(w[j]))
			}
		}
	}
	return ""
}

// parPrec is "32" or "64", the suffix of F's methods.
func parPrec[F testbuf.Float]() string { return fmt.Sprint(8 * testbuf.Size[F]()) }

// parOps3, parOps4 and parOps5 make an optimizer's parOps from its method
// values, e.g. parOps4(a.Step32, a.StepParallel32, a.StepTensors32).
func parOps3[F testbuf.Float, S, T any](step func(S, []F, []F, []F) error,
	par func(*Pool, S, []F, []F, []F) error, list func(*Pool, S, []T) error) parOps[F, S] {
	return parOps[F, S]{
		Step:     func(s S, x [][]F) error { return step(s, x[0], x[1], x[2]) },
		Parallel: func(p *Pool, s S, x [][]F) error { return par(p, s, x[0], x[1], x[2]) },
		List:     parList[F](list),
	}
}

func parOps4[F testbuf.Float, S, T any](step func(S, []F, []F, []F, []F) error,
	par func(*Pool, S, []F, []F, []F, []F) error, list func(*Pool, S, []T) error) parOps[F, S] {
	return parOps[F, S]{
		Step:     func(s S, x [][]F) error { return step(s, x[0], x[1], x[2], x[3]) },
		Parallel: func(p *Pool, s S, x [][]F) error { return par(p, s, x[0], x[1], x[2], x[3]) },
		List:     parList[F](list),
	}
}

func parOps5[F testbuf.Float, S, T any](step func(S, []F, []F, []F, []F, []F) error,
	par func(*Pool, S, []F, []F, []F, []F, []F) error, list func(*Pool, S, []T) error) parOps[F, S] {
	return parOps[F, S]{
		Step:     func(s S, x [][]F) error { return step(s, x[0], x[1], x[2], x[3], x[4]) },
		Parallel: func(p *Pool, s S, x [][]F) error { return par(p, s, x[0], x[1], x[2], x[3], x[4]) },
		List:     parList[F](list),
	}
}

// parList is StepTensors on a list converted once to T, a struct of as
// many []F fields as the tensor has slices, in the same order.
func parList[F testbuf.Float, S, T any](list func(*Pool, S, []T) error) func([][][]F) func(*Pool, S) error {
	return func(ts [][][]F) func(*Pool, S) error {
		out := make([]T, len(ts))
		for i, x := range ts {
			v := reflect.ValueOf(&out[i]).Elem()
			if v.NumField() != len(x) {
				panic(fmt.Sprintf("%v has %d fields for %d slices", v.Type(), v.NumField(), len(x)))
			}
			for k, s := range x {
				v.Field(k).Set(reflect.ValueOf(s))
			}
		}
		return func(p *Pool, s S) error { return list(p, s, out) }
	}
}
