package fusedspago_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fs "github.com/fusedopt/fusedopt/adapters/spago"
	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"
)

// TestCheckpointResume trains the MLP for 20 steps in one go, and for 10
// steps, a checkpoint and 10 more with a new model and Strategy, and
// checks that both end with the same bits: the checkpoint keys the state
// by the parameters' positions, Load restores the values with SaveParams,
// and the schedule picks up at the restored count.
func TestCheckpointResume(t *testing.T) {
	newStrategy := func(m *mlp[float32]) *fs.Strategy[kernels.Adam] {
		return fs.NewStrategy(nn.Parameters(m), kernels.DefaultAdamW(), fs.WithSchedule(schedule), fs.WithConfig(optim.Config{SaveParams: true}))
	}
	whole := newMLP[float32]()
	trainFor(t, whole, newStrategy(whole), 20)

	first := newMLP[float32]()
	s := newStrategy(first)
	trainFor(t, first, s, 10)
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := s.Optimizer().SaveFile(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"state.0.exp_avg", "state.3.exp_avg_sq", "param.1"} {
		if !bytes.Contains(b, []byte(`"`+name+`"`)) {
			t.Errorf("the checkpoint has no tensor %q", name)
		}
	}

	second := newMLP[float32]() // the initial values again
	s = newStrategy(second)
	if err := s.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	trainFor(t, second, s, 10)
	for i, p := range whole.params() {
		want, got := mat.Data[float32](p.Value()), mat.Data[float32](second.params()[i].Value())
		if j, ok := sameBits(got, want); !ok {
			t.Errorf("parameter %d [%d] = %v after resuming, %v without a break", i, j, got[j], want[j])
		}
	}
	if n := s.Optimizer().Steps(0); n != 20 {
		t.Errorf("the resumed optimizer counts %d steps, want 20", n)
	}

	// A checkpoint of another model is refused, and changes nothing.
	other := newMLP[float32]()
	before := append([]float32(nil), mat.Data[float32](other.W0.Value())...)
	s = fs.NewStrategy(nn.StreamParams(other.params()[:3]), kernels.DefaultAdamW(), fs.WithConfig(optim.Config{SaveParams: true}))
	if err := s.LoadFile(path); err == nil || !strings.Contains(err.Error(), `"3"`) {
		t.Errorf("Load of a checkpoint with another parameter: %v, want an error naming parameter 3", err)
	}
	if _, ok := sameBits(mat.Data[float32](other.W0.Value()), before); !ok {
		t.Error("the failed Load changed the values")
	}
}

// trainFor runs steps training steps of s on m.
func trainFor(t *testing.T, m *mlp[float32], s *fs.Strategy[kernels.Adam], steps int) {
	t.Helper()
	for range steps {
		m.backward(t)
		if err := s.Optimize(); err != nil {
			t.Fatal(err)
		}
	}
}
