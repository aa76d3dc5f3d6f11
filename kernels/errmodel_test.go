package kernels

// # The forward error model of the reference tests
//
// The reference tests (RMSprop, Adadelta, NAdam, RAdam, Adam's EpsHat,
// SGD, Adagrad; Adam, Adamax and Lion through errCheck) compare each
// kernel with an independent reference of the documented algorithm,
// element by element and step by step, within a bound derived by a
// running (forward) error analysis. errArith evaluates a formula twice at
// once: errVal.x, the exact value of each intermediate result (evaluated
// in float64, so to about 2^-52 relative, which the slack of the
// tolerances covers; only magnitudes enter the bound), and errVal.e, a
// bound on how far the same formula evaluated with every operation
// rounded (unit roundoff u, and an absolute tiny, the smallest subnormal,
// for underflow) can be from it. errVal.mag is the sum of the magnitudes
// of the terms that produce the value: the scale of a float64
// reference's own rounding (tol32).
//
// Its rules, none of them first-order approximations, so the bound is
// rigorous given the exact values:
//
//   - round: an operation whose operands carry absolute errors and whose
//     exact result on the computed operands is within E of the exact
//     value x is rounded to within E + u*(|x| + E) + tiny;
//   - exact: an input the computation receives exactly carries none;
//   - scalar: a per-step scalar carries its own relative error: sigma64
//     units of 2^-53 for the float64 roundings of its computation (1-x
//     is one, or none where it is exact: oneMinus64), and, for a float32
//     kernel (f32), its rounding to float32: u*|s~| for a normal s~, at
//     most tiny for a subnormal one, none for 0;
//   - add, sub: the errors add (the triangle rule), then round;
//   - mul: |a~*b~ - a*b| <= |a|*E_b + |b|*E_a + E_a*E_b, then round;
//   - sqrt: |sqrt(a~) - sqrt(a)| <= min(sqrt(E), E/(sqrt(a) +
//     sqrt(max(a-E, 0)))), then round;
//   - div: |n~/d~ - n/d| <= E_n/lo + |n|*E_d/(|d|*lo), where lo is the
//     larger of |d| - E_d and a proven floor of the computed denominator
//     (eps~ for sqrt(.) + eps~), then round; no bound without a positive
//     lo;
//   - neg is exact; max is 1-Lipschitz in each argument, so it carries
//     the larger error (errMax);
//   - lerp is ATen's, composed of the rules above; its 1-w is exact by
//     Sterbenz's lemma when the computed w is surely in [0.5, 2].
//
// The explicit float64 conversions keep the exact values from being
// fused into multiply-adds on some architectures: evaluated in ea64
// along PyTorch's order, x is then the float64 reference itself, bit for
// bit, and e bounds its distance from the exact formula.
//
// # The tolerances
//
// errCheck fails a test where an output is farther from the reference
// than its tolerance, and logs the largest ratio of the two. Each step
// starts from the state the kernel had before it (the reference gets the
// same inputs, widened), so errors do not compound and every bound is a
// one-step bound. The tolerance is one of:
//
//   - checkSum, for a float64 reference evaluated in ea64: the kernels'
//     order (generic.go) in ea32 bounds |Step32 - exact|, the
//     reference's order in ea64 bounds |reference - exact|, and their sum,
//     times 1 + 2^-20 for the float64 magnitudes, bounds |Step32 -
//     reference|. Step64 is checked the same way with ea64 on both
//     sides, which is as tight as a float64 reference allows: two float64
//     evaluations, each within its own rounding analysis of the exact
//     value.
//   - tol32, for a plain float64 reference against Step32: the bound of
//     the kernel's order (exact values from the reference), whose own
//     error (a few roundings of 2^-53 on the magnitudes, about 2^-29 of a
//     float32 unit) is covered by a slack of 2^-20 of the bound plus
//     2^-44 of the magnitudes.
//   - tol64, for a math/big.Float reference (exact to about 2^-190)
//     against Step64: the bound plus 2^-53 of the reference value, for
//     its rounding to float64.

import (
	"math"
	"math/rand/v2"
	"testing"
)

// errVal is a computed value: x its exact value, e a bound on the
// distance of the computed value from x, mag the sum of the magnitudes of
// the terms that produce it.
type errVal struct{ x, e, mag float64 }

// errArith is the rounding of one precision: unit roundoff u, underflow
// tiny; f32 says a kernel of this precision receives its per-step scalars
// rounded from float64.
type errArith struct {
	u, tiny float64
	f32     bool
}

var (
	ea32 = errArith{u: 0x1p-24, tiny: 0x1p-149, f32: true}
	ea64 = errArith{u: 0x1p-53, tiny: 0x1p-1074}
)

// exact is an input, exactly representable.
func (errArith) exact(x float64) errVal { return errVal{x, 0, math.Abs(x)} }

// scalar is a per-step scalar of exact value x as the kernel receives it:
// sigma64 units of 2^-53 of float64 roundings of its own, then, for
// float32, its rounding to float32.
func (a errArith) scalar(x, sigma64 float64) errVal {
	e := sigma64 * 0x1p-53 * math.Abs(x)
	if a.f32 && x != 0 {
		e += math.Max(a.u*(math.Abs(x)+e), a.tiny)
	}
	return errVal{x, e, math.Abs(x)}
}

