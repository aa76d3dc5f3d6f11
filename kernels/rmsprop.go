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
func (r RMSprop) Validate() error {
	switch {
	case !finiteNonNegative(r.LR):
		return r.bad("LR", r.LR, "finite and >= 0")
	case !(r.Alpha >= 0 && r.Alpha <= 1):
		return r.bad("Alpha", r.Alpha, "in [0, 1]")
	case !finitePositive(r.Eps):
		return r.bad("Eps", r.Eps, "finite and > 0")
	case !finiteNonNegative(r.WeightDecay):
		return r.bad("WeightDecay", r.WeightDecay, "finite and >= 0")
	case !finiteNonNegative(r.Momentum):
		return r.bad("Momentum", r.Momentum, "finite and >= 0")
	case !finiteNonNegative(r.GradScale):
		return r.bad("GradScale", r.GradScale, "finite and >= 0 (0 means 1)")
	}
	return nil
}

func (r RMSprop) bad(field string, v float64, want string) error {
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
func (r RMSprop) Step32(t int, param, grad, sq, gavg, buf []float32) error {
	s, err := r.scalars(t)
	if err != nil {
		return err
	}
	r.checkLens("RMSprop.Step32", len(param), len(grad), len(sq), len(gavg), len(buf))
	checkDisjoint("RMSprop.Step32", &rmspropArgs, r.skip(), param, grad, sq, gavg, buf)
	var s32 [rmspropScalarCount]float32
	round32(s32[:], s[:])
	if err := r.checkRounded32(s32); err != nil {
		return err
	}
	if len(param) > 0 {
		current().rmspropF32[r.variant()](param, grad, sq, gavg, buf, s32)
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (r RMSprop) Step64(t int, param, grad, sq, gavg, buf []float64) error {
	s, err := r.scalars(t)
	if err != nil {
		return err
	}
	r.checkLens("RMSprop.Step64", len(param), len(grad), len(sq), len(gavg), len(buf))
	checkDisjoint("RMSprop.Step64", &rmspropArgs, r.skip(), param, grad, sq, gavg, buf)
	if len(param) > 0 {
		current().rmspropF64[r.variant()](param, grad, sq, gavg, buf, s)
	}
	return nil
}

// variant indexes the kernel tables: coupled decay + 2*Centered +
// 4*momentum + 8*EpsInSqrt.
func (r RMSprop) variant() int {
	v := 0
	if r.WeightDecay != 0 {
		v++
	}
	if r.Centered {
		v += 2
	}
	if r.Momentum > 0 {
		v += 4
	}
	if r.EpsInSqrt {
		v += 8
	}
	return v
}

func (r RMSprop) checkLens(op string, n, grad, sq, gavg, buf int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case sq != n:
		lengthPanic(op, "sq", sq, n)
	case r.Centered && gavg != n:
		lengthPanic(op, "gavg", gavg, n)
	case r.Momentum > 0 && buf != n:
		lengthPanic(op, "buf", buf, n)
	}
}

// scalars validates r and t and computes the per-step scalars once, in
// float64, for every element and every level alike.
func (r RMSprop) scalars(t int) (s [rmspropScalarCount]float64, err error) {
	if err := r.Validate(); err != nil {
		return s, err
	}
	if t < 1 {
		return s, r.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	s[rmspropGscale] = signedGradScale(r.GradScale, r.Maximize)
	s[rmspropWd] = r.WeightDecay
	s[rmspropAlpha] = r.Alpha
	s[rmspropOma] = 1 - r.Alpha
	s[rmspropEps] = r.Eps
	s[rmspropMom] = r.Momentum
	s[rmspropLr] = r.LR
	return s, nil
}

// checkRounded32 rejects hyperparameters that float32 cannot carry: an Eps
// that rounds to zero (the denominator could vanish) or overflows, or a
// learning rate, gradient scale, weight decay or momentum that overflows.
func (r RMSprop) checkRounded32(s [rmspropScalarCount]float32) error {
	switch {
	case !nonzero32(s[rmspropEps]):
		return r.bad("Eps", r.Eps, "representable in float32 (1.4e-45 to 3.4e38) for Step32")
	case !finite32(s[rmspropLr]):
		return r.bad("LR", r.LR, "representable in float32 for Step32")
	case !nonzero32(s[rmspropGscale]):
		return r.bad("GradScale", r.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[rmspropWd]):
		return r.bad("WeightDecay", r.WeightDecay, "representable in float32 for Step32")
	case !finite32(s[rmspropMom]):
		return r.bad("Momentum", r.Momentum, "representable in float32 for Step32")
	}
	return nil
}
