package optim

import (
	"fmt"
	"math"
	"slices"

	"github.com/fusedopt/fusedopt/internal/memspan"
	"github.com/fusedopt/fusedopt/kernels"
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

// ParamBF16 is Param32 for a bfloat16 tensor, whose state the Optimizer
// keeps in bfloat16 (see AddBF16). Its gradient is either bfloat16, in
// Grad (as PyTorch's gradients have their parameter's dtype), or float32,
// in Grad32 (as a trainer that accumulates gradients in float32 keeps
// them): exactly one of the two must be set. A float32 gradient costs 2
// bytes per element more to read, and is not rounded to bfloat16 before
// the step reads it. The choice is the parameter's for good: SetGradBF16
// replaces a Grad, SetGrad32 a Grad32.
type ParamBF16 struct {
	Name   string
	Shape  []int64
	Data   []kernels.BF16
	Grad   []kernels.BF16
	Grad32 []float32
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

// AddBF16 is Add32 for a bfloat16 parameter: its state is allocated in
// bfloat16, and Step rounds the parameter and the state it stores as
// Config.Rounding says. Only algorithms with bfloat16 kernels take one
// (Adam and AdamW without AMSGrad, SGD and Lion); for another, or for a
// group whose hyperparameters the bfloat16 kernels refuse, AddBF16
// returns an error naming it and registers nothing.
//
// Exactly one of p.Grad and p.Grad32 must be set; both or neither is an
// error naming the parameter.
func (o *Optimizer[H]) AddBF16(g int, p ParamBF16) error {
	if err := o.checkBF16(&o.group(g).hyper); err != nil {
		return fmt.Errorf("optim: Add %q to group %d: %w", p.Name, g, err)
	}
	set := func(pr *param, x *tensor[kernels.BF16]) { pr.bf = x }
	switch {
	case p.Grad != nil && p.Grad32 != nil:
		return fmt.Errorf("optim: Add %q to group %d: both Grad and Grad32 are set; a bfloat16 parameter takes one gradient", p.Name, g)
	case p.Grad32 != nil:
		return add(o, g, p.Name, p.Shape, p.Data, p.Grad32, set)
	case p.Grad == nil && p.Data != nil:
		return fmt.Errorf("optim: Add %q to group %d: Grad and Grad32 are nil; set one of them", p.Name, g)
	}
	return add(o, g, p.Name, p.Shape, p.Data, p.Grad, set)
}

// checkBF16 returns an error if the bfloat16 kernels cannot step a group
// with hyperparameters h (no such kernels, or AMSGrad).
func (o *Optimizer[H]) checkBF16(h *H) error {
	if o.algo.stepBF16 == nil {
		return fmt.Errorf("%s has no bfloat16 kernels; bfloat16 parameters take Adam, AdamW, SGD or Lion", o.algo.name)
	}
	if err := o.algo.stepBF16(h, o.pool, clock{steps: 1}, o.round, nil); err != nil {
		return fmt.Errorf("bfloat16 %s: %w", o.algo.name, err)
	}
	return nil
}

// hasBF16 reports whether group g has bfloat16 parameters (whether or not
// the Shard owns any of their elements).
func (o *Optimizer[H]) hasBF16(g int) bool {
	for _, p := range o.params {
		if p.group == g && p.bf != nil {
			return true
		}
	}
	return false
}

// add registers a parameter whose data is of element type E and whose
// gradient is of G: E itself, or float32 for a bfloat16 parameter with a
// float32 gradient.
func add[H Algorithm, E, G elem](o *Optimizer[H], g int, name string, shape []int64, data []E, grad []G, set func(*param, *tensor[E])) error {
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
	x := &tensor[E]{p: pr, data: data}
	switch gr := any(grad).(type) {
	case []E:
		x.grad = gr
	case []float32:
		x.grad32 = gr
	}
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
		b := bucketOf[H, E](gr, x)
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
func startValues[H Algorithm, E elem](o *Optimizer[H], h *H) ([maxSlots]E, error) {
	var start [maxSlots]E
	if o.algo.fill == nil {
		return start, nil
	}
	for i := range start {
		v := o.algo.fill(h, i)
		start[i] = fromFloat64[E](v)
		if f := toFloat64(start[i]); math.IsInf(f, 0) && !math.IsInf(v, 0) {
			return start, fmt.Errorf("%s state %s starts at %g, which overflows %T", o.algo.name, o.algo.slots[i], v, start[i])
		}
	}
	return start, nil
}

// fromFloat64 is v rounded to E (to nearest, ties to even).
func fromFloat64[E elem](v float64) E {
	var e E
	switch p := any(&e).(type) {
	case *float32:
		*p = float32(v)
	case *float64:
		*p = v
	case *kernels.BF16:
		*p = kernels.BF16From32(float32(v))
	}
	return e
}

// toFloat64 is x's value, exactly.
func toFloat64[E elem](x E) float64 {
	switch v := any(x).(type) {
	case float32:
		return float64(v)
	case kernels.BF16:
		return float64(v.Float32())
	}
	return any(x).(float64)
}

// bucketOf is group gr's bucket of tensors like x: of precision E, and
// for bfloat16 of x's gradient's.
func bucketOf[H Algorithm, E elem](gr *group[H], x *tensor[E]) *bucket[E] {
	var b any
	var e E
	switch any(e).(type) {
	case float32:
		b = &gr.f32
	case float64:
		b = &gr.f64
	case kernels.BF16:
		b = &gr.bf
		if x.grad32 != nil {
			b = &gr.bf32
		}
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
	sbf, _ := startValues[H, kernels.BF16](o, h) // only Adam, SGD and Lion step bfloat16: zeros
	uses := o.algo.uses(h)
	for _, x := range gr.f32.ts {
		x.initState(uses, s32)
	}
	for _, x := range gr.f64.ts {
		x.initState(uses, s64)
	}
	for _, x := range slices.Concat(gr.bf.ts, gr.bf32.ts) {
		x.initState(uses, sbf)
	}
	o.invalidate()
	return nil
}
