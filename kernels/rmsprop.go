package kernels

// RMSprop holds the hyperparameters of RMSprop (torch.optim.RMSprop). The
// zero value is not useful; start from DefaultRMSprop and change what you
// need. An RMSprop is a plain value: change LR between steps for a
// schedule.
//
// For each element, at every step (RMSprop has no bias correction, so the
// step number only has to be valid):
//
//	g     = GradScale * grad               (negated if Maximize)
//	g     = g + WeightDecay*param          (L2 decay, when WeightDecay != 0)
//	sq    = Alpha*sq + (1-Alpha)*g*g
//	gavg  = Alpha*gavg + (1-Alpha)*g       (Centered)
//	v     = sq - gavg*gavg                 (Centered; else v = sq)
//	avg   = sqrt(v) + Eps                  (sqrt(v + Eps) with EpsInSqrt)
//	buf   = Momentum*buf + g/avg           (Momentum > 0)
//	param = param - LR*buf                 (Momentum > 0)
//	param = param - LR*g/avg               (Momentum == 0)
//
// This is PyTorch's algorithm (_single_tensor_rmsprop): weight decay is
// always the L2 term added to the gradient (PyTorch has no decoupled form
// for RMSprop), the square root is taken before Eps is added, and the
// buffers sq, gavg and buf start as zeros. EpsInSqrt is not a PyTorch
// option: it gives the sqrt(v + eps) of Optax's scale_by_rms and
// scale_by_stddev (and of TensorFlow's RMSprop, which the PyTorch
// documentation mentions interchanges the two operations).
//
// With Centered, v estimates the variance of the gradient: it is never
// negative in exact arithmetic from zero buffers, but rounding can make it
// so when the gradient hardly varies (then sqrt gives NaN, as in PyTorch).
type RMSprop struct {
	LR    float64 // learning rate, >= 0
	Alpha float64 // smoothing constant of the averages, in [0, 1]
	Eps   float64 // added to the denominator (outside the square root unless EpsInSqrt), > 0

	// WeightDecay is the coefficient of the L2 term WeightDecay*param
	// added to the gradient, >= 0.
	WeightDecay float64

	// Momentum is the decay of the momentum buffer buf, >= 0; 0 means no
	// momentum (and no buf slice), as in PyTorch.
	Momentum float64

	Centered  bool // normalize by the variance estimate sq - gavg^2, keeping gavg
	EpsInSqrt bool // sqrt(v + Eps) instead of sqrt(v) + Eps (Optax's form)
	Maximize  bool // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultRMSprop is torch.optim.RMSprop's defaults: LR 1e-2, alpha 0.99,
// eps 1e-8, no weight decay, no momentum, not centered.
func DefaultRMSprop() RMSprop { return RMSprop{LR: 1e-2, Alpha: 0.99, Eps: 1e-8} }

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil. The domains are PyTorch's, except that Alpha must
// also be at most 1 (above it, 1-Alpha is negative and sq can turn
// negative) and Eps must be positive (with Eps 0, a zero gradient with a
// zero history divides 0 by 0).
func (o RMSprop) Validate() error {
	switch {
	case !finiteNonNegative(o.LR):
		return o.bad("LR", o.LR, "finite and >= 0")
	case !(o.Alpha >= 0 && o.Alpha <= 1):
		return o.bad("Alpha", o.Alpha, "in [0, 1]")
	case !finitePositive(o.Eps):
		return o.bad("Eps", o.Eps, "finite and > 0")
	case !finiteNonNegative(o.WeightDecay):
		return o.bad("WeightDecay", o.WeightDecay, "finite and >= 0")
	case !finiteNonNegative(o.Momentum):
		return o.bad("Momentum", o.Momentum, "finite and >= 0")
	case !finiteNonNegative(o.GradScale):
		return o.bad("GradScale", o.GradScale, "finite and >= 0 (0 means 1)")
	}
	return nil
}

func (o RMSprop) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "RMSprop", Field: field, Value: v, Want: want}
}

// Step32 applies update number t (1 for the first step) to param, reading
// grad and updating the state sq (square_avg), gavg (grad_avg, used only
// when Centered) and buf (the momentum buffer, used only when Momentum >
// 0). The state slices start as zeros. All slices must have len(param)
// elements (gavg and buf may be nil or of any length when not used), or
// Step32 panics; grad may be the same slice as param, and no other two
// may overlap, or it panics. A bad hyperparameter or t < 1 returns a *ParamError and
// changes nothing. Step32 does not allocate.
func (o RMSprop) Step32(t int, param, grad, sq, gavg, buf []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("RMSprop.Step32", len(param), len(grad), len(sq), len(gavg), len(buf))
	if len(param) > 0 {
		checkDisjoint("RMSprop.Step32", &rmspropArgs, o.skip(), param, grad, sq, gavg, buf)
	}
	var s32 [rmspropScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return err
	}
	if len(param) > 0 {
		current().rmspropF32[o.variant()](param, grad, sq, gavg, buf, s32)
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (o RMSprop) Step64(t int, param, grad, sq, gavg, buf []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("RMSprop.Step64", len(param), len(grad), len(sq), len(gavg), len(buf))
	if len(param) > 0 {
		checkDisjoint("RMSprop.Step64", &rmspropArgs, o.skip(), param, grad, sq, gavg, buf)
		current().rmspropF64[o.variant()](param, grad, sq, gavg, buf, s)
	}
	return nil
}

// variant indexes the kernel tables: coupled decay + 2*Centered +
// 4*momentum + 8*EpsInSqrt.
func (o RMSprop) variant() int {
	v := 0
	if o.WeightDecay != 0 {
		v++
	}
	if o.Centered {
		v += 2
	}
	if o.Momentum > 0 {
		v += 4
	}
	if o.EpsInSqrt {
		v += 8
	}
	return v
}

func (o RMSprop) checkLens(op string, n, grad, sq, gavg, buf int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case sq != n:
		lengthPanic(op, "sq", sq, n)
	case o.Centered && gavg != n:
		lengthPanic(op, "gavg", gavg, n)
	case o.Momentum > 0 && buf != n:
		lengthPanic(op, "buf", buf, n)
	}
}

// scalars validates o and t and computes the per-step scalars once, in
// float64, for every element and every level alike.
func (o RMSprop) scalars(t int) (s [rmspropScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return s, err
	}
	if t < 1 {
		return s, o.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	s[rmspropGscale] = signedGradScale(o.GradScale, o.Maximize)
	s[rmspropWd] = o.WeightDecay
	s[rmspropAlpha] = o.Alpha
	s[rmspropOma] = 1 - o.Alpha
	s[rmspropEps] = o.Eps
	s[rmspropMom] = o.Momentum
	s[rmspropLr] = o.LR
	return s, nil
}

// checkRounded32 rejects hyperparameters that float32 cannot carry: an Eps
// that rounds to zero (the denominator could vanish) or overflows, or a
// learning rate, gradient scale, weight decay or momentum that overflows.
func (o RMSprop) checkRounded32(s [rmspropScalarCount]float32) error {
	switch {
	case !nonzero32(s[rmspropEps]):
		return o.bad("Eps", o.Eps, "representable in float32 (1.4e-45 to 3.4e38) for Step32")
	case !finite32(s[rmspropLr]):
		return o.bad("LR", o.LR, "representable in float32 for Step32")
	case !nonzero32(s[rmspropGscale]):
		return o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[rmspropWd]):
		return o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	case !finite32(s[rmspropMom]):
		return o.bad("Momentum", o.Momentum, "representable in float32 for Step32")
	}
	return nil
}
