package kernels

import "math"

// LAMB holds the hyperparameters of LAMB (You et al., "Large Batch
// Optimization for Deep Learning: Training BERT in 76 minutes", 2019) as
// optax.lamb defines it: scale_by_adam, add_decayed_weights,
// scale_by_trust_ratio and scale_by_learning_rate, chained. The zero value
// is not useful; start from DefaultLAMB. A LAMB is a plain value: change
// LR between steps for a schedule.
//
// For each tensor, at step t (counted from 1), element by element:
//
//	g     = GradScale * grad               (negated if Maximize)
//	m     = Beta1*m + (1-Beta1)*g
//	v     = Beta2*v + (1-Beta2)*g*g
//	u     = (m/(1-Beta1^t)) / (sqrt(v)/sqrt(1-Beta2^t) + Eps) + WeightDecay*param
//
// and then, with the 2-norms of the whole tensor,
//
//	ratio = ‖param‖ / ‖u‖                  (1 if either norm is 0)
//	param = param - LR*ratio * u
//
// The norms are sums of squares in float64 in the fixed order of the
// package documentation's "Reductions" section, so a step gives the same
// bits at every level and on any number of workers. The step makes two
// passes over each tensor: the first updates m and v and sums the squares
// of u and param, the second computes u again from the stored m and v
// (the same bits) and applies it.
//
// Mapping: optax.lamb(learning_rate=LR, b1=Beta1, b2=Beta2, eps=Eps,
// eps_root=0, weight_decay=WeightDecay) (its mask argument: give the
// excluded tensors a LAMB with WeightDecay 0). optax multiplies by the
// ratio and then by -LR; the kernels multiply u by the product LR*ratio,
// rounded once, and divide m by 1-Beta1^t as a multiplication by its
// reciprocal, so float32 results differ from optax's in the last bits.
// PyTorch has no LAMB; apex's FusedLAMB and DeepSpeed's also clip the
// ratio, which optax (and this) do not.
type LAMB struct {
	LR          float64 // learning rate, >= 0
	Beta1       float64 // first-moment decay, in [0, 1)
	Beta2       float64 // second-moment decay, in [0, 1)
	Eps         float64 // added to the denominator outside the square root, > 0
	WeightDecay float64 // decoupled decay added to the update, >= 0
	Maximize    bool    // ascend the objective instead of descending it

	// GradScale multiplies the gradient before anything else reads it:
	// 1/batchSize for a summed gradient, or 1/lossScale to undo loss
	// scaling. 0 means 1.
	GradScale float64
}

// DefaultLAMB is optax.lamb's defaults, b1 0.9, b2 0.999, eps 1e-6 and
// no weight decay, with LR 1e-3 (optax has no default learning rate).
func DefaultLAMB() LAMB { return LAMB{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6} }

