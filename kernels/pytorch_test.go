package kernels_test

// Hand-checked steps against PyTorch's documented equations.
//
// The expected values below were computed with python3 in float64,
// following torch.optim.Adam's single-tensor implementation operation by
// operation (the same arithmetic PyTorch performs on float64 tensors):
//
//	import math
//	def lerp(s, e, w):  # ATen's lerp
//	    return s + w*(e - s) if abs(w) < 0.5 else e - (e - s)*(1 - w)
//	def adam(p, g, m, v, vmax, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0,
//	         decoupled=False, amsgrad=False, maximize=False, bias=True):
//	    p, m, v, vmax = list(p), list(m), list(v), list(vmax)
//	    bc1 = 1 - b1**t if bias else 1.0          # bias_correction1
//	    bc2 = 1 - b2**t if bias else 1.0          # bias_correction2
//	    step_size = lr / bc1
//	    bc2_sqrt = math.sqrt(bc2)
//	    for i in range(len(p)):
//	        gi = -g[i] if maximize else g[i]
//	        if wd != 0:
//	            if decoupled: p[i] = p[i] * (1 - lr*wd)  # param.mul_(1 - lr*wd)
//	            else: gi = gi + wd*p[i]                   # grad.add(param, alpha=wd)
//	        m[i] = lerp(m[i], gi, 1 - b1)                 # exp_avg.lerp_(grad, 1-beta1)
//	        v[i] = v[i]*b2                                # exp_avg_sq.mul_(beta2)
//	        v[i] = v[i] + (1 - b2)*gi*gi                  #   .addcmul_(grad, grad, value=1-beta2)
//	        if amsgrad:
//	            vmax[i] = max(vmax[i], v[i]); vd = vmax[i]  # torch.maximum
//	        else: vd = v[i]
//	        denom = math.sqrt(vd)/bc2_sqrt + eps          # (sqrt(v)/bc2_sqrt).add_(eps)
//	        p[i] = p[i] + (-step_size)*m[i]/denom         # param.addcdiv_(m, denom, value=-step_size)
//	    return p, m, v, vmax
//
// and printed with repr, so each constant is that float64 exactly.
// NoBiasCorrection is not a torch.optim option; it is the same equations
// with bias_correction1 = bias_correction2 = 1 (apex's FusedAdam with
// bias_correction=False). GradScale stands for the user's
// `g = W.grad / batch_size`, which the script computes as a division.
//
// Exact equality is not expected: the kernels compute the same formula in
// a different arrangement. They multiply by a precomputed
// 1/sqrt(1-beta2^t) instead of dividing by sqrt(1-beta2^t), form
// beta1*m + (1-beta1)*g instead of lerp's m + (1-beta1)*(g-m), and
// multiply by GradScale instead of dividing by the batch size; each of
// these rounds differently. So Step64 is checked to within a few float64
// ulps (torchULP64 units of 2^-53 of the magnitude), and Step32, whose
// inputs and scalars are rounded to float32 and every operation in float32,
// to within a few float32 roundings (torchULP32 units of 2^-24).

