package optim

import (
	"github.com/fusedopt/fusedopt/internal/safetensors"
	"github.com/fusedopt/fusedopt/kernels"
)

// float is a floating-point element type that Go computes in.
type float interface{ float32 | float64 }

// elem is the element type of a parameter: PyTorch keeps a dtype per
// tensor, and so does an Optimizer. A bfloat16 parameter's gradient and
// state are bfloat16 too.
type elem interface{ float | kernels.BF16 }

// tensor is the part of one parameter that this optimizer steps: the
// window [lo, hi) of its elements that the shard owns (all of them without
// a shard), and the state of that window.
type tensor[E elem] struct {
	p    *param
	data []E // the whole registered parameter
	grad []E // its whole gradient, or nil where grad32 is set

	// grad32 is the whole float32 gradient of a bfloat16 parameter
	// registered with one (ParamBF16.Grad32), or nil.
	grad32 []float32
	lo, hi int
	state  [maxSlots][]E // hi-lo elements each; nil where the group's hyperparameters use no such slot
}

// window is the owned part of s, a parameter-length slice.
func (x *tensor[E]) window(s []E) []E { return s[x.lo:x.hi:x.hi] }

// window32 is the owned part of x's float32 gradient grad32.
func (x *tensor[E]) window32() []float32 { return x.grad32[x.lo:x.hi:x.hi] }

// initState allocates the slots that uses names, each filled with its
// starting value, and drops the others: the state before a first step.
func (x *tensor[E]) initState(uses slotSet, start [maxSlots]E) {
	n := x.hi - x.lo
	for i := range x.state {
		x.state[i] = nil
		if uses[i] {
			s := make([]E, n)
			if v := start[i]; v != 0 {
				for j := range s {
					s[j] = v
				}
			}
			x.state[i] = s
		}
	}
}

// param is one registered parameter: its name, shape and place in the
// registration order, and its tensor in its precision.
type param struct {
	name   string
	shape  []int64
	group  int
	offset int64 // of its first element in the registration order (see Shard)
	size   int
	f32    *tensor[float32] // exactly one of f32, f64 and bf is set
	f64    *tensor[float64]
	bf     *tensor[kernels.BF16]
}

// owned is the number of the parameter's elements the shard owns.
func (p *param) owned() int {
	switch {
	case p.f32 != nil:
		return p.f32.hi - p.f32.lo
	case p.f64 != nil:
		return p.f64.hi - p.f64.lo
	}
	return p.bf.hi - p.bf.lo
}

// dtype is the parameter's safetensors dtype.
func (p *param) dtype() safetensors.DType {
	switch {
	case p.f32 != nil:
		return safetensors.F32
	case p.f64 != nil:
		return safetensors.F64
	}
	return safetensors.BF16
}

// clearGrad zeroes the parameter's whole gradient.
func (p *param) clearGrad() {
	switch {
	case p.f32 != nil:
		clear(p.f32.grad)
	case p.f64 != nil:
		clear(p.f64.grad)
	default:
		clear(p.bf.grad)
		clear(p.bf.grad32)
	}
}

// float32Grad is the parameter's gradient if it is float32 (a float32
// parameter's, or a bfloat16 one's Grad32), else nil.
func (p *param) float32Grad() []float32 {
	switch {
	case p.f32 != nil:
		return p.f32.grad
	case p.bf != nil:
		return p.bf.grad32
	}
	return nil
}

// gradDType is the safetensors dtype of the parameter's gradient.
func (p *param) gradDType() safetensors.DType {
	if p.bf != nil && p.bf.grad32 != nil {
		return safetensors.F32
	}
	return p.dtype()
}

// roundingOffset is the index of x's first owned element in the hash of a
// bfloat16 step's stochastic rounding: its place in the registration
// order (see Shard), the same in a sharded and an unsharded optimizer.
func (x *tensor[E]) roundingOffset() uint64 { return uint64(x.p.offset + int64(x.lo)) }
