package fusedspago_test

import (
	"math"
	"math/rand/v2"
	"testing"

	fs "github.com/fusedopt/fusedopt/adapters/spago"
	"github.com/fusedopt/fusedopt/kernels"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"
	"github.com/nlpodyssey/spago/optimizers"
	"github.com/nlpodyssey/spago/optimizers/adagrad"
	"github.com/nlpodyssey/spago/optimizers/adam"
	"github.com/nlpodyssey/spago/optimizers/rmsprop"
	"github.com/nlpodyssey/spago/optimizers/sgd"
)

// comparison is one of spaGO's strategies that computes what a fusedopt
// optimizer does, and the relative tolerance δ of one step's update
// between the two (see TestMatchesSpagoStrategies).
type comparison struct {
	name             string
	theirs           func() (s optimizers.OptimizationStrategy, next func())
	ours             func(params nn.ParamChannelFunc) optimizers.OptimizationStrategy
	delta32, delta64 float64
}

// TestMatchesSpagoStrategies gives spaGO's Adam, RMSProp, AdaGrad and SGD
// with momentum (plain and Nesterov) and the fusedopt Strategies of the
// same algorithms the same 100 gradients, and checks that the parameters
// stay within
//
//	|ours - theirs| <= δ·Σ|update| + 2·steps·ulp(max|w|)
//
// of each other, element by element: the updates differ by a relative δ,
// and each step rounds w in each of them.
//
//   - spaGO's Adam is Kingma and Ba's, eps added to the uncorrected
//     sqrt(v) with the step size lr·sqrt(1-β2^t)/(1-β1^t): kernels.Adam
//     with EpsHat. Both compute the step size in float64 and round it
//     once, the rest elementwise in the same order (here they agree to
//     the bit in float32); δ allows for the last bit of math.Pow against
//     fusedopt's exact power, and for spaGO's Adam advancing its step
//     count only when IncExample is called, as this test does.
//   - RMSProp and AdaGrad are PyTorch's, eps added to the square root;
//     spaGO multiplies g/(√v+ε) by lr where fusedopt computes lr·(g/(√v+ε)),
//     the same product.
//   - spaGO's SGD keeps lr inside its momentum buffer (v = μv + lr·g,
//     and for Nesterov the step (1+μ)v_t - μv_{t-1}), PyTorch's outside
//     (buf = μ·buf + g, step lr·buf): the same for a constant lr, with
//     other roundings, which compound through the buffer over about
//     1/(1-μ) = 10 steps.
func TestMatchesSpagoStrategies(t *testing.T) {
	withIncExample := func(a *adam.Adam) (optimizers.OptimizationStrategy, func()) { return a, a.IncExample }
	epsHat := kernels.DefaultAdam()
	epsHat.EpsHat = true
	rms := kernels.DefaultRMSprop()
	rms.LR, rms.Alpha = 0.001, 0.95 // spaGO's defaults
	momentum := kernels.DefaultSGD()
	momentum.LR, momentum.Momentum = 0.01, 0.9
	nesterov := momentum
	nesterov.Nesterov = true
	for _, c := range []comparison{
		{"Adam", func() (optimizers.OptimizationStrategy, func()) {
			return withIncExample(adam.New(adam.NewDefaultConfig()))
		}, func(ps nn.ParamChannelFunc) optimizers.OptimizationStrategy { return fs.NewStrategy(ps, epsHat) }, 1e-6, 1e-14},
		{"RMSProp", func() (optimizers.OptimizationStrategy, func()) {
			return rmsprop.New[float64](rmsprop.NewDefaultConfig()), func() {}
		}, func(ps nn.ParamChannelFunc) optimizers.OptimizationStrategy { return fs.NewStrategy(ps, rms) }, 1e-6, 1e-14},
		{"AdaGrad", func() (optimizers.OptimizationStrategy, func()) {
			return adagrad.New[float64](adagrad.NewDefaultConfig()), func() {}
		}, func(ps nn.ParamChannelFunc) optimizers.OptimizationStrategy {
			h := kernels.DefaultAdagrad()
			h.Eps = 1e-8
			return fs.NewStrategy(ps, h)
		}, 1e-6, 1e-14},
		{"SGD-momentum", func() (optimizers.OptimizationStrategy, func()) {
			return sgd.New[float64](sgd.NewConfig(0.01, 0.9, false)), func() {}
		}, func(ps nn.ParamChannelFunc) optimizers.OptimizationStrategy { return fs.NewStrategy(ps, momentum) }, 1e-5, 1e-13},
		{"SGD-Nesterov", func() (optimizers.OptimizationStrategy, func()) {
			return sgd.New[float64](sgd.NewConfig(0.01, 0.9, true)), func() {}
		}, func(ps nn.ParamChannelFunc) optimizers.OptimizationStrategy { return fs.NewStrategy(ps, nesterov) }, 1e-5, 1e-13},
	} {
		t.Run(c.name+"/float32", func(t *testing.T) { compareStrategies[float32](t, c, c.delta32) })
		t.Run(c.name+"/float64", func(t *testing.T) { compareStrategies[float64](t, c, c.delta64) })
	}
}

