package fusedgorgonia_test

import (
	"math"
	"testing"

	fg "github.com/fusedopt/fusedopt/adapters/gorgonia"
	"github.com/fusedopt/fusedopt/kernels"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// trainSteps and lossBelow are the training test's budget and goal: the
// cross-entropy of three classes starts near ln 3 = 1.10, and the MLP
// brings it to about 0.035 in 200 steps of Adam at LR 0.02.
const (
	trainSteps = 200
	lossBelow  = 0.1
)

// TestTrainMLP trains the spiral classifier end to end with gorgonia's
// autograd, in both dtypes and with both ways of holding gradients, as a
// gorgonia user would: with gorgonia's AdamSolver and with the Solver of
// fusedopt's Adam in its place. Both bring the loss below lossBelow, and
// to within 1e-3 of each other (their steps differ by roundings).
func TestTrainMLP(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, dual := range []bool{true, false} {
			h := kernels.DefaultAdam()
			h.LR = 0.02
			ours := train(t, dt, dual, fg.NewSolver(h))
			theirs := train(t, dt, dual, G.NewAdamSolver(G.WithLearnRate(0.02)))
			t.Logf("%v dual=%v: loss %.4f with fusedopt, %.4f with gorgonia's AdamSolver", dt, dual, ours, theirs)
			if ours >= lossBelow || theirs >= lossBelow || math.Abs(ours-theirs) > 1e-3 {
				t.Errorf("%v dual=%v: loss %.4f with fusedopt, %.4f with gorgonia's AdamSolver, want both below %g and within 1e-3", dt, dual, ours, theirs, lossBelow)
			}
		}
	}
}

// train runs trainSteps steps of s on a new MLP and returns the loss after
// them.
func train(t *testing.T, dt tensor.Dtype, dual bool, s G.Solver) float64 {
	m := newMLP(t, dt, dual)
	for range trainSteps {
		m.forward(t)
		if err := s.Step(m.model()); err != nil {
			t.Fatal(err)
		}
		m.vm.Reset()
	}
	return m.forward(t)
}
