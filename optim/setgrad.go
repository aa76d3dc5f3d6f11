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
// changes nothing.
func (o *Optimizer[H]) SetGrad32(name string, grad []float32) error {
	p := o.byName[name]
	if p == nil || p.f32 == nil {
		return o.noParam(name, "F32")
	}
	return setGrad(o, p, p.f32, grad)
}

// SetGrad64 is SetGrad32 for a float64 parameter.
func (o *Optimizer[H]) SetGrad64(name string, grad []float64) error {
	p := o.byName[name]
	if p == nil || p.f64 == nil {
		return o.noParam(name, "F64")
	}
	return setGrad(o, p, p.f64, grad)
}

// SetGradBF16 is SetGrad32 for a bfloat16 parameter.
func (o *Optimizer[H]) SetGradBF16(name string, grad []kernels.BF16) error {
	p := o.byName[name]
	if p == nil || p.bf == nil {
		return o.noParam(name, "BF16")
	}
	return setGrad(o, p, p.bf, grad)
}

func (o *Optimizer[H]) noParam(name, dtype string) error {
	if o.byName[name] == nil {
		return fmt.Errorf("optim: SetGrad %q: no such parameter", name)
	}
	return fmt.Errorf("optim: SetGrad %q: the parameter is %s, not %s", name, o.byName[name].dtype(), dtype)
}

func setGrad[H Algorithm, E elem](o *Optimizer[H], p *param, x *tensor[E], grad []E) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("optim: SetGrad %q: %s", p.name, fmt.Sprintf(format, args...))
	}
	switch {
	case grad == nil:
		return fail("the gradient is nil")
	case len(grad) != len(x.data):
		return fail("len(grad) = %d, want len(Data) = %d", len(grad), len(x.data))
	}
	old, now := memspan.Of(x.grad), memspan.Of(grad)
	if old == now {
		return nil
	}
	if now.Overlaps(memspan.Of(x.data)) {
		return fail("the gradient shares memory with Data; ZeroGrad would zero the parameter")
	}
	o.memory.remove(old)
	if other := o.memory.find(now); other != "" {
		o.memory.insert(old, "the gradient of "+p.name)
		return fail("its memory overlaps that of %s", other)
	}
	o.memory.insert(now, "the gradient of "+p.name)
	x.grad = grad
	o.invalidate()
	return nil
}
