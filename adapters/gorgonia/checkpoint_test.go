package fusedgorgonia_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fg "github.com/fusedopt/fusedopt/adapters/gorgonia"
	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
	"gorgonia.org/tensor"
)

// TestCheckpointResume trains the MLP for 20 steps in one go, and for 10
// steps, a checkpoint and 10 more in a new graph and Solver, and checks
// that both end with the same bits: the checkpoint keys the state by the
// nodes' names, Load restores the values (the scalar's too) with
// SaveParams, and the schedule picks up at the restored count.
func TestCheckpointResume(t *testing.T) {
	for _, dual := range []bool{true, false} {
		t.Run(fmt.Sprintf("dual=%v", dual), func(t *testing.T) {
			newSolver := func() *fg.Solver[kernels.Adam] {
				return fg.NewSolver(kernels.DefaultAdamW(), fg.WithSchedule(schedule), fg.WithConfig(optim.Config{SaveParams: true}))
			}
			whole := newMLP(t, tensor.Float32, dual)
			trainFor(t, whole, newSolver(), 20)

			first := newMLP(t, tensor.Float32, dual)
			s := newSolver()
			trainFor(t, first, s, 10)
			path := filepath.Join(t.TempDir(), "ckpt.safetensors")
			if err := s.Optimizer().SaveFile(path); err != nil {
				t.Fatal(err)
			}
			checkpointHas(t, path, "state.w0.exp_avg", "state.b1.exp_avg_sq", "state.scale.exp_avg", "param.scale")

			second := newMLP(t, tensor.Float32, dual) // the initial values again
			s = newSolver()
			second.forward(t) // gorgonia makes the gradients on the first run
			if err := s.LoadFile(second.model(), path); err != nil {
				t.Fatal(err)
			}
			second.vm.Reset()
			trainFor(t, second, s, 10)

			for i, n := range whole.params {
				want, got := valuesOf[float32](t, n.Value()), valuesOf[float32](t, second.params[i].Value())
				if j, ok := sameBits(got, want); !ok {
					t.Errorf("%s[%d] = %v after resuming, %v without a break", n.Name(), j, got[j], want[j])
				}
			}
			if n := s.Optimizer().Steps(0); n != 20 {
				t.Errorf("the resumed optimizer counts %d steps, want 20", n)
			}
		})
	}
}

// TestLoadMismatch loads a checkpoint into a model whose parameters have
// other names, and checks that the error says so and nothing changes.
func TestLoadMismatch(t *testing.T) {
	saveParams := fg.WithConfig(optim.Config{SaveParams: true})
	m := newMLP(t, tensor.Float32, true)
	s := fg.NewSolver(kernels.DefaultAdam(), saveParams)
	trainFor(t, m, s, 1)
	var ckpt bytes.Buffer
	if err := s.Optimizer().Save(&ckpt); err != nil {
		t.Fatal(err)
	}
	other := newMLP(t, tensor.Float32, true)
	other.forward(t)
	model := other.model()[:4] // without "scale"
	before := fmt.Sprint(valuesOf[float32](t, other.params[0].Value()))
	err := fg.NewSolver(kernels.DefaultAdam(), saveParams).Load(model, &ckpt)
	if err == nil || !strings.Contains(err.Error(), `"scale"`) {
		t.Fatalf("Load: %v, want an error naming \"scale\"", err)
	}
	if after := fmt.Sprint(valuesOf[float32](t, other.params[0].Value())); after != before {
		t.Error("the failed Load changed the values")
	}
}

// trainFor runs steps training steps of s on m.
func trainFor(t *testing.T, m *mlp, s *fg.Solver[kernels.Adam], steps int) {
	t.Helper()
	for range steps {
		m.forward(t)
		if err := s.Step(m.model()); err != nil {
			t.Fatal(err)
		}
		m.vm.Reset()
	}
}

// checkpointHas checks that the checkpoint at path holds the tensors
// names: state named after each node, as PyTorch names it after each
// module.
func checkpointHas(t *testing.T, path string, names ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !bytes.Contains(b, []byte(`"`+n+`"`)) {
			t.Errorf("the checkpoint has no tensor %q", n)
		}
	}
}