func compareStrategies[T float32 | float64](t *testing.T, c comparison, delta float64) {
	const steps, rows, cols = 100, 10, 100
	rng := rand.New(rand.NewPCG(3, 4))
	w0 := make([]float64, rows*cols)
	mag := make([]float64, len(w0)) // each element's gradient scale, 1e-3 to 10
	for i := range w0 {
		w0[i] = rng.NormFloat64()
		mag[i] = math.Pow(10, -3+4*rng.Float64())
	}
	theirs, ours := param[T](w0, rows, cols), param[T](w0, rows, cols)
	var f32 bool
	if _, ok := any(T(0)).(float32); ok {
		f32 = true
	}
	st, next := c.theirs()
	so := c.ours(nn.StreamParams([]*nn.Param{ours}))
	moved := make([]float64, len(w0))
	peak := make([]float64, len(w0))
	for i, w := range w0 {
		peak[i] = math.Abs(w)
	}
	for range steps {
		g := make([]T, len(w0))
		for i := range g {
			g[i] = T(mag[i] * rng.NormFloat64())
		}
		theirs.AccGrad(mat.NewDense[T](mat.WithShape(rows, cols), mat.WithBacking(append([]T(nil), g...))))
		ours.AccGrad(mat.NewDense[T](mat.WithShape(rows, cols), mat.WithBacking(g)))
		before := append([]T(nil), mat.Data[T](ours.Value())...)
		if err := st.OptimizeParams(theirs); err != nil {
			t.Fatal(err)
		}
		next()
		if err := so.OptimizeParams(ours); err != nil {
			t.Fatal(err)
		}
		for i, w := range mat.Data[T](ours.Value()) {
			moved[i] += math.Abs(float64(w) - float64(before[i]))
			peak[i] = max(peak[i], math.Abs(float64(w)))
		}
	}
	ulp := 0x1p-52
	if f32 {
		ulp = 0x1p-23
	}
	a, b := mat.Data[T](ours.Value()), mat.Data[T](theirs.Value())
	worst, exact := 0.0, 0
	for i := range a {
		diff := math.Abs(float64(a[i]) - float64(b[i]))
		tol := delta*moved[i] + 2*steps*ulp*peak[i]
		if diff > tol {
			t.Errorf("w[%d]: ours %v, spaGO's %v: |Δ| = %.3g > %.3g", i, a[i], b[i], diff, tol)
		}
		worst = max(worst, diff/tol)
		if diff == 0 {
			exact++
		}
	}
	t.Logf("largest |Δ| is %.2g of its tolerance; %d of %d elements are equal", worst, exact, len(a))
}
