package optim

import (
	"fmt"
	"math"

	"github.com/fusedopt/fusedopt/internal/memspan"
)

// Param32 is one float32 parameter tensor to register: its unique name
// (the key of its state in checkpoints, such as "encoder.0.weight"), its
// shape (nil for one dimension of len(Data)), and its value and gradient
// slices, which the Optimizer keeps and reads at every Step: the caller
// writes Grad before Step, and reads Data after it.
type Param32 struct {
	Name  string
	Shape []int64
	Data  []float32
	Grad  []float32
}

// Param64 is Param32 for a float64 tensor.
type Param64 struct {
	Name  string
	Shape []int64
	Data  []float64
	Grad  []float64
}

// Add32 registers a float32 parameter in group g and allocates its state,
// as passing it in a PyTorch param_group does. It returns an error, and
// registers nothing, for an empty or already registered name, a nil or
// mismatched slice, a shape whose size is not len(Data), memory shared
// with a registered parameter or gradient (or Grad sharing Data's, which
// ZeroGrad would wipe), or a group that has already stepped (its new
// parameters would have no steps behind them: add a group instead).
// An out-of-range g panics.
func (o *Optimizer[H]) Add32(g int, p Param32) error {
	return add(o, g, p.Name, p.Shape, p.Data, p.Grad, func(pr *param, x *tensor[float32]) { pr.f32 = x })
}

// Add64 is Add32 for a float64 parameter.
func (o *Optimizer[H]) Add64(g int, p Param64) error {
	return add(o, g, p.Name, p.Shape, p.Data, p.Grad, func(pr *param, x *tensor[float64]) { pr.f64 = x })
}

func add[H Algorithm, E float](o *Optimizer[H], g int, name string, shape []int64, data, grad []E, set func(*param, *tensor[E])) error {
	gr := o.group(g)
	fail := func(format string, args ...any) error {
		return fmt.Errorf("optim: Add %q to group %d: %s", name, g, fmt.Sprintf(format, args...))
	}
	switch {
	case name == "":
		return fmt.Errorf("optim: Add to group %d: empty parameter name", g)
	case o.byName[name] != nil:
		return fail("the name is already registered (group %d)", o.byName[name].group)
	case gr.clock.steps > 0:
		return fail("the group has taken %d steps; add new parameters in a new group", gr.clock.steps)
	case data == nil:
		return fail("Data is nil")
	case grad == nil:
		return fail("Grad is nil")
	case len(grad) != len(data):
		return fail("len(Grad) = %d, want len(Data) = %d", len(grad), len(data))
	}
	shape, err := checkShape(shape, len(data))
	if err != nil {
		return fail("%v", err)
	}
	dr, gradRange := memspan.Of(data), memspan.Of(grad)
	if dr.Overlaps(gradRange) {
		return fail("Grad shares memory with Data; ZeroGrad would zero the parameter")
	}
	for _, r := range []memspan.Span{dr, gradRange} {
		if other := o.memory.find(r); other != "" {
			return fail("its memory overlaps that of %s", other)
		}
	}
	start, err := startValues[H, E](o, &gr.hyper)
	if err != nil {
		return fail("%v", err)
	}

	pr := &param{name: name, shape: shape, group: g, offset: o.next, size: len(data)}
	lo, hi := o.shard.contains(o.next, o.next+int64(len(data)))
	if o.algo.wholeTensors && lo < hi && (lo != o.next || hi != o.next+int64(len(data))) {
		return fail("the Shard [%d, %d) cuts it (elements [%d, %d)); %s's trust ratio needs whole tensors: shard at parameter boundaries",
			o.shard.Lo, o.shard.Hi, o.next, o.next+int64(len(data)), o.algo.name)
	}
	x := &tensor[E]{p: pr, data: data, grad: grad}
	if lo < hi {
		x.lo, x.hi = int(lo-o.next), int(hi-o.next)
		x.initState(o.algo.uses(&gr.hyper), start)
	}
	set(pr, x)
	o.memory.insert(dr, "parameter "+name)
	o.memory.insert(gradRange, "the gradient of "+name)
	o.next += int64(len(data))
	o.params = append(o.params, pr)
	o.byName[name] = pr
	if lo < hi {
		b := bucketOf[H, E](gr)
		b.ts = append(b.ts, x)
		b.stale = true
	}
	return nil
}

// checkShape returns shape, or [n] for nil, checking that its dimensions
// are >= 0 and multiply to n.
func checkShape(shape []int64, n int) ([]int64, error) {
	if shape == nil {
		return []int64{int64(n)}, nil
	}
	size := int64(1)
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("Shape %v has a negative dimension", shape)
		}
		if d != 0 && size > math.MaxInt64/d {
			return nil, fmt.Errorf("Shape %v overflows", shape)
		}
		size *= d
	}
	if size != int64(n) {
		return nil, fmt.Errorf("Shape %v has %d elements, want len(Data) = %d", shape, size, n)
	}
	return append([]int64(nil), shape...), nil
}

// startValues is the value each state slot of hyperparameters h starts at,
// in precision E: zeros, or Adagrad's initial accumulator, which must not
// overflow E.
func startValues[H Algorithm, E float](o *Optimizer[H], h *H) ([maxSlots]E, error) {
	var start [maxSlots]E
	if o.algo.fill == nil {
		return start, nil
	}
	for i := range start {
		v := o.algo.fill(h, i)
		start[i] = E(v)
		if f := float64(start[i]); math.IsInf(f, 0) && !math.IsInf(v, 0) {
			return start, fmt.Errorf("%s state %s starts at %g, which overflows %T", o.algo.name, o.algo.slots[i], v, start[i])
		}
	}
	return start, nil
}

// bucketOf is group gr's bucket of precision E.
func bucketOf[H Algorithm, E float](gr *group[H]) *bucket[E] {
	var b any
	var e E
	switch any(e).(type) {
	case float32:
		b = &gr.f32
	case float64:
		b = &gr.f64
	}
	return b.(*bucket[E])
}

// relayout gives every tensor of group g the starting state of
// hyperparameters h, before the group's first step. It changes nothing
// if h's starting values do not fit.
func (o *Optimizer[H]) relayout(g int, h *H) error {
	gr := o.groups[g]
	s32, err := startValues[H, float32](o, h)
	if err != nil && len(gr.f32.ts) > 0 {
		return fmt.Errorf("optim: group %d: %v", g, err)
	}
	s64, _ := startValues[H, float64](o, h)
	uses := o.algo.uses(h)
	for _, x := range gr.f32.ts {
		x.initState(uses, s32)
	}
	for _, x := range gr.f64.ts {
		x.initState(uses, s64)
	}
	o.invalidate()
	return nil
}
