package fusedgorgonia

import (
	"fmt"
	"slices"

	"gorgonia.org/gorgonia"
)

// binding is a Solver's registered parameters of dtype E, in model order.
type binding[E float] struct {
	params []param[E]
}

// param is one registered parameter: the slices the optimizer holds for
// it, and this step's views of its value and gradient.
type param[E float] struct {
	name  string
	shape []int64

	// data and grad are what the optimizer registered: the tensor's own
	// elements, or (ownData, ownGrad) the Solver's buffers, which each
	// step copies a scalar or a reallocated gradient into.
	data, grad       []E
	ownData, ownGrad bool

	value, gradient view[E] // set by read, cleared by stageOut
}

// readParam reads the value and gradient of entry i of a model, named
// name, checking that both are steppable E of the same size.
func readParam[E float](vg gorgonia.ValueGrad, name string) (value, grad view[E], err error) {
	if value, err = viewOf[E](vg.Value(), fmt.Sprintf("the value of parameter %q", name)); err != nil {
		return
	}
	g, gerr := vg.Grad()
	switch {
	case gerr != nil:
		err = fmt.Errorf("parameter %q has no gradient: %v", name, gerr)
		return
	case g == nil:
		err = fmt.Errorf("parameter %q has no gradient", name)
		return
	}
	if grad, err = viewOf[E](g, fmt.Sprintf("the gradient of parameter %q", name)); err != nil {
		return
	}
	if value.len() != grad.len() {
		err = fmt.Errorf("the gradient of parameter %q has %d elements, its value %d", name, grad.len(), value.len())
	}
	return
}

// read implements binder.
func (b *binding[E]) read(model []gorgonia.ValueGrad) error {
	if len(model) != len(b.params) {
		return fmt.Errorf("fusedgorgonia: the model has %d parameters; the first Step registered %d: pass the same parameters at every Step", len(model), len(b.params))
	}
	for i, vg := range model {
		p := &b.params[i]
		if name := nameOf(i, vg); name != p.name {
			return fmt.Errorf("fusedgorgonia: parameter %d is %q, registered as %q by the first Step: pass the same parameters in the same order", i, name, p.name)
		}
	}
	for i, vg := range model {
		p := &b.params[i]
		value, grad, err := readParam[E](vg, p.name)
		if err != nil {
			return fmt.Errorf("fusedgorgonia: %w", err)
		}
		switch {
		case !slices.Equal(value.shape, p.shape):
			return fmt.Errorf("fusedgorgonia: parameter %q has shape %v, registered with %v by the first Step: a parameter's shape cannot change", p.name, value.shape, p.shape)
		case !p.ownData && !same(value.elems, p.data):
			return fmt.Errorf("fusedgorgonia: the value of parameter %q is not the memory the first Step registered (replaced by Let or a new tensor?): a Solver steps its parameters in place and keeps their state; make a new Solver for new parameters", p.name)
		case !p.ownGrad && !same(grad.elems, p.grad):
			return fmt.Errorf("fusedgorgonia: the gradient of parameter %q is not the memory the first Step registered: a Solver aliases a gradient that a dual value holds (BindDualValues), which stays in place", p.name)
		}
		p.value, p.gradient = value, grad
	}
	return nil
}

// stageIn implements binder.
func (b *binding[E]) stageIn() {
	for i := range b.params {
		p := &b.params[i]
		if p.ownData {
			p.data[0] = p.value.get()
		}
		if p.ownGrad {
			if p.gradient.scalar != nil {
				p.grad[0] = p.gradient.get()
			} else {
				copy(p.grad, p.gradient.elems)
			}
		}
	}
}

// stageOut implements binder.
func (b *binding[E]) stageOut() {
	for i := range b.params {
		p := &b.params[i]
		if p.ownData {
			p.value.set(p.data[0])
		}
		p.gradient.zero()
		// Drop this step's views, so that the Solver does not keep a
		// reallocated gradient alive until the next step.
		p.value, p.gradient = view[E]{}, view[E]{}
	}
}
