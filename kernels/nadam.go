package kernels

import "math"

// NAdam holds the hyperparameters of NAdam (torch.optim.NAdam): Adam with
// Nesterov momentum and Dozat's momentum schedule. The zero value is not
// useful; start from DefaultNAdam and change what you need. An NAdam is a
// plain value: change LR between steps for a schedule.
//
// PyTorch's algorithm, as this package reads it (torch.optim.NAdam's
// documentation and its single-tensor path), for each element at step t
// (counted from 1), with mu_i = Beta1*(1 - 0.5*0.96^(i*MomentumDecay)):
//
//	g     = GradScale * grad               (negated if Maximize)
//	param = param * (1 - LR*WeightDecay)   (Decoupled: decoupled_weight_decay=True)
//	g     = g + WeightDecay*param          (coupled decay: not Decoupled)
//	m     = Beta1*m + (1-Beta1)*g
//	v     = Beta2*v + (1-Beta2)*g*g
//	d     = sqrt(v/(1-Beta2^t)) + Eps
//	param = param - LR*(1-mu_t)/(1-P_t) * g/d
//	              - LR*mu_{t+1}/(1-P_t*mu_{t+1}) * m/d
//
// where P_t = mu_1*mu_2*...*mu_t is the running product that PyTorch keeps
// in state["mu_product"]. The caller carries it in an NAdamSchedule (see
// there), which every step takes in place of the bare step number.
//
// The kernels merge PyTorch's two addcdiv updates over one division,
// param*pdecay - (cg*g + cm*m)/d with cg = LR*(1-mu_t)/(1-P_t) and
// cm = LR*mu_{t+1}/(1-P_t*mu_{t+1}) computed once per step in float64,
// and compute d as sqrt(v)*(1/sqrt(1-Beta2^t)) + Eps; both are the same
// formula with other roundings (see nadam_test.go for the bound).
type NAdam struct {
	LR    float64 // learning rate, >= 0
	Beta1 float64 // first-moment decay, in [0, 1)
	Beta2 float64 // second-moment decay, in [0, 1)
	Eps   float64 // added to the denominator outside the square root, > 0

	// WeightDecay is the decay coefficient, >= 0: an L2 term added to the
	// gradient, or with Decoupled a shrinking of the parameter by
	// LR*WeightDecay before the update (PyTorch's decoupled_weight_decay).
	WeightDecay float64
	Decoupled   bool

	// MomentumDecay is psi in mu_t = Beta1*(1 - 0.5*0.96^(t*psi)), >= 0
	// (PyTorch's momentum_decay).
	MomentumDecay float64

	Maximize bool // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultNAdam is torch.optim.NAdam's defaults: LR 2e-3, betas (0.9,
// 0.999), eps 1e-8, no weight decay, momentum decay 4e-3.
func DefaultNAdam() NAdam {
	return NAdam{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MomentumDecay: 4e-3}
}

// NAdamSchedule is the step count and the running product of NAdam's
// momentum coefficients, P_T = mu_1*mu_2*...*mu_T: what PyTorch keeps in
// state["step"] and state["mu_product"]. The zero value is the schedule
// before the first step. Advance it with Next once per training step,
// before the step, and pass the same schedule to the steps of every
// tensor of that training step:
//
//	var sched kernels.NAdamSchedule
//	for ... {
//		sched = opt.Next(sched)
//		opt.Step32(sched, param, grad, m, v)
//	}
//
// Why a carried product: P_t has no closed form, and recomputing it
// costs t multiplications and powers per step. Next multiplies in float64
// in PyTorch's order (P_t = P_{t-1}*mu_t, from P_0 = 1), so P_t equals
// PyTorch's running product when PyTorch keeps it in float64 (default
// dtype float64), up to the last bit of each mu_t from the two libraries'
// pow. With the default dtype float32, PyTorch rounds state["mu_product"]
// to float32 after each product: its cg and cm then differ from these by
// a relative t*P_t/(1-P_t) units of 2^-24 at most (below one unit, about
// one float32 rounding, at the default Beta1), and once P_t drops below
// 2^-53, within about 50 steps at the default Beta1, 1-P_t is 1 in both.
//
// A schedule is a plain value: store T and MuProduct with a checkpoint
// (or set them from a PyTorch state dict) to resume.
type NAdamSchedule struct {
	T         int     // the step the product covers, from 1; 0 before the first step
	MuProduct float64 // mu_1*...*mu_T; ignored when T is 0 (PyTorch starts it at 1)
}

// Mu is NAdam's momentum coefficient mu_t = Beta1*(1 - 0.5*0.96^(t*MomentumDecay))
// at step t, in PyTorch's order of float64 operations. The power is
// within an ulp of the correctly rounded one that PyTorch gets from C's
// pow, and has the same bits on every architecture.
func (o NAdam) Mu(t int) float64 { return o.mu(float64(t)) }

func (o NAdam) mu(t float64) float64 {
	// pow096, not math.Pow: math.Pow's fractional powers differ between
	// architectures (and are often several ulps off), so mu_t would too.
	// The conversions round each product where it is made: Go may fuse a
	// product into a later addition or subtraction even across an inlined
	// call, and arm64 does, into the caller's 1 - mu (see scalars).
	return float64(o.Beta1 * (1 - float64(0.5*pow096(float64(t*o.MomentumDecay)))))
}

// Next is the schedule of the step after s: T+1, and the product times
// mu_{T+1} (mu_1 alone when s.T is 0), with o's Beta1 and MomentumDecay,
// as PyTorch updates state["mu_product"] with the current hyperparameters.
// Validation of the result is left to the step that uses it.
func (o NAdam) Next(s NAdamSchedule) NAdamSchedule {
	p := 1.0
	if s.T > 0 {
		p = s.MuProduct
	}
	return NAdamSchedule{T: s.T + 1, MuProduct: float64(p * o.mu(float64(s.T+1)))}
}

// ScheduleAt is the schedule after t steps with o's hyperparameters
// throughout: Next applied t times to the zero schedule. It costs t
// powers; use it to resume a run whose checkpoint kept only the step
// count, not per step.
func (o NAdam) ScheduleAt(t int) NAdamSchedule {
	var s NAdamSchedule
	for s.T < t {
		s = o.Next(s)
	}
	return s
}

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil.
func (o NAdam) Validate() error {
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
	case !finiteNonNegative(o.MomentumDecay):
		return o.bad("MomentumDecay", o.MomentumDecay, "finite and >= 0")
	case !finiteNonNegative(o.GradScale):
		return o.bad("GradScale", o.GradScale, "finite and >= 0 (0 means 1)")
	}
	return nil
}

