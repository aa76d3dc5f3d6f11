package fusedspago

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/fusedopt/fusedopt/optim"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"
)

// build makes the binding of the parameters of ps that require gradients,
// in the dtype of the model, and returns it with the function that
// registers them with s's optimizer. It checks everything optim.Add would
// reject, so that the caller can check more (the gradients) before it
// registers anything.
func build[H optim.Algorithm](s *Strategy[H], ps []*nn.Param) (binder, func(), error) {
	var f32, f64 string
	for i, p := range ps {
		if !p.RequiresGrad() {
			continue
		}
		switch p.Matrix.(type) {
		case *mat.Dense[float32]:
			f32 = nameOf(i)
		case *mat.Dense[float64]:
			f64 = nameOf(i)
		default:
			return nil, nil, fmt.Errorf("fusedspago: parameter %q is a %T: fusedopt steps *mat.Dense[float32] and *mat.Dense[float64]", nameOf(i), p.Matrix)
		}
		if f32 != "" && f64 != "" {
			return nil, nil, fmt.Errorf("fusedspago: parameter %q is float32 and %q float64: a Strategy steps one dtype, as a model computes in one; use one Strategy per dtype", f32, f64)
		}
	}
	switch {
	case f32 != "":
		return buildAs[float32](s, ps)
	case f64 != "":
		return buildAs[float64](s, ps)
	}
	return nil, nil, errors.New("fusedspago: params yields no parameter that requires a gradient")
}

// nameOf is the name of the i-th parameter params yields.
func nameOf(i int) string { return fmt.Sprintf("%d", i) }

func buildAs[E float, H optim.Algorithm](s *Strategy[H], ps []*nn.Param) (binder, func(), error) {
	b := &binding[E]{byParam: make(map[*nn.Param]int, len(ps))}
	var groups []int
	for i, p := range ps {
		if !p.RequiresGrad() {
			continue
		}
		if j, dup := b.byParam[p]; dup {
			return nil, nil, fmt.Errorf("fusedspago: params yields parameter %q twice (as %q too)", b.entries[j].name, nameOf(i))
		}
		v := p.Matrix.(*mat.Dense[E])
		e := entry[E]{p: p, name: nameOf(i), shape: shapeOf(v), data: mat.Data[E](v)}
		e.grad = make([]E, len(e.data))
		g := 0
		if s.group != nil {
			g = s.group(e.name, slices.Clone(e.shape))
			if g < 0 || g >= s.opt.Groups() {
				return nil, nil, fmt.Errorf("fusedspago: the group of parameter %q is %d; the optimizer has groups [0, %d): add them to Optimizer() before the first step", e.name, g, s.opt.Groups())
			}
		}
		b.byParam[p] = len(b.entries)
		b.entries = append(b.entries, e)
		groups = append(groups, g)
	}
	if err := checkOverlap(b.entries); err != nil {
		return nil, nil, err
	}
	return b, func() { commit(s, b, groups) }, nil
}

// commit registers b's parameters with s's optimizer, in groups.
func commit[E float, H optim.Algorithm](s *Strategy[H], b *binding[E], groups []int) {
	for i, e := range b.entries {
		var err error
		switch data := any(e.data).(type) {
		case []float32:
			err = s.opt.Add32(groups[i], optim.Param32{Name: e.name, Shape: e.shape, Data: data, Grad: any(e.grad).([]float32)})
		case []float64:
			err = s.opt.Add64(groups[i], optim.Param64{Name: e.name, Shape: e.shape, Data: data, Grad: any(e.grad).([]float64)})
		}
		if err != nil {
			// Everything Add checks was checked above.
			panic(fmt.Sprintf("fusedspago: registering parameter %q failed after %d were registered: %v", e.name, i, err))
		}
	}
}

// checkOverlap reports two parameters that share memory, which optim.Add
// rejects: found here, before anything is registered.
func checkOverlap[E float](entries []entry[E]) error {
	type span struct {
		lo, hi uintptr
		name   string
	}
	var spans []span
	var e E
	for _, x := range entries {
		if len(x.data) > 0 {
			lo := uintptr(unsafe.Pointer(unsafe.SliceData(x.data)))
			spans = append(spans, span{lo, lo + uintptr(len(x.data))*unsafe.Sizeof(e), x.name})
		}
	}
	slices.SortFunc(spans, func(a, b span) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	for i := 1; i < len(spans); i++ {
		if spans[i].lo < spans[i-1].hi {
			return fmt.Errorf("fusedspago: parameters %q and %q share memory", spans[i-1].name, spans[i].name)
		}
	}
	return nil
}
