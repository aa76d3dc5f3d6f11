package fusedspago_test

import (
	"math"
	"testing"

	fs "github.com/fusedopt/fusedopt/adapters/spago"
	"github.com/fusedopt/fusedopt/kernels"
	"github.com/nlpodyssey/spago/mat/float"
	"github.com/nlpodyssey/spago/nn"
	"github.com/nlpodyssey/spago/optimizers/adam"
)

// trainSteps and lossBelow are the training test's budget and goal: the
// cross-entropy of three classes starts near ln 3 = 1.10, and the MLP
// brings it to about 0.05 in 300 steps of Adam at LR 0.02.
const (
	trainSteps = 300
	lossBelow  = 0.1
)

// TestTrainMLP trains the spiral classifier end to end with spaGO's
// autograd, in both dtypes, as a spaGO user would: with spaGO's Adam and
// with a Strategy of fusedopt's Adam, in PyTorch's form (the default) and
// in spaGO's (EpsHat). All bring the loss below lossBelow; spaGO's and the
// EpsHat one end within 1e-4 of each other (in float32 on the same bits
// here), PyTorch's form within 1e-2, since its larger effective epsilon
// in the first steps changes their path a little.
func TestTrainMLP(t *testing.T) {
	t.Run("float32", trainAll[float32])
	t.Run("float64", trainAll[float64])
}

func trainAll[T float.DType](t *testing.T) {
	h := kernels.DefaultAdam()
	h.LR = 0.02
	epsHat := h
	epsHat.EpsHat = true

	m := newMLP[T]()
	pytorch := train(t, m, fs.NewStrategy(nn.Parameters(m), h).Optimize)
	m = newMLP[T]()
	keras := train(t, m, fs.NewStrategy(nn.Parameters(m), epsHat).Optimize)
	m = newMLP[T]()
	theirs := adam.New(adam.NewConfig(0.02, 0.9, 0.999, 1e-8))
	spago := train(t, m, func() error {
		// spaGO's own Adam, one parameter at a time, then the
		// IncExample it needs to advance its step count.
		for _, p := range m.params() {
			if err := theirs.OptimizeParams(p); err != nil {
				return err
			}
		}
		theirs.IncExample()
		return nil
	})
	t.Logf("loss %.5f with fusedopt's Adam, %.5f with EpsHat, %.5f with spaGO's Adam", pytorch, keras, spago)
	if max(pytorch, keras, spago) >= lossBelow || math.Abs(keras-spago) > 1e-4 || math.Abs(pytorch-spago) > 1e-2 {
		t.Errorf("want every loss below %g, spaGO's and EpsHat within 1e-4, PyTorch's form within 1e-2", lossBelow)
	}
}

// train runs trainSteps steps of step on m and returns the loss after
// them.
func train[T float.DType](t *testing.T, m *mlp[T], step func() error) float64 {
	for range trainSteps {
		m.backward(t)
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	return m.backward(t)
}
