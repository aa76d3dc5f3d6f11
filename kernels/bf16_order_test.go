package kernels

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// outcome runs f and says how it ended, in terms that the bfloat16 steps
// and Step32 share: "ok", "error <Field>" for a *ParamError, "length
// panic" or "overlap panic".
func outcome(f func() error) (how string) {
	defer func() {
		if r := recover(); r != nil {
			switch msg := fmt.Sprint(r); {
			case strings.Contains(msg, "len("):
				how = "length panic"
			case strings.Contains(msg, "share memory"):
				how = "overlap panic"
			default:
				how = "panic " + msg
			}
		}
	}()
	var pe *ParamError
	switch err := f(); {
	case errors.As(err, &pe):
		return "error " + pe.Field
	case err != nil:
		return "error " + err.Error()
	}
	return "ok"
}

// orderSlices are the slices of one call, bfloat16 and Step32's alike:
// all of length 4 and apart, or with v (SGD: buf) short, or with v the
// same as m (SGD: buf the same as param). Steps on them fail before they
// read a value, or step zeros.
type orderSlices struct {
	name                    string
	param, m, v, buf        []BF16
	grad16                  []BF16
	grad                    []float32
	p32, m32, v32, b32, g32 []float32
}

func orderCases() []orderSlices {
	bf := func(n int) []BF16 { return make([]BF16, n) }
	f := func(n int) []float32 { return make([]float32, n) }
	apart := orderSlices{name: "apart", param: bf(4), m: bf(4), v: bf(4), grad16: bf(4), grad: f(4), p32: f(4), m32: f(4), v32: f(4), g32: f(4)}
	apart.buf, apart.b32 = apart.v, apart.v32
	short := apart
	short.name, short.v, short.v32 = "short", bf(3), f(3)
	short.buf, short.b32 = short.v, short.v32
	same := apart
	same.name, same.v, same.v32 = "overlap", same.m, same.m32
	same.buf, same.b32 = same.param, same.p32
	return []orderSlices{apart, short, same}
}

// withAdam is AdamW's defaults changed by change.
func withAdam(change func(*Adam)) Adam {
	a := DefaultAdamW()
	change(&a)
	return a
}

// orderHyper is one optimizer's hyperparameters and step number, named.
type orderHyper[O any] struct {
	name string
	o    O
	t    int
}

// checkOrder runs every step of steps with every hyperparameters of hs on
// every orderCases, and demands the outcome of step32 (its Step32 on the
// float32 slices), adding each outcome to kinds.
func checkOrder[O any](t *testing.T, opt string, hs []orderHyper[O], steps map[string]func(o O, step int, x orderSlices) error,
	kinds map[string]bool, step32 func(h orderHyper[O], x orderSlices) error) {
	t.Helper()
	for _, h := range hs {
		for _, x := range orderCases() {
			want := outcome(func() error { return step32(h, x) })
			kinds[want] = true
			for name, step := range steps {
				if got := outcome(func() error { return step(h.o, h.t, x) }); got != want {
					t.Errorf("%s.%s, %s, slices %s: %s; Step32: %s", opt, name, h.name, x.name, got, want)
				}
			}
		}
	}
}

