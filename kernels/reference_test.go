package kernels_test

// An independent reference for Adam and AdamW, written from PyTorch's
// documented algorithm (torch.optim.Adam and torch.optim.AdamW, the
// single-tensor path), and a derived error bound against which every level
// of Step32 and Step64 is checked, one step at a time.
//
// # The reference
//
// refAdam64 (float64, for Step32) and refAdamBig (math/big.Float with
// refPrec bits, for Step64) follow PyTorch's arrangement, not the
// kernels':
//
//	bias_correction1 = 1 - beta1**step ; bias_correction2 = 1 - beta2**step
//	step_size = lr / bias_correction1 ; bias_correction2_sqrt = sqrt(bias_correction2)
//	grad = -grad if maximize
//	param.mul_(1 - lr*weight_decay)            (AdamW)
//	grad = grad.add(param, alpha=weight_decay) (Adam)
//	exp_avg.lerp_(grad, 1 - beta1)
//	exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
//	torch.maximum(max_exp_avg_sqs, exp_avg_sq, out=max_exp_avg_sqs)  (amsgrad)
//	denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)     (max_exp_avg_sqs with amsgrad)
//	param.addcdiv_(exp_avg, denom, value=-step_size)
//
// with two divisions per element (one by bias_correction2_sqrt, one by
// denom), lerp as ATen evaluates it (self + w*(end-self) for w < 0.5, else
// end - (end-self)*(1-w)), addcmul as self + value*t1*t2 and addcdiv as
// self + value*t1/t2. GradScale is the user's own `grad * scale` (or
// `grad / batch_size`) before the optimizer sees it. refAdamBig computes
// the bias corrections exactly (beta^t in 200-bit products), so
// it is the exact value of the documented formula to about 2^-190.
//
// # The tolerance
//
// Each step is checked on its own: the reference gets exactly the state
// the kernel had before the step (the float32 values, widened), so errors
// do not compound across steps and the bound is a one-step bound. The
// bound, adamErrBound, is a running (forward) error analysis of the
// kernels' own order of operations, evaluated alongside the exact values:
// with U the unit roundoff (2^-24 for float32, 2^-53 for float64),
//
//   - every rounded operation with exact result x, whose operands already
//     carry an absolute error E, has error at most E + U*(|x| + E)
//     (+ the smallest subnormal, for underflow); for a sum of terms this is
//     k*U times the sum of the magnitudes of the terms, where k counts the
//     roundings on the term's path;
//   - every per-step scalar s carries a relative error sigma_s*U of its own
//     (the rounding of the float64 scalar to float32 is one unit; the
//     float64 scalars carry what adamScalarSigma64 derives, e.g. the
//     cancellation in 1 - beta^t);
//   - errors go through products by the product rule, through max
//     unchanged (max is 1-Lipschitz), through the square root by
//     |sqrt(a)-sqrt(b)| <= min(|a-b|/(sqrt a + sqrt b), sqrt|a-b|), and
//     through the division m/d by
//     |m~/d~ - m/d| <= E_m/d_lo + |m|*E_d/(d*d_lo), d_lo = max(d - E_d, eps~)
//     (the kernel's denominator is never below its eps).
//
// These are errArith's rules (errmodel_test.go), written out by hand
// here and in adamaxErrBound and lionErrBound (this external test package
// has no errArith); the checker is errCheck, kernels.ErrCheck here.
// None of these rules is a first-order approximation, so the bound is
// rigorous given the exact values; the exact values come from the float64 reference (Step32), whose
// own error (about 2^-29 of a float32 unit) is covered by a slack of 2^-20
// of the bound plus 2^-44 of the magnitudes, or from the 200-bit reference
// (Step64), to which 2^-53 of the reference value is added for rounding it
// to float64.
//
// Counted out for float32 with coupled decay (the other variants have
// fewer roundings: 5, 8 and 17), and when v does not cancel, the bound is
// at most, per output and per step, k units of 2^-24 times the sum of the
// magnitudes of the terms that produce it:
//
//	g:     k = 3 on |s*grad| + |wd*param|   (scalar, product, sum; 2 without decay)
//	m:     k = 6 on M_m = |b1*m| + (1-b1)*(|s*grad| + |wd*param|)
//	       (scalar, g's 3, product, sum)
//	v:     k = 10 on |b2*v| + (1-b2)*(|s*grad| + |wd*param|)^2; vmax likewise
//	       (scalar, 2*3 for g*g and its rounding, product, sum)
//	d:     k = 9 relative: half of v's 10 through the square root, its
//	       rounding, the scalar 1/sqrt(bc2) and its product, the sum with eps
//	param: k = 19 on |param*(1-lr*wd)| + |step|*M_m/d
//	       (m's 6, d's 9, the division, the scalar step and its product,
//	       the subtraction)
//
// For Step64 the same counts apply in units of 2^-53, plus the float64
// scalars' own error, which is large when 1 - beta^t cancels
// (adamScalarSigma64).
//
// The bound is tight enough to catch realistic bugs: a wrong bias
// correction, eps inside the square root, a missing or doubled decay,
// swapped betas, a missing maximize negation, or a float32 step scalar
// computed from float32 powers all exceed it by orders of magnitude on
// these inputs (checked by breaking the kernels in a scratch copy).

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

