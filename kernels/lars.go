package kernels

// LARS holds the hyperparameters of LARS (You, Gitman and Ginsburg,
// "Large Batch Training of Convolutional Networks", 2017) as optax.lars
// defines it: add_decayed_weights, scale_by_trust_ratio,
// scale_by_learning_rate and trace (momentum), chained. The zero value is
// not useful; start from DefaultLARS. A LARS is a plain value: change LR
// between steps for a schedule.
//
// For each tensor, element by element:
//
//	u     = GradScale*grad + WeightDecay*param     (GradScale negated if Maximize)
//
// then, with the 2-norms of the whole tensor,
//
//	ratio = TrustCoefficient*‖param‖ / (‖u‖ + Eps) (1 if either norm is 0, or NoTrustRatio)
//	s     = u * (-LR*ratio)
//	buf   = s + Momentum*buf
//	param = param + buf                            (Nesterov: param + (s + Momentum*buf))
//
// The norms are sums of squares in float64 in the fixed order of the
// package documentation's "Reductions" section, so a step gives the same
// bits at every level and on any number of workers. The step makes two
// passes over each tensor: the first only sums the squares of u and
// param, the second computes u again and applies the momentum step.
//
// Mapping: optax.lars(learning_rate=LR, weight_decay=WeightDecay,
// trust_coefficient=TrustCoefficient, eps=Eps, momentum=Momentum,
// nesterov=Nesterov). optax's weight_decay_mask and trust_ratio_mask
// exclude tensors (usually biases and normalization parameters) from the
// decay and the ratio: give those tensors a LARS with WeightDecay 0 and
// NoTrustRatio (package optim: a parameter group). optax multiplies by
// the ratio and then by -LR; the kernels multiply by the product
// -LR*ratio, rounded once, so float32 results differ from optax's in the
// last bits.
type LARS struct {
	LR               float64 // learning rate, >= 0
	WeightDecay      float64 // added to the gradient as WeightDecay*param, >= 0
	TrustCoefficient float64 // the ratio's factor, >= 0
	Eps              float64 // added to ‖u‖ in the ratio, >= 0
	Momentum         float64 // decay of the momentum buffer, >= 0
	Nesterov         bool    // step along s + Momentum*buf instead of buf
	NoTrustRatio     bool    // ratio 1: optax's trust_ratio_mask leaving the tensor out
	Maximize         bool    // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultLARS is optax.lars's defaults: weight decay 0, trust coefficient
// 0.001, eps 0, momentum 0.9, no Nesterov, with LR 1e-3 (optax has no
// default learning rate).
func DefaultLARS() LARS { return LARS{LR: 1e-3, TrustCoefficient: 0.001, Momentum: 0.9} }

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil.
func (o LARS) Validate() error {
	switch {
	case !finiteNonNegative(o.LR):
		return o.bad("LR", o.LR, "finite and >= 0")
	case !finiteNonNegative(o.WeightDecay):
		return o.bad("WeightDecay", o.WeightDecay, "finite and >= 0")
	case !finiteNonNegative(o.TrustCoefficient):
		return o.bad("TrustCoefficient", o.TrustCoefficient, "finite and >= 0")
	case !finiteNonNegative(o.Eps):
		return o.bad("Eps", o.Eps, "finite and >= 0")
	case !finiteNonNegative(o.Momentum):
		return o.bad("Momentum", o.Momentum, "finite and >= 0")
	case !finiteNonNegative(o.GradScale):
		return o.bad("GradScale", o.GradScale, "finite and >= 0 (0 means 1)")
	}
	return nil
}

func (o LARS) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "LARS", Field: field, Value: v, Want: want}
}

// Step32 applies update number t (1 for the first step; LARS's update
// does not depend on it) to the tensor param, reading grad and updating
// the momentum buffer buf, which starts as zeros. The trust ratio is the
// whole of param's: call Step32 once per tensor (or StepTensors32 for
// many). All slices must have len(param) elements, or Step32 panics; grad
// may be the same slice as param, and no other two may overlap, or it
// panics. A bad hyperparameter or t < 1 returns a *ParamError and changes
// nothing. Step32 does not allocate.
func (o LARS) Step32(t int, param, grad, buf []float32) error {
	ps, err := o.passes32(t)
	if err != nil {
		return err
	}
	x := LARSTensor32{param, grad, buf}
	larsCheck32(o, "LARS.Step32", &x)
	trustStep(ps, x)
	return nil
}