// TestBF16ValidationOrder checks that every bfloat16 step fails as
// Step32 does, for each kind of bad input: a hyperparameter out of its
// domain or t < 1 (an error before the slices are looked at), a length
// mismatch or an overlap (a panic), and a hyperparameter that float32
// cannot carry (an error after those panics).
func TestBF16ValidationOrder(t *testing.T) {
	r := Rounding{Stochastic: true, Seed: 3}
	adamSteps := map[string]func(a Adam, step int, x orderSlices) error{
		"StepBF16": func(a Adam, step int, x orderSlices) error { return a.StepBF16(step, r, x.param, x.grad, x.m, x.v) },
		"StepBF16Grad": func(a Adam, step int, x orderSlices) error {
			return a.StepBF16Grad(step, r, x.param, x.grad16, x.m, x.v)
		},
		"StepParallelBF16": func(a Adam, step int, x orderSlices) error {
			return a.StepParallelBF16(nil, step, r, x.param, x.grad, x.m, x.v)
		},
		"StepParallelBF16Grad": func(a Adam, step int, x orderSlices) error {
			return a.StepParallelBF16Grad(nil, step, r, x.param, x.grad16, x.m, x.v)
		},
		"StepTensorsBF16": func(a Adam, step int, x orderSlices) error {
			return a.StepTensorsBF16(nil, step, r, []AdamTensorBF16{{x.param, x.grad, x.m, x.v, 0}})
		},
		"StepTensorsBF16Grad": func(a Adam, step int, x orderSlices) error {
			return a.StepTensorsBF16Grad(nil, step, r, []AdamTensorBF16Grad{{x.param, x.grad16, x.m, x.v, 0}})
		},
	}
	sgdSteps := map[string]func(o SGD, step int, x orderSlices) error{
		"StepBF16":     func(o SGD, step int, x orderSlices) error { return o.StepBF16(step, r, x.param, x.grad, x.buf) },
		"StepBF16Grad": func(o SGD, step int, x orderSlices) error { return o.StepBF16Grad(step, r, x.param, x.grad16, x.buf) },
		"StepParallelBF16": func(o SGD, step int, x orderSlices) error {
			return o.StepParallelBF16(nil, step, r, x.param, x.grad, x.buf)
		},
		"StepParallelBF16Grad": func(o SGD, step int, x orderSlices) error {
			return o.StepParallelBF16Grad(nil, step, r, x.param, x.grad16, x.buf)
		},
		"StepTensorsBF16": func(o SGD, step int, x orderSlices) error {
			return o.StepTensorsBF16(nil, step, r, []SGDTensorBF16{{x.param, x.grad, x.buf, 0}})
		},
		"StepTensorsBF16Grad": func(o SGD, step int, x orderSlices) error {
			return o.StepTensorsBF16Grad(nil, step, r, []SGDTensorBF16Grad{{x.param, x.grad16, x.buf, 0}})
		},
	}
	lionSteps := map[string]func(o Lion, step int, x orderSlices) error{
		"StepBF16":     func(o Lion, step int, x orderSlices) error { return o.StepBF16(step, r, x.param, x.grad, x.buf) },
		"StepBF16Grad": func(o Lion, step int, x orderSlices) error { return o.StepBF16Grad(step, r, x.param, x.grad16, x.buf) },
		"StepParallelBF16": func(o Lion, step int, x orderSlices) error {
			return o.StepParallelBF16(nil, step, r, x.param, x.grad, x.buf)
		},
		"StepParallelBF16Grad": func(o Lion, step int, x orderSlices) error {
			return o.StepParallelBF16Grad(nil, step, r, x.param, x.grad16, x.buf)
		},
		"StepTensorsBF16": func(o Lion, step int, x orderSlices) error {
			return o.StepTensorsBF16(nil, step, r, []LionTensorBF16{{x.param, x.grad, x.buf, 0}})
		},
		"StepTensorsBF16Grad": func(o Lion, step int, x orderSlices) error {
			return o.StepTensorsBF16Grad(nil, step, r, []LionTensorBF16Grad{{x.param, x.grad16, x.buf, 0}})
		},
	}
	adams := []orderHyper[Adam]{
		{"good", DefaultAdamW(), 2},
		{"Beta1 = 2", withAdam(func(a *Adam) { a.Beta1 = 2 }), 2},
		{"t = 0", DefaultAdamW(), 0},
		{"LR = 1e39", withAdam(func(a *Adam) { a.LR = 1e39 }), 2},
		{"Eps = 1e-50", withAdam(func(a *Adam) { a.Eps = 1e-50 }), 2},
	}
	sgds := []orderHyper[SGD]{
		{"good", SGD{LR: 0.1, Momentum: 0.9}, 2},
		{"LR = -1", SGD{LR: -1, Momentum: 0.9}, 2},
		{"t = 0", SGD{LR: 0.1, Momentum: 0.9}, 0},
		{"LR = 1e39", SGD{LR: 1e39, Momentum: 0.9}, 2},
		{"WeightDecay = 1e39", SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 1e39}, 2},
	}
	lions := []orderHyper[Lion]{
		{"good", DefaultLion(), 2},
		{"Beta2 = 1", Lion{LR: 0.1, Beta1: 0.5, Beta2: 1}, 2},
		{"t = 0", DefaultLion(), 0}, // only the bfloat16 steps take a t
		{"LR = 1e39", Lion{LR: 1e39, Beta1: 0.5, Beta2: 0.5}, 2},
		{"LR*WeightDecay = Inf", Lion{LR: 1e300, Beta1: 0.5, Beta2: 0.5, WeightDecay: 1e300}, 2},
	}
	kinds := map[string]bool{}
	checkOrder(t, "Adam", adams, adamSteps, kinds, func(h orderHyper[Adam], x orderSlices) error {
		return h.o.Step32(h.t, x.p32, x.g32, x.m32, x.v32, nil)
	})
	checkOrder(t, "SGD", sgds, sgdSteps, kinds, func(h orderHyper[SGD], x orderSlices) error {
		return h.o.Step32(h.t, x.p32, x.g32, x.b32)
	})
	checkOrder(t, "Lion", lions, lionSteps, kinds, func(h orderHyper[Lion], x orderSlices) error {
		if h.t < 1 {
			return &ParamError{Field: "t"} // Lion's Step32 takes no t
		}
		return h.o.Step32(x.p32, x.g32, x.b32)
	})
	// The cases must reach every outcome, else they test less than they say.
	for _, k := range []string{"ok", "length panic", "overlap panic", "error Beta1", "error t", "error LR", "error Eps", "error WeightDecay"} {
		if !kinds[k] {
			t.Errorf("no case ends in %q", k)
		}
	}
}
