package kernels

// Tests of Adam's EpsHat option, the form of Keras (keras.optimizers.Adam),
// TensorFlow and spago: alpha_t = lr*sqrt(1-beta2^t)/(1-beta1^t),
// param -= alpha_t*m/(sqrt(v) + eps). The reference, epsHatRef, is Keras
// 3's update_step in float64 (m += (g-m)*(1-beta1), v += (g*g-v)*(1-beta2),
// v_hat = max(v_hat, v) with amsgrad, param -= (m*alpha)/(sqrt(v)+eps)),
// with PyTorch's gradient scaling, maximize and weight decay around it as
// Adam documents them; the tolerance is the running error bound of both
// computations (errmodel_test.go), as for NAdam. The kernel's step is Keras's alpha, the same
// float64 scalar on both sides; its factor 1/sqrt(1-beta2^t) is exactly 1.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// epsHatAlpha is Keras's alpha_t in float64 (1-beta^t as Adam computes it).
func epsHatAlpha(a Adam, t int) float64 {
	if a.NoBiasCorrection {
		return a.LR
	}
	bc1 := 1 - powInt(a.Beta1, t)
	bc2 := 1 - powInt(a.Beta2, t)
	return float64(a.LR*math.Sqrt(bc2)) / bc1
}

// epsHatRef is one eps-hat step on one element in Keras's arrangement, in
// float64, with its own error bound.
func epsHatRef(a Adam, t int, p0, grad, m0, v0, x0 float64) (p, m, v, x errVal) {
	c := ea64
	g := c.grad(grad, a.GradScale, a.Maximize)
	p = c.exact(p0)
	if a.WeightDecay != 0 {
		if a.Decoupled {
			p = c.mul(p, c.exact(1-float64(a.LR*a.WeightDecay)))
		} else {
			g = c.add(g, c.mul(c.exact(a.WeightDecay), p))
		}
	}
	m = c.add(c.exact(m0), c.mul(c.sub(g, c.exact(m0)), c.scalar(1-a.Beta1, 1)))           // m += (g - m)*(1 - beta1)
	v = c.add(c.exact(v0), c.mul(c.sub(c.mul(g, g), c.exact(v0)), c.scalar(1-a.Beta2, 1))) // v += (g*g - v)*(1 - beta2)
	x, vd := c.exact(x0), v
	if a.AMSGrad {
		x = errMax(x, v) // v_hat = maximum(v_hat, v)
		vd = x
	}
	d := c.add(c.sqrt(vd), c.exact(a.Eps))
	p = c.sub(p, c.div(c.mul(m, c.exact(epsHatAlpha(a, t))), d, a.Eps)) // param -= (m*alpha)/(sqrt(v)+eps)
	return p, m, v, x
}

// epsHatKernelBound follows generic.go's Adam kernel with ibc2 = 1 (a
// product by 1, exact) and step = alpha.
func epsHatKernelBound(c errArith, a Adam, t int, p0, grad, m0, v0, x0 float64) (p, m, v, x errVal) {
	g := c.mul(c.scalar(signedGradScale(a.GradScale, a.Maximize), 0), c.exact(grad))
	if a.WeightDecay != 0 && !a.Decoupled {
		g = c.add(g, c.mul(c.scalar(a.WeightDecay, 0), c.exact(p0)))
	}
	m = c.add(c.mul(c.scalar(a.Beta1, 0), c.exact(m0)), c.mul(c.scalar(1-a.Beta1, 1), g))
	v = c.add(c.mul(c.scalar(a.Beta2, 0), c.exact(v0)), c.mul(c.scalar(1-a.Beta2, 1), c.mul(g, g)))
	x, vd := c.exact(x0), v
	if a.AMSGrad {
		x = errMax(x, v)
		vd = x
	}
	d := c.add(c.sqrt(vd), c.scalar(a.Eps, 0))
	pdecay := 1.0
	if a.Decoupled {
		pdecay = 1 - float64(a.LR*a.WeightDecay)
	}
	upd := c.mul(c.scalar(epsHatAlpha(a, t), 0), c.div(m, d, a.Eps*(1-2*c.u)))
	p = c.sub(c.mul(c.exact(p0), c.scalar(pdecay, 0)), upd)
	return p, m, v, x
}

