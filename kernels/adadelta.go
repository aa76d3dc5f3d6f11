package kernels

// Adadelta holds the hyperparameters of Adadelta (torch.optim.Adadelta).
// The zero value is not useful; start from DefaultAdadelta and change what
// you need. An Adadelta is a plain value: change LR between steps for a
// schedule.
//
// For each element, at every step (Adadelta has no bias correction, so the
// step number only has to be valid):
//
//	g     = GradScale * grad               (negated if Maximize)
//	g     = g + WeightDecay*param          (L2 decay, when WeightDecay != 0)
//	sq    = Rho*sq + (1-Rho)*g*g
//	delta = sqrt(acc + Eps) / sqrt(sq + Eps) * g
//	acc   = Rho*acc + (1-Rho)*delta*delta
//	param = param - LR*delta
//
// This is PyTorch's algorithm (_single_tensor_adadelta): sq is square_avg
// and acc is acc_delta, both starting as zeros; delta uses acc from before
// the step; Eps is inside both square roots; weight decay is the L2 term
// added to the gradient (PyTorch has no decoupled form for Adadelta); and
// LR scales delta only as it is applied, not in acc.
type Adadelta struct {
	LR  float64 // scale of delta as it is applied to param, >= 0
	Rho float64 // decay of both running averages, in [0, 1]
	Eps float64 // added inside both square roots, > 0

	// WeightDecay is the coefficient of the L2 term WeightDecay*param
	// added to the gradient, >= 0.
	WeightDecay float64

	Maximize bool // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultAdadelta is torch.optim.Adadelta's defaults: LR 1.0, rho 0.9,
// eps 1e-6, no weight decay.
func DefaultAdadelta() Adadelta { return Adadelta{LR: 1, Rho: 0.9, Eps: 1e-6} }

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil. The domains are PyTorch's, except that Eps must be
// positive (with Eps 0, delta starts as 0/0 for a zero gradient, and as
// zero forever otherwise).
func (o Adadelta) Validate() error {
	switch {
	case !finiteNonNegative(o.LR):
		return o.bad("LR", o.LR, "finite and >= 0")
	case !(o.Rho >= 0 && o.Rho <= 1):
		return o.bad("Rho", o.Rho, "in [0, 1]")
	case !finitePositive(o.Eps):
		return o.bad("Eps", o.Eps, "finite and > 0")
	case !finiteNonNegative(o.WeightDecay):
		return o.bad("WeightDecay", o.WeightDecay, "finite and >= 0")
	case !finiteNonNegative(o.GradScale):
		return o.bad("GradScale", o.GradScale, "finite and >= 0 (0 means 1)")
	}
	return nil
}

func (o Adadelta) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "Adadelta", Field: field, Value: v, Want: want}
}

// Step32 applies update number t (1 for the first step) to param, reading
// grad and updating the state sq (square_avg) and acc (acc_delta), which
// start as zeros. All slices must have len(param) elements, or Step32
// panics; grad may be the same slice as param, and no other two may
// overlap, or it panics. A bad hyperparameter or t < 1 returns a *ParamError and changes
// nothing. Step32 does not allocate.
func (o Adadelta) Step32(t int, param, grad, sq, acc []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adadelta.Step32", len(param), len(grad), len(sq), len(acc))
	if len(param) > 0 {
		checkDisjoint("Adadelta.Step32", &adadeltaArgs, 0, param, grad, sq, acc)
	}
	var s32 [adadeltaScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return err
	}
	if len(param) > 0 {
		current().adadeltaF32[o.variant()](param, grad, sq, acc, s32)
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (o Adadelta) Step64(t int, param, grad, sq, acc []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adadelta.Step64", len(param), len(grad), len(sq), len(acc))
	if len(param) > 0 {
		checkDisjoint("Adadelta.Step64", &adadeltaArgs, 0, param, grad, sq, acc)
		current().adadeltaF64[o.variant()](param, grad, sq, acc, s)
	}
	return nil
}

// variant indexes the kernel tables: 1 with (coupled) weight decay.
func (o Adadelta) variant() int {
	if o.WeightDecay != 0 {
		return 1
	}
	return 0
}

func (o Adadelta) checkLens(op string, n, grad, sq, acc int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case sq != n:
		lengthPanic(op, "sq", sq, n)
	case acc != n:
		lengthPanic(op, "acc", acc, n)
	}
}

// scalars validates o and t and computes the per-step scalars once, in
// float64, for every element and every level alike.
func (o Adadelta) scalars(t int) (s [adadeltaScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return s, err
	}
	if t < 1 {
		return s, o.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	s[adadeltaGscale] = signedGradScale(o.GradScale, o.Maximize)
	s[adadeltaWd] = o.WeightDecay
	s[adadeltaRho] = o.Rho
	s[adadeltaOmr] = 1 - o.Rho
	s[adadeltaEps] = o.Eps
	s[adadeltaLr] = o.LR
	return s, nil
}

// checkRounded32 rejects hyperparameters that float32 cannot carry: an Eps
// that rounds to zero (0/0 for a zero gradient) or overflows (Inf/Inf),
// or a learning rate, gradient scale or weight decay that overflows.
func (o Adadelta) checkRounded32(s [adadeltaScalarCount]float32) error {
	switch {
	case !nonzero32(s[adadeltaEps]):
		return o.bad("Eps", o.Eps, "representable in float32 (1.4e-45 to 3.4e38) for Step32")
	case !finite32(s[adadeltaLr]):
		return o.bad("LR", o.LR, "representable in float32 for Step32")
	case !nonzero32(s[adadeltaGscale]):
		return o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[adadeltaWd]):
		return o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	}
	return nil
}
