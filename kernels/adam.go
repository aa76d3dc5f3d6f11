package kernels

import "math"

// Adam holds the hyperparameters of Adam and AdamW (torch.optim.Adam and
// torch.optim.AdamW). The zero value is not useful; start from
// DefaultAdam or DefaultAdamW and change what you need. An Adam is a plain
// value: change LR between steps for a schedule.
//
// For each element, at step t (counted from 1):
//
//	g     = GradScale * grad               (negated if Maximize)
//	g     = g + WeightDecay*param          (coupled decay: Adam, not Decoupled)
//	param = param * (1 - LR*WeightDecay)   (decoupled decay: AdamW, Decoupled)
//	m     = Beta1*m + (1-Beta1)*g
//	v     = Beta2*v + (1-Beta2)*g*g
//	vmax  = max(vmax, v)                   (AMSGrad; then v below means vmax)
//	param = param - LR/(1-Beta1^t) * m / (sqrt(v)/sqrt(1-Beta2^t) + Eps)
//
// (the bias corrections 1-Beta^t become 1 with NoBiasCorrection; EpsHat
// selects Keras's form, with Eps added to the uncorrected sqrt(v)). The
// kernels multiply by the reciprocal of sqrt(1-Beta2^t) rather than divide
// by it; see the package documentation for the exact order of operations
// and its error bound.
type Adam struct {
	LR    float64 // learning rate, >= 0
	Beta1 float64 // first-moment decay, in [0, 1)
	Beta2 float64 // second-moment decay, in [0, 1)
	Eps   float64 // added to the denominator outside the square root, > 0

	// WeightDecay is the decay coefficient, >= 0: an L2 term added to the
	// gradient (Adam), or with Decoupled a shrinking of the parameter by
	// LR*WeightDecay before the update (AdamW).
	WeightDecay float64
	Decoupled   bool

	AMSGrad  bool // keep the running maximum of v in the vmax slice
	Maximize bool // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64

	// NoBiasCorrection drops the 1/(1-Beta^t) corrections.
	NoBiasCorrection bool

	// EpsHat selects the "epsilon hat" form of Kingma and Ba's paper
	// (Algorithm 1's last lines), which Keras (keras.optimizers.Adam),
	// TensorFlow and spago use: Eps is added to the uncorrected sqrt(v),
	//
	//	alpha_t = LR*sqrt(1-Beta2^t)/(1-Beta1^t)
	//	param   = param - alpha_t * m/(sqrt(v) + Eps)
	//
	// which is PyTorch's form with Eps replaced by Eps/sqrt(1-Beta2^t): a
	// larger effective epsilon in the first steps. The other options apply
	// unchanged (NoBiasCorrection makes alpha_t = LR, and EpsHat moot).
	// Keras's default epsilon is 1e-7, not PyTorch's 1e-8.
	EpsHat bool
}

// DefaultAdam is torch.optim.Adam's defaults: LR 1e-3, betas (0.9, 0.999),
// eps 1e-8, no weight decay.
func DefaultAdam() Adam { return Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// DefaultAdamW is torch.optim.AdamW's defaults: DefaultAdam with
// decoupled weight decay 1e-2.
func DefaultAdamW() Adam {
	a := DefaultAdam()
	a.WeightDecay, a.Decoupled = 1e-2, true
	return a
}

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil.
func (o Adam) Validate() error {
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

func (o Adam) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "Adam", Field: field, Value: v, Want: want}
}

// Step32 applies update number t (1 for the first step) to param, reading
// grad and updating the state m, v and, with AMSGrad, vmax. The state
// slices start as zeros. All slices must have len(param) elements (vmax is
// ignored without AMSGrad), or Step32 panics; grad may be the same slice as
// param, and no other two may overlap, or it panics. A bad hyperparameter or t < 1
// returns a *ParamError and changes nothing. Step32 does not allocate.
func (o Adam) Step32(t int, param, grad, m, v, vmax []float32) error {
	var c scalars32[[adamScalarCount]float32]
	if err := o.scalars32(t, &c); err != nil {
		return err
	}
	o.checkLens("Adam.Step32", len(param), len(grad), len(m), len(v), len(vmax))
	if len(param) > 0 {
		checkDisjoint("Adam.Step32", &adamArgs, o.skip(), param, grad, m, v, vmax)
	}
	if !c.ok {
		return o.checkRounded32(c.s)
	}
	if len(param) > 0 {
		current().adamF32[o.variant()](param, grad, m, v, vmax, c.s)
	}
	return nil
}