func epsHatRefRun[F float32 | float64](t *testing.T, c errArith, n int, seed uint64) {
	levels := nrLevels(t)
	ck := &errCheck{t: t}
	rng := rand.New(rand.NewPCG(seed, 79))
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	for combo := range 32 { // bit 0 weight decay, 1 decoupled, 2 AMSGrad, 3 maximize and scale, 4 no bias correction
		a := Adam{LR: pick(1e-3, 1e-2, 0.1), Beta1: pick(0.9, 0.8, 0.5, 0), Beta2: pick(0.999, 0.99, 0.9),
			Eps: pick(1e-7, 1e-8, 1e-3), EpsHat: true}
		if combo&1 != 0 {
			a.WeightDecay = pick(0.01, 0.1, 1)
		}
		a.Decoupled, a.AMSGrad = combo&2 != 0, combo&4 != 0
		if combo&8 != 0 {
			a.Maximize, a.GradScale = true, pick(1.0/3, 4)
		}
		a.NoBiasCorrection = combo&16 != 0
		name := fmt.Sprintf("%+v", a)
		var st [5][]F
		for i := range st {
			st[i] = make([]F, n)
		}
		for i := range n {
			st[0][i] = F(refMag(rng, -2, 1))
		}
		for _, step := range nrRefSteps {
			scale := math.Pow(10, -1.5+2*rng.Float64())
			for i := range n {
				st[1][i] = F(refMag(rng, -4, 0.5) * scale)
			}
			var out [5][]F
			for _, lvl := range levels {
				SetLevel(lvl)
				for i := range out {
					out[i] = append([]F(nil), st[i]...)
				}
				var err error
				switch o := any(out).(type) {
				case [5][]float32:
					err = a.Step32(step, o[0], o[1], o[2], o[3], o[4])
				case [5][]float64:
					err = a.Step64(step, o[0], o[1], o[2], o[3], o[4])
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for i := range n {
					in := [5]float64{float64(st[0][i]), float64(st[1][i]), float64(st[2][i]), float64(st[3][i]), float64(st[4][i])}
					rp, rm, rv, rx := epsHatRef(a, step, in[0], in[1], in[2], in[3], in[4])
					bp, bm, bv, bx := epsHatKernelBound(c, a, step, in[0], in[1], in[2], in[3], in[4])
					where := func() string { return fmt.Sprintf("%v %s t=%d [%d]", lvl, name, step, i) }
					ck.checkSum(where, "m", float64(out[2][i]), rm, bm)
					ck.checkSum(where, "v", float64(out[3][i]), rv, bv)
					if a.AMSGrad {
						ck.checkSum(where, "vmax", float64(out[4][i]), rx, bx)
					}
					ck.checkSum(where, "param", float64(out[0][i]), rp, bp)
				}
			}
			st = out
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f", ck.worst)
}

func TestAdamEpsHatStep32MatchesReference(t *testing.T) { epsHatRefRun[float32](t, ea32, 67, 32) }
func TestAdamEpsHatStep64MatchesReference(t *testing.T) { epsHatRefRun[float64](t, ea64, 35, 64) }

// TestAdamEpsHatScalars: EpsHat hands the kernel a factor of exactly 1
// for the denominator and alpha_t as the step, and changes nothing else.
func TestAdamEpsHatScalars(t *testing.T) {
	for _, a := range []Adam{DefaultAdam(), DefaultAdamW(), {LR: 0.1, Beta1: 0.5, Beta2: 0.9, Eps: 1e-7, NoBiasCorrection: true}} {
		for _, step := range []int{1, 2, 10, 1000} {
			h := a
			h.EpsHat = true
			sp, err1 := a.scalars(step)
			sh, err2 := h.scalars(step)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if sh[adamIbc2] != 1 || sh[adamStep] != epsHatAlpha(a, step) {
				t.Errorf("%+v t=%d: ibc2 %v, step %v; want 1 and alpha %v", h, step, sh[adamIbc2], sh[adamStep], epsHatAlpha(a, step))
			}
			sp[adamIbc2], sp[adamStep], sh[adamIbc2], sh[adamStep] = 0, 0, 0, 0
			if sp != sh || h.variant() != a.variant() {
				t.Errorf("%+v t=%d: EpsHat changed other scalars or the variant", h, step)
			}
		}
	}
}

// TestAdamEpsHatLevels: through the public API every level gives
// Generic's bits with EpsHat, in the four variants.
func TestAdamEpsHatLevels(t *testing.T) {
	levels := nrLevels(t)
	r := testbuf.NewRand(8)
	for _, vr := range variants {
		a := variantOf(DefaultAdamW(), vr.coupled, vr.amsgrad)
		a.EpsHat, a.Eps = true, 1e-7
		for _, step := range []int{1, 3} {
			for _, n := range nrLevelLens {
				in32, in64 := randomInputs[float32](r, n, 7), randomInputs[float64](r, n, 7)
				var want32 adamInputs[float32]
				var want64 adamInputs[float64]
				for li := len(levels) - 1; li >= 0; li-- {
					l := levels[li]
					SetLevel(l)
					g32, g64 := in32.clone(), in64.clone()
					if err := a.Step32(step, g32[0], g32[1], g32[2], g32[3], g32[4]); err != nil {
						t.Fatal(err)
					}
					if err := a.Step64(step, g64[0], g64[1], g64[2], g64[3], g64[4]); err != nil {
						t.Fatal(err)
					}
					if l == Generic {
						want32, want64 = g32, g64
						continue
					}
					for i := range g32 {
						if j := testbuf.FirstDiff(g32[i], want32[i]); j >= 0 {
							t.Errorf("level %v %s t=%d n=%d: Step32 %s[%d] differs from generic", l, vr.name, step, n, slotNames[i], j)
						}
						if j := testbuf.FirstDiff(g64[i], want64[i]); j >= 0 {
							t.Errorf("level %v %s t=%d n=%d: Step64 %s[%d] differs from generic", l, vr.name, step, n, slotNames[i], j)
						}
					}
				}
			}
		}
	}
}

// Keras's Adam steps computed with python3 in float64, following Keras 3's
// Adam.update_step (and AdamW's decay, variable -= variable*wd*lr),
// printed with repr:
//
//	def keras_adam(p, g, m, v, vhat, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=0.0):
//	    p, m, v, vhat = list(p), list(m), list(v), list(vhat)
//	    b1p, b2p = b1**t, b2**t
//	    alpha = lr * math.sqrt(1 - b2p) / (1 - b1p)
//	    for i in range(len(p)):
//	        if wd: p[i] = p[i] - p[i]*wd*lr
//	        m[i] = m[i] + (g[i] - m[i]) * (1 - b1)
//	        v[i] = v[i] + (g[i]*g[i] - v[i]) * (1 - b2)
//	        vd = v[i]
//	        if amsgrad:
//	            vhat[i] = max(vhat[i], v[i]); vd = vhat[i]
//	        p[i] = p[i] - (m[i] * alpha) / (math.sqrt(vd) + eps)
//	    return p, m, v, vhat
//
// Element 3 (gradient 1e-9 at t=1) is where eps-hat and PyTorch's form
// part: -3.16e-07 here, -9.09e-05 for PyTorch's Adam (pytorch_test.go).
func TestAdamEpsHatMatchesKeras(t *testing.T) {
	v0x2 := []float64{2e-4, 8e-4, 0.18, 0, 0.02}
	cases := []struct {
		name       string
		a          Adam
		m0, v0, x0 []float64
		steps      []nrTorchStep
		wantX      []float64 // vmax after the step, with AMSGrad (single-step cases)
	}{
		{
			// k1 = keras_adam(P0, G1, Z, Z, Z, 1); keras_adam(*k1, 2) with G2
			name: "default, t=1 and t=2",
			a:    Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7, EpsHat: true},
			steps: []nrTorchStep{{
				t: 1, grad: nrG1,
				p: []float64{0.49900003162177664, -1.2490000158111383, 1.9990000010540914, -3.1612779762961787e-07, 3.0},
				m: nrM1, v: nrV1,
			}, {
				t: 2, grad: nrG2,
				p: []float64{0.49873370211806717, -1.2480348406108184, 1.9980678222944983, -9.980641474845036e-07, 2.999255872588983},
				m: []float64{0.004, -0.05799999999999999, 0.41999999999999993, 2.8999999999999993e-10, 0.024999999999999994},
				v: []float64{1.2490000000000014e-05, 0.00019996000000000022, 0.01124100000000001, 4.999000000000004e-21, 6.250000000000006e-05},
			}},
		},
		{
			// keras_adam(P0, G1, M0, V0, [2*x for x in V0], 3, lr=1e-2, eps=1e-8, amsgrad=True)
			name: "AMSGrad from a state, t=3",
			a:    Adam{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, AMSGrad: true, EpsHat: true},
			m0:   nrM0, v0: nrV0, x0: v0x2,
			steps: []nrTorchStep{{
				t: 3, grad: nrG1,
				p: []float64{0.4972859837160072, -1.2472859827564577, 1.997285981860878, -2.0137379757754513e-05, 3.0012855874789808},
				m: []float64{0.019, -0.038, 0.57, 9.999999999999998e-11, -0.09000000000000001},
				v: []float64{0.00010990000000000002, 0.00043960000000000006, 0.09891, 1.000000000000001e-21, 0.00999},
			}},
			wantX: []float64{0.0002, 0.0008, 0.18, 1.000000000000001e-21, 0.02},
		},
		{
			// keras_adam(P0, G1, M0, V0, Z, 2, lr=1e-2, b1=0.8, b2=0.95, wd=0.1): AdamW
			name: "AdamW from a state, t=2",
			a:    Adam{LR: 1e-2, Beta1: 0.8, Beta2: 0.95, Eps: 1e-7, WeightDecay: 0.1, Decoupled: true, EpsHat: true},
			m0:   nrM0, v0: nrV0,
			steps: []nrTorchStep{{
				t: 2, grad: nrG1,
				p: []float64{0.4895437091477187, -1.238793688739354, 1.9880436696914714, -1.7308513649108887e-05, 3.0041191402016625},
				m: []float64{0.027999999999999997, -0.055999999999999994, 0.8399999999999999, 1.9999999999999996e-10, -0.08000000000000002},
				v: []float64{0.0005950000000000006, 0.0023800000000000023, 0.5355000000000004, 5.0000000000000047e-20, 0.0095},
			}},
		},
	}
	for _, c := range cases {
		a := c.a
		var x64 []float64
		var x32 []float32
		if a.AMSGrad {
			x64, x32 = append([]float64(nil), c.x0...), nrTo32(c.x0)
		}
		nrTorchRun(t, c.name, nrP0, c.m0, c.v0, c.steps,
			// vmax restarts from x0 at each level's (single) step.
			func(step int, p, g, m, v []float64) error { copy(x64, c.x0); return a.Step64(step, p, g, m, v, x64) },
			func(step int, p, g, m, v []float32) error {
				copy(x32, nrTo32(c.x0))
				return a.Step32(step, p, g, m, v, x32)
			})
		for i, w := range c.wantX {
			if x64[i] != w || x32[i] != float32(w) {
				t.Errorf("%s: vmax[%d] = %v, %v; Keras %v", c.name, i, x64[i], x32[i], w)
			}
		}
	}
}

// TestAdamEpsHatIsScaledEps: eps-hat with Eps e is PyTorch's form with
// Eps e/sqrt(1-Beta2^t), to a few roundings.
func TestAdamEpsHatIsScaledEps(t *testing.T) {
	r := testbuf.NewRand(11)
	for _, step := range []int{1, 2, 5, 100} {
		h := Adam{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-4, EpsHat: true}
		p := h
		p.EpsHat, p.Eps = false, h.Eps/math.Sqrt(1-powInt(h.Beta2, step))
		in := randomInputs[float64](r, 50, 0)
		a, b := in.clone(), in.clone()
		if err := h.Step64(step, a[0], a[1], a[2], a[3], nil); err != nil {
			t.Fatal(err)
		}
		if err := p.Step64(step, b[0], b[1], b[2], b[3], nil); err != nil {
			t.Fatal(err)
		}
		for i := range a[0] {
			d, scale := math.Abs(a[0][i]-b[0][i]), math.Abs(in[0][i])+math.Abs(a[0][i]-in[0][i])
			if d > 16*0x1p-53*scale {
				t.Errorf("t=%d [%d]: eps-hat %v, scaled eps %v", step, i, a[0][i], b[0][i])
			}
		}
	}
}
