package fusedgorgonia_test

import (
	"math"
	"math/rand/v2"
	"testing"

	fg "github.com/fusedopt/fusedopt/adapters/gorgonia"
	"github.com/fusedopt/fusedopt/kernels"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// param is a ValueGrad that is not a node: a value and a gradient tensor.
// Gorgonia's AdamSolver, RMSPropSolver and VanillaSolver take it as they
// take a node.
type param struct{ value, grad G.Value }

func (p param) Value() G.Value         { return p.value }
func (p param) Grad() (G.Value, error) { return p.grad, nil }

// comparison is one of gorgonia's solvers that computes what a fusedopt
// optimizer does, and the relative tolerance δ of one step's update
// between the two (see TestMatchesGorgoniaSolvers).
type comparison struct {
	name             string
	theirs           func() G.Solver
	ours             func() G.Solver
	delta32, delta64 float64
}

// TestMatchesGorgoniaSolvers gives gorgonia's Adam (without decay),
// RMSprop and plain SGD and the fusedopt Solvers of the same algorithms
// the same 100 gradients and checks that the parameters stay within
//
//	|ours - theirs| <= δ·Σ|update| + 2·steps·ulp(max|w|)
//
// of each other, element by element: the updates differ by a relative δ
// (the roundings below), and each step rounds w in each of them.
//
//   - Adam is PyTorch's in both, with eps added to sqrt(v̂). In float32,
//     gorgonia computes 1-β in float32 (1 - float32(0.999) = 0.00099998713,
//     1.3e-5 below the 0.001 that fusedopt rounds from float64), so its v
//     is 1.3e-5 smaller and its update up to 6.4e-6 larger: δ32 = 2e-5
//     covers that and the ~20 roundings of each side. In float64 both
//     compute the same scalars and differ only in the order of a few
//     roundings (gorgonia divides v by 1-β2^t before the square root,
//     fusedopt multiplies √v by 1/√(1-β2^t)): δ64 = 1e-14.
//   - Gorgonia's RMSPropSolver divides by sqrt(v+eps), fusedopt's
//     RMSprop with EpsInSqrt; the same float32 1-α gives δ32 = 2e-5.
//   - VanillaSolver is SGD without momentum: w - lr·g in both, one
//     rounding of the product (fusedopt computes lr·g, gorgonia -lr·g).
func TestMatchesGorgoniaSolvers(t *testing.T) {
	rms := kernels.DefaultRMSprop()
	rms.LR, rms.Alpha, rms.EpsInSqrt = 0.001, 0.999, true
	sgd := kernels.DefaultSGD()
	sgd.LR = 0.01
	for _, c := range []comparison{
		{"Adam", func() G.Solver { return G.NewAdamSolver() }, func() G.Solver { return fg.NewSolver(kernels.DefaultAdam()) }, 2e-5, 1e-14},
		{"RMSprop", func() G.Solver { return G.NewRMSPropSolver() }, func() G.Solver { return fg.NewSolver(rms) }, 2e-5, 1e-14},
		{"SGD", func() G.Solver { return G.NewVanillaSolver(G.WithLearnRate(0.01)) }, func() G.Solver { return fg.NewSolver(sgd) }, 1e-6, 1e-15},
	} {
		t.Run(c.name+"/float32", func(t *testing.T) { compareSolvers[float32](t, c, c.delta32) })
		t.Run(c.name+"/float64", func(t *testing.T) { compareSolvers[float64](t, c, c.delta64) })
	}
}

func compareSolvers[E float32 | float64](t *testing.T, c comparison, delta float64) {
	const steps, n = 100, 1000
	rng := rand.New(rand.NewPCG(3, 4))
	w0 := make([]float64, n)
	mag := make([]float64, n) // each element's gradient scale, 1e-3 to 10
	for i := range w0 {
		w0[i] = rng.NormFloat64()
		mag[i] = math.Pow(10, -3+4*rng.Float64())
	}
	dt := dtypeOf[E]()
	theirs := param{dense(dt, w0, 10, n/10), dense(dt, make([]float64, n), 10, n/10)}
	ours := param{dense(dt, w0, 10, n/10), dense(dt, make([]float64, n), 10, n/10)}
	st, so := c.theirs(), c.ours()
	moved := make([]float64, n) // Σ|update| of ours, per element
	peak := append([]float64(nil), w0...)
	for i := range peak {
		peak[i] = math.Abs(peak[i])
	}
	for range steps {
		g := make([]float64, n)
		for i := range g {
			g[i] = mag[i] * rng.NormFloat64()
		}
		// Gorgonia's solvers square and zero the gradient in place: each
		// gets its own copy.
		copy(theirs.grad.(*tensor.Dense).Data().([]E), convert[E](g))
		copy(ours.grad.(*tensor.Dense).Data().([]E), convert[E](g))
		before := valuesOf[E](t, ours.value)
		if err := st.Step([]G.ValueGrad{theirs}); err != nil {
			t.Fatal(err)
		}
		if err := so.Step([]G.ValueGrad{ours}); err != nil {
			t.Fatal(err)
		}
		for i, w := range valuesOf[E](t, ours.value) {
			moved[i] += math.Abs(float64(w) - float64(before[i]))
			peak[i] = max(peak[i], math.Abs(float64(w)))
		}
	}
	var e E
	ulp := 0x1p-52
	if _, ok := any(e).(float32); ok {
		ulp = 0x1p-23
	}
	a, b := valuesOf[E](t, ours.value), valuesOf[E](t, theirs.value)
	worst := 0.0
	for i := range a {
		diff := math.Abs(float64(a[i]) - float64(b[i]))
		tol := delta*moved[i] + 2*steps*ulp*peak[i]
		if diff > tol {
			t.Errorf("w[%d]: ours %v, gorgonia's %v: |Δ| = %.3g > %.3g", i, a[i], b[i], diff, tol)
		}
		worst = max(worst, diff/tol)
	}
	t.Logf("largest |Δ| is %.2g of its tolerance", worst)
}

// convert rounds s to E.
func convert[E float32 | float64](s []float64) []E {
	out := make([]E, len(s))
	for i, x := range s {
		out[i] = E(x)
	}
	return out
}
