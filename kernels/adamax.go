package kernels

import "math"

// Adamax holds the hyperparameters of Adamax, the infinity-norm variant of
// Adam (torch.optim.Adamax). The zero value is not useful; start from
// DefaultAdamax and change what you need. An Adamax is a plain value:
// change LR between steps for a schedule.
//
// For each element, at step t (counted from 1), following PyTorch's
// single-tensor implementation:
//
//	g     = GradScale * grad               (negated if Maximize)
//	g     = g + WeightDecay*param          (L2 decay, when WeightDecay != 0)
//	m     = Beta1*m + (1-Beta1)*g
//	u     = max(Beta2*u, |g| + Eps)
//	param = param - LR/(1-Beta1^t) * m/u
//
// Maximize negates the gradient before the decay is added, as PyTorch
// does, so that decay still shrinks the parameters when maximizing.
// WeightDecay is an L2 term folded into the gradient, which m and u both
// see (torch.optim.Adamax has no decoupled form). Eps is PyTorch's: added
// to |g| inside the max, where Kingma and Ba's Adamax has none; it keeps u
// at or above Eps, so m/u never divides by zero. The max propagates NaN
// (torch.maximum does): a NaN gradient makes u NaN.
//
// The kernels compute exactly these operations in this order, each
// rounded to the slices' precision (see generic.go), except that they
// form Beta1*m + (1-Beta1)*g where PyTorch uses lerp, and
// LR/(1-Beta1^t) * (m/u) where PyTorch's addcdiv computes
// (-LR/(1-Beta1^t) * m)/u: the same values up to a few roundings.
type Adamax struct {
	LR    float64 // learning rate, >= 0
	Beta1 float64 // first-moment decay, in [0, 1)
	Beta2 float64 // infinity-norm decay, in [0, 1)

	// Eps is added to |g| before the max, > 0. PyTorch accepts 0, with
	// which a zero gradient on the first step gives m/u = 0/0 = NaN;
	// Validate rejects it, as Adam's.
	Eps float64

	// WeightDecay is the L2 penalty, >= 0, added to the gradient as
	// WeightDecay*param.
	WeightDecay float64

	Maximize bool // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultAdamax is torch.optim.Adamax's defaults: LR 2e-3, betas (0.9,
// 0.999), eps 1e-8, no weight decay.
func DefaultAdamax() Adamax { return Adamax{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil.
func (o Adamax) Validate() error {
	switch {
	case !finiteNonNegative(o.LR):
		return o.bad("LR", o.LR, "finite and >= 0")
	case !inUnitInterval(o.Beta1):
		return o.bad("Beta1", o.Beta1, "in [0, 1)")
	case !inUnitInterval(o.Beta2):
		return o.bad("Beta2", o.Beta2, "in [0, 1)")
	case !finitePositive(o.Eps):
		return o.bad("Eps", o.Eps, "finite and > 0")
	case !finiteNonNegative(o.WeightDecay):
		return o.bad("WeightDecay", o.WeightDecay, "finite and >= 0")
	case !finiteNonNegative(o.GradScale):
		return o.bad("GradScale", o.GradScale, "finite and >= 0 (0 means 1)")
	}
	return nil
}

func (o Adamax) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "Adamax", Field: field, Value: v, Want: want}
}

// Step32 applies update number t (1 for the first step) to param, reading
// grad and updating the state m (the first moment, PyTorch's exp_avg) and
// u (the infinity norm, exp_inf). The state slices start as zeros. All
// slices must have len(param) elements, or Step32 panics; grad may be the
// same slice as param, and no other two may overlap, or it panics. A bad hyperparameter
// or t < 1 returns a *ParamError and changes nothing. Step32 does not
// allocate.
func (o Adamax) Step32(t int, param, grad, m, u []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adamax.Step32", len(param), len(grad), len(m), len(u))
	if len(param) > 0 {
		checkDisjoint("Adamax.Step32", &adamaxArgs, 0, param, grad, m, u)
	}
	var s32 [adamaxScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return err
	}
	if len(param) > 0 {
		current().adamaxF32[o.variant()](param, grad, m, u, s32)
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (o Adamax) Step64(t int, param, grad, m, u []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adamax.Step64", len(param), len(grad), len(m), len(u))
	if len(param) > 0 {
		checkDisjoint("Adamax.Step64", &adamaxArgs, 0, param, grad, m, u)
		current().adamaxF64[o.variant()](param, grad, m, u, s)
	}
	return nil
}

// variant indexes the kernel tables: 1 with (coupled) weight decay.
func (o Adamax) variant() int {
	if o.WeightDecay != 0 {
		return 1
	}
	return 0
}

func (o Adamax) checkLens(op string, n, grad, m, u int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case m != n:
		lengthPanic(op, "m", m, n)
	case u != n:
		lengthPanic(op, "u", u, n)
	}
}

// scalars validates o and t and computes the per-step scalars once, in
// float64, for every element and every level alike.
func (o Adamax) scalars(t int) (s [adamaxScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return s, err
	}
	if t < 1 {
		return s, o.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	clr := o.LR / (1 - powInt(o.Beta1, t))
	if math.IsInf(clr, 0) {
		// Only for an LR near the largest float64 and Beta1 near 1.
		return s, o.bad("LR", o.LR, "small enough that LR/(1-Beta1^t) is finite")
	}
	s[adamaxGscale] = signedGradScale(o.GradScale, o.Maximize)
	s[adamaxWd] = o.WeightDecay
	s[adamaxB1] = o.Beta1
	s[adamaxOmb1] = 1 - o.Beta1
	s[adamaxB2] = o.Beta2
	s[adamaxEps] = o.Eps
	s[adamaxClr] = clr
	return s, nil
}

// checkRounded32 rejects hyperparameters that float32 cannot carry: an Eps
// that rounds to zero (u could vanish) or overflows (every update would
// vanish), or a step size, gradient scale or decay that overflows.
func (o Adamax) checkRounded32(s [adamaxScalarCount]float32) error {
	switch {
	case !nonzero32(s[adamaxEps]):
		return o.bad("Eps", o.Eps, "representable in float32 (1.4e-45 to 3.4e38) for Step32")
	case !finite32(s[adamaxClr]):
		return o.bad("LR", o.LR, "small enough that LR/(1-Beta1^t) fits float32 for Step32")
	case !nonzero32(s[adamaxGscale]):
		return o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[adamaxWd]):
		return o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	}
	return nil
}