func (o NAdam) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "NAdam", Field: field, Value: v, Want: want}
}

// Step32 applies the update of step s.T (1 for the first; see
// NAdamSchedule) to param, reading grad and updating the state m and v,
// which start as zeros. All slices must have len(param) elements, or
// Step32 panics; grad may be the same slice as param, and no other two may
// overlap, or it panics. A bad hyperparameter, s.T < 1 or a MuProduct outside [0, 1)
// returns a *ParamError and changes nothing. Step32 does not allocate.
func (o NAdam) Step32(s NAdamSchedule, param, grad, m, v []float32) error {
	var c scalars32[[nadamScalarCount]float32]
	if err := o.scalars32(s, &c); err != nil {
		return err
	}
	o.checkLens("NAdam.Step32", len(param), len(grad), len(m), len(v))
	if len(param) > 0 {
		checkDisjoint("NAdam.Step32", &nadamArgs, 0, param, grad, m, v)
	}
	if !c.ok {
		return o.checkRounded32(c.s)
	}
	if len(param) > 0 {
		current().nadamF32[o.variant()](param, grad, m, v, c.s)
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (o NAdam) Step64(s NAdamSchedule, param, grad, m, v []float64) error {
	sc, err := o.scalars(s)
	if err != nil {
		return err
	}
	o.checkLens("NAdam.Step64", len(param), len(grad), len(m), len(v))
	if len(param) > 0 {
		checkDisjoint("NAdam.Step64", &nadamArgs, 0, param, grad, m, v)
		current().nadamF64[o.variant()](param, grad, m, v, sc)
	}
	return nil
}

// variant indexes the kernel tables: coupled decay.
func (o NAdam) variant() int {
	if o.WeightDecay != 0 && !o.Decoupled {
		return 1
	}
	return 0
}

func (o NAdam) checkLens(op string, n, grad, m, v int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case m != n:
		lengthPanic(op, "m", m, n)
	case v != n:
		lengthPanic(op, "v", v, n)
	}
}

// scalars validates o and the schedule and computes the per-step scalars
// once, in float64, for every element and every level alike, in PyTorch's
// order: cg = (LR*(1-mu_t))/(1-P_t), cm = (LR*mu_{t+1})/(1-P_t*mu_{t+1}).
func (o NAdam) scalars(s NAdamSchedule) (sc [nadamScalarCount]float64, err error) {
	var k nadamKey
	o.key(s, &k)
	if !nadamCache.get(&k, &sc) {
		err = miss(&nadamCache, &k, &sc, o.computeScalars, s)
	}
	return sc, err
}

// scalars32 sets *c to scalars rounded to float32 and checked by
// checkRounded32, cached as such.
func (o NAdam) scalars32(s NAdamSchedule, c *scalars32[[nadamScalarCount]float32]) error {
	var k nadamKey
	o.key(s, &k)
	if nadamCache32.get(&k, c) {
		return nil
	}
	return miss(&nadamCache32, &k, c, o.computeScalars32, s)
}

// computeScalars32 is scalars32 without the cache.
func (o NAdam) computeScalars32(s NAdamSchedule) (c scalars32[[nadamScalarCount]float32], err error) {
	sc, err := o.computeScalars(s)
	if err != nil {
		return c, err
	}
	round32(c.s[:], sc[:])
	c.ok = o.checkRounded32(c.s) == nil
	return c, nil
}

// computeScalars is scalars without the cache (see scalarCache).
func (o NAdam) computeScalars(s NAdamSchedule) (sc [nadamScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return sc, err
	}
	if s.T < 1 {
		return sc, o.bad("t", float64(s.T), ">= 1 (advance the schedule with Next before each step)")
	}
	if !(s.MuProduct >= 0 && s.MuProduct < 1) {
		return sc, o.bad("MuProduct", s.MuProduct, "in [0, 1) (a product of mu_t = Beta1*(1-0.5*0.96^(t*MomentumDecay)))")
	}
	t := float64(s.T)
	bc2 := 1 - powInt(o.Beta2, s.T) // as C's pow, see powInt
	mu, muNext := o.mu(t), o.mu(t+1)
	// The conversions round each product before it is subtracted, so that
	// no architecture fuses it into an FMA (see Adam.scalars).
	cg := float64(o.LR*(1-mu)) / (1 - s.MuProduct)
	cm := float64(o.LR*muNext) / (1 - float64(s.MuProduct*muNext))
	if math.IsInf(cg, 0) || math.IsInf(cm, 0) {
		return sc, o.bad("LR", o.LR, "small enough that LR*(1-mu_t)/(1-MuProduct) is finite")
	}
	pdecay := 1.0
	if o.Decoupled {
		pdecay = 1 - float64(o.LR*o.WeightDecay)
	}
	sc[nadamGscale] = signedGradScale(o.GradScale, o.Maximize)
	sc[nadamWd] = o.WeightDecay
	sc[nadamB1] = o.Beta1
	sc[nadamOmb1] = 1 - o.Beta1
	sc[nadamB2] = o.Beta2
	sc[nadamOmb2] = 1 - o.Beta2
	sc[nadamIbc2] = 1 / math.Sqrt(bc2)
	sc[nadamEps] = o.Eps
	sc[nadamCg] = cg
	sc[nadamCm] = cm
	sc[nadamPdecay] = pdecay
	return sc, nil
}

// checkRounded32 rejects hyperparameters that float32 cannot carry: an Eps
// that rounds to zero, or a step coefficient or gradient scale that
// overflows.
func (o NAdam) checkRounded32(s [nadamScalarCount]float32) error {
	switch {
	case !nonzero32(s[nadamEps]):
		return o.bad("Eps", o.Eps, "representable in float32 (1.4e-45 to 3.4e38) for Step32")
	case !finite32(s[nadamCg]) || !finite32(s[nadamCm]):
		return o.bad("LR", o.LR, "small enough that the step coefficients fit float32 for Step32")
	case !nonzero32(s[nadamGscale]):
		return o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[nadamWd]) || !finite32(s[nadamPdecay]):
		return o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	}
	return nil
}
