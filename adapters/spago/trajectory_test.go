package fusedspago_test

import (
	"fmt"
	"math"
	"sync"
	"testing"

	fs "github.com/fusedopt/fusedopt/adapters/spago"
	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
	"github.com/nlpodyssey/spago/nn"
	"github.com/nlpodyssey/spago/optimizers"
)

// algorithms are the hyperparameters the trajectory test runs: every
// fusedopt optimizer, with the options that keep more state switched on.
func algorithms() []struct {
	name string
	run  func(t *testing.T, f32, viaSpago bool)
} {
	sgd := kernels.DefaultSGD()
	sgd.LR, sgd.Momentum, sgd.Nesterov = 0.05, 0.9, true
	adamw := kernels.DefaultAdamW()
	adamw.AMSGrad = true
	rms := kernels.DefaultRMSprop()
	rms.Centered, rms.Momentum = true, 0.5
	return []struct {
		name string
		run  func(t *testing.T, f32, viaSpago bool)
	}{
		{"Adam", func(t *testing.T, f32, v bool) { trajectory(t, kernels.DefaultAdam(), f32, v) }},
		{"AdamW-AMSGrad", func(t *testing.T, f32, v bool) { trajectory(t, adamw, f32, v) }},
		{"SGD-Nesterov", func(t *testing.T, f32, v bool) { trajectory(t, sgd, f32, v) }},
		{"Adagrad", func(t *testing.T, f32, v bool) { trajectory(t, kernels.DefaultAdagrad(), f32, v) }},
		{"RMSprop-centered-momentum", func(t *testing.T, f32, v bool) { trajectory(t, rms, f32, v) }},
		{"Adadelta", func(t *testing.T, f32, v bool) { trajectory(t, kernels.DefaultAdadelta(), f32, v) }},
		{"Adamax", func(t *testing.T, f32, v bool) { trajectory(t, kernels.DefaultAdamax(), f32, v) }},
		{"NAdam", func(t *testing.T, f32, v bool) { trajectory(t, kernels.DefaultNAdam(), f32, v) }},
		{"RAdam", func(t *testing.T, f32, v bool) { trajectory(t, kernels.DefaultRAdam(), f32, v) }},
		{"Lion", func(t *testing.T, f32, v bool) { trajectory(t, kernels.DefaultLion(), f32, v) }},
	}
}

// TestTrajectoryMatchesKernels trains the MLP with a Strategy of every
// optimizer, in both dtypes, stepping with Strategy.Optimize and as the
// strategy of spaGO's Optimizer, and checks after every step that each
// parameter has the bits that the kernel, called directly on the same
// gradients with the schedule's LR, gives.
func TestTrajectoryMatchesKernels(t *testing.T) {
	for _, alg := range algorithms() {
		for _, f32 := range []bool{true, false} {
			for _, viaSpago := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/float32=%v/spagoOptimizer=%v", alg.name, f32, viaSpago), func(t *testing.T) {
					alg.run(t, f32, viaSpago)
				})
			}
		}
	}
}

func trajectory[H optim.Algorithm](t *testing.T, h H, f32, viaSpago bool) {
	if f32 {
		trajectoryOf[H, float32](t, h, viaSpago)
	} else {
		trajectoryOf[H, float64](t, h, viaSpago)
	}
}

// waited is a Strategy handed to spaGO's Optimizer that tells the test
// when every OptimizeParams has returned: spaGO's Optimize does not wait
// for them.
type waited struct {
	optimizers.OptimizationStrategy
	wg *sync.WaitGroup
}

func (w waited) OptimizeParams(p *nn.Param) error {
	defer w.wg.Done()
	return w.OptimizationStrategy.OptimizeParams(p)
}

// step is one optimizer step of s over m's parameters, with s.Optimize or
// with spaGO's Optimizer, which calls s.OptimizeParams.
func step[T float.DType, H optim.Algorithm](t *testing.T, s *fs.Strategy[H], m *mlp[T], viaSpago bool) {
	t.Helper()
	if !viaSpago {
		if err := s.Optimize(); err != nil {
			t.Fatal(err)
		}
		return
	}
	var wg sync.WaitGroup
	wg.Add(len(m.params()))
	if err := optimizers.New(nn.Parameters(m), waited{s, &wg}).Optimize(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}

func trajectoryOf[H optim.Algorithm, T float32 | float64](t *testing.T, h H, viaSpago bool) {
	const steps = 25
	m := newMLP[T]()
	s := fs.NewStrategy(nn.Parameters(m), h, fs.WithSchedule(schedule))
	base := lrOf(h)
	want := make([][]T, len(m.params()))
	refs := make([]direct[T], len(m.params()))
	for i, p := range m.params() {
		want[i] = append([]T(nil), mat.Data[T](p.Value())...)
	}
	for n := range steps {
		m.backward(t)
		grads := make([][]T, len(m.params()))
		for i, p := range m.params() {
			grads[i] = append([]T(nil), mat.Data[T](p.Grad())...)
		}
		step(t, s, m, viaSpago)
		lr := schedule.LR(base, int64(n))
		for i, p := range m.params() {
			if err := refs[i].Step(h, lr, want[i], grads[i]); err != nil {
				t.Fatal(err)
			}
			if j, ok := sameBits(mat.Data[T](p.Value()), want[i]); !ok {
				t.Fatalf("step %d: parameter %d [%d] = %v, the kernel gives %v", n+1, i, j, mat.Data[T](p.Value())[j], want[i][j])
			}
			if p.HasGrad() {
				t.Fatalf("step %d: the gradient of parameter %d was not dropped", n+1, i)
			}
		}
	}
	if got := s.Optimizer().Steps(0); got != steps {
		t.Fatalf("the optimizer counts %d steps, want %d", got, steps)
	}
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
