package fusedgorgonia_test

import (
	"fmt"
	"math"
	"testing"

	fg "github.com/fusedopt/fusedopt/adapters/gorgonia"
	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// algorithms are the hyperparameters the trajectory test runs: every
// fusedopt optimizer, with the options that keep more state switched on.
func algorithms() []struct {
	name string
	run  func(t *testing.T, dt tensor.Dtype, dual bool)
} {
	sgd := kernels.DefaultSGD()
	sgd.LR, sgd.Momentum, sgd.Nesterov = 0.05, 0.9, true
	adamw := kernels.DefaultAdamW()
	adamw.AMSGrad = true
	rms := kernels.DefaultRMSprop()
	rms.Centered, rms.Momentum = true, 0.5
	return []struct {
		name string
		run  func(t *testing.T, dt tensor.Dtype, dual bool)
	}{
		{"Adam", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, kernels.DefaultAdam(), dt, dual) }},
		{"AdamW-AMSGrad", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, adamw, dt, dual) }},
		{"SGD-Nesterov", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, sgd, dt, dual) }},
		{"Adagrad", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, kernels.DefaultAdagrad(), dt, dual) }},
		{"RMSprop-centered-momentum", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, rms, dt, dual) }},
		{"Adadelta", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, kernels.DefaultAdadelta(), dt, dual) }},
		{"Adamax", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, kernels.DefaultAdamax(), dt, dual) }},
		{"NAdam", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, kernels.DefaultNAdam(), dt, dual) }},
		{"RAdam", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, kernels.DefaultRAdam(), dt, dual) }},
		{"Lion", func(t *testing.T, dt tensor.Dtype, dual bool) { trajectory(t, kernels.DefaultLion(), dt, dual) }},
	}
}

// TestTrajectoryMatchesKernels trains the MLP with a Solver of every
// optimizer, in both dtypes, with gradients held by dual values and by
// derivative nodes, and checks after every step that each parameter
// (the scalar too) has the bits that the kernel, called directly on the
// same gradients with the schedule's LR, gives.
func TestTrajectoryMatchesKernels(t *testing.T) {
	for _, alg := range algorithms() {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			for _, dual := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%v/dual=%v", alg.name, dt, dual), func(t *testing.T) {
					alg.run(t, dt, dual)
				})
			}
		}
	}
}

func trajectory[H optim.Algorithm](t *testing.T, h H, dt tensor.Dtype, dual bool) {
	if dt == tensor.Float32 {
		trajectoryOf[H, float32](t, h, dual)
	} else {
		trajectoryOf[H, float64](t, h, dual)
	}
}

func trajectoryOf[H optim.Algorithm, E float32 | float64](t *testing.T, h H, dual bool) {
	const steps = 25
	m := newMLP(t, dtypeOf[E](), dual)
	s := fg.NewSolver(h, fg.WithSchedule(schedule))
	base := lrOf(h)
	want := make([][]E, len(m.params))
	refs := make([]direct[E], len(m.params))
	for i, n := range m.params {
		want[i] = valuesOf[E](t, n.Value())
	}
	for step := range steps {
		m.forward(t)
		grads := make([][]E, len(m.params))
		for i, n := range m.params {
			g, err := n.Grad()
			if err != nil {
				t.Fatal(err)
			}
			grads[i] = valuesOf[E](t, g)
		}
		if err := s.Step(m.model()); err != nil {
			t.Fatal(err)
		}
		m.vm.Reset()
		lr := schedule.LR(base, int64(step))
		for i, n := range m.params {
			if err := refs[i].Step(h, lr, want[i], grads[i]); err != nil {
				t.Fatal(err)
			}
			if j, ok := sameBits(valuesOf[E](t, n.Value()), want[i]); !ok {
				t.Fatalf("step %d: %s[%d] = %v, the kernel gives %v", step+1, n.Name(), j, valuesOf[E](t, n.Value())[j], want[i][j])
			}
			g, _ := n.Grad()
			if nonzero(valuesOf[E](t, g)) {
				t.Fatalf("step %d: the gradient of %s was not zeroed", step+1, n.Name())
			}
		}
	}
	if s.Optimizer().Steps(0) != steps {
		t.Fatalf("the optimizer counts %d steps, want %d", s.Optimizer().Steps(0), steps)
	}
}

// valuesOf copies a gorgonia tensor or scalar of dtype E.
func valuesOf[E float32 | float64](t testing.TB, v G.Value) []E {
	t.Helper()
	switch v := v.(type) {
	case *tensor.Dense:
		if d, ok := v.Data().([]E); ok {
			return append([]E(nil), d...)
		}
	case *G.F32:
		return []E{E(*v)}
	case *G.F64:
		return []E{E(*v)}
	}
	t.Fatalf("value %T %v is not of the test's dtype", v, v)
	return nil
}

// sameBits reports whether a and b hold the same bits, and else the first
// index where they differ.
func sameBits[E float32 | float64](a, b []E) (int, bool) {
	if len(a) != len(b) {
		return 0, false
	}
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			return i, false
		}
	}
	return 0, true
}

func nonzero[E float32 | float64](s []E) bool {
	for _, x := range s {
		if x != 0 {
			return true
		}
	}
	return false
}

func dtypeOf[E float32 | float64]() tensor.Dtype {
	var e E
	if _, ok := any(e).(float32); ok {
		return tensor.Float32
	}
	return tensor.Float64
}

// lrOf is h's LR.
func lrOf(h any) float64 {
	switch h := h.(type) {
	case kernels.Adam:
		return h.LR
	case kernels.SGD:
		return h.LR
	case kernels.Adagrad:
		return h.LR
	case kernels.RMSprop:
		return h.LR
	case kernels.Adadelta:
		return h.LR
	case kernels.Adamax:
		return h.LR
	case kernels.NAdam:
		return h.LR
	case kernels.RAdam:
		return h.LR
	case kernels.Lion:
		return h.LR
	}
	panic(fmt.Sprintf("no LR in %T", h))
}