const (
	refU32  = 0x1p-24 // float32 unit roundoff
	refU64  = 0x1p-53 // float64 unit roundoff
	refPrec = 200     // bits of the big.Float reference
)

// refIn is one element's state before a step, widened to float64.
type refIn struct{ p, g, m, v, vmax float64 }

// refOut is one element's state after a step.
type refOut struct{ p, m, v, vmax float64 }

// refLerp is ATen's lerp (aten/src/ATen/native/Lerp.h): for weight < 0.5
// self + weight*(end-self), else end - (end-self)*(1-weight).
func refLerp(self, end, weight float64) float64 {
	if math.Abs(weight) < 0.5 {
		return self + float64(weight*(end-self))
	}
	return end - float64((end-self)*(1-weight))
}

// refAdam64 is one step of torch.optim.Adam/AdamW on one element, in
// float64, in PyTorch's arrangement (see the file comment). The explicit
// float64 conversions keep the compiler from fusing multiply-adds.
func refAdam64(a kernels.Adam, t int, in refIn) refOut {
	bc1, bc2 := 1.0, 1.0
	if !a.NoBiasCorrection {
		bc1 = 1 - math.Pow(a.Beta1, float64(t))
		bc2 = 1 - math.Pow(a.Beta2, float64(t))
	}
	stepSize := a.LR / bc1
	bc2Sqrt := math.Sqrt(bc2)

	g := in.g
	if a.GradScale != 0 {
		g *= a.GradScale // the user's grad * scale
	}
	if a.Maximize {
		g = -g
	}
	p := in.p
	if a.WeightDecay != 0 {
		if a.Decoupled {
			p *= 1 - a.LR*a.WeightDecay // param.mul_(1 - lr*weight_decay)
		} else {
			g = g + float64(a.WeightDecay*p) // grad.add(param, alpha=weight_decay)
		}
	}
	m := refLerp(in.m, g, 1-a.Beta1)                      // exp_avg.lerp_(grad, 1-beta1)
	v := float64(in.v*a.Beta2) + float64((1-a.Beta2)*g)*g // .mul_(beta2).addcmul_(grad, grad, value=1-beta2)
	vmax, vd := in.vmax, v
	if a.AMSGrad {
		vmax = math.Max(in.vmax, v) // torch.maximum
		vd = vmax
	}
	denom := math.Sqrt(vd)/bc2Sqrt + a.Eps // (sqrt(v) / bias_correction2_sqrt).add_(eps)
	p = p + float64(-stepSize*m)/denom     // param.addcdiv_(exp_avg, denom, value=-step_size)
	return refOut{p: p, m: m, v: v, vmax: vmax}
}

// refBig is a small helper for big.Float arithmetic at refPrec bits.
func refBig(x float64) *big.Float { return new(big.Float).SetPrec(refPrec).SetFloat64(x) }
func refNew() *big.Float          { return new(big.Float).SetPrec(refPrec) }

// refBigPow is b^t by binary powering in refPrec bits: a relative error
// below 2*t*2^-refPrec, nothing next to float64's.
func refBigPow(b float64, t int) *big.Float {
	r, x := refBig(1), refBig(b)
	for ; t > 0; t >>= 1 {
		if t&1 != 0 {
			r.Mul(r, x)
		}
		x.Mul(x, x)
	}
	return r
}

// refBigScalars are the exact per-step scalars of PyTorch's algorithm and
// the hyperparameters, as refPrec-bit numbers.
type refBigScalars struct {
	stepSize, bc2Sqrt, gs, wd, pdecay, omb1, b2, omb2, eps *big.Float
}