func (a errArith) round(x, e, mag float64) errVal {
	return errVal{x, e + a.u*(math.Abs(x)+e) + a.tiny, mag}
}

func (a errArith) mul(p, q errVal) errVal {
	return a.round(float64(p.x*q.x), math.Abs(p.x)*q.e+math.Abs(q.x)*p.e+p.e*q.e, p.mag*q.mag)
}

func (a errArith) add(p, q errVal) errVal { return a.round(float64(p.x+q.x), p.e+q.e, p.mag+q.mag) }
func (a errArith) sub(p, q errVal) errVal { return a.round(float64(p.x-q.x), p.e+q.e, p.mag+q.mag) }
func (errArith) neg(p errVal) errVal      { return errVal{-p.x, p.e, p.mag} }

// errMax is max, exact and 1-Lipschitz in each argument.
func errMax(p, q errVal) errVal {
	return errVal{math.Max(p.x, q.x), math.Max(p.e, q.e), math.Max(p.mag, q.mag)}
}

func (a errArith) sqrt(p errVal) errVal {
	x, e := math.Sqrt(math.Max(p.x, 0)), 0.0
	if p.e > 0 {
		e = math.Sqrt(p.e)
		if den := x + math.Sqrt(math.Max(p.x-p.e, 0)); den > 0 {
			e = math.Min(e, p.e/den)
		}
	}
	return a.round(x, e, math.Sqrt(p.mag))
}

// div is n/d for a d whose computed value is at least floor in magnitude.
func (a errArith) div(n, d errVal, floor float64) errVal {
	lo := math.Max(math.Abs(d.x)-d.e, floor)
	e := math.Inf(1)
	if lo > 0 {
		e = n.e/lo + math.Abs(n.x)*d.e/(math.Abs(d.x)*lo)
	}
	return a.round(float64(n.x/d.x), e, n.mag/lo)
}

// lerp is ATen's lerp (aten/src/ATen/native/Lerp.h) of self toward end by
// the weight w: self + w*(end-self) for |w| < 0.5, else
// end - (end-self)*(1-w), where the computed 1-w is exact (Sterbenz) if
// the computed w is within [0.5, 2], else one more rounding.
func (a errArith) lerp(self, end, w errVal) errVal {
	d := a.sub(end, self)
	if math.Abs(w.x) < 0.5 {
		return a.add(self, a.mul(w, d))
	}
	omw := a.sub(a.exact(1), w)
	if w.x-w.e >= 0.5 && w.x+w.e <= 2 {
		omw = errVal{1 - w.x, w.e, omw.mag}
	}
	return a.sub(end, a.mul(d, omw))
}

// grad is the gradient as PyTorch's step sees it: the user's grad*scale
// (one rounding), negated to maximize.
func (a errArith) grad(g, scale float64, maximize bool) errVal {
	v := a.exact(g)
	if scale != 0 {
		v = a.mul(v, a.exact(scale))
	}
	if maximize {
		v = a.neg(v)
	}
	return v
}

// oneMinus64 is the float64 1-x and its error in units of 2^-53: exact
// for x in [0.5, 2] by Sterbenz's lemma and for x = 0, else one rounding.
func oneMinus64(x float64) (float64, float64) {
	if x == 0 || x >= 0.5 && x <= 2 {
		return 1 - x, 0
	}
	return 1 - x, 1
}

// tol32 and tol64 turn a kernel's bound into a tolerance against a plain
// float64 or a big.Float reference (see the file comment).
func tol32(b errVal) float64              { return b.e*(1+0x1p-20) + 0x1p-44*b.mag }
func tol64(b errVal, ref float64) float64 { return b.e*(1+0x1p-30) + 0x1p-53*math.Abs(ref) }

// errCheck compares outputs with their tolerance, fails the test beyond
// it (reporting the first few) and keeps the largest ratio seen, and
// where, for the log.
type errCheck struct {
	t       *testing.T
	worst   float64
	worstAt string
	fails   int
}

// check compares got with want within tol; where names the element,
// lazily.
func (c *errCheck) check(where func() string, what string, got, want, tol float64) {
	diff := math.Abs(got - want)
	if got == want {
		diff = 0
	}
	if diff > 0 && !(diff/tol <= c.worst) {
		c.worst = diff / tol
		c.worstAt = where() + " " + what
	}
	if !(diff <= tol) {
		c.fails++
		if c.fails <= 10 {
			c.t.Errorf("%s %s: got %.17g, want %.17g: |diff| = %.3g > bound %.3g (%.1f x)",
				where(), what, got, want, diff, tol, diff/tol)
		}
	}
}

// checkSum compares got with the reference ref.x within the sum of the
// reference's and the kernel's bounds.
func (c *errCheck) checkSum(where func() string, what string, got float64, ref, kern errVal) {
	c.check(where, what, got, ref.x, (ref.e+kern.e)*(1+0x1p-20))
}

// refMag is ±10^U(lo, hi), or 0 one time in 25: the reference tests'
// parameters and gradients.
func refMag(rng *rand.Rand, lo, hi float64) float64 {
	if rng.IntN(25) == 0 {
		return 0
	}
	x := math.Pow(10, lo+(hi-lo)*rng.Float64())
	if rng.IntN(2) == 0 {
		x = -x
	}
	return x
}