// Step64 is Step32 for float64 slices.
func (o LARS) Step64(t int, param, grad, buf []float64) error {
	ps, err := o.passes64(t)
	if err != nil {
		return err
	}
	x := LARSTensor64{param, grad, buf}
	larsCheck64(o, "LARS.Step64", &x)
	trustStep(ps, x)
	return nil
}

// passes32 validates o and t and returns the step's float32 passes at
// the active level.
func (o LARS) passes32(t int) (larsPasses[LARSTensor32, float32], error) {
	ps := larsPasses[LARSTensor32, float32]{o: o, l: ActiveLevel(), slices: larsSlices32}
	s, err := o.scalars(t)
	if err != nil {
		return ps, err
	}
	round32(ps.s[:], s[:])
	switch {
	case !finite32(float32(o.LR)):
		return ps, o.bad("LR", o.LR, "representable in float32 for Step32")
	case !nonzero32(ps.s[larsGscale]):
		return ps, o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(ps.s[larsWd]):
		return ps, o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	case !finite32(ps.s[larsMom]):
		return ps, o.bad("Momentum", o.Momentum, "representable in float32 for Step32")
	}
	return ps, nil
}

// passes64 is passes32 for float64.
func (o LARS) passes64(t int) (larsPasses[LARSTensor64, float64], error) {
	s, err := o.scalars(t)
	return larsPasses[LARSTensor64, float64]{o: o, l: ActiveLevel(), s: s, slices: larsSlices64}, err
}

// scalars validates o and t and computes the per-step scalars (all but
// the ratio's nlr) in float64.
func (o LARS) scalars(t int) (s [larsScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return s, err
	}
	if t < 1 {
		return s, o.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	s[larsGscale] = signedGradScale(o.GradScale, o.Maximize)
	s[larsWd] = o.WeightDecay
	s[larsMom] = o.Momentum
	return s, nil
}

// larsPasses is a LARS step in one precision for the two-pass driver
// (trust.go).
type larsPasses[T any, E float32 | float64] struct {
	o      LARS
	l      Level
	s      [larsScalarCount]E
	slices func(x T) (param, grad, buf []E)
}

func (ps larsPasses[T, E]) elems(x T) int {
	p, _, _ := ps.slices(x)
	return len(p)
}

func (ps larsPasses[T, E]) norms(x T, lo, hi int) (uu, pp float64) {
	var acc [2][normPartials]float64
	p, g, _ := ps.slices(x)
	switch s := any(ps.s).(type) {
	case [larsScalarCount]float32:
		larsF32NormsAt(ps.l, any(p[lo:hi]).([]float32), any(g[lo:hi]).([]float32), s, &acc)
	case [larsScalarCount]float64:
		larsF64NormsAt(ps.l, any(p[lo:hi]).([]float64), any(g[lo:hi]).([]float64), s, &acc)
	}
	return combinePartials(&acc[0]), combinePartials(&acc[1])
}

func (ps larsPasses[T, E]) ratio(uu, pp float64) (float64, bool) {
	if ps.o.NoTrustRatio {
		return 1, true
	}
	return trustRatio(uu, pp, ps.o.TrustCoefficient, ps.o.Eps), false
}

func (ps larsPasses[T, E]) apply(x T, lo, hi int, ratio float64) {
	p, g, b := ps.slices(x)
	s := ps.s
	s[larsNlr] = E(-ps.o.LR * ratio)
	switch s := any(s).(type) {
	case [larsScalarCount]float32:
		p, g, b := any(p[lo:hi]).([]float32), any(g[lo:hi]).([]float32), any(b[lo:hi]).([]float32)
		if ps.o.Nesterov {
			larsF32NesterovAt(ps.l, p, g, b, s)
		} else {
			larsF32MomentumAt(ps.l, p, g, b, s)
		}
	case [larsScalarCount]float64:
		p, g, b := any(p[lo:hi]).([]float64), any(g[lo:hi]).([]float64), any(b[lo:hi]).([]float64)
		if ps.o.Nesterov {
			larsF64NesterovAt(ps.l, p, g, b, s)
		} else {
			larsF64MomentumAt(ps.l, p, g, b, s)
		}
	}
}
