package fusedgorgonia_test

import (
	"math"
	"testing"

	fg "github.com/fusedopt/fusedopt/adapters/gorgonia"
	"github.com/fusedopt/fusedopt/kernels"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// quadratic is a one-parameter graph, loss = Σ w², whose gradient 2w
// never vanishes, with w bound to a dual value.
func quadratic(t *testing.T, dt tensor.Dtype) (*G.Node, G.VM) {
	g := G.NewGraph()
	w := G.NewMatrix(g, dt, G.WithShape(2, 3), G.WithName("w"), G.WithValue(dense(dt, []float64{1.5, -0.25, 3, -2, 0.75, 0.1}, 2, 3)))
	loss := G.Must(G.Sum(G.Must(G.Square(w))))
	if _, err := G.Grad(loss, w); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(w))
	t.Cleanup(func() { vm.Close() })
	return w, vm
}

// TestAdamWChangesWeights is a regression test for AdamW: fusedopt's moves
// the weights as PyTorch's torch.optim.AdamW does (checked against its
// documented algorithm in float64), while gorgonia's NewAdamW leaves them
// exactly as they were: its tensor.Mul(w, decay) without UseUnsafe
// returns a decayed copy, which the update then goes to.
func TestAdamWChangesWeights(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			if dt == tensor.Float32 {
				adamW[float32](t, 1e-6)
			} else {
				adamW[float64](t, 1e-14)
			}
		})
	}
}

// adamW runs both for 5 steps; ours must be within rel·(|w|+lr) of
// PyTorch's algorithm, evaluated in float64 on the same gradients.
func adamW[E float32 | float64](t *testing.T, rel float64) {
	const steps = 5
	dt := dtypeOf[E]()
	h := kernels.DefaultAdamW()
	h.LR, h.WeightDecay = 0.1, 0.5 // large, so that the decay shows

	w, vm := quadratic(t, dt)
	start := valuesOf[E](t, w.Value())
	theirs := G.NewAdamW(G.WithLearnRate(h.LR))
	for range steps {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		if err := theirs.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
	}
	if got := valuesOf[E](t, w.Value()); !equalBits(got, start) {
		t.Errorf("gorgonia's AdamW changed the weights to %v; the regression this test records is that it leaves them at %v", got, start)
	}

	w, vm = quadratic(t, dt)
	ours := fg.NewSolver(h)
	ref := toFloat64(start)
	m, v := make([]float64, len(ref)), make([]float64, len(ref))
	for step := 1; step <= steps; step++ {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		gv, _ := w.Grad()
		g := toFloat64(valuesOf[E](t, gv))
		if err := ours.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
		// torch.optim.AdamW's documented step, in float64.
		c1 := 1 - math.Pow(h.Beta1, float64(step))
		c2 := 1 - math.Pow(h.Beta2, float64(step))
		for i := range ref {
			ref[i] *= 1 - h.LR*h.WeightDecay
			m[i] = h.Beta1*m[i] + (1-h.Beta1)*g[i]
			v[i] = h.Beta2*v[i] + (1-h.Beta2)*g[i]*g[i]
			ref[i] -= h.LR / c1 * m[i] / (math.Sqrt(v[i])/math.Sqrt(c2) + h.Eps)
		}
		for i, x := range valuesOf[E](t, w.Value()) {
			if d := math.Abs(float64(x) - ref[i]); d > rel*(math.Abs(ref[i])+h.LR)*float64(step) {
				t.Fatalf("step %d: w[%d] = %v, PyTorch's AdamW gives %v", step, i, x, ref[i])
			}
		}
	}
	if got := valuesOf[E](t, w.Value()); equalBits(got, start) {
		t.Error("fusedopt's AdamW left the weights unchanged")
	}
}

func equalBits[E float32 | float64](a, b []E) bool {
	_, ok := sameBits(a, b)
	return ok
}

func toFloat64[E float32 | float64](s []E) []float64 {
	out := make([]float64, len(s))
	for i, x := range s {
		out[i] = float64(x)
	}
	return out
}