import (
	"math"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

const (
	// torchULP64: the longest path (param) has about 6 roundings in each
	// arrangement, and a second step starts from a state a rounding or two
	// apart; the largest difference seen here is 2 units.
	torchULP64 = 8
	// torchULP32: float32 inputs and scalars add their own roundings
	// (up to about 19 on the param path, see reference_test.go); the
	// largest difference seen here is 4 units.
	torchULP32 = 16
)

type torchStep struct {
	t                          int
	grad                       []float64
	wantP, wantM, wantV, wantX []float64 // wantX: vmax (AMSGrad only)
}

type torchCase struct {
	name           string
	adam           kernels.Adam
	p0, m0, v0, x0 []float64 // x0: vmax; nil means zeros
	steps          []torchStep
}

var (
	torchP0 = []float64{0.5, -1.25, 2.0, 0.0, 3.0}
	torchG1 = []float64{0.1, -0.2, 3.0, 1e-9, 0.0} // 1e-9: eps matters
	// t = 1 from zero state, default Adam: shared by several cases.
	torchM1 = []float64{0.009999999999999998, -0.019999999999999997, 0.29999999999999993, 9.999999999999998e-11, 0.0}
	torchV1 = []float64{1.0000000000000011e-05, 4.0000000000000044e-05, 0.009000000000000008, 1.000000000000001e-21, 0.0}
)

var torchCases = []torchCase{
	{
		// adam(P0, G1, 0, 0, 0, 1), then adam(<t=1 result>, G2, ..., 2)
		name: "Adam default, t=1 and t=2",
		adam: kernels.DefaultAdam(),
		p0:   torchP0,
		steps: []torchStep{{
			t: 1, grad: torchG1,
			wantP: []float64{0.4990000001, -1.24900000005, 1.9990000000033334, -9.09090909090909e-05, 3.0},
			wantM: torchM1, wantV: torchV1,
		}, {
			t: 2, grad: []float64{-0.05, -0.4, 1.5, 2e-9, 0.25},
			wantP: []float64{0.49873366309403394, -1.2480348180546952, 1.998067820368453, -0.00022269962910281935, 2.9992558632185173},
			wantM: []float64{0.004, -0.05799999999999999, 0.41999999999999993, 2.8999999999999993e-10, 0.024999999999999994},
			wantV: []float64{1.2490000000000014e-05, 0.00019996000000000022, 0.01124100000000001, 4.999000000000005e-21, 6.250000000000006e-05},
		}},
	},
	{
		// adam(P0, G1, 0, 0, 0, 1, lr=1e-2, wd=0.1, decoupled=True)
		name: "AdamW lr=1e-2 wd=0.1",
		adam: kernels.Adam{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true},
		p0:   torchP0,
		steps: []torchStep{{
			t: 1, grad: torchG1,
			wantP: []float64{0.4895000009999999, -1.2387500005, 1.9880000000333333, -0.000909090909090909, 2.997},
			wantM: torchM1, wantV: torchV1,
		}},
	},
	{
		// adam(P0, G1, 0, 0, 0, 1, wd=0.01, decoupled=True): AdamW's defaults
		name: "DefaultAdamW",
		adam: kernels.DefaultAdamW(),
		p0:   torchP0,
		steps: []torchStep{{
			t: 1, grad: torchG1,
			wantP: []float64{0.49899500010000003, -1.24898750005, 1.9989800000033335, -9.09090909090909e-05, 2.9999700000000002},
			wantM: torchM1, wantV: torchV1,
		}},
	},
	{
		// adam(P0, G1, 0, 0, 0, 1, lr=1e-2, wd=0.1): Adam's weight_decay
		// (L2 added to the gradient; note m and v see it, and element 4
		// moves although its gradient is 0)
		name: "Adam coupled weight decay lr=1e-2 wd=0.1",
		adam: kernels.Adam{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1},
		p0:   torchP0,
		steps: []torchStep{{
			t: 1, grad: torchG1,
			wantP: []float64{0.4900000006666666, -1.2400000003076923, 1.99000000003125, -0.000909090909090909, 2.990000000333333},
			wantM: []float64{0.015, -0.032499999999999994, 0.31999999999999995, 9.999999999999998e-11, 0.03},
			wantV: []float64{2.2500000000000025e-05, 0.0001056250000000001, 0.010240000000000011, 1.000000000000001e-21, 9.00000000000001e-05},
		}},
	},
	{
		// a1 = adam(P0, G1, 0, 0, 0, 1, amsgrad=True)
		// adam(a1..., [0.001, -0.002, 0.01, 0.0, 0.25], 2, amsgrad=True):
		// the second gradients are small (|g2| < sqrt(1-beta2)*|g1|), so v
		// falls and vmax (the t=1 v) exceeds it in elements 0-3 and is
		// what the denominator uses; in element 4 v rises and vmax = v.
		name: "AMSGrad, vmax above v at t=2",
		adam: kernels.Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, AMSGrad: true},
		p0:   torchP0,
		steps: []torchStep{{
			t: 1, grad: torchG1,
			wantP: []float64{0.4990000001, -1.24900000005, 1.9990000000033334, -9.09090909090909e-05, 3.0},
			wantM: torchM1, wantV: torchV1, wantX: torchV1,
		}, {
			t: 2, grad: []float64{0.001, -0.002, 0.01, 0.0, 0.25},
			wantP: []float64{0.4983228356862956, -1.2483228355884248, 1.9983277964092125, -0.00013514852895439388, 2.9992558632185173},
			wantM: []float64{0.009099999999999999, -0.018199999999999997, 0.27099999999999996, 8.999999999999999e-11, 0.024999999999999994},
			wantV: []float64{9.991000000000012e-06, 3.9964000000000046e-05, 0.008991100000000007, 9.99000000000001e-22, 6.250000000000006e-05},
			wantX: []float64{1.0000000000000011e-05, 4.0000000000000044e-05, 0.009000000000000008, 1.000000000000001e-21, 6.250000000000006e-05},
		}},
	},
	{
		// adam(P0, G1, 0, 0, 0, 1, maximize=True): ascends
		name: "Adam maximize",
		adam: kernels.Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Maximize: true},
		p0:   torchP0,
		steps: []torchStep{{
			t: 1, grad: torchG1,
			wantP: []float64{0.5009999999, -1.25099999995, 2.0009999999966666, 9.09090909090909e-05, 3.0},
			wantM: []float64{-0.009999999999999998, 0.019999999999999997, -0.29999999999999993, -9.999999999999998e-11, 0.0},
			wantV: torchV1,
		}},
	},
	{
		// adam(P0, G1, M0, V0, 0, 3, bias=False), from a nonzero state
		name: "NoBiasCorrection, t=3 from a nonzero state",
		adam: kernels.Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, NoBiasCorrection: true},
		p0:   torchP0,
		m0:   []float64{0.01, -0.02, 0.3, 0.0, -0.1},
		v0:   []float64{1e-4, 4e-4, 0.09, 0.0, 0.01},
		steps: []torchStep{{
			t: 3, grad: torchG1,
			wantP: []float64{0.4981875988024473, -1.2481875979380264, 1.9981875971312326, -9.968476908167397e-06, 3.0009004502476913},
			wantM: []float64{0.019, -0.038, 0.57, 9.999999999999998e-11, -0.09000000000000001},
			wantV: []float64{0.00010990000000000002, 0.00043960000000000006, 0.09891, 1.000000000000001e-21, 0.00999},
		}},
	},
	{
		// adam(P0, [x/3 for x in G1], 0, 0, 0, 1): g = W.grad / batch_size
		// with batch_size 3; the kernel gets W.grad and GradScale 1/3.
		name: "GradScale 1/batch_size",
		adam: kernels.Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, GradScale: 1.0 / 3},
		p0:   torchP0,
		steps: []torchStep{{
			t: 1, grad: torchG1,
			wantP: []float64{0.4990000002999999, -1.24900000015, 1.9990000000099999, -3.2258064516129034e-05, 3.0},
			wantM: []float64{0.0033333333333333327, -0.006666666666666665, 0.09999999999999998, 3.333333333333333e-11, 0.0},
			wantV: []float64{1.111111111111112e-06, 4.444444444444448e-06, 0.0010000000000000009, 1.1111111111111122e-22, 0.0},
		}},
	},
}

