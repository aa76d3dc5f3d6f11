package kernels

import (
	"math"
	"math/big"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// The reference: optax.lamb's and optax.lars's formulas, written out
// independently of the kernels (no reciprocals, no fused scalars, exact
// norms) in math/big.Float at 200 bits, from the same inputs as one
// kernel step. A kernel step's result must lie within a bound derived
// from its own operations: every float operation of the kernel rounds
// with relative error at most ε (2^-24 for float32, 2^-53 for float64),
// and the bound adds up, per element, ε times the magnitude each rounding
// acts on, propagated through the formulas as commented below. A factor
// of 2 covers the second-order terms and the per-step scalars' rounding.

const trustRefPrec = 200

type bigCalc struct{}

func (bigCalc) f(x float64) *big.Float { return new(big.Float).SetPrec(trustRefPrec).SetFloat64(x) }
func (bigCalc) add(a, b *big.Float) *big.Float {
	return new(big.Float).SetPrec(trustRefPrec).Add(a, b)
}
func (bigCalc) mul(a, b *big.Float) *big.Float {
	return new(big.Float).SetPrec(trustRefPrec).Mul(a, b)
}
func (bigCalc) div(a, b *big.Float) *big.Float {
	return new(big.Float).SetPrec(trustRefPrec).Quo(a, b)
}
func (bigCalc) sqrt(a *big.Float) *big.Float {
	if a.Sign() == 0 {
		return new(big.Float).SetPrec(trustRefPrec)
	}
	return new(big.Float).SetPrec(trustRefPrec).Sqrt(a)
}
func (bigCalc) f64(a *big.Float) float64 { x, _ := a.Float64(); return x }

// bigNorm is the exact 2-norm of xs (to 200 bits).
func bigNorm(xs []*big.Float) *big.Float {
	var c bigCalc
	s := c.f(0)
	for _, x := range xs {
		s = c.add(s, c.mul(x, x))
	}
	return c.sqrt(s)
}

// bigRatio is optax's safe trust ratio tc·‖p‖/(‖u‖+eps), 1 if a norm is 0.
func bigRatio(pn, un *big.Float, tc, eps float64) *big.Float {
	var c bigCalc
	if pn.Sign() == 0 || un.Sign() == 0 {
		return c.f(1)
	}
	return c.div(c.mul(c.f(tc), pn), c.add(un, c.f(eps)))
}

// TestLAMBReference and TestLARSReference compare several steps, each
// from the kernel's previous state, with the reference.
func TestLAMBReference(t *testing.T) {
	for _, c := range trustCases() {
		if c.lamb == nil {
			continue
		}
		for _, l := range allLevels(t) {
			withLevel(t, l)
			lambReference[float32](t, *c.lamb, c.name, 0x1p-24)
			lambReference[float64](t, *c.lamb, c.name, 0x1p-53)
		}
	}
}

func lambReference[F testbuf.Float](t *testing.T, o LAMB, name string, eps float64) {
	var c bigCalc
	r := testbuf.NewRand(21)
	for _, n := range []int{1, 17, 300} {
		s := trustInputs[F](lambCase(name, o), r, n, 0)
		for step := 1; step <= 4; step++ {
			in := cloneSlices(s)
			if err := trustStepOf(lambCase(name, o), step, s); err != nil {
				t.Fatal(err)
			}
			gs := signedGradScale(o.GradScale, o.Maximize)
			bc1 := 1 - math.Pow(o.Beta1, float64(step))
			bc2 := 1 - math.Pow(o.Beta2, float64(step))
			ps, us := make([]*big.Float, n), make([]*big.Float, n)
			ms, vs := make([]*big.Float, n), make([]*big.Float, n)
			as := make([]float64, n)
			bm, bv := make([]float64, n), make([]float64, n)
			for i := range n {
				p, g, m, v := c.f(float64(in[0][i])), c.f(float64(in[1][i])*gs), c.f(float64(in[2][i])), c.f(float64(in[3][i]))
				// The kernel rounds grad*gscale, the two products and the sum:
				// each term's magnitude times ε, four times.
				ms[i] = c.add(c.mul(c.f(o.Beta1), m), c.mul(c.f(1-o.Beta1), g))
				bm[i] = 4 * eps * (math.Abs(o.Beta1*c.f64(m)) + math.Abs((1-o.Beta1)*c.f64(g)))
				vs[i] = c.add(c.mul(c.f(o.Beta2), v), c.mul(c.f(1-o.Beta2), c.mul(g, g)))
				bv[i] = 6 * eps * c.f64(vs[i]) // a sum of non-negative terms: relative
				den := c.add(c.sqrt(c.div(vs[i], c.f(bc2))), c.f(o.Eps))
				a := c.div(c.div(ms[i], c.f(bc1)), den)
				us[i] = c.add(a, c.mul(c.f(o.WeightDecay), p))
				ps[i] = p
				// a = m̂/den: m's error passes through; den's relative error
				// (half v's, then the product and sum) and the division and
				// reciprocal bias correction add at most 12ε of a.
				af := c.f64(a)
				as[i] = bm[i]/bc1/c.f64(den) + 12*eps*math.Abs(af) +
					3*eps*(math.Abs(af)+math.Abs(o.WeightDecay*c.f64(p)))
			}
			ratio := bigRatio(bigNorm(ps), bigNorm(us), 1, 0)
			stepSize := c.f64(ratio) * o.LR
			// The ratio's relative error is at most ‖Δu‖/‖u‖ (the float64
			// sums' error is far below ε), and the step's product adds ε.
			var du2, u2 float64
			for i := range n {
				du2 += as[i] * as[i]
				u2 += c.f64(us[i]) * c.f64(us[i])
			}
			dr := 2 * eps
			if u2 > 0 {
				dr += math.Sqrt(du2 / u2)
			}
			for i := range n {
				u := c.f64(us[i])
				want := c.f64(ps[i]) - stepSize*u
				bound := 2 * (2*eps*(math.Abs(c.f64(ps[i]))+math.Abs(stepSize*u)) + stepSize*as[i] + math.Abs(stepSize*u)*dr)
				check := func(slot string, got F, want, bound float64) {
					t.Helper()
					if d := math.Abs(float64(got) - want); !(d <= 2*bound) {
						t.Fatalf("%s n=%d step %d: %s[%d] = %g, reference %g: |diff| %g > bound %g",
							name, n, step, slot, i, float64(got), want, d, 2*bound)
					}
				}
				check("param", s[0][i], want, bound)
				check("m", s[2][i], c.f64(ms[i]), bm[i])
				check("v", s[3][i], c.f64(vs[i]), bv[i])
			}
		}
	}
}

func TestLARSReference(t *testing.T) {
	for _, c := range trustCases() {
		if c.lars == nil {
			continue
		}
		for _, l := range allLevels(t) {
			withLevel(t, l)
			larsReference[float32](t, *c.lars, c.name, 0x1p-24)
			larsReference[float64](t, *c.lars, c.name, 0x1p-53)
		}
	}
}

func larsReference[F testbuf.Float](t *testing.T, o LARS, name string, eps float64) {
	var c bigCalc
	r := testbuf.NewRand(23)
	for _, n := range []int{1, 17, 300} {
		tc := larsCase(name, o)
		s := trustInputs[F](tc, r, n, 0)
		for step := 1; step <= 4; step++ {
			in := cloneSlices(s)
			if err := trustStepOf(tc, step, s); err != nil {
				t.Fatal(err)
			}
			gs := signedGradScale(o.GradScale, o.Maximize)
			ps, us := make([]*big.Float, n), make([]*big.Float, n)
			du := make([]float64, n)
			for i := range n {
				p, g := c.f(float64(in[0][i])), c.f(float64(in[1][i])*gs)
				ps[i] = p
				us[i] = c.add(g, c.mul(c.f(o.WeightDecay), p))
				// grad*gscale, wd*param and the sum round: 3ε of the terms.
				du[i] = 3 * eps * (math.Abs(c.f64(g)) + math.Abs(o.WeightDecay*c.f64(p)))
			}
			ratio := 1.0
			if !o.NoTrustRatio {
				ratio = c.f64(bigRatio(bigNorm(ps), bigNorm(us), o.TrustCoefficient, o.Eps))
			}
			nlr := -o.LR * ratio
			var du2, u2 float64
			for i := range n {
				du2 += du[i] * du[i]
				u2 += c.f64(us[i]) * c.f64(us[i])
			}
			dr := 2 * eps
			if u2 > 0 && !o.NoTrustRatio {
				dr += math.Sqrt(du2 / u2)
			}
			for i := range n {
				u, buf, p := c.f64(us[i]), float64(in[2][i]), c.f64(ps[i])
				sv := u * nlr
				ds := math.Abs(nlr)*du[i] + math.Abs(sv)*(dr+eps)
				nb := sv + o.Momentum*buf
				dnb := ds + 3*eps*(math.Abs(sv)+math.Abs(o.Momentum*buf))
				upd, dupd := nb, dnb
				if o.Nesterov {
					upd = sv + o.Momentum*nb
					dupd = ds + o.Momentum*dnb + 3*eps*(math.Abs(sv)+math.Abs(o.Momentum*nb))
				}
				want, bound := p+upd, 2*(dupd+eps*math.Abs(p+upd))
				if d := math.Abs(float64(s[0][i]) - want); !(d <= bound) {
					t.Fatalf("%s n=%d step %d: param[%d] = %g, reference %g: |diff| %g > bound %g", name, n, step, i, float64(s[0][i]), want, d, bound)
				}
				if d := math.Abs(float64(s[2][i]) - nb); !(d <= 2*dnb) {
					t.Fatalf("%s n=%d step %d: buf[%d] = %g, reference %g: |diff| %g > bound %g", name, n, step, i, float64(s[2][i]), nb, d, 2*dnb)
				}
			}
		}
	}
}
