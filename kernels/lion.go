package kernels

import "math"

// Lion holds the hyperparameters of Lion (EvoLved Sign Momentum; Chen et
// al., "Symbolic Discovery of Optimization Algorithms", 2023), as Optax's
// optax.lion defines it: its update is the sign of an interpolation
// between the momentum and the gradient, so every element moves by
// exactly LR (plus the decay) whatever the gradient's magnitude. PyTorch
// has no Lion; Optax is the reference. The zero value is not useful;
// start from DefaultLion and change what you need. A Lion is a plain
// value: change LR between steps for a schedule.
//
// For each element:
//
//	g     = GradScale * grad               (negated if Maximize)
//	c     = Beta1*m + (1-Beta1)*g
//	param = param - LR*(sign(c) + WeightDecay*param)
//	m     = Beta2*m + (1-Beta2)*g
//
// with sign(0) = 0 (jnp.sign's; a NaN c gives a NaN param). This is
// optax.lion's chain of scale_by_lion, add_decayed_weights(WeightDecay)
// and scale_by_learning_rate(LR): the decay is decoupled and uses the
// parameter before the step. Maximize negates the gradient, so m holds
// the momentum of the negated gradient and the decay still shrinks the
// parameters. Optax's mask (which parameters decay) is a second Lion with
// WeightDecay 0 for the others; its mu_dtype is the slices' type.
//
// Lion has no bias correction and nothing else that depends on the step
// number, so its steps, unlike the other optimizers', take no t: any
// sequence of calls is valid, and a schedule changes LR between them.
// Since sign(c) ignores a positive factor common to m and g, a constant
// GradScale changes only the scale of m; it matters when the scale
// changes between steps (dynamic loss scaling).
//
// The kernels compute param - (LR*sign(c) + (LR*WeightDecay)*param),
// with LR*WeightDecay rounded once per step: like Optax, they subtract the
// whole update once, so the decay keeps its rate in float32 too (a factor
// 1 - LR*WeightDecay rounded to float32 would quantize it to multiples of
// 2^-24).
type Lion struct {
	LR    float64 // learning rate, >= 0
	Beta1 float64 // interpolation between momentum and gradient for the update, in [0, 1)
	Beta2 float64 // momentum decay, in [0, 1)

	// WeightDecay is the decoupled decay coefficient, >= 0: the parameter
	// shrinks by LR*WeightDecay*param each step.
	WeightDecay float64

	Maximize bool // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultLion is optax.lion's defaults, b1 0.9, b2 0.99 and weight decay
// 1e-3, with LR 1e-4. Optax has no default learning rate; 1e-4 is the
// paper's typical value (it advises an LR 3-10 times smaller than AdamW's
// and a weight decay 3-10 times larger, to keep their product).
func DefaultLion() Lion { return Lion{LR: 1e-4, Beta1: 0.9, Beta2: 0.99, WeightDecay: 1e-3} }

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil. Optax checks nothing; the domains here are the
// betas' meaningful ones (a beta of 1 would keep the gradient out of the
// update or out of the momentum for good) and Adam's for the rest.
func (o Lion) Validate() error {
	switch {
	case !finiteNonNegative(o.LR):
		return o.bad("LR", o.LR, "finite and >= 0")
	case !inUnitInterval(o.Beta1):
		return o.bad("Beta1", o.Beta1, "in [0, 1)")
	case !inUnitInterval(o.Beta2):
		return o.bad("Beta2", o.Beta2, "in [0, 1)")
	case !finiteNonNegative(o.WeightDecay):
		return o.bad("WeightDecay", o.WeightDecay, "finite and >= 0")
	case !finiteNonNegative(o.GradScale):
		return o.bad("GradScale", o.GradScale, "finite and >= 0 (0 means 1)")
	}
	return nil
}

func (o Lion) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "Lion", Field: field, Value: v, Want: want}
}

// Step32 applies one update to param, reading grad and updating the
// momentum m, which starts as zeros. All slices must have len(param)
// elements, or Step32 panics; grad may be the same slice as param, and
// no other two may overlap, or it panics. A bad hyperparameter returns a *ParamError
// and changes nothing. Step32 does not allocate.
func (o Lion) Step32(param, grad, m []float32) error {
	s, err := o.scalars()
	if err != nil {
		return err
	}
	o.checkLens("Lion.Step32", len(param), len(grad), len(m))
	if len(param) > 0 {
		checkDisjoint("Lion.Step32", &lionArgs, 0, param, grad, m)
	}
	var s32 [lionScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return err
	}
	if len(param) > 0 {
		current().lionF32[0](param, grad, m, s32) // Lion has one variant
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (o Lion) Step64(param, grad, m []float64) error {
	s, err := o.scalars()
	if err != nil {
		return err
	}
	o.checkLens("Lion.Step64", len(param), len(grad), len(m))
	if len(param) > 0 {
		checkDisjoint("Lion.Step64", &lionArgs, 0, param, grad, m)
		current().lionF64[0](param, grad, m, s)
	}
	return nil
}

func (o Lion) checkLens(op string, n, grad, m int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case m != n:
		lengthPanic(op, "m", m, n)
	}
}

// scalars validates o and computes the per-step scalars once, in float64,
// for every element and every level alike.
func (o Lion) scalars() (s [lionScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return s, err
	}
	lrwd := o.LR * o.WeightDecay
	if math.IsInf(lrwd, 0) {
		return s, o.bad("WeightDecay", o.WeightDecay, "small enough that LR*WeightDecay is finite")
	}
	s[lionGscale] = signedGradScale(o.GradScale, o.Maximize)
	s[lionB1] = o.Beta1
	s[lionOmb1] = 1 - o.Beta1
	s[lionB2] = o.Beta2
	s[lionOmb2] = 1 - o.Beta2
	s[lionLr] = o.LR
	s[lionLrwd] = lrwd
	return s, nil
}

// checkRounded32 rejects hyperparameters that overflow float32.
func (o Lion) checkRounded32(s [lionScalarCount]float32) error {
	switch {
	case !finite32(s[lionLr]):
		return o.bad("LR", o.LR, "representable in float32 for Step32")
	case !nonzero32(s[lionGscale]):
		return o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[lionLrwd]):
		return o.bad("WeightDecay", o.WeightDecay, "small enough that LR*WeightDecay fits float32 for Step32")
	}
	return nil
}
