package fusedgorgonia

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// float is the element type of a Solver's parameters.
type float interface{ float32 | float64 }

// view is one gorgonia Value as a step reads it: a tensor's elements,
// aliased without a copy, or a scalar, read and written through its
// pointer.
type view[E float] struct {
	elems  []E            // a tensor's backing slice; nil for a scalar
	scalar gorgonia.Value // a *gorgonia.F32 or *gorgonia.F64; nil for a tensor
	shape  []int64
}

// dtypeOf is the gorgonia dtype of E.
func dtypeOf[E float]() tensor.Dtype {
	var e E
	if _, ok := any(e).(float32); ok {
		return tensor.Float32
	}
	return tensor.Float64
}

// dtypeOfValue is the dtype of a value a Solver can step, or an error
// saying why it cannot step it.
func dtypeOfValue(v gorgonia.Value) (tensor.Dtype, error) {
	switch v := v.(type) {
	case nil:
		return tensor.Dtype{}, fmt.Errorf("it has no value")
	case *tensor.Dense, *gorgonia.F32, *gorgonia.F64:
		if dt := v.Dtype(); dt == tensor.Float32 || dt == tensor.Float64 {
			return dt, nil
		}
		return tensor.Dtype{}, fmt.Errorf("its dtype is %v: fusedopt steps float32 and float64", v.Dtype())
	default:
		return tensor.Dtype{}, fmt.Errorf("its value is a %T: fusedopt steps *tensor.Dense, *gorgonia.F32 and *gorgonia.F64", v)
	}
}

// viewOf reads v, which must hold E: a contiguous dense tensor in Go
// memory, or a scalar. what says which of a parameter's values v is, for
// the error.
func viewOf[E float](v gorgonia.Value, what string) (view[E], error) {
	dt, err := dtypeOfValue(v)
	if err != nil {
		return view[E]{}, fmt.Errorf("%s: %v", what, err)
	}
	if want := dtypeOf[E](); dt != want {
		return view[E]{}, fmt.Errorf("%s is %v, want %v", what, dt, want)
	}
	d, ok := v.(*tensor.Dense)
	if !ok {
		return view[E]{scalar: v, shape: []int64{}}, nil
	}
	switch {
	case !d.IsNativelyAccessible():
		return view[E]{}, fmt.Errorf("%s is not in Go memory (a device tensor?)", what)
	case d.RequiresIterator():
		// A transpose, a strided slice or a masked tensor: its elements
		// are not the contiguous run of memory a kernel steps.
		return view[E]{}, fmt.Errorf("%s is a non-contiguous view (shape %v, strides %v): step the tensor it views, or a contiguous copy", what, d.Shape(), d.Strides())
	}
	var elems []E
	switch p := any(&elems).(type) {
	case *[]float32:
		*p = d.Float32s()
	case *[]float64:
		*p = d.Float64s()
	}
	shape := make([]int64, len(d.Shape()))
	size := 1
	for i, n := range d.Shape() {
		shape[i] = int64(n)
		size *= n
	}
	if len(elems) != size {
		return view[E]{}, fmt.Errorf("%s holds %d elements for shape %v", what, len(elems), d.Shape())
	}
	return view[E]{elems: elems, shape: shape}, nil
}

// len is the number of elements of v: 1 for a scalar.
func (v view[E]) len() int {
	if v.scalar != nil {
		return 1
	}
	return len(v.elems)
}

// get returns a scalar view's value.
func (v view[E]) get() E {
	switch s := v.scalar.(type) {
	case *gorgonia.F32:
		return E(*s)
	case *gorgonia.F64:
		return E(*s)
	}
	panic("fusedgorgonia: get on a tensor view")
}

// set writes x to a scalar view.
func (v view[E]) set(x E) {
	switch s := v.scalar.(type) {
	case *gorgonia.F32:
		*s = gorgonia.F32(x)
	case *gorgonia.F64:
		*s = gorgonia.F64(x)
	default:
		panic("fusedgorgonia: set on a tensor view")
	}
}

// zero sets every element of v to zero.
func (v view[E]) zero() {
	if v.scalar != nil {
		v.set(0)
		return
	}
	clear(v.elems)
}

// same reports whether a and b are the same memory.
func same[E float](a, b []E) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