func refBigStep(a kernels.Adam, t int) refBigScalars {
	one := refBig(1)
	bc1, bc2 := refBig(1), refBig(1)
	if !a.NoBiasCorrection {
		bc1.Sub(one, refBigPow(a.Beta1, t))
		bc2.Sub(one, refBigPow(a.Beta2, t))
	}
	gs := a.GradScale
	if gs == 0 {
		gs = 1 // no scaling: the gradient as it is
	}
	if a.Maximize {
		gs = -gs // grad = -grad
	}
	lw := refNew().Mul(refBig(a.LR), refBig(a.WeightDecay))
	return refBigScalars{
		stepSize: refNew().Quo(refBig(a.LR), bc1),
		bc2Sqrt:  refNew().Sqrt(bc2),
		gs:       refBig(gs),
		wd:       refBig(a.WeightDecay),
		pdecay:   lw.Sub(one, lw),
		omb1:     refNew().Sub(one, refBig(a.Beta1)),
		b2:       refBig(a.Beta2),
		omb2:     refNew().Sub(one, refBig(a.Beta2)),
		eps:      refBig(a.Eps),
	}
}

// refAdamBig is refAdam64 in refPrec-bit arithmetic with exact scalars:
// the documented formula, exactly, to about 2^-190.
func refAdamBig(a kernels.Adam, s *refBigScalars, in refIn) refOut {
	g := refBig(in.g)
	g.Mul(g, s.gs)
	p := refBig(in.p)
	if a.WeightDecay != 0 {
		if a.Decoupled {
			p.Mul(p, s.pdecay) // param.mul_(1 - lr*weight_decay)
		} else {
			g.Add(g, refNew().Mul(s.wd, p)) // grad.add(param, alpha=weight_decay)
		}
	}
	// exp_avg.lerp_(grad, 1-beta1): exact, so the arrangement is moot.
	m := refBig(in.m)
	w := refNew().Sub(g, m)
	m.Add(m, w.Mul(w, s.omb1))
	// exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
	v := refNew().Mul(refBig(in.v), s.b2)
	g.Mul(g, g)
	v.Add(v, g.Mul(g, s.omb2))
	vmax, vd := refBig(in.vmax), v
	if a.AMSGrad {
		if v.Cmp(vmax) > 0 {
			vmax = v // torch.maximum
		}
		vd = vmax
	}
	// denom = (sqrt(v) / bias_correction2_sqrt).add_(eps)
	denom := refNew().Sqrt(vd)
	denom.Quo(denom, s.bc2Sqrt).Add(denom, s.eps)
	// param.addcdiv_(exp_avg, denom, value=-step_size)
	upd := refNew().Mul(s.stepSize, m)
	p.Sub(p, upd.Quo(upd, denom))
	f := func(x *big.Float) float64 { r, _ := x.Float64(); return r }
	return refOut{p: f(p), m: f(m), v: f(v), vmax: f(vmax)}
}

// refSigma is the relative error of each per-step scalar the kernel
// receives, in units of the kernel's U.
type refSigma struct{ gs, wd, b1, omb1, b2, omb2, ibc2, eps, step, pdecay float64 }

// adamScalarSigma64 bounds the relative error of the float64 per-step
// scalars Adam computes (in units of 2^-53):
//
//   - beta^t by math.Pow with an integer exponent is repeated squaring:
//     x^(2^j) carries (2^j - 1) roundings and the product of the set bits
//     one more per factor, at most t-1 in all (exact for t = 1);
//   - bc = 1 - beta^t adds one rounding, and the error of beta^t is
//     amplified by beta^t/bc: kappa = (t-1)*beta^t/bc + 1;
//   - step = lr/bc1: kappa1 + 1; 1/sqrt(bc2): kappa2/2 + 1 + 1;
//   - 1-beta is exact for beta in [0.5, 1] (Sterbenz), else one rounding;
//   - 1 - lr*wd: a product and a difference, (lr*wd)/pdecay + 1.
//
// GradScale, WeightDecay, the betas and Eps are the user's float64 values,
// exact.
func adamScalarSigma64(a kernels.Adam, t int) refSigma {
	var s refSigma
	omb := func(b float64) float64 {
		if b >= 0.5 || b == 0 {
			return 0
		}
		return 1
	}
	s.omb1, s.omb2 = omb(a.Beta1), omb(a.Beta2)
	if !a.NoBiasCorrection {
		kappa := func(b float64) float64 {
			bt := math.Pow(b, float64(t))
			return float64(t-1)*bt/(1-bt) + 1
		}
		s.step = kappa(a.Beta1) + 1
		s.ibc2 = kappa(a.Beta2)/2 + 2
	}
	if a.Decoupled {
		lw := a.LR * a.WeightDecay
		s.pdecay = lw/(1-lw) + 1
	}
	return s
}