// Step64 is Step32 for float64 slices.
func (o Adam) Step64(t int, param, grad, m, v, vmax []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adam.Step64", len(param), len(grad), len(m), len(v), len(vmax))
	if len(param) > 0 {
		checkDisjoint("Adam.Step64", &adamArgs, o.skip(), param, grad, m, v, vmax)
		current().adamF64[o.variant()](param, grad, m, v, vmax, s)
	}
	return nil
}

// variant indexes the kernel tables: coupled decay + 2*AMSGrad.
func (o Adam) variant() int {
	v := 0
	if o.WeightDecay != 0 && !o.Decoupled {
		v++
	}
	if o.AMSGrad {
		v += 2
	}
	return v
}

func (o Adam) checkLens(op string, n, grad, m, v, vmax int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case m != n:
		lengthPanic(op, "m", m, n)
	case v != n:
		lengthPanic(op, "v", v, n)
	case o.AMSGrad && vmax != n:
		lengthPanic(op, "vmax", vmax, n)
	}
}

// scalars validates o and t and computes the per-step scalars once, in
// float64, for every element and every level alike, or returns those of
// a recent call with the same o and t (see scalarCache).
func (o Adam) scalars(t int) (s [adamScalarCount]float64, err error) {
	var k adamKey
	o.key(t, &k)
	if !adamCache.get(&k, &s) {
		err = miss(&adamCache, &k, &s, o.computeScalars, t)
	}
	return s, err
}

// scalars32 sets *c to scalars rounded to float32 and checked by
// checkRounded32, cached as such.
func (o Adam) scalars32(t int, c *scalars32[[adamScalarCount]float32]) error {
	var k adamKey
	o.key(t, &k)
	if adamCache32.get(&k, c) {
		return nil
	}
	return miss(&adamCache32, &k, c, o.computeScalars32, t)
}

// computeScalars32 is scalars32 without the cache.
func (o Adam) computeScalars32(t int) (c scalars32[[adamScalarCount]float32], err error) {
	s, err := o.computeScalars(t)
	if err != nil {
		return c, err
	}
	round32(c.s[:], s[:])
	c.ok = o.checkRounded32(c.s) == nil
	return c, nil
}

// computeScalars is scalars without the cache.
func (o Adam) computeScalars(t int) (s [adamScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return s, err
	}
	if t < 1 {
		return s, o.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	scale := signedGradScale(o.GradScale, o.Maximize)
	bc1, bc2 := 1.0, 1.0
	if !o.NoBiasCorrection {
		b1t, b2t := powInt2(o.Beta1, o.Beta2, t)
		bc1, bc2 = 1-b1t, 1-b2t
	}
	pdecay := 1.0
	if o.Decoupled {
		// The conversion rounds the product: without it the compiler may
		// fuse 1 - x*y into one FMA on some architectures (arm64 does) and
		// not on others, and float64 results would differ by machine.
		pdecay = 1 - float64(o.LR*o.WeightDecay)
	}
	switch {
	case math.IsInf(o.LR/bc1, 0):
		return s, o.bad("LR", o.LR, "small enough that the step size LR/(1-Beta1^t) is finite")
	case math.IsInf(pdecay, 0):
		return s, o.bad("WeightDecay", o.WeightDecay, "small enough that LR*WeightDecay is finite")
	}
	s[adamGscale] = scale
	s[adamWd] = o.WeightDecay
	s[adamB1] = o.Beta1
	s[adamOmb1] = 1 - o.Beta1
	s[adamB2] = o.Beta2
	s[adamOmb2] = 1 - o.Beta2
	s[adamIbc2] = 1 / math.Sqrt(bc2)
	s[adamEps] = o.Eps
	s[adamStep] = o.LR / bc1
	if o.EpsHat {
		// The same kernel computes the eps-hat form exactly: a factor
		// 1 in the denominator, sqrt(v)*1 + Eps, and alpha_t as the step.
		s[adamIbc2] = 1
		s[adamStep] = float64(o.LR*math.Sqrt(bc2)) / bc1
	}
	s[adamPdecay] = pdecay
	return s, nil
}

// checkRounded32 rejects hyperparameters that float32 cannot carry: an Eps
// that rounds to zero (the denominator could vanish) or a step size or
// gradient scale that overflows.
func (o Adam) checkRounded32(s [adamScalarCount]float32) error {
	switch {
	case !nonzero32(s[adamEps]):
		return o.bad("Eps", o.Eps, "representable in float32 (1.4e-45 to 3.4e38) for Step32")
	case !finite32(s[adamStep]):
		return o.bad("LR", o.LR, "small enough that LR/(1-Beta1^t) fits float32 for Step32")
	case !nonzero32(s[adamGscale]):
		return o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(s[adamWd]) || !finite32(s[adamPdecay]):
		return o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	}
	return nil
}
