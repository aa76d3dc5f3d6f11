package optim

import "github.com/fusedopt/fusedopt/kernels"

// Algorithm is the set of hyperparameter structs an Optimizer can be built
// from: one per fusedopt optimizer. A value of the struct is one parameter
// group's hyperparameters, as a PyTorch param_group's dict is.
type Algorithm interface {
	kernels.Adam | kernels.SGD | kernels.Adagrad | kernels.RMSprop |
		kernels.Adadelta | kernels.Adamax | kernels.NAdam | kernels.RAdam |
		kernels.Lion | kernels.LAMB | kernels.LARS
}

// maxSlots is the most state slices any algorithm keeps per parameter
// (RMSprop's square_avg, grad_avg and momentum_buffer; Adam's three).
const maxSlots = 3

// slotSet says which of an algorithm's state slots a group's
// hyperparameters use (Adam's max_exp_avg_sq only with AMSGrad, SGD's
// momentum_buffer only with momentum, ...).
type slotSet [maxSlots]bool

// clock is a group's count of completed steps, and NAdam's running product
// of mu, which advances with it: all the state a group has besides its
// tensors and hyperparameters.
type clock struct {
	steps int64
	nadam kernels.NAdamSchedule
}

// algorithm describes one Algorithm to the optimizer: the names of its
// state, which slots a group's hyperparameters use, how its LR is read and
// set, and its StepTensors calls. Each algorithm's file declares one.
type algorithm[H Algorithm] struct {
	name  string           // kernels' name for it: "Adam", "SGD", ...
	slots [maxSlots]string // PyTorch's state keys, in the kernel's slice order ("" past the last)

	uses func(h *H) slotSet
	lr   func(h *H) *float64

	// wholeTensors is set where a step reads norms of whole tensors (LAMB's
	// and LARS's trust ratios), so that a Shard may not cut a parameter:
	// a rank would see only its window's norm.
	wholeTensors bool

	// gradScale is h's GradScale, which a fused ClipGradNorm multiplies.
	gradScale func(h *H) *float64

	// fill is the value a used slot starts at (Adagrad's
	// InitialAccumulatorValue); nil means zeros.
	fill func(h *H, slot int) float64

	// advance is c after one more step with h: the count, and NAdam's
	// product of mu.
	advance func(h *H, c clock) clock

	step32 stepFunc[H, float32]
	step64 stepFunc[H, float64]

	// stepBF16 steps bfloat16 tensors with bfloat16 gradients, and
	// stepBF16Grad32 those with float32 ones (Grad32); both nil where the
	// kernels have no bfloat16 form of the algorithm. They validate alike.
	stepBF16, stepBF16Grad32 stepFuncBF16[H]
}

// stepFunc runs one StepTensors call of hyperparameters h at clock c (the
// step being taken) over bucket b's tensors, or over none when b is nil:
// that call only validates.
type stepFunc[H Algorithm, E float] func(h *H, p *kernels.Pool, c clock, b *bucket[E]) error

// stepFuncBF16 is a stepFunc for bfloat16 tensors, which also take the
// Optimizer's rounding (its Offset unused: each tensor carries its own).
type stepFuncBF16[H Algorithm] func(h *H, p *kernels.Pool, c clock, r kernels.Rounding, b *bucket[kernels.BF16]) error

// stepper makes a stepFunc from the two things that differ between
// algorithms: how one tensor becomes the kernel's tensor type T, and the
// StepTensors call on a list of T. The list is kept in the bucket and
// rebuilt only when the bucket's tensors or their state have changed, so
// that a Step costs little more than the StepTensors call and does not
// allocate.
func stepper[H Algorithm, E float, T any](
	convert func(x *tensor[E]) T,
	call func(h *H, p *kernels.Pool, c clock, ts []T) error,
) stepFunc[H, E] {
	return func(h *H, p *kernels.Pool, c clock, b *bucket[E]) error {
		if b == nil {
			return call(h, p, c, nil)
		}
		return call(h, p, c, kernelList(b, convert))
	}
}

// stepperBF16 is stepper for bfloat16 tensors.
func stepperBF16[H Algorithm, T any](
	convert func(x *tensor[kernels.BF16]) T,
	call func(h *H, p *kernels.Pool, c clock, r kernels.Rounding, ts []T) error,
) stepFuncBF16[H] {
	return func(h *H, p *kernels.Pool, c clock, r kernels.Rounding, b *bucket[kernels.BF16]) error {
		if b == nil {
			return call(h, p, c, r, nil)
		}
		return call(h, p, c, r, kernelList(b, convert))
	}
}

// kernelList is b's tensors as the kernel's tensor type T, kept in b and
// rebuilt only when b is stale.
func kernelList[E elem, T any](b *bucket[E], convert func(x *tensor[E]) T) []T {
	list, _ := b.list.(*[]T)
	if list == nil || b.stale {
		if list == nil {
			list = new([]T)
			b.list = list
		}
		*list = (*list)[:0]
		for _, x := range b.ts {
			*list = append(*list, convert(x))
		}
		b.stale = false
	}
	return *list
}

// fitsInt reports whether a step count converts to the kernels' int
// without wrapping (it always does on 64-bit targets).
func fitsInt(steps int64) bool { return int64(int(steps)) == steps }

// algorithmOf returns the description of H. The type switch runs once,
// when an Optimizer is made.
func algorithmOf[H Algorithm]() *algorithm[H] {
	var h H
	var a any
	switch any(h).(type) {
	case kernels.Adam:
		a = &adamAlgorithm
	case kernels.SGD:
		a = &sgdAlgorithm
	case kernels.Adagrad:
		a = &adagradAlgorithm
	case kernels.RMSprop:
		a = &rmspropAlgorithm
	case kernels.Adadelta:
		a = &adadeltaAlgorithm
	case kernels.Adamax:
		a = &adamaxAlgorithm
	case kernels.NAdam:
		a = &nadamAlgorithm
	case kernels.RAdam:
		a = &radamAlgorithm
	case kernels.Lion:
		a = &lionAlgorithm
	case kernels.LAMB:
		a = &lambAlgorithm
	case kernels.LARS:
		a = &larsAlgorithm
	}
	return a.(*algorithm[H])
}

// validate is h.Validate for any Algorithm.
func validate[H Algorithm](h *H) error {
	return any(h).(interface{ Validate() error }).Validate()
}

// countSteps is the advance of every algorithm but NAdam.
func countSteps[H Algorithm](_ *H, c clock) clock {
	c.steps++
	return c
}