// adamScalarSigma32 is the float32 scalars' error in units of 2^-24: one
// rounding to float32 on top of the float64 scalar's own error.
func adamScalarSigma32(a kernels.Adam, t int) refSigma {
	s := adamScalarSigma64(a, t)
	r := refU64 / refU32
	for _, x := range []*float64{&s.gs, &s.wd, &s.b1, &s.omb1, &s.b2, &s.omb2, &s.ibc2, &s.eps, &s.step, &s.pdecay} {
		*x = 1 + *x*r
	}
	return s
}

// adamErrBound bounds, for one element and one step, how far the kernels'
// order of operations (generic.go: g = grad*s (+ wd*param); m = b1*m +
// omb1*g; v = b2*v + omb2*(g*g); d = sqrt(v)*ibc2 + eps;
// param = param*pdecay - step*(m/d)), each operation rounded with unit
// roundoff u and each scalar carrying sig, can land from the exact result.
// The exact intermediate values are recomputed here in float64 from the
// inputs; only their magnitudes matter. See the file comment for the
// rules.
func adamErrBound(a kernels.Adam, t int, in refIn, u, tiny float64, sig refSigma) (em, ev, evmax, ep float64) {
	rnd := func(x, e float64) float64 { return e + u*(math.Abs(x)+e) + tiny }
	// scal: the error of s~*x~ before rounding, s~ = s(1 + sigma*u).
	scal := func(s, sigma, x, ex float64) float64 {
		return math.Abs(s)*ex + sigma*u*math.Abs(s)*(math.Abs(x)+ex)
	}
	gs := a.GradScale
	if gs == 0 {
		gs = 1
	}
	if a.Maximize {
		gs = -gs
	}
	bc1, bc2 := 1.0, 1.0
	if !a.NoBiasCorrection {
		bc1 = 1 - math.Pow(a.Beta1, float64(t))
		bc2 = 1 - math.Pow(a.Beta2, float64(t))
	}
	step, ibc2 := a.LR/bc1, 1/math.Sqrt(bc2)
	pdecay := 1.0
	if a.Decoupled {
		pdecay = 1 - a.LR*a.WeightDecay
	}
	b1, omb1, b2, omb2 := a.Beta1, 1-a.Beta1, a.Beta2, 1-a.Beta2

	g := gs * in.g
	eg := rnd(g, scal(gs, sig.gs, in.g, 0))
	if a.WeightDecay != 0 && !a.Decoupled {
		w := a.WeightDecay * in.p
		ew := rnd(w, scal(a.WeightDecay, sig.wd, in.p, 0))
		g += w
		eg = rnd(g, eg+ew)
	}
	m := b1*in.m + omb1*g
	em = rnd(m, rnd(b1*in.m, scal(b1, sig.b1, in.m, 0))+rnd(omb1*g, scal(omb1, sig.omb1, g, eg)))
	g2 := g * g
	eg2 := rnd(g2, 2*math.Abs(g)*eg+eg*eg)
	v := b2*in.v + omb2*g2
	ev = rnd(v, rnd(b2*in.v, scal(b2, sig.b2, in.v, 0))+rnd(omb2*g2, scal(omb2, sig.omb2, g2, eg2)))
	vd, evd := v, ev
	evmax = ev
	if a.AMSGrad {
		vd = math.Max(in.vmax, v) // max(vmax, .) is 1-Lipschitz
	}
	r := math.Sqrt(vd)
	er := 0.0
	if evd > 0 {
		er = math.Sqrt(evd)
		if den := r + math.Sqrt(math.Max(vd-evd, 0)); den > 0 {
			er = math.Min(er, evd/den)
		}
	}
	er = rnd(r, er)
	d1 := r * ibc2
	ed1 := rnd(d1, scal(ibc2, sig.ibc2, r, er))
	d := d1 + a.Eps
	ed := rnd(d, ed1+sig.eps*u*a.Eps)
	dlo := math.Max(d-ed, a.Eps*(1-sig.eps*u))
	q := m / d
	eq := rnd(q, em/dlo+math.Abs(m)*ed/(d*dlo))
	su := step * q
	es := rnd(su, scal(step, sig.step, q, eq))
	pd := in.p * pdecay
	epd := rnd(pd, scal(pdecay, sig.pdecay, in.p, 0))
	ep = rnd(pd-su, epd+es)
	return em, ev, evmax, ep
}

