package fusedgorgonia_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	fg "github.com/fusedopt/fusedopt/adapters/gorgonia"
	"github.com/fusedopt/fusedopt/kernels"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// f32 is a float32 tensor parameter with a gradient of ones.
func f32(rows, cols int) param {
	w := make([]float64, rows*cols)
	g := make([]float64, rows*cols)
	for i := range w {
		w[i], g[i] = float64(i)-2.5, 1
	}
	return param{dense(tensor.Float32, w, rows, cols), dense(tensor.Float32, g, rows, cols)}
}

// named is a float32 node named name, with a value and a gradient (a dual
// value), in a graph of its own.
func named(t *testing.T, name string) *G.Node {
	g := G.NewGraph()
	n := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName(name), G.WithValue(dense(tensor.Float32, []float64{1, 2, 3, 4}, 2, 2)))
	if _, err := G.Grad(G.Must(G.Sum(n)), n); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(n))
	t.Cleanup(func() { vm.Close() })
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBadInput checks that each bad model makes Step return an error
// that says what is wrong, and leaves every value, gradient and the
// optimizer's state (its checkpoint) as they were: before the first step,
// when the first Step registers, and after it, when the model no longer
// matches the registration.
func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		// setup returns the model of the first (good) Step, or nil for
		// none, and the model of the failing one.
		setup func(t *testing.T) (first, bad []G.ValueGrad)
		want  string
	}{
		{"no parameters", func(*testing.T) ([]G.ValueGrad, []G.ValueGrad) { return nil, []G.ValueGrad{} }, "no parameters"},
		{"non-contiguous view", func(t *testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			p := f32(3, 4)
			v, err := p.value.(*tensor.Dense).Slice(nil, tensor.S(0, 2))
			if err != nil {
				t.Fatal(err)
			}
			g, _ := p.grad.(*tensor.Dense).Slice(nil, tensor.S(0, 2))
			return nil, []G.ValueGrad{param{v.(*tensor.Dense), g.(*tensor.Dense)}}
		}, "non-contiguous view"},
		{"transposed", func(t *testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			p := f32(3, 4)
			if err := p.value.(*tensor.Dense).T(); err != nil {
				t.Fatal(err)
			}
			return nil, []G.ValueGrad{p}
		}, "non-contiguous view"},
		{"mixed dtypes", func(*testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			wide := param{dense(tensor.Float64, []float64{1, 2}, 2), dense(tensor.Float64, []float64{1, 1}, 2)}
			return nil, []G.ValueGrad{f32(2, 2), wide}
		}, `parameter "1" is float64 where "0" is float32: a Solver steps one dtype`},
		{"gradient of another dtype", func(*testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			p := f32(1, 2)
			p.grad = dense(tensor.Float64, []float64{1, 1}, 1, 2)
			return nil, []G.ValueGrad{p}
		}, `the gradient of parameter "0" is float64, want float32`},
		{"integer tensor", func(*testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			v := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))
			return nil, []G.ValueGrad{param{v, v}}
		}, "its dtype is int: fusedopt steps float32 and float64"},
		{"no gradient", func(t *testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			g := G.NewGraph()
			n := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("frozen"), G.WithValue(dense(tensor.Float32, []float64{1, 2, 3, 4}, 2, 2)))
			return nil, []G.ValueGrad{f32(2, 2), n}
		}, `parameter "frozen" has no gradient`},
		{"nil gradient", func(*testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			p := f32(2, 2)
			p.grad = nil
			return nil, []G.ValueGrad{p}
		}, `parameter "0" has no gradient`},
		{"gradient of another size", func(*testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			p := f32(2, 2)
			p.grad = f32(2, 3).grad
			return nil, []G.ValueGrad{p}
		}, `the gradient of parameter "0" has 6 elements, its value 4`},
		{"duplicate name", func(t *testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			return nil, []G.ValueGrad{named(t, "w"), named(t, "w")}
		}, `parameters 0 and 1 are both named "w"`},
		{"the same tensor twice", func(*testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			p := f32(2, 2)
			return nil, []G.ValueGrad{p, p}
		}, "share memory"},
		{"shape changed", func(t *testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			p := f32(2, 3)
			// The same memory, seen with another shape.
			q := param{tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(p.value.Data())), p.grad}
			return []G.ValueGrad{p}, []G.ValueGrad{q}
		}, `parameter "0" has shape [3 2], registered with [2 3]`},
		{"value replaced", func(*testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			p := f32(2, 2)
			q := p
			q.value = f32(2, 2).value
			return []G.ValueGrad{p}, []G.ValueGrad{q}
		}, `the value of parameter "0" is not the memory the first Step registered`},
		{"fewer parameters", func(*testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			p, q := f32(2, 2), f32(1, 3)
			return []G.ValueGrad{p, q}, []G.ValueGrad{p}
		}, "the model has 1 parameters; the first Step registered 2"},
		{"reordered", func(t *testing.T) ([]G.ValueGrad, []G.ValueGrad) {
			a, b := named(t, "a"), named(t, "b")
			return []G.ValueGrad{a, b}, []G.ValueGrad{b, a}
		}, `parameter 0 is "b", registered as "a" by the first Step`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := fg.NewSolver(kernels.DefaultAdam())
			first, bad := c.setup(t)
			if first != nil {
				if err := s.Step(first); err != nil {
					t.Fatalf("first step: %v", err)
				}
				// Gradients for the failing step, which must not be zeroed.
				for _, vg := range first {
					g, _ := vg.Grad()
					copy(g.(*tensor.Dense).Data().([]float32), []float32{1, 1, 1, 1, 1, 1})
				}
			}
			values, ckpt := snapshot(t, s, bad)
			err := s.Step(bad)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Step: %v, want an error containing %q", err, c.want)
			}
			if after, ckptAfter := snapshot(t, s, bad); after != values || !bytes.Equal(ckpt, ckptAfter) {
				t.Errorf("the failed Step changed the model or the optimizer")
			}
			want := int64(0)
			if first != nil {
				want = 1
			}
			if s.Optimizer().Steps(0) != want {
				t.Errorf("the optimizer counts %d steps, want %d", s.Optimizer().Steps(0), want)
			}
		})
	}
}

// snapshot prints every value and gradient of model (the model itself can
// be malformed) and writes the optimizer's checkpoint.
func snapshot(t *testing.T, s *fg.Solver[kernels.Adam], model []G.ValueGrad) (string, []byte) {
	var b strings.Builder
	for _, vg := range model {
		g, err := vg.Grad()
		b.WriteString(fmtValue(vg.Value()) + "|" + fmtValue(g) + "|" + errString(err) + "\n")
	}
	var ckpt bytes.Buffer
	if err := s.Optimizer().Save(&ckpt); err != nil {
		t.Fatal(err)
	}
	return b.String(), ckpt.Bytes()
}

func fmtValue(v G.Value) string {
	if d, ok := v.(*tensor.Dense); ok {
		return fmt.Sprintf("%v %v %v", d.Shape(), d.Dtype(), d.Data())
	}
	return fmt.Sprintf("%v", v)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
