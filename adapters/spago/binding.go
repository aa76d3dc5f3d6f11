package fusedspago

import (
	"fmt"
	"slices"

	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"
)

// float is the element type of a Strategy's parameters.
type float interface{ float32 | float64 }

// binding is a Strategy's registered parameters of dtype E.
type binding[E float] struct {
	entries []entry[E] // in registration order
	byParam map[*nn.Param]int
	nStaged int
}

// entry is one registered parameter: the slices the optimizer holds for
// it.
type entry[E float] struct {
	p      *nn.Param
	name   string
	shape  []int64
	data   []E // the value's own backing slice
	grad   []E // the optimizer's gradient buffer
	staged bool
}

// gradOf reads e's parameter as this step sees it: its value must still
// be the registered memory and shape, and its gradient an E matrix of the
// same size. It changes nothing.
func (e *entry[E]) gradOf() ([]E, error) {
	v, ok := e.p.Matrix.(*mat.Dense[E])
	switch {
	case !ok:
		return nil, fmt.Errorf("fusedspago: the value of parameter %q is a %T, registered as a %T by the first step", e.name, e.p.Matrix, v)
	case !slices.Equal(shapeOf(v), e.shape):
		return nil, fmt.Errorf("fusedspago: parameter %q has shape %v, registered with %v by the first step: a parameter's shape cannot change", e.name, shapeOf(v), e.shape)
	case !same(mat.Data[E](v), e.data):
		return nil, fmt.Errorf("fusedspago: the value of parameter %q is not the memory the first step registered (ReplaceValue?): a Strategy steps its parameters in place and keeps their state; make a new Strategy for new parameters", e.name)
	}
	// Grad returns a nil *mat.Dense, not a nil interface, where there is
	// none: ask HasGrad.
	if !e.p.HasGrad() {
		return nil, fmt.Errorf("fusedspago: parameter %q has no gradient: every registered parameter needs one at every step (freeze it with WithGrad(false) before the first step, or give it a zero gradient)", e.name)
	}
	gd, ok := e.p.Grad().(*mat.Dense[E])
	if !ok {
		return nil, fmt.Errorf("fusedspago: the gradient of parameter %q is a %T, want a %T", e.name, e.p.Grad(), gd)
	}
	if grad := mat.Data[E](gd); len(grad) == len(e.data) {
		return grad, nil
	}
	return nil, fmt.Errorf("fusedspago: the gradient of parameter %q has %d elements, its value %d", e.name, gd.Size(), len(e.data))
}

// has implements binder.
func (b *binding[E]) has(p *nn.Param) error {
	if _, ok := b.byParam[p]; !ok {
		return fmt.Errorf("fusedspago: OptimizeParams of a parameter that the Strategy's params did not yield at the first step, or that was frozen then")
	}
	return nil
}

// stageOne implements binder.
func (b *binding[E]) stageOne(p *nn.Param) (bool, error) {
	if err := b.has(p); err != nil {
		return false, err
	}
	e := &b.entries[b.byParam[p]]
	if e.staged {
		return false, fmt.Errorf("fusedspago: parameter %q is staged twice without a step between: parameter %q had no gradient in the step before (spaGO's Optimizer skips parameters without one)", e.name, b.firstUnstaged())
	}
	grad, err := e.gradOf()
	if err != nil {
		return false, err
	}
	copy(e.grad, grad)
	e.p.ZeroGrad()
	e.staged = true
	b.nStaged++
	return b.nStaged == len(b.entries), nil
}

// firstUnstaged names the first parameter not staged.
func (b *binding[E]) firstUnstaged() string {
	for i := range b.entries {
		if !b.entries[i].staged {
			return b.entries[i].name
		}
	}
	return ""
}

// stageAll implements binder.
func (b *binding[E]) stageAll(ps []*nn.Param) error {
	seen := 0
	for i, p := range ps {
		if !p.RequiresGrad() {
			if _, ok := b.byParam[p]; ok {
				return fmt.Errorf("fusedspago: parameter %q no longer requires a gradient: the parameters a Strategy steps cannot change after the first step", b.entries[b.byParam[p]].name)
			}
			continue
		}
		if _, ok := b.byParam[p]; !ok {
			return fmt.Errorf("fusedspago: parameter %d of params was not among the parameters the first step registered: the parameters a Strategy steps cannot change", i)
		}
		seen++
	}
	if seen != len(b.entries) {
		return fmt.Errorf("fusedspago: params yields %d parameters that require gradients; the first step registered %d", seen, len(b.entries))
	}
	grads := make([][]E, len(b.entries))
	for i := range b.entries {
		g, err := b.entries[i].gradOf()
		if err != nil {
			return err
		}
		grads[i] = g
	}
	for i := range b.entries {
		copy(b.entries[i].grad, grads[i])
	}
	return nil
}

// staged implements binder.
func (b *binding[E]) staged() int { return b.nStaged }

// unstage implements binder.
func (b *binding[E]) unstage() {
	for i := range b.entries {
		b.entries[i].staged = false
	}
	b.nStaged = 0
}

// dropGrads implements binder.
func (b *binding[E]) dropGrads() {
	for i := range b.entries {
		b.entries[i].p.ZeroGrad()
	}
}

// shapeOf is m's shape.
func shapeOf(m mat.Matrix) []int64 {
	shape := make([]int64, len(m.Shape()))
	for i, n := range m.Shape() {
		shape[i] = int64(n)
	}
	return shape
}

// same reports whether a and b are the same memory.
func same[E float](a, b []E) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
