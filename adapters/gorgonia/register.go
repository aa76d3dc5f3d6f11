package fusedgorgonia

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/fusedopt/fusedopt/optim"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// register registers model's parameters with s's optimizer, in the dtype
// of the model, and returns them. It checks everything optim.Add would
// reject before the first Add, so that a bad model registers nothing.
func register[H optim.Algorithm](s *Solver[H], model []gorgonia.ValueGrad) (binder, error) {
	if len(model) == 0 {
		return nil, errors.New("fusedgorgonia: Step with no parameters")
	}
	dt, err := modelDtype(model)
	if err != nil {
		return nil, err
	}
	if dt == tensor.Float32 {
		return registerAs[float32](s, model)
	}
	return registerAs[float64](s, model)
}

// modelDtype is the dtype of every parameter of model, or an error naming
// a parameter that has none or another.
func modelDtype(model []gorgonia.ValueGrad) (tensor.Dtype, error) {
	var dt tensor.Dtype
	first := ""
	for i, vg := range model {
		name := nameOf(i, vg)
		d, err := dtypeOfValue(vg.Value())
		if err != nil {
			return d, fmt.Errorf("fusedgorgonia: parameter %q: %v", name, err)
		}
		if i == 0 {
			dt, first = d, name
		} else if d != dt {
			return d, fmt.Errorf("fusedgorgonia: parameter %q is %v where %q is %v: a Solver steps one dtype, as a graph computes in one (a float64 node in a float32 model is often a scalar made from a Go float64); use one Solver per dtype", name, d, first, dt)
		}
	}
	return dt, nil
}

func registerAs[E float, H optim.Algorithm](s *Solver[H], model []gorgonia.ValueGrad) (binder, error) {
	b := &binding[E]{params: make([]param[E], len(model))}
	groups := make([]int, len(model))
	seen := make(map[string]int, len(model))
	for i, vg := range model {
		p := &b.params[i]
		p.name = nameOf(i, vg)
		if j, dup := seen[p.name]; dup {
			return nil, fmt.Errorf("fusedgorgonia: parameters %d and %d are both named %q: names key the optimizer state; give the nodes distinct names", j, i, p.name)
		}
		seen[p.name] = i
		value, grad, err := readParam[E](vg, p.name)
		if err != nil {
			return nil, fmt.Errorf("fusedgorgonia: %w", err)
		}
		p.shape = value.shape
		// A scalar may be replaced between runs, and gorgonia's tape
		// machine reallocates the gradient of a node without a dual
		// value each run: those go through buffers. Everything else is
		// stepped where it is.
		p.ownData = value.scalar != nil
		p.ownGrad = grad.scalar != nil || derivRegister(vg, grad)
		p.data, p.grad = value.elems, grad.elems
		if p.ownData {
			p.data = make([]E, 1)
		}
		if p.ownGrad {
			p.grad = make([]E, len(p.data))
		}
		if s.group != nil {
			groups[i] = s.group(p.name, slices.Clone(p.shape))
			if g := groups[i]; g < 0 || g >= s.opt.Groups() {
				return nil, fmt.Errorf("fusedgorgonia: the group of parameter %q is %d; the optimizer has groups [0, %d): add them to Optimizer() before the first Step", p.name, g, s.opt.Groups())
			}
		}
	}
	if err := checkOverlap(b.params); err != nil {
		return nil, err
	}
	for i := range b.params {
		p := &b.params[i]
		var err error
		switch data := any(p.data).(type) {
		case []float32:
			err = s.opt.Add32(groups[i], optim.Param32{Name: p.name, Shape: p.shape, Data: data, Grad: any(p.grad).([]float32)})
		case []float64:
			err = s.opt.Add64(groups[i], optim.Param64{Name: p.name, Shape: p.shape, Data: data, Grad: any(p.grad).([]float64)})
		}
		if err != nil {
			// Everything Add checks was checked above; if it fails all
			// the same, the optimizer holds part of the model.
			s.broken = fmt.Errorf("fusedgorgonia: registering parameter %q failed after %d were registered, so this Solver cannot step: %w", p.name, i, err)
			return nil, s.broken
		}
	}
	return b, nil
}

// derivRegister reports whether grad is the value of the node's derivative
// node, which a tape machine without BindDualValues reallocates each run,
// rather than the gradient a dual value holds in place.
func derivRegister[E float](vg gorgonia.ValueGrad, grad view[E]) bool {
	n, ok := vg.(*gorgonia.Node)
	if !ok || n.Deriv() == nil {
		return false
	}
	d, ok := n.Deriv().Value().(*tensor.Dense)
	if !ok || d.Dtype() != dtypeOf[E]() || d.RequiresIterator() {
		return false
	}
	var elems []E
	switch p := any(&elems).(type) {
	case *[]float32:
		*p = d.Float32s()
	case *[]float64:
		*p = d.Float64s()
	}
	return same(elems, grad.elems)
}

// checkOverlap reports two of the slices the optimizer would hold that
// share memory (the same tensor listed twice, say), which optim.Add
// rejects: found here, before anything is registered.
func checkOverlap[E float](params []param[E]) error {
	type span struct {
		lo, hi uintptr
		what   string
	}
	var spans []span
	var e E
	size := unsafe.Sizeof(e)
	for _, p := range params {
		for _, s := range []struct {
			elems []E
			what  string
		}{{p.data, "the value of " + p.name}, {p.grad, "the gradient of " + p.name}} {
			if len(s.elems) > 0 {
				lo := uintptr(unsafe.Pointer(unsafe.SliceData(s.elems)))
				spans = append(spans, span{lo, lo + uintptr(len(s.elems))*size, s.what})
			}
		}
	}
	slices.SortFunc(spans, func(a, b span) int {
		if a.lo < b.lo {
			return -1
		}
		if a.lo > b.lo {
			return 1
		}
		return 0
	})
	for i := 1; i < len(spans); i++ {
		if spans[i].lo < spans[i-1].hi {
			return fmt.Errorf("fusedgorgonia: %s and %s share memory: list each parameter once, and give each its own gradient", spans[i-1].what, spans[i].what)
		}
	}
	return nil
}
