package kernels

// The harness of the validation tests, shared by every optimizer (the
// external tests reach it through export_test.go): a bad hyperparameter,
// step number or schedule makes every step method return a *ParamError
// naming the field and the value, with Step's message, at every level, and
// changes nothing, not a bit (NaN payloads included); what only float32
// cannot carry fails the float32 methods alone.
//
// It reuses the parallel harness (parallel_harness_test.go): a bad case is
// the modified optimizer's parCase, its slices are the optimizer's
// parSlots, and its tensors come from parRandom.

import (
	"fmt"
	"slices"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// rejectCase is one bad setting: Case is the optimizer that carries it,
// as for the parallel harness (Case.Name names the subtest; the slots in
// Case.Nil are left nil, and, to see that an unused slice does not change
// either, given in a second round; Case.Steps is not used), Step the step
// argument, Field and Value what the *ParamError must blame, and Only32
// is set where only float32 cannot carry the value: the float64 methods
// must accept it.
type rejectCase[S any] struct {
	Case   parCase[S]
	Step   S
	Field  string
	Value  float64
	Only32 bool
}

// rejectTest checks that each of Cases is rejected by optimizer Opt,
// whose slices are Slots.
type rejectTest[S any] struct {
	Opt   string
	Slots []parSlot
	Cases []rejectCase[S]
}

// Add appends the case of c at step s.
func (rt *rejectTest[S]) Add(c parCase[S], s S, field string, value float64, only32 bool) {
	rt.Cases = append(rt.Cases, rejectCase[S]{c, s, field, value, only32})
}

// rejectSizes are the tensors of every check: a list with an empty tensor.
var rejectSizes = []int{19, 0, 7}

// Run runs the subtests <level>/<case> at every supported level, Generic
// last, restoring the active level at the end, each at both precisions.
func (rt rejectTest[S]) Run(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	for _, l := range nrLevels(t) {
		SetLevel(l)
		for _, c := range rt.Cases {
			t.Run(l.String()+"/"+c.Case.Name, func(t *testing.T) {
				nils := [][]int{c.Case.Nil}
				if len(c.Case.Nil) > 0 {
					nils = append(nils, nil)
				}
				for _, nl := range nils {
					rejectAt(t, p, rt, c, nl, c.Case.Ops32)
					rejectAt(t, p, rt, c, nl, c.Case.Ops64)
				}
			})
		}
	}
}

// rejectAt calls every step method at precision F on random tensors
// (specials sprinkled in) at c.Step, the slots in nils left nil: Step and
// StepParallel (with no pool and with p) on each tensor, and StepTensors
// on the list, with no pool and with p, on no tensors, and, but for an
// Only32 case, on the list with tensor 0's grad and tensor 2's last slice
// one short (the hyperparameters are checked before the lengths; the
// float32 limits need not be). Each must return Step's *ParamError and
// leave every slice as it was, or, for an Only32 case in float64, succeed.
func rejectAt[F testbuf.Float, S any](t *testing.T, p *Pool, rt rejectTest[S], c rejectCase[S], nils []int, ops parOps[F, S]) {
	t.Helper()
	s := c.Step
	ts := parRandom[F](rt.Slots, nils, rejectSizes, 3)
	r := testbuf.NewRand(4)
	for _, x := range ts {
		for _, sl := range x {
			testbuf.Sprinkle(r, sl, 4)
		}
	}
	before := parCopy(ts)
	short := make([][][]F, len(ts))
	for i, x := range ts {
		short[i] = slices.Clone(x)
	}
	short[0][1] = short[0][1][:len(short[0][1])-1]
	for k := len(short[2]) - 1; k > 1; k-- {
		if short[2][k] != nil {
			short[2][k] = short[2][k][:len(short[2][k])-1]
			break
		}
	}

	prec := parPrec[F]()
	accept := c.Only32 && prec == "64"
	type call struct {
		op string
		f  func() error
	}
	var calls []call
	for i, x := range ts {
		calls = append(calls,
			call{fmt.Sprintf("Step%s(tensor %d)", prec, i), func() error { return ops.Step(s, x) }},
			call{fmt.Sprintf("StepParallel%s(nil, tensor %d)", prec, i), func() error { return ops.Parallel(nil, s, x) }},
			call{fmt.Sprintf("StepParallel%s(pool, tensor %d)", prec, i), func() error { return ops.Parallel(p, s, x) }})
	}
	list := ops.List(ts)
	calls = append(calls,
		call{"StepTensors" + prec + "(nil)", func() error { return list(nil, s) }},
		call{"StepTensors" + prec + "(pool)", func() error { return list(p, s) }},
		call{"StepTensors" + prec + "(pool, no tensors)", func() error { return ops.List(nil)(p, s) }})
	if !c.Only32 {
		calls = append(calls, call{"StepTensors" + prec + "(pool, short slices)", func() error { return ops.List(short)(p, s) }})
	}

	where := fmt.Sprintf("step %+v, slots %v nil", s, nils)
	var first error
	for _, cl := range calls {
		err := cl.f()
		if accept {
			if err != nil {
				t.Errorf("%s (%s) rejects what only float32 cannot carry: %v", cl.op, where, err)
			}
			continue
		}
		wantParamError(t, cl.op+" ("+where+")", rt.Opt, c.Field, c.Value, err)
		if first == nil {
			first = err
		} else if err.Error() != first.Error() {
			t.Errorf("%s (%s): %q, want the message of %s", cl.op, where, err, first)
		}
		if d := rejectDiff(rt.Slots, ts, before); d != "" {
			t.Errorf("%s (%s) failed but changed %s", cl.op, where, d)
			return
		}
	}
}

// rejectDiff reports the first element whose bits changed, NaN payloads
// included (stricter than parDiff), or "".
func rejectDiff[F testbuf.Float](slots []parSlot, got, was [][][]F) string {
	for i, x := range was {
		for k, w := range x {
			for j := range w {
				if g := got[i][k][j]; testbuf.Bits(g) != testbuf.Bits(w[j]) {
					return fmt.Sprintf("tensor %d: %s[%d] = %s, was %s", i, slots[k].Name, j, testbuf.Hex(g), testbuf.Hex(w[j]))
				}
			}
		}
	}
	return ""
}

// rejectBad is a bad setting as the tables of Adam, NAdam and RAdam list
// it: the subtest's name, the field and value to blame, the optimizer O
// that carries it, the step argument, and whether only float32 rejects
// it.
type rejectBad[O, S any] struct {
	name, field string
	value       float64
	a           O
	s           S
	only32      bool // float32 cannot carry it; float64 accepts it
}

// rejectBoth runs rejectTest on opt's cases, each with an option of the
// optimizer off and on (set sets it), named <name>/<option>=<false|true>;
// caseOf is the optimizer's parCase.
func rejectBoth[O, S any](t *testing.T, opt string, slots []parSlot, cases []rejectBad[O, S],
	option string, set func(*O, bool), caseOf func(string, O) parCase[S]) {
	rt := rejectTest[S]{Opt: opt, Slots: slots}
	for _, c := range cases {
		for _, on := range []bool{false, true} {
			set(&c.a, on)
			rt.Add(caseOf(fmt.Sprintf("%s/%s=%v", c.name, option, on), c.a), c.s, c.field, c.value, c.only32)
		}
	}
	rt.Run(t)
}