// adamRefMag is the magnitude scale of the float64 reference's own
// computation, for the slack that covers its rounding.
func adamRefMag(a kernels.Adam, t int, in refIn) (mm, mv, mp float64) {
	gs := a.GradScale
	if gs == 0 {
		gs = 1
	}
	gm := math.Abs(gs*in.g) + a.WeightDecay*math.Abs(in.p)
	mm = math.Abs(in.m) + gm
	mv = math.Abs(in.v) + gm*gm
	bc1 := 1.0
	if !a.NoBiasCorrection {
		bc1 = 1 - math.Pow(a.Beta1, float64(t))
	}
	mp = math.Abs(in.p) + a.LR/bc1*mm/a.Eps
	return mm, mv, mp
}

// refCase draws the hyperparameters of option combination combo (bit 0
// weight decay, 1 decoupled, 2 AMSGrad, 3 maximize, 4 no bias
// correction, 5 gradient scale).
func refCase(rng *rand.Rand, combo int) kernels.Adam {
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	a := kernels.Adam{
		LR:    pick(1e-3, 1e-2, 0.1, 0.3),
		Beta1: pick(0.9, 0.8, 0.95, 0.5, 0.3, 0),
		Beta2: pick(0.999, 0.99, 0.9, 0.95, 0.9999),
		Eps:   pick(1e-8, 1e-6, 1e-4, 1e-3),
	}
	if combo&1 != 0 {
		a.WeightDecay = pick(0.01, 0.1, 0.5, 1)
	}
	a.Decoupled = combo&2 != 0
	a.AMSGrad = combo&4 != 0
	a.Maximize = combo&8 != 0
	a.NoBiasCorrection = combo&16 != 0
	if combo&32 != 0 {
		a.GradScale = pick(1.0/32, 1.0/3, 1e-3, 4)
	}
	return a
}

// refSteps are the step numbers run in sequence on each case: the first
// steps, where the bias corrections matter most, and a few late ones.
var refSteps = []int{1, 2, 3, 4, 5, 6, 10, 100, 1000}

// refN32 and refN64 exceed the widest unrolled loop (4 AVX-512 vectors)
// by an odd tail: the vector bodies, the single-vector loop and the tail
// are all exercised. The float64 run is shorter since its reference is
// big.Float.
const (
	refN32 = 67
	refN64 = 35
)

// refLevels lists every supported level (the pure-Go one, last, and the
// active one among them) and restores the active level when t ends.
func refLevels(t *testing.T) []kernels.Level {
	old := kernels.ActiveLevel()
	t.Cleanup(func() { kernels.SetLevel(old) })
	return kernels.Levels()
}

