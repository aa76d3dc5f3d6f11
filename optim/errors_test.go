package optim

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// badLR is a schedule that gives a fixed, possibly invalid, LR.
type badLR float64

func (b badLR) LR(float64, int64) float64 { return float64(b) }
func (badLR) Validate() error             { return nil }
func (badLR) String() string              { return "badLR" }

// TestAddRejects checks each registration mistake, and that nothing is
// registered by it.
func TestAddRejects(t *testing.T) {
	shared := make([]float32, 8)
	cases := []struct {
		name string
		p    Param32
		want string
	}{
		{"empty name", Param32{Data: make([]float32, 2), Grad: make([]float32, 2)}, "empty parameter name"},
		{"duplicate name", Param32{Name: "w", Data: make([]float32, 2), Grad: make([]float32, 2)}, "already registered"},
		{"nil data", Param32{Name: "x", Grad: make([]float32, 2)}, "Data is nil"},
		{"nil grad", Param32{Name: "x", Data: make([]float32, 2)}, "Grad is nil"},
		{"length mismatch", Param32{Name: "x", Data: make([]float32, 2), Grad: make([]float32, 3)}, "len(Grad) = 3, want len(Data) = 2"},
		{"shape mismatch", Param32{Name: "x", Shape: []int64{2, 2}, Data: make([]float32, 2), Grad: make([]float32, 2)}, "Shape [2 2] has 4 elements"},
		{"negative dimension", Param32{Name: "x", Shape: []int64{-2}, Data: make([]float32, 2), Grad: make([]float32, 2)}, "negative"},
		{"grad is data", Param32{Name: "x", Data: shared[:4], Grad: shared[2:6]}, "Grad shares memory with Data"},
		{"overlaps a parameter", Param32{Name: "x", Data: wData[3:5], Grad: make([]float32, 2)}, "parameter w"},
		{"overlaps a gradient", Param32{Name: "x", Data: make([]float32, 2), Grad: wGrad[1:3]}, "gradient of w"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := oneParam(t)
			err := o.Add32(0, tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Add32: %v, want an error mentioning %q", err, tc.want)
			}
			if len(o.params) != 1 || len(o.groups[0].f32.ts) != 1 || o.next != int64(len(wData)) {
				t.Error("a refused Add changed the registrations")
			}
		})
	}
	t.Run("group that has stepped", func(t *testing.T) {
		o := oneParam(t)
		if err := o.Step(); err != nil {
			t.Fatal(err)
		}
		err := o.Add32(0, Param32{Name: "x", Data: make([]float32, 2), Grad: make([]float32, 2)})
		if err == nil || !strings.Contains(err.Error(), "new group") {
			t.Fatalf("Add32 after a step: %v", err)
		}
	})
	t.Run("group out of range panics", func(t *testing.T) {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "group 5 out of range") {
				t.Errorf("panic %v", r)
			}
		}()
		oneParam(t).Add32(5, Param32{Name: "x", Data: make([]float32, 2), Grad: make([]float32, 2)})
	})
}

var wData, wGrad = make([]float32, 6), make([]float32, 6)