// Validate reports the first hyperparameter outside its domain as a
// *ParamError, or nil.
func (o LAMB) Validate() error {
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

func (o LAMB) bad(field string, v float64, want string) error {
	return &ParamError{Optimizer: "LAMB", Field: field, Value: v, Want: want}
}

// Step32 applies update number t (1 for the first step) to the tensor
// param, reading grad and updating the state m and v, which start as
// zeros. The trust ratio is the whole of param's: call Step32 once per
// tensor (or StepTensors32 for many). All slices must have len(param)
// elements, or Step32 panics; grad may be the same slice as param, and no
// other two may overlap, or it panics. A bad hyperparameter or t < 1
// returns a *ParamError and changes nothing. Step32 does not allocate.
func (o LAMB) Step32(t int, param, grad, m, v []float32) error {
	ps, err := o.passes32(t)
	if err != nil {
		return err
	}
	x := LAMBTensor32{param, grad, m, v}
	lambCheck32(o, "LAMB.Step32", &x)
	trustStep(ps, x)
	return nil
}

// Step64 is Step32 for float64 slices.
func (o LAMB) Step64(t int, param, grad, m, v []float64) error {
	ps, err := o.passes64(t)
	if err != nil {
		return err
	}
	x := LAMBTensor64{param, grad, m, v}
	lambCheck64(o, "LAMB.Step64", &x)
	trustStep(ps, x)
	return nil
}

// passes32 validates o and t and returns the step's float32 passes at
// the active level.
func (o LAMB) passes32(t int) (lambPasses[LAMBTensor32, float32], error) {
	ps := lambPasses[LAMBTensor32, float32]{l: ActiveLevel(), lr: o.LR, slices: lambSlices32}
	s, err := o.scalars(t)
	if err != nil {
		return ps, err
	}
	round32(ps.s[:], s[:])
	switch {
	case !finite32(float32(o.LR)):
		return ps, o.bad("LR", o.LR, "representable in float32 for Step32")
	case !nonzero32(ps.s[lambEps]):
		return ps, o.bad("Eps", o.Eps, "representable in float32 (1.4e-45 to 3.4e38) for Step32")
	case !nonzero32(ps.s[lambGscale]):
		return ps, o.bad("GradScale", o.GradScale, "representable in float32 (1.4e-45 to 3.4e38; 0 means 1) for Step32")
	case !finite32(ps.s[lambWd]):
		return ps, o.bad("WeightDecay", o.WeightDecay, "representable in float32 for Step32")
	}
	return ps, nil
}

// passes64 is passes32 for float64.
func (o LAMB) passes64(t int) (lambPasses[LAMBTensor64, float64], error) {
	s, err := o.scalars(t)
	return lambPasses[LAMBTensor64, float64]{l: ActiveLevel(), s: s, lr: o.LR, slices: lambSlices64}, err
}

// scalars validates o and t and computes the per-step scalars once, in
// float64, or returns those of a recent call with the same o and t (see
// scalarCache).
func (o LAMB) scalars(t int) (s [lambScalarCount]float64, err error) {
	var k lambKey
	o.key(t, &k)
	if !lambCache.get(&k, &s) {
		err = miss(&lambCache, &k, &s, o.computeScalars, t)
	}
	return s, err
}

func (o LAMB) computeScalars(t int) (s [lambScalarCount]float64, err error) {
	if err := o.Validate(); err != nil {
		return s, err
	}
	if t < 1 {
		return s, o.bad("t", float64(t), ">= 1 (steps count from 1)")
	}
	b1t, b2t := powInt2(o.Beta1, o.Beta2, t)
	s[lambGscale] = signedGradScale(o.GradScale, o.Maximize)
	s[lambB1] = o.Beta1
	s[lambOmb1] = 1 - o.Beta1
	s[lambB2] = o.Beta2
	s[lambOmb2] = 1 - o.Beta2
	s[lambIbc1] = 1 / (1 - b1t)
	s[lambIbc2] = 1 / math.Sqrt(1-b2t)
	s[lambEps] = o.Eps
	s[lambWd] = o.WeightDecay
	return s, nil
}

// lambKey is a LAMB and a step number as the cache sees them (see
// adamKey).
type lambKey [8]uint64

func (o *LAMB) key(t int, k *lambKey) {
	k[0] = uint64(t)
	k[1] = bits(o.LR)
	k[2] = bits(o.Beta1)
	k[3] = bits(o.Beta2)
	k[4] = bits(o.Eps)
	k[5] = bits(o.WeightDecay)
	k[6] = bits(o.GradScale)
	k[7] = keyBit(o.Maximize, 0)
}

var lambCache scalarCache[lambKey, [lambScalarCount]float64]

// lambPasses is a LAMB step in one precision for the two-pass driver
// (trust.go).
type lambPasses[T any, E float32 | float64] struct {
	l      Level
	s      [lambScalarCount]E
	lr     float64
	slices func(x T) (param, grad, m, v []E)
}

func (ps lambPasses[T, E]) elems(x T) int {
	p, _, _, _ := ps.slices(x)
	return len(p)
}

func (ps lambPasses[T, E]) norms(x T, lo, hi int) (uu, pp float64) {
	var acc [2][normPartials]float64
	p, g, m, v := ps.slices(x)
	// The generated functions call level l's kernel directly: through a
	// func value, acc would escape to the heap.
	switch s := any(ps.s).(type) {
	case [lambScalarCount]float32:
		lambF32MomentsAt(ps.l, any(p[lo:hi]).([]float32), any(g[lo:hi]).([]float32),
			any(m[lo:hi]).([]float32), any(v[lo:hi]).([]float32), s, &acc)
	case [lambScalarCount]float64:
		lambF64MomentsAt(ps.l, any(p[lo:hi]).([]float64), any(g[lo:hi]).([]float64),
			any(m[lo:hi]).([]float64), any(v[lo:hi]).([]float64), s, &acc)
	}
	return combinePartials(&acc[0]), combinePartials(&acc[1])
}

func (ps lambPasses[T, E]) ratio(uu, pp float64) (float64, bool) {
	return trustRatio(uu, pp, 1, 0), false
}

func (ps lambPasses[T, E]) apply(x T, lo, hi int, ratio float64) {
	p, _, m, v := ps.slices(x)
	s := ps.s
	s[lambStep] = E(ps.lr * ratio)
	switch s := any(s).(type) {
	case [lambScalarCount]float32:
		lambF32ApplyAt(ps.l, any(p[lo:hi]).([]float32), any(m[lo:hi]).([]float32), any(v[lo:hi]).([]float32), s)
	case [lambScalarCount]float64:
		lambF64ApplyAt(ps.l, any(p[lo:hi]).([]float64), any(m[lo:hi]).([]float64), any(v[lo:hi]).([]float64), s)
	}
}