func TestAdamStep32MatchesReference(t *testing.T) {
	levels := refLevels(t)
	c := kernels.NewErrCheck(t)
	rng := rand.New(rand.NewPCG(1, 32))
	for combo := range 64 {
		a := refCase(rng, combo)
		name := fmt.Sprintf("%+v", a)
		// The state carried from step to step: the pure-Go level's output.
		p := make([]float32, refN32)
		m, v, vmax := make([]float32, refN32), make([]float32, refN32), make([]float32, refN32)
		for i := range p {
			p[i] = float32(kernels.RefMag(rng, -2, 1))
		}
		grad := make([]float32, refN32)
		var gp, gg, gm, gv, gvmax []float32
		for _, step := range refSteps {
			scale := math.Pow(10, -1.5+2*rng.Float64())
			for i := range grad {
				grad[i] = float32(kernels.RefMag(rng, -4, 0.5) * scale)
			}
			sig := adamScalarSigma32(a, step)
			for li, lvl := range levels {
				if _, err := kernels.SetLevel(lvl); err != nil {
					t.Fatal(err)
				}
				gp, gg = append(gp[:0], p...), append(gg[:0], grad...)
				gm, gv, gvmax = append(gm[:0], m...), append(gv[:0], v...), append(gvmax[:0], vmax...)
				var vm []float32
				if a.AMSGrad {
					vm = gvmax
				}
				if err := a.Step32(step, gp, gg, gm, gv, vm); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for i := range p {
					in := refIn{float64(p[i]), float64(grad[i]), float64(m[i]), float64(v[i]), float64(vmax[i])}
					want := refAdam64(a, step, in)
					em, ev, evmax, ep := adamErrBound(a, step, in, refU32, 0x1p-149, sig)
					mm, mv, mp := adamRefMag(a, step, in)
					tol := func(e, mag float64) float64 { return e*(1+0x1p-20) + 0x1p-44*mag }
					where := func() string { return fmt.Sprintf("%v %s t=%d [%d]", lvl, name, step, i) }
					c.Check(where, "m", float64(gm[i]), want.m, tol(em, mm))
					c.Check(where, "v", float64(gv[i]), want.v, tol(ev, mv))
					if a.AMSGrad {
						c.Check(where, "vmax", float64(gvmax[i]), want.vmax, tol(evmax, mv))
					}
					c.Check(where, "param", float64(gp[i]), want.p, tol(ep, mp))
				}
				if li == len(levels)-1 { // Generic is last: carry its state
					copy(p, gp)
					copy(m, gm)
					copy(v, gv)
					copy(vmax, gvmax)
				}
			}
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f", c.Worst())
}

func TestAdamStep64MatchesReference(t *testing.T) {
	levels := refLevels(t)
	c := kernels.NewErrCheck(t)
	cross := kernels.NewErrCheck(t)
	rng := rand.New(rand.NewPCG(1, 64))
	for combo := range 64 {
		a := refCase(rng, combo)
		name := fmt.Sprintf("%+v", a)
		p := make([]float64, refN64)
		m, v, vmax := make([]float64, refN64), make([]float64, refN64), make([]float64, refN64)
		for i := range p {
			p[i] = kernels.RefMag(rng, -2, 1)
		}
		grad := make([]float64, refN64)
		var gp, gg, gm, gv, gvmax []float64
		want := make([]refOut, refN64)
		for _, step := range refSteps {
			scale := math.Pow(10, -1.5+2*rng.Float64())
			for i := range grad {
				grad[i] = kernels.RefMag(rng, -4, 0.5) * scale
			}
			sig := adamScalarSigma64(a, step)
			s := refBigStep(a, step)
			for i := range p {
				in := refIn{p[i], grad[i], m[i], v[i], vmax[i]}
				want[i] = refAdamBig(a, &s, in)
				// Cross-check the two references: the float64 one is
				// within its own (float64) rounding of the exact one.
				w64 := refAdam64(a, step, in)
				mm, mv, mp := adamRefMag(a, step, in)
				where := func() string { return fmt.Sprintf("float64 reference %s t=%d [%d]", name, step, i) }
				k := 64 * refU64 * (1 + adamScalarSigma64(a, step).ibc2 + adamScalarSigma64(a, step).step)
				cross.Check(where, "m", w64.m, want[i].m, k*mm)
				cross.Check(where, "v", w64.v, want[i].v, k*mv)
				cross.Check(where, "param", w64.p, want[i].p, k*mp)
			}
			for li, lvl := range levels {
				if _, err := kernels.SetLevel(lvl); err != nil {
					t.Fatal(err)
				}
				gp, gg = append(gp[:0], p...), append(gg[:0], grad...)
				gm, gv, gvmax = append(gm[:0], m...), append(gv[:0], v...), append(gvmax[:0], vmax...)
				var vm []float64
				if a.AMSGrad {
					vm = gvmax
				}
				if err := a.Step64(step, gp, gg, gm, gv, vm); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for i := range p {
					in := refIn{p[i], grad[i], m[i], v[i], vmax[i]}
					em, ev, evmax, ep := adamErrBound(a, step, in, refU64, 0x1p-1074, sig)
					// The bound is for the exact value; the reference is
					// that value rounded to float64 (half an ulp).
					tol := func(e, ref float64) float64 { return e*(1+0x1p-30) + refU64*math.Abs(ref) }
					where := func() string { return fmt.Sprintf("%v %s t=%d [%d]", lvl, name, step, i) }
					c.Check(where, "m", gm[i], want[i].m, tol(em, want[i].m))
					c.Check(where, "v", gv[i], want[i].v, tol(ev, want[i].v))
					if a.AMSGrad {
						c.Check(where, "vmax", gvmax[i], want[i].vmax, tol(evmax, want[i].vmax))
					}
					c.Check(where, "param", gp[i], want[i].p, tol(ep, want[i].p))
				}
				if li == len(levels)-1 {
					copy(p, gp)
					copy(m, gm)
					copy(v, gv)
					copy(vmax, gvmax)
				}
			}
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f (float64 reference vs big: %.3f)", c.Worst(), cross.Worst())
}
