package fusedgorgonia_test

import (
	"strings"
	"testing"

	fg "github.com/fusedopt/fusedopt/adapters/gorgonia"
	"github.com/fusedopt/fusedopt/kernels"
	"gorgonia.org/tensor"
)

// TestGroups puts the MLP's biases and scale in a group without weight
// decay (PyTorch's usual AdamW setup) and checks each parameter's bits
// against the kernel with its group's hyperparameters.
func TestGroups(t *testing.T) {
	const steps = 10
	decay := kernels.DefaultAdamW()
	decay.LR, decay.WeightDecay = 0.01, 0.1
	noDecay := decay
	noDecay.WeightDecay = 0
	byShape := func(name string, shape []int64) int {
		if len(shape) == 2 && shape[0] == 1 || len(shape) == 0 {
			return 1 // b0, b1 (1×n) and scale
		}
		return 0
	}
	s := fg.NewSolver(decay, fg.WithGroups(byShape))
	if _, err := s.Optimizer().AddGroup(noDecay, nil); err != nil {
		t.Fatal(err)
	}
	m := newMLP(t, tensor.Float32, true)
	want := make([][]float32, len(m.params))
	refs := make([]direct[float32], len(m.params))
	hypers := []kernels.Adam{decay, decay, decay, decay, decay}
	for i, n := range m.params {
		want[i] = valuesOf[float32](t, n.Value())
		if byShape(n.Name(), toInt64(n.Shape())) == 1 {
			hypers[i] = noDecay
		}
	}
	if hypers[1] != noDecay || hypers[0] != decay {
		t.Fatal("the test's grouping is wrong")
	}
	for step := range steps {
		m.forward(t)
		grads := make([][]float32, len(m.params))
		for i, n := range m.params {
			g, _ := n.Grad()
			grads[i] = valuesOf[float32](t, g)
		}
		if err := s.Step(m.model()); err != nil {
			t.Fatal(err)
		}
		m.vm.Reset()
		for i, n := range m.params {
			if err := refs[i].Step(hypers[i], hypers[i].LR, want[i], grads[i]); err != nil {
				t.Fatal(err)
			}
			if j, ok := sameBits(valuesOf[float32](t, n.Value()), want[i]); !ok {
				t.Fatalf("step %d: %s[%d] differs from its group's kernel", step+1, n.Name(), j)
			}
		}
	}

	// A group that does not exist is an error of the first Step.
	bad := fg.NewSolver(decay, fg.WithGroups(byShape))
	m = newMLP(t, tensor.Float32, true)
	m.forward(t)
	if err := bad.Step(m.model()); err == nil || !strings.Contains(err.Error(), "the group of parameter \"b0\" is 1; the optimizer has groups [0, 1)") {
		t.Errorf("Step with a missing group: %v", err)
	}
}

func toInt64(s tensor.Shape) []int64 {
	out := make([]int64, len(s))
	for i, n := range s {
		out[i] = int64(n)
	}
	return out
}
