package fusedspago_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	fs "github.com/fusedopt/fusedopt/adapters/spago"
	"github.com/fusedopt/fusedopt/kernels"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
	"github.com/nlpodyssey/spago/nn"
)

// withGrad is a rows×cols parameter with a gradient of ones.
func withGrad[T float.DType](rows, cols int) *nn.Param {
	w := make([]float64, rows*cols)
	for i := range w {
		w[i] = float64(i) - 2.5
	}
	p := param[T](w, rows, cols)
	regrad(p)
	return p
}

// regrad gives p a gradient of ones.
func regrad(p *nn.Param) {
	g := p.Value().(mat.Matrix).NewMatrix(mat.WithShape(p.Shape()...))
	g.(mat.Matrix).AddScalarInPlace(1)
	p.AccGrad(g)
}

// TestBadInput checks that each bad model makes a step return an error
// that says what is wrong, and leaves every value, gradient and the
// optimizer's state (its checkpoint) as they were: at the first step,
// which registers, and after it, when the model no longer matches the
// registration. (spaGO has no views: its matrices are always
// contiguous.)
func TestBadInput(t *testing.T) {
	type setup struct {
		params []*nn.Param // what the Strategy's params yields
		first  bool        // take a good step first
		change func()      // then change the model so
		call   func(s *fs.Strategy[kernels.Adam]) error
	}
	optimize := func(s *fs.Strategy[kernels.Adam]) error { return s.Optimize() }
	for _, c := range []struct {
		name  string
		setup func() setup
		want  string
	}{
		{"no parameters", func() setup {
			return setup{params: []*nn.Param{withGrad[float32](2, 2).WithGrad(false)}, call: optimize}
		}, "params yields no parameter that requires a gradient"},
		{"mixed dtypes", func() setup {
			return setup{params: []*nn.Param{withGrad[float32](2, 2), withGrad[float64](2, 2)}, call: optimize}
		}, `parameter "0" is float32 and "1" float64: a Strategy steps one dtype`},
		{"no gradient", func() setup {
			p := withGrad[float32](2, 2)
			p.ZeroGrad()
			return setup{params: []*nn.Param{withGrad[float32](1, 3), p}, call: optimize}
		}, `parameter "1" has no gradient`},
		{"no gradient after the first step", func() setup {
			p, q := withGrad[float32](1, 3), withGrad[float32](2, 2)
			return setup{params: []*nn.Param{p, q}, first: true, change: func() { regrad(p) }, call: optimize}
		}, `parameter "1" has no gradient`},
		{"gradient of another size", func() setup {
			p := withGrad[float32](2, 2)
			p.ZeroGrad()
			p.AccGrad(mat.NewDense[float32](mat.WithShape(3, 2)))
			return setup{params: []*nn.Param{p}, call: optimize}
		}, `the gradient of parameter "0" has 6 elements, its value 4`},
		{"the same parameter twice", func() setup {
			p := withGrad[float32](2, 2)
			return setup{params: []*nn.Param{p, p}, call: optimize}
		}, `params yields parameter "0" twice`},
		{"shape changed", func() setup {
			p := withGrad[float32](2, 3)
			return setup{params: []*nn.Param{p}, first: true, change: func() {
				// The same memory, seen with another shape.
				p.Matrix = mat.NewDense[float32](mat.WithShape(3, 2), mat.WithBacking(mat.Data[float32](p.Value())), mat.WithGrad(true))
				regrad(p)
			}, call: optimize}
		}, `parameter "0" has shape [3 2], registered with [2 3]`},
		{"value replaced", func() setup {
			p := withGrad[float32](2, 2)
			return setup{params: []*nn.Param{p}, first: true, change: func() {
				p.ReplaceValue(withGrad[float32](2, 2).Matrix)
				regrad(p)
			}, call: optimize}
		}, `the value of parameter "0" is not the memory the first step registered`},
		{"value of another dtype", func() setup {
			p := withGrad[float32](2, 2)
			return setup{params: []*nn.Param{p}, first: true, change: func() {
				p.ReplaceValue(withGrad[float64](2, 2).Matrix)
				regrad(p)
			}, call: optimize}
		}, `the value of parameter "0" is a *mat.Dense[float64], registered as a *mat.Dense[float32]`},
		{"frozen after the first step", func() setup {
			p, q := withGrad[float32](2, 2), withGrad[float32](1, 2)
			return setup{params: []*nn.Param{p, q}, first: true, change: func() {
				regrad(p)
				q.SetRequiresGrad(false)
			}, call: optimize}
		}, `parameter "1" no longer requires a gradient`},
		{"staged twice", func() setup {
			p, q := withGrad[float32](2, 2), withGrad[float32](1, 2)
			return setup{params: []*nn.Param{p, q}, call: func(s *fs.Strategy[kernels.Adam]) error {
				if err := s.OptimizeParams(p); err != nil {
					return err
				}
				regrad(p)
				return s.OptimizeParams(p)
			}}
		}, `parameter "0" is staged twice without a step between: parameter "1" had no gradient`},
		{"not a parameter of the Strategy", func() setup {
			return setup{params: []*nn.Param{withGrad[float32](2, 2)}, call: func(s *fs.Strategy[kernels.Adam]) error {
				return s.OptimizeParams(withGrad[float32](2, 2))
			}}
		}, "OptimizeParams of a parameter that the Strategy's params did not yield"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := c.setup()
			s := fs.NewStrategy(nn.StreamParams(st.params), kernels.DefaultAdam())
			if st.first {
				if err := s.Optimize(); err != nil {
					t.Fatalf("first step: %v", err)
				}
			}
			if st.change != nil {
				st.change()
			}
			before, ckpt := snapshot(t, s, st.params)
			err := st.call(s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if c.name == "staged twice" {
				return // the first OptimizeParams consumed a gradient, as it should
			}
			if after, ckptAfter := snapshot(t, s, st.params); after != before || !bytes.Equal(ckpt, ckptAfter) {
				t.Errorf("the failed step changed the model or the optimizer")
			}
		})
	}
}

// snapshot prints every value and gradient of ps and writes the
// optimizer's checkpoint.
func snapshot(t *testing.T, s *fs.Strategy[kernels.Adam], ps []*nn.Param) (string, []byte) {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%v %v|", p.Shape(), p.Value().Data())
		if p.HasGrad() {
			fmt.Fprintf(&b, "%v", p.Grad().Data())
		}
		b.WriteString("\n")
	}
	var ckpt bytes.Buffer
	if err := s.Optimizer().Save(&ckpt); err != nil {
		t.Fatal(err)
	}
	return b.String(), ckpt.Bytes()
}