// torchClose reports whether got is within k units of u of want, relative
// to |want| (and to the step's input param for param, whose update may be
// tiny next to it); zero wants must be met exactly.
func torchClose(got, want, scale, k, u float64) bool {
	return math.Abs(got-want) <= k*u*math.Max(math.Abs(want), scale)
}

func torchOrZeros(xs []float64, n int) []float64 {
	if xs == nil {
		return make([]float64, n)
	}
	return xs
}

func TestAdamMatchesPyTorch(t *testing.T) {
	old := kernels.ActiveLevel()
	defer kernels.SetLevel(old)
	for _, lvl := range kernels.Levels() {
		if _, err := kernels.SetLevel(lvl); err != nil {
			t.Fatal(err)
		}
		for _, c := range torchCases {
			n := len(c.p0)
			p64 := append([]float64(nil), c.p0...)
			m64 := append([]float64(nil), torchOrZeros(c.m0, n)...)
			v64 := append([]float64(nil), torchOrZeros(c.v0, n)...)
			x64 := append([]float64(nil), torchOrZeros(c.x0, n)...)
			p32, m32, v32, x32 := torchTo32(p64), torchTo32(m64), torchTo32(v64), torchTo32(x64)
			for _, s := range c.steps {
				in := append([]float64(nil), p64...)
				if err := c.adam.Step64(s.t, p64, append([]float64(nil), s.grad...), m64, v64, x64); err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				in32 := append([]float32(nil), p32...)
				if err := c.adam.Step32(s.t, p32, torchTo32(s.grad), m32, v32, x32); err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				for i := range n {
					check := func(what string, got64 float64, got32 float32, want, scale float64) {
						if !torchClose(got64, want, scale, torchULP64, refU64) {
							t.Errorf("%v %s t=%d: Step64 %s[%d] = %.17g, PyTorch %.17g (%.3g ulps)",
								lvl, c.name, s.t, what, i, got64, want, (got64-want)/(refU64*math.Abs(want)))
						}
						if !torchClose(float64(got32), want, scale, torchULP32, refU32) {
							t.Errorf("%v %s t=%d: Step32 %s[%d] = %.9g, PyTorch %.17g",
								lvl, c.name, s.t, what, i, got32, want)
						}
					}
					check("param", p64[i], p32[i], s.wantP[i], math.Max(math.Abs(in[i]), math.Abs(float64(in32[i]))))
					check("m", m64[i], m32[i], s.wantM[i], 0)
					check("v", v64[i], v32[i], s.wantV[i], 0)
					if c.adam.AMSGrad {
						check("vmax", x64[i], x32[i], s.wantX[i], 0)
					}
				}
			}
		}
	}
}

func torchTo32(xs []float64) []float32 {
	r := make([]float32, len(xs))
	for i, x := range xs {
		r[i] = float32(x)
	}
	return r
}
