package kernels

import "math"

// RAdam holds the hyperparameters of RAdam (torch.optim.RAdam), Adam with
// the variance of its adaptive step rectified. The zero value is not
// useful; start from DefaultRAdam and change what you need. An RAdam is a
// plain value: change LR between steps for a schedule.
//
// PyTorch's algorithm, as this package reads it (torch.optim.RAdam's
// documentation and its single-tensor path), for each element at step t
// (counted from 1):
//
//	g     = GradScale * grad               (negated if Maximize)
//	param = param * (1 - LR*WeightDecay)   (Decoupled: decoupled_weight_decay=True)
//	g     = g + WeightDecay*param          (coupled decay: not Decoupled)
//	m     = Beta1*m + (1-Beta1)*g
//	v     = Beta2*v + (1-Beta2)*g*g
//	rho_inf = 2/(1-Beta2) - 1
//	rho_t   = rho_inf - 2*t*Beta2^t/(1-Beta2^t)
//	if rho_t > 5:
//	    r_t   = sqrt((rho_t-4)(rho_t-2)rho_inf / ((rho_inf-4)(rho_inf-2)rho_t))
//	    param = param - LR*r_t*sqrt(1-Beta2^t)/(1-Beta1^t) * m/(sqrt(v) + Eps)
//	else:
//	    param = param - LR/(1-Beta1^t) * m
//
// The per-step scalars (rho_t, r_t and the step size) are computed once
// per call in float64 in PyTorch's order, so that the switch on rho_t > 5
// falls on the same step as PyTorch's (with the default Beta2 0.999,
// steps 1 to 5 are unrectified, and no step is when rho_inf <= 5, that is
// Beta2 <= 2/3); it picks the kernel variant. Eps sits outside the square
// root of the uncorrected v, as in PyTorch.
type RAdam struct {
	LR    float64 // learning rate, >= 0
	Beta1 float64 // first-moment decay, in [0, 1)
	Beta2 float64 // second-moment decay, in [0, 1)
	Eps   float64 // added to sqrt(v) in rectified steps, > 0

	// WeightDecay is the decay coefficient, >= 0: an L2 term added to the
	// gradient, or with Decoupled a shrinking of the parameter by
	// LR*WeightDecay before the update (PyTorch's decoupled_weight_decay).
	WeightDecay float64
	Decoupled   bool

	Maximize bool // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultRAdam is torch.optim.RAdam's defaults: LR 1e-3, betas (0.9,
// 0.999), eps 1e-8, no weight decay.
func DefaultRAdam() RAdam { return RAdam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil.
func (o RAdam) Validate() error {
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

func (o RAdam) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "RAdam", Field: field, Value: v, Want: want}
}

// Rectified reports whether step t is rectified (rho_t > 5), for a valid
// o and t >= 1.
func (o RAdam) Rectified(t int) bool {
	rect, _, _ := o.rectification(t)
	return rect
}

// Step32 applies update number t (1 for the first step) to param, reading
// grad and updating the state m and v, which start as zeros. All slices
// must have len(param) elements, or Step32 panics; grad may be the same
// slice as param, and no other two may overlap, or it panics. A bad hyperparameter or
// t < 1 returns a *ParamError and changes nothing. Step32 does not
// allocate.
func (o RAdam) Step32(t int, param, grad, m, v []float32) error {
	var c radamScalars32
	if err := o.scalars32(t, &c); err != nil {
		return err
	}
	o.checkLens("RAdam.Step32", len(param), len(grad), len(m), len(v))
	if len(param) > 0 {
		checkDisjoint("RAdam.Step32", &radamArgs, 0, param, grad, m, v)
	}
	if !c.ok {
		return o.checkRounded32(c.s)
	}
	if len(param) > 0 {
		current().radamF32[o.variant(c.rect)](param, grad, m, v, c.s)
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (o RAdam) Step64(t int, param, grad, m, v []float64) error {
	s, rect, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("RAdam.Step64", len(param), len(grad), len(m), len(v))
	if len(param) > 0 {
		checkDisjoint("RAdam.Step64", &radamArgs, 0, param, grad, m, v)
		current().radamF64[o.variant(rect)](param, grad, m, v, s)
	}
	return nil
}

// variant indexes the kernel tables: coupled decay + 2*rectified.
func (o RAdam) variant(rectified bool) int {
	v := 0
	if o.WeightDecay != 0 && !o.Decoupled {
		v++
	}
	if rectified {
		v += 2
	}
	return v
}

func (o RAdam) checkLens(op string, n, grad, m, v int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case m != n:
		lengthPanic(op, "m", m, n)
	case v != n:
		lengthPanic(op, "v", v, n)
	}
}

// rectification computes, as PyTorch does in float64, whether step t is
// rectified and if so r_t, and 1-Beta2^t.
func (o RAdam) rectification(t int) (rect bool, r, bc2 float64) {
	tf := float64(t)
	b2t := powInt(o.Beta2, t)
	bc2 = 1 - b2t
	rhoInf := 2/(1-o.Beta2) - 1
	rhoT := rhoInf - 2*tf*b2t/bc2
	if !(rhoT > 5) {
		return false, 0, bc2
	}
	r = math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
	return true, r, bc2
}

// scalars validates o and t and computes the per-step scalars once, in
// float64, for every element and every level alike, and whether the step
// is rectified: step = LR*r_t*sqrt(1-Beta2^t)/(1-Beta1^t) if so, else
// LR/(1-Beta1^t).
func (o RAdam) scalars(t int) (s [radamScalarCount]float64, rect bool, err error) {
	var k radamKey
	o.key(t, &k)
	var c radamScalars
	if !radamCache.get(&k, &c) {
		err = miss(&radamCache, &k, &c, o.computeCached, t)
	}
	return c.s, c.rect, err
}

// computeCached is computeScalars as the cache holds its results.
func (o RAdam) computeCached(t int) (radamScalars, error) {
	s, rect, err := o.computeScalars(t)
	return radamScalars{s, rect}, err
}

// scalars32 sets *c to scalars rounded to float32 and checked by
// checkRounded32, cached as such.
func (o RAdam) scalars32(t int, c *radamScalars32) error {
	var k radamKey
	o.key(t, &k)
	if radamCache32.get(&k, c) {
		return nil
	}
	return miss(&radamCache32, &k, c, o.computeScalars32, t)
}

// computeScalars32 is scalars32 without the cache.
func (o RAdam) computeScalars32(t int) (c radamScalars32, err error) {
	s, rect, err := o.computeScalars(t)
	if err != nil {
		return c, err
	}
	round32(c.s[:], s[:])
	c.ok = o.checkRounded32(c.s) == nil
	c.rect = rect
	return c, nil
}

// computeScalars is scalars without the cache (see scalarCache).
func (o RAdam) computeScalars(t int) (s [radamScalarCount]float64, rect bool, err error) {
	if err := o.Validate(); err != nil {
		return s, false, err
	}
	if t < 1 {
		return s, false, o.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	bc1 := 1 - powInt(o.Beta1, t)
	rect, r, bc2 := o.rectification(t)
	step := o.LR / bc1
	if rect {
		step = float64(o.LR*r) * math.Sqrt(bc2) / bc1
	}
	if math.IsInf(step, 0) {
		return s, false, o.bad("LR", o.LR, "small enough that LR/(1-Beta1^t) is finite")
	}
	pdecay := 1.0
	if o.Decoupled {
		// Rounded before the subtraction, so that no architecture fuses
		// it into an FMA (see Adam.scalars).
		pdecay = 1 - float64(o.LR*o.WeightDecay)
	}
	s[radamGscale] = signedGradScale(o.GradScale, o.Maximize)
	s[radamWd] = o.WeightDecay
	s[radamB1] = o.Beta1
	s[radamOmb1] = 1 - o.Beta1
	s[radamB2] = o.Beta2
	s[radamOmb2] = 1 - o.Beta2
	s[radamEps] = o.Eps
	s[radamStep] = step
	s[radamPdecay] = pdecay
	return s, rect, nil
}

// checkRounded32 rejects hyperparameters that float32 cannot carry: an Eps
// that rounds to zero (whether or not this step reads it, so that a run
// does not fail at its sixth step), or a step size or gradient scale that
// overflows.
func (o RAdam) checkRounded32(s [radamScalarCount]float32) error {
	switch {
	case !nonzero32(s[radamEps]):
		return o.bad("Eps", o.Eps, "representable in float32 (1.4e-45 to 3.4e38) for Step32")
	case !finite32(s[radamStep]):
		return o.bad("LR", o.LR, "small enough that the step size fits float32 for Step32")
	case !nonzero32(s[radamGscale]):
		return o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[radamWd]) || !finite32(s[radamPdecay]):
		return o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	}
	return nil
}
