package kernels

// SGD holds the hyperparameters of stochastic gradient descent with
// optional momentum, Nesterov momentum and L2 weight decay
// (torch.optim.SGD). The zero value is not useful; start from DefaultSGD
// and change what you need. An SGD is a plain value: change LR between
// steps for a schedule.
//
// For each element, at step t (counted from 1), following PyTorch's
// single-tensor implementation:
//
//	g     = GradScale * grad               (negated if Maximize)
//	g     = g + WeightDecay*param          (L2 decay, when WeightDecay != 0)
//	buf   = g                              (Momentum != 0, t == 1)
//	buf   = Momentum*buf + (1-Dampening)*g (Momentum != 0, t > 1)
//	g     = g + Momentum*buf               (Nesterov)
//	g     = buf                            (Momentum != 0, not Nesterov)
//	param = param - LR*g
//
// With Momentum == 0 there is no buffer: the buf slice is ignored and may
// be nil. PyTorch initialises the buffer to a copy of the first step's
// gradient; here the buffer is a slice that the caller allocates, and step
// t == 1 computes 0*buf + 1*g, which is g exactly when buf holds finite
// values. So buf must start as zeros (or any finite values; a NaN or an
// infinity would poison the first step), and t == 1 must be the first
// step taken with momentum. Like PyTorch (and unlike its older
// documentation, which negated the update at the end), Maximize negates
// the gradient before the weight decay is added, so that decay still
// shrinks the parameters when maximizing.
//
// The kernels compute exactly these operations in this order, each
// rounded to the slices' precision (see generic.go); PyTorch evaluates
// them the same way on the CPU, up to fused multiply-adds.
type SGD struct {
	LR float64 // learning rate, >= 0

	// Momentum is the momentum factor, >= 0; 0 disables momentum and the
	// buffer.
	Momentum float64

	// Dampening, in [0, 1], scales the gradient's share of the momentum
	// buffer by 1-Dampening from the second step on. PyTorch does not
	// check its range; outside [0, 1] the share would be negative or
	// above 1, which no known schedule uses, so Validate rejects it.
	// Ignored without momentum.
	Dampening float64

	// Nesterov adds the look-ahead Momentum*buf to the gradient instead
	// of stepping along the buffer. As in PyTorch, it requires
	// Momentum > 0 and Dampening == 0.
	Nesterov bool

	// WeightDecay is the L2 penalty, >= 0, added to the gradient as
	// WeightDecay*param (torch.optim.SGD has no decoupled form).
	WeightDecay float64

	Maximize bool // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultSGD is torch.optim.SGD's defaults: LR 1e-3, no momentum, no
// dampening, no weight decay, no Nesterov.
func DefaultSGD() SGD { return SGD{LR: 1e-3} }

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil.
func (o SGD) Validate() error {
	switch {
	case !finiteNonNegative(o.LR):
		return o.bad("LR", o.LR, "finite and >= 0")
	case !finiteNonNegative(o.Momentum):
		return o.bad("Momentum", o.Momentum, "finite and >= 0")
	case !(o.Dampening >= 0 && o.Dampening <= 1):
		return o.bad("Dampening", o.Dampening, "in [0, 1]")
	case o.Nesterov && o.Momentum == 0:
		return o.bad("Momentum", o.Momentum, "> 0 with Nesterov")
	case o.Nesterov && o.Dampening != 0:
		return o.bad("Dampening", o.Dampening, "0 with Nesterov")
	case !finiteNonNegative(o.WeightDecay):
		return o.bad("WeightDecay", o.WeightDecay, "finite and >= 0")
	case !finiteNonNegative(o.GradScale):
		return o.bad("GradScale", o.GradScale, "finite and >= 0 (0 means 1)")
	}
	return nil
}

func (o SGD) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "SGD", Field: field, Value: v, Want: want}
}

// Step32 applies update number t (1 for the first step) to param, reading
// grad and, with momentum, updating the buffer buf. All slices must have
// len(param) elements (buf is ignored, and may be nil, when Momentum is
// 0), or Step32 panics; grad may be the same slice as param, and no other
// two may overlap, or it panics. buf starts as zeros (see SGD). A bad hyperparameter or
// t < 1 returns a *ParamError and changes nothing. Step32 does not
// allocate.
func (o SGD) Step32(t int, param, grad, buf []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("SGD.Step32", len(param), len(grad), len(buf))
	if len(param) > 0 {
		checkDisjoint("SGD.Step32", &sgdArgs, o.skip(), param, grad, buf)
	}
	var s32 [sgdScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return err
	}
	if len(param) > 0 {
		current().sgdF32[o.variant()](param, grad, o.bufOrNil32(buf), s32)
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (o SGD) Step64(t int, param, grad, buf []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("SGD.Step64", len(param), len(grad), len(buf))
	if len(param) > 0 {
		checkDisjoint("SGD.Step64", &sgdArgs, o.skip(), param, grad, buf)
		current().sgdF64[o.variant()](param, grad, o.bufOrNil64(buf), s)
	}
	return nil
}

// mode is the kernels' momentum option: none, Momentum or Nesterov.
func (o SGD) mode() int {
	switch {
	case o.Momentum == 0:
		return 0
	case o.Nesterov:
		return 2
	}
	return 1
}

// variant indexes the kernel tables: coupled decay + 2*mode, mode 0 for
// no momentum, 1 for Momentum, 2 for Nesterov.
func (o SGD) variant() int {
	v := 2 * o.mode()
	if o.WeightDecay != 0 {
		v++
	}
	return v
}

// bufOrNil32 drops buf when the kernel does not read it, so that no
// kernel ever sees a buffer of another length.
func (o SGD) bufOrNil32(buf []float32) []float32 {
	if o.mode() == 0 {
		return nil
	}
	return buf
}

func (o SGD) bufOrNil64(buf []float64) []float64 {
	if o.mode() == 0 {
		return nil
	}
	return buf
}

func (o SGD) checkLens(op string, n, grad, buf int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case o.mode() != 0 && buf != n:
		lengthPanic(op, "buf", buf, n)
	}
}

// scalars validates o and t and computes the per-step scalars once, in
// float64, for every element and every level alike. On the first step the
// buffer takes the gradient itself: mom = 0 and damp = 1 make the kernels'
// mom*buf + damp*g exactly g from a finite buf.
func (o SGD) scalars(t int) (s [sgdScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return s, err
	}
	if t < 1 {
		return s, o.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	mom, damp := o.Momentum, 1-o.Dampening
	if t == 1 {
		mom, damp = 0, 1
	}
	s[sgdGscale] = signedGradScale(o.GradScale, o.Maximize)
	s[sgdWd] = o.WeightDecay
	s[sgdMom] = mom
	s[sgdDamp] = damp
	s[sgdNest] = o.Momentum
	s[sgdLr] = o.LR
	return s, nil
}

// checkRounded32 rejects hyperparameters that overflow float32.
func (o SGD) checkRounded32(s [sgdScalarCount]float32) error {
	switch {
	case !finite32(s[sgdLr]):
		return o.bad("LR", o.LR, "representable in float32 for Step32")
	case !finite32(s[sgdNest]):
		return o.bad("Momentum", o.Momentum, "representable in float32 for Step32")
	case !nonzero32(s[sgdGscale]):
		return o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[sgdWd]):
		return o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	}
	return nil
}