// oneParam is an Adam optimizer holding one parameter w.
func oneParam(t *testing.T) *Optimizer[kernels.Adam] {
	t.Helper()
	o, err := New(kernels.DefaultAdam(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Add32(0, Param32{Name: "w", Data: wData, Grad: wGrad}); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestStepAllOrNothing checks that a Step whose second group is bad
// changes nothing in the first: a float32-only hyperparameter error, and
// schedules that give NaN, infinite or negative LRs.
func TestStepAllOrNothing(t *testing.T) {
	tinyEps := kernels.DefaultAdam()
	tinyEps.Eps = 1e-50 // positive, but 0 in float32
	cases := []struct {
		name  string
		h     kernels.Adam
		sched Schedule
		want  string
	}{
		{"eps that float32 cannot carry", tinyEps, nil, "Eps"},
		{"NaN LR", kernels.DefaultAdam(), badLR(math.NaN()), "LR NaN at step 1"},
		{"infinite LR", kernels.DefaultAdam(), badLR(math.Inf(1)), "LR +Inf"},
		{"negative LR", kernels.DefaultAdam(), badLR(-1e-3), "LR -0.001"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newModel(8)
			o := adamCase().build(t, m)
			g, err := o.AddGroup(tc.h, tc.sched)
			if err != nil {
				t.Fatal(err)
			}
			if err := o.Add32(g, Param32{Name: "late", Data: []float32{1, 2}, Grad: []float32{3, 4}}); err != nil {
				t.Fatal(err)
			}
			m.fillGrads(1)
			before, values := digest(t, o), m.clone()
			err = o.Step()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "group 2") {
				t.Fatalf("Step: %v, want an error about group 2 mentioning %q", err, tc.want)
			}
			var pe *kernels.ParamError
			if tc.sched == nil && !errors.As(err, &pe) {
				t.Errorf("Step's error %v is not a *kernels.ParamError", err)
			}
			if digest(t, o) != before {
				t.Error("the failed Step changed the optimizer")
			}
			equalModels(t, "after a failed Step", m, values)
		})
	}
}

// TestStepNoParams checks Step's error when nothing is registered.
func TestStepNoParams(t *testing.T) {
	o, err := New(kernels.DefaultSGD(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Step(); !errors.Is(err, ErrNoParams) {
		t.Fatalf("Step: %v, want ErrNoParams", err)
	}
}

// TestNewRejects checks the errors of New and AddGroup.
func TestNewRejects(t *testing.T) {
	bad := kernels.DefaultAdam()
	bad.Beta2 = 1
	if _, err := New(bad, nil, nil); err == nil || !strings.Contains(err.Error(), "Adam.Beta2 = 1") {
		t.Errorf("New with Beta2 1: %v", err)
	}
	if _, err := New(kernels.DefaultAdam(), Cosine{}, nil); err == nil || !strings.Contains(err.Error(), "Cosine") {
		t.Errorf("New with a zero Cosine: %v", err)
	}
	if _, err := New(kernels.DefaultAdam(), nil, &Config{Shard: &Shard{5, 2}}); err == nil || !strings.Contains(err.Error(), "Shard") {
		t.Errorf("New with a reversed shard: %v", err)
	}
	ada := kernels.DefaultAdagrad()
	ada.InitialAccumulatorValue = 1e300
	o, err := New(ada, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = o.Add32(0, Param32{Name: "w", Data: make([]float32, 2), Grad: make([]float32, 2)})
	if err == nil || !strings.Contains(err.Error(), "overflows float32") {
		t.Errorf("Add32 with an accumulator that overflows float32: %v", err)
	}
	if err := o.Add64(0, Param64{Name: "w", Data: make([]float64, 2), Grad: make([]float64, 2)}); err != nil {
		t.Errorf("Add64 with the same accumulator: %v", err)
	}
}

// TestSetHyper checks that hyperparameters change between steps, and
// that a change of the state they use is refused once a group has stepped.
func TestSetHyper(t *testing.T) {
	o := oneParam(t)
	h := o.Hyper(0)
	h.AMSGrad = true
	if err := o.SetHyper(0, h); err != nil {
		t.Fatalf("turning AMSGrad on before the first step: %v", err)
	}
	if o.byName["w"].f32.state[2] == nil {
		t.Fatal("AMSGrad's max_exp_avg_sq was not allocated")
	}
	if err := o.Step(); err != nil {
		t.Fatal(err)
	}
	h.LR, h.WeightDecay = 0.5, 0.1
	if err := o.SetHyper(0, h); err != nil {
		t.Fatal(err)
	}
	if o.LR(0) != 0.5 {
		t.Errorf("LR(0) = %v after SetHyper, want 0.5", o.LR(0))
	}
	h.AMSGrad = false
	err := o.SetHyper(0, h)
	if err == nil || !strings.Contains(err.Error(), "max_exp_avg_sq") {
		t.Errorf("turning AMSGrad off after a step: %v", err)
	}
	h.AMSGrad, h.Beta1 = true, -1
	var pe *kernels.ParamError
	if err := o.SetHyper(0, h); !errors.As(err, &pe) || pe.Field != "Beta1" {
		t.Errorf("SetHyper with Beta1 -1: %v", err)
	}
	if o.Hyper(0).Beta1 != 0.9 {
		t.Error("a refused SetHyper changed the hyperparameters")
	}
}

// TestZeroGrad checks that ZeroGrad clears every gradient, also outside
// the shard, and no parameter.
func TestZeroGrad(t *testing.T) {
	m := newModel(9)
	o, err := New(kernels.DefaultAdam(), nil, &Config{Shard: &Shard{0, 10}})
	if err != nil {
		t.Fatal(err)
	}
	register(t, o, m, kernels.DefaultAdam())
	m.fillGrads(1)
	values := m.clone()
	o.ZeroGrad()
	for i := range m.names {
		for _, g := range m.g32[i] {
			if g != 0 {
				t.Fatalf("%s's gradient is not zero", m.names[i])
			}
		}
		for _, g := range m.g64[i] {
			if g != 0 {
				t.Fatalf("%s's gradient is not zero", m.names[i])
			}
		}
	}
	equalModels(t, "after ZeroGrad", m, values)
}
