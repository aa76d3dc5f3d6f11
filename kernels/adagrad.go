package kernels

// Adagrad holds the hyperparameters of Adagrad (torch.optim.Adagrad). The
// zero value is not useful; start from DefaultAdagrad and change what you
// need. An Adagrad is a plain value: change LR between steps for a
// schedule.
//
// For each element, at step t (counted from 1), following PyTorch's
// single-tensor implementation:
//
//	g     = GradScale * grad               (negated if Maximize)
//	g     = g + WeightDecay*param          (L2 decay, when WeightDecay != 0)
//	clr   = LR / (1 + (t-1)*LRDecay)
//	sum   = sum + g*g
//	std   = sqrt(sum) + Eps                (sqrt(sum + Eps) with EpsInSqrt)
//	param = param - clr * (g/std)
//
// The state sum starts as InitialAccumulatorValue in every element (PyTorch
// fills it when it creates the state): fill it with InitSum32 or InitSum64,
// or allocate it zeroed when InitialAccumulatorValue is 0, the default. The
// EpsInSqrt form sqrt(sum + Eps) is Optax's (optax.adagrad) and that of
// many lecture notes; PyTorch's is sqrt(sum) + Eps.
//
// The kernels compute exactly these operations in this order, each
// rounded to the slices' precision (see generic.go); clr is computed once
// per step in float64, as PyTorch computes it in Python.
type Adagrad struct {
	LR float64 // learning rate, >= 0

	// LRDecay, >= 0, divides the learning rate by 1 + (t-1)*LRDecay at
	// step t.
	LRDecay float64

	// WeightDecay is the L2 penalty, >= 0, added to the gradient as
	// WeightDecay*param (torch.optim.Adagrad has no decoupled form).
	WeightDecay float64

	// InitialAccumulatorValue, >= 0, is the starting value of every
	// element of the sum slice. The steps do not read it (the slice holds
	// the state); InitSum32 and InitSum64 write it.
	InitialAccumulatorValue float64

	// Eps, > 0, keeps the denominator away from zero: added to sqrt(sum),
	// or to sum inside the square root with EpsInSqrt. (PyTorch accepts 0,
	// which divides 0 by 0 wherever sum and the gradient are both 0.)
	Eps       float64
	EpsInSqrt bool

	Maximize bool // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultAdagrad is torch.optim.Adagrad's defaults: LR 1e-2, no learning
// rate decay, no weight decay, initial accumulator value 0, eps 1e-10.
func DefaultAdagrad() Adagrad { return Adagrad{LR: 1e-2, Eps: 1e-10} }

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil.
func (o Adagrad) Validate() error {
	switch {
	case !finiteNonNegative(o.LR):
		return o.bad("LR", o.LR, "finite and >= 0")
	case !finiteNonNegative(o.LRDecay):
		return o.bad("LRDecay", o.LRDecay, "finite and >= 0")
	case !finiteNonNegative(o.WeightDecay):
		return o.bad("WeightDecay", o.WeightDecay, "finite and >= 0")
	case !finiteNonNegative(o.InitialAccumulatorValue):
		return o.bad("InitialAccumulatorValue", o.InitialAccumulatorValue, "finite and >= 0")
	case !finitePositive(o.Eps):
		return o.bad("Eps", o.Eps, "finite and > 0")
	case !finiteNonNegative(o.GradScale):
		return o.bad("GradScale", o.GradScale, "finite and >= 0 (0 means 1)")
	}
	return nil
}

func (o Adagrad) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "Adagrad", Field: field, Value: v, Want: want}
}

// InitSum32 fills sum with InitialAccumulatorValue, the state before the
// first step. A bad hyperparameter, or an InitialAccumulatorValue that
// overflows float32, returns a *ParamError and changes nothing.
func (o Adagrad) InitSum32(sum []float32) error {
	if err := o.Validate(); err != nil {
		return err
	}
	v := float32(o.InitialAccumulatorValue)
	if !finite32(v) {
		return o.bad("InitialAccumulatorValue", o.InitialAccumulatorValue, "representable in float32 for InitSum32")
	}
	for i := range sum {
		sum[i] = v
	}
	return nil
}

// InitSum64 is InitSum32 for a float64 slice.
func (o Adagrad) InitSum64(sum []float64) error {
	if err := o.Validate(); err != nil {
		return err
	}
	for i := range sum {
		sum[i] = o.InitialAccumulatorValue
	}
	return nil
}

// Step32 applies update number t (1 for the first step) to param, reading
// grad and updating the state sum. All slices must have len(param)
// elements, or Step32 panics; grad may be the same slice as param, and no
// other two may overlap, or it panics. sum starts as InitialAccumulatorValue (see
// InitSum32) and must hold values >= 0. A bad hyperparameter or t < 1
// returns a *ParamError and changes nothing. Step32 does not allocate.
func (o Adagrad) Step32(t int, param, grad, sum []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adagrad.Step32", len(param), len(grad), len(sum))
	if len(param) > 0 {
		checkDisjoint("Adagrad.Step32", &adagradArgs, 0, param, grad, sum)
	}
	var s32 [adagradScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return err
	}
	if len(param) > 0 {
		current().adagradF32[o.variant()](param, grad, sum, s32)
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (o Adagrad) Step64(t int, param, grad, sum []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adagrad.Step64", len(param), len(grad), len(sum))
	if len(param) > 0 {
		checkDisjoint("Adagrad.Step64", &adagradArgs, 0, param, grad, sum)
		current().adagradF64[o.variant()](param, grad, sum, s)
	}
	return nil
}

// variant indexes the kernel tables: coupled decay + 2*EpsInSqrt.
func (o Adagrad) variant() int {
	v := 0
	if o.WeightDecay != 0 {
		v++
	}
	if o.EpsInSqrt {
		v += 2
	}
	return v
}

func (o Adagrad) checkLens(op string, n, grad, sum int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case sum != n:
		lengthPanic(op, "sum", sum, n)
	}
}

// scalars validates o and t and computes the per-step scalars once, in
// float64, for every element and every level alike.
func (o Adagrad) scalars(t int) (s [adagradScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return s, err
	}
	if t < 1 {
		return s, o.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	s[adagradGscale] = signedGradScale(o.GradScale, o.Maximize)
	s[adagradWd] = o.WeightDecay
	s[adagradEps] = o.Eps
	// The conversion rounds the product, as Python does: without it the
	// compiler may fuse 1 + x*y into one FMA on some architectures (arm64
	// does) and not on others, and the scalar would differ by machine.
	s[adagradClr] = o.LR / (1 + float64(float64(t-1)*o.LRDecay))
	return s, nil
}

// checkRounded32 rejects hyperparameters that float32 cannot carry: an Eps
// that rounds to zero (the denominator could vanish) or overflows, or a
// step size, gradient scale or decay that overflows.
func (o Adagrad) checkRounded32(s [adagradScalarCount]float32) error {
	switch {
	case !nonzero32(s[adagradEps]):
		return o.bad("Eps", o.Eps, "representable in float32 (1.4e-45 to 3.4e38) for Step32")
	case !finite32(s[adagradClr]):
		return o.bad("LR", o.LR, "small enough that LR/(1+(t-1)*LRDecay) fits float32 for Step32")
	case !nonzero32(s[adagradGscale]):
		return o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[adagradWd]):
		return o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	}
	return nil
}
