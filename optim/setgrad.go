package optim

import (
	"fmt"

	"github.com/fusedopt/fusedopt/internal/memspan"
	"github.com/fusedopt/fusedopt/kernels"
)

// SetGrad32 points the registered float32 parameter name at a new gradient
// slice, for frameworks that allocate a new gradient at every backward
// pass (spaGO, gorgonia without bound dual values): the optimizer then
// reads it in place instead of the caller copying it into the registered
// one. The same checks as Add32's apply (length, nil, memory shared with
// another parameter or gradient, or with this parameter's Data); an error
// changes nothing. It also replaces the float32 gradient of a bfloat16
// parameter registered with one (ParamBF16.Grad32).
func (o *Optimizer[H]) SetGrad32(name string, grad []float32) error {
	p := o.byName[name]
	switch {
	case p != nil && p.f32 != nil:
		return setGrad(o, p, p.f32.data, &p.f32.grad, grad)
	case p != nil && p.bf != nil && p.bf.grad32 != nil:
		return setGrad(o, p, p.bf.data, &p.bf.grad32, grad)
	}
	return o.noParam(name, "F32")
}

// SetGrad64 is SetGrad32 for a float64 parameter.
func (o *Optimizer[H]) SetGrad64(name string, grad []float64) error {
	p := o.byName[name]
	if p == nil || p.f64 == nil {
		return o.noParam(name, "F64")
	}
	return setGrad(o, p, p.f64.data, &p.f64.grad, grad)
}

// SetGradBF16 is SetGrad32 for a bfloat16 parameter registered with a
// bfloat16 gradient (ParamBF16.Grad).
func (o *Optimizer[H]) SetGradBF16(name string, grad []kernels.BF16) error {
	p := o.byName[name]
	if p == nil || p.bf == nil || p.bf.grad32 != nil {
		return o.noParam(name, "BF16")
	}
	return setGrad(o, p, p.bf.data, &p.bf.grad, grad)
}

// noParam is the error of a SetGrad whose gradient of dtype is not the
// registered parameter name's.
func (o *Optimizer[H]) noParam(name, dtype string) error {
	p := o.byName[name]
	switch {
	case p == nil:
		return fmt.Errorf("optim: SetGrad %q: no such parameter", name)
	case p.dtype() != p.gradDType():
		return fmt.Errorf("optim: SetGrad %q: the parameter is %s with a gradient that is %s, not %s", name, p.dtype(), p.gradDType(), dtype)
	}
	return fmt.Errorf("optim: SetGrad %q: the parameter is %s, not %s", name, p.dtype(), dtype)
}

// setGrad points *slot, the gradient of parameter p whose data is data, at
// grad.
func setGrad[H Algorithm, E, G elem](o *Optimizer[H], p *param, data []E, slot *[]G, grad []G) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("optim: SetGrad %q: %s", p.name, fmt.Sprintf(format, args...))
	}
	switch {
	case grad == nil:
		return fail("the gradient is nil")
	case len(grad) != len(data):
		return fail("len(grad) = %d, want len(Data) = %d", len(grad), len(data))
	}
	old, now := memspan.Of(*slot), memspan.Of(grad)
	if old == now {
		return nil
	}
	if now.Overlaps(memspan.Of(data)) {
		return fail("the gradient shares memory with Data; ZeroGrad would zero the parameter")
	}
	o.memory.remove(old)
	if other := o.memory.find(now); other != "" {
		o.memory.insert(old, "the gradient of "+p.name)
		return fail("its memory overlaps that of %s", other)
	}
	o.memory.insert(now, "the gradient of "+p.name)
	*slot = grad
	o.invalidate()
	return nil
}
