package kernels

// Tests of RAdam's API. The reference and its tolerance are built as
// NAdam's (see nadam_test.go): radamRef is torch.optim.RAdam's
// single-tensor step in PyTorch's arrangement and float64, with PyTorch's
// float64 per-step scalars (1-beta^t, rho_t, r_t) as given, and the bound
// is the sum of a running error analysis of the kernel (generic.go's order
// of operations) and of the reference. The kernel's step size is its own
// float64 scalar: LR*r_t*sqrt(1-beta2^t)/(1-beta1^t) carries 4 roundings
// (LR*r_t, the square root, the product, the quotient), LR/(1-beta1^t)
// one; where PyTorch multiplies per element ((m/bc1)*lr)*adaptive*rect
// with adaptive = sqrt(bc2)/(sqrt(v)+eps), the kernel computes
// step*(m/(sqrt(v)+eps)): the same count of roundings on a longer or
// shorter path. Counted for float32 with coupled decay: 3 roundings on g,
// 6 on m, 10 on v and, in a rectified step, about 17 units on
// |param*pdecay| + |step|*|m|/(sqrt(v)+eps) for param (12 unrectified).

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// radamTorch are PyTorch's float64 per-step scalars of RAdam at step t.
type radamTorch struct {
	bc1, bc2, rect, pdecay float64
	rectified              bool
}

// radamTorchScalars computes them in PyTorch's order (_single_tensor_radam).
func radamTorchScalars(a RAdam, t int) radamTorch {
	step := float64(t)
	s := radamTorch{bc1: 1 - powInt(a.Beta1, t), bc2: 1 - powInt(a.Beta2, t), pdecay: 1}
	rhoInf := 2/(1-a.Beta2) - 1
	rhoT := rhoInf - 2*step*powInt(a.Beta2, t)/s.bc2
	if rhoT > 5.0 {
		s.rectified = true
		s.rect = math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
	}
	if a.Decoupled {
		s.pdecay = 1 - float64(a.LR*a.WeightDecay)
	}
	return s
}

// radamRef is one step of torch.optim.RAdam on one element, in PyTorch's
// arrangement, in float64, with its own error bound.
func radamRef(a RAdam, s radamTorch, p0, grad, m0, v0 float64) (p, m, v errVal) {
	c := ea64
	g := c.grad(grad, a.GradScale, a.Maximize)
	p = c.exact(p0)
	if a.WeightDecay != 0 {
		if a.Decoupled {
			p = c.mul(p, c.exact(s.pdecay)) // param.mul_(1 - lr*weight_decay)
		} else {
			g = c.add(g, c.mul(c.exact(a.WeightDecay), p)) // grad.add(param, alpha=weight_decay)
		}
	}
	m = c.lerp(c.exact(m0), g, c.scalar(1-a.Beta1, 1))
	v = c.add(c.mul(c.exact(v0), c.exact(a.Beta2)), c.mul(c.mul(c.scalar(1-a.Beta2, 1), g), g))
	x := c.mul(c.div(m, c.exact(s.bc1), s.bc1), c.exact(a.LR)) // bias_corrected_exp_avg * lr
	if s.rectified {
		// adaptive = bias_correction2**0.5 / exp_avg_sq.sqrt().add_(eps)
		d := c.add(c.sqrt(v), c.exact(a.Eps))
		adaptive := c.div(c.scalar(math.Sqrt(s.bc2), 1), d, a.Eps)
		x = c.mul(c.mul(x, adaptive), c.exact(s.rect))
	}
	p = c.sub(p, x) // param.add_(..., alpha=-1.0)
	return p, m, v
}

// radamKernelBound follows generic.go's RAdam kernels with unit roundoff
// c.u: g, m and v as NAdam's; param = param*pdecay - step*(m/(sqrt(v) +
// eps)) rectified, param*pdecay - step*m otherwise.
func radamKernelBound(c errArith, a RAdam, s radamTorch, p0, grad, m0, v0 float64) (p, m, v errVal) {
	g := c.mul(c.scalar(signedGradScale(a.GradScale, a.Maximize), 0), c.exact(grad))
	if a.WeightDecay != 0 && !a.Decoupled {
		g = c.add(g, c.mul(c.scalar(a.WeightDecay, 0), c.exact(p0)))
	}
	m = c.add(c.mul(c.scalar(a.Beta1, 0), c.exact(m0)), c.mul(c.scalar(1-a.Beta1, 1), g))
	v = c.add(c.mul(c.scalar(a.Beta2, 0), c.exact(v0)), c.mul(c.scalar(1-a.Beta2, 1), c.mul(g, g)))
	upd := m
	step := c.scalar(a.LR/s.bc1, 1)
	if s.rectified {
		d := c.add(c.sqrt(v), c.scalar(a.Eps, 0))
		upd = c.div(m, d, a.Eps*(1-2*c.u))
		step = c.scalar(a.LR*s.rect*math.Sqrt(s.bc2)/s.bc1, 4)
	}
	p = c.sub(c.mul(c.exact(p0), c.scalar(s.pdecay, 0)), c.mul(step, upd))
	return p, m, v
}

// radamCase draws hyperparameters for option combination combo (bit 0
// weight decay, 1 decoupled, 2 maximize, 3 gradient scale).
func radamCase(rng *rand.Rand, combo int) RAdam {
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	a := RAdam{
		LR:    pick(1e-3, 1e-2, 0.1),
		Beta1: pick(0.9, 0.8, 0.95, 0.5, 0.3, 0),
		Beta2: pick(0.999, 0.99, 0.9, 0.7, 0.5),
		Eps:   pick(1e-8, 1e-6, 1e-3),
	}
	if combo&1 != 0 {
		a.WeightDecay = pick(0.01, 0.1, 1)
	}
	a.Decoupled = combo&2 != 0
	a.Maximize = combo&4 != 0
	if combo&8 != 0 {
		a.GradScale = pick(1.0/32, 1.0/3, 4)
	}
	return a
}

func radamRefRun[F float32 | float64](t *testing.T, c errArith, n int, seed uint64) {
	levels := nrLevels(t)
	ck := &errCheck{t: t}
	rng := rand.New(rand.NewPCG(seed, 78))
	rectified := 0
	for combo := range 32 {
		a := radamCase(rng, combo%16)
		name := fmt.Sprintf("%+v", a)
		st := nrRefInit[F](rng, n)
		for _, step := range nrRefSteps {
			ts := radamTorchScalars(a, step)
			if a.Rectified(step) != ts.rectified {
				t.Fatalf("%s t=%d: Rectified = %v, PyTorch's rho_t > 5 is %v", name, step, !ts.rectified, ts.rectified)
			}
			if ts.rectified {
				rectified++
			}
			st = nrRefStep(ck, rng, levels, st, fmt.Sprintf("%s t=%d", name, step),
				func(p, g, m, v []float32) error { return a.Step32(step, p, g, m, v) },
				func(p, g, m, v []float64) error { return a.Step64(step, p, g, m, v) },
				func(p0, g, m0, v0 float64) (ref, bound [3]errVal) {
					ref[0], ref[1], ref[2] = radamRef(a, ts, p0, g, m0, v0)
					bound[0], bound[1], bound[2] = radamKernelBound(c, a, ts, p0, g, m0, v0)
					return ref, bound
				})
		}
	}
	if rectified == 0 || rectified == 32*len(nrRefSteps) {
		t.Errorf("%d rectified steps of %d: both kinds must be tested", rectified, 32*len(nrRefSteps))
	}
	t.Logf("largest |got-ref|/bound: %.3f", ck.worst)
}

func TestRAdamStep32MatchesReference(t *testing.T) { radamRefRun[float32](t, ea32, 67, 32) }
func TestRAdamStep64MatchesReference(t *testing.T) { radamRefRun[float64](t, ea64, 35, 64) }

// TestRAdamRectification: the switch falls where PyTorch's does (python3:
// the first t with rho_inf - 2*t*b2**t/(1-b2**t) > 5.0): step 6 for Beta2
// 0.999, 0.99 and 0.9, step 10 for 0.7, never for Beta2 <= 2/3.
func TestRAdamRectification(t *testing.T) {
	for _, c := range []struct {
		beta2 float64
		first int // 0: never
	}{{0.999, 6}, {0.99, 6}, {0.9, 6}, {0.7, 10}, {2.0 / 3, 0}, {0.5, 0}, {0, 0}} {
		a := DefaultRAdam()
		a.Beta2 = c.beta2
		first := 0
		for step := 1; step <= 2000; step++ {
			r := a.Rectified(step)
			if r && first == 0 {
				first = step
			}
			if !r && first != 0 {
				t.Errorf("Beta2 %v: step %d unrectified after rectified step %d", c.beta2, step, first)
				break
			}
			s, rect, err := a.scalars(step)
			if err != nil {
				t.Fatal(err)
			}
			if rect != r || a.variant(rect) != 2*b2i(r) {
				t.Errorf("Beta2 %v t=%d: scalars say rectified = %v, Rectified %v", c.beta2, step, rect, r)
			}
			if !r && s[radamStep] != a.LR/(1-powInt(a.Beta1, step)) {
				t.Errorf("Beta2 %v t=%d: unrectified step %v, want LR/(1-Beta1^t)", c.beta2, step, s[radamStep])
			}
		}
		if first != c.first {
			t.Errorf("Beta2 %v: first rectified step %d, want %d (0: never)", c.beta2, first, c.first)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---- validation, lengths, allocations, levels ----

func TestRAdamValidation(t *testing.T) {
	type bad = rejectBad[RAdam, int]
	nan, inf := math.NaN(), math.Inf(1)
	var cases []bad
	add := func(field string, set func(*RAdam, float64), values ...float64) {
		for _, v := range values {
			a := DefaultRAdam()
			set(&a, v)
			cases = append(cases, bad{field + "=" + strconv.FormatFloat(v, 'g', -1, 64), field, v, a, 1, false})
		}
	}
	add("LR", func(a *RAdam, v float64) { a.LR = v }, -1e-3, nan, inf, -inf)
	add("Beta1", func(a *RAdam, v float64) { a.Beta1 = v }, -0.1, 1, 1.5, nan, inf)
	add("Beta2", func(a *RAdam, v float64) { a.Beta2 = v }, -0.1, 1, nan, -inf)
	add("Eps", func(a *RAdam, v float64) { a.Eps = v }, 0, -1e-8, nan, inf)
	add("WeightDecay", func(a *RAdam, v float64) { a.WeightDecay = v }, -0.01, nan, inf)
	add("GradScale", func(a *RAdam, v float64) { a.GradScale = v }, -1, nan, inf)
	for _, step := range []int{0, -1} {
		cases = append(cases, bad{"t=" + strconv.Itoa(step), "t", float64(step), DefaultRAdam(), step, false})
	}
	with := func(f func(*RAdam)) RAdam { a := DefaultRAdam(); f(&a); return a }
	cases = append(cases,
		bad{"float32/Eps=1e-50", "Eps", 1e-50, with(func(a *RAdam) { a.Eps = 1e-50 }), 1, true},
		bad{"float32/Eps=1e-50/rectified", "Eps", 1e-50, with(func(a *RAdam) { a.Eps = 1e-50 }), 10, true},
		bad{"float32/LR=1e300", "LR", 1e300, with(func(a *RAdam) { a.LR = 1e300 }), 1, true},
		bad{"float32/GradScale=1e39", "GradScale", 1e39, with(func(a *RAdam) { a.GradScale = 1e39 }), 1, true},
		bad{"float32/WeightDecay=1e39", "WeightDecay", 1e39, with(func(a *RAdam) { a.WeightDecay = 1e39 }), 1, true},
		// LR/(1-Beta1) overflows float64 too.
		bad{"LR=1e300/Beta1=0.9999999999999999", "LR", 1e300, with(func(a *RAdam) { a.Beta1 = 0.9999999999999999; a.LR = 1e300 }), 1, false},
	)
	rejectBoth(t, "RAdam", nrParSlots, cases, "coupled", func(a *RAdam, coupled bool) { a.Decoupled = !coupled },
		func(name string, a RAdam) parCase[int] { return radamParCase(name, a) })
	for _, a := range []RAdam{DefaultRAdam(), {Eps: math.SmallestNonzeroFloat64}} {
		if err := a.Validate(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
}

func TestRAdamLengthPanics(t *testing.T) {
	const n = 6
	a := DefaultRAdam()
	for slot := 1; slot < 4; slot++ {
		for _, bad := range []int{0, n - 1, n + 1} {
			in := nrRandom[float32](testbuf.NewRand(9), n, 0)
			got := in.clone()
			got[slot] = make([]float32, bad)
			msg := panicMessage(func() { a.Step32(7, got[0], got[1], got[2], got[3]) })
			want := "RAdam.Step32: len(" + nrSlotNames[slot] + ") = " + strconv.Itoa(bad) + ", want len(param) = " + strconv.Itoa(n)
			if !strings.Contains(msg, want) {
				t.Errorf("panic %q, want it to contain %q", msg, want)
			}
			if testbuf.FirstDiff(got[0], in[0]) >= 0 {
				t.Errorf("len(%s) = %d: param changed before the panic", nrSlotNames[slot], bad)
			}
			msg = panicMessage(func() {
				a.Step64(1, make([]float64, n), make([]float64, bad), make([]float64, n), make([]float64, n))
			})
			if !strings.Contains(msg, "RAdam.Step64: len(grad) = "+strconv.Itoa(bad)) {
				t.Errorf("Step64 with len(grad) = %d: panic %q", bad, msg)
			}
			msg = panicMessage(func() {
				a.StepTensors64(nil, 1, []RAdamTensor64{{}, {}, {make([]float64, n), make([]float64, n), make([]float64, bad), make([]float64, n)}})
			})
			if !strings.Contains(msg, "RAdam.StepTensors64: tensor 2: len(m) = "+strconv.Itoa(bad)) {
				t.Errorf("StepTensors64: panic %q", msg)
			}
		}
	}
}

func TestRAdamDoesNotAllocate(t *testing.T) {
	const n = 100
	p32, g32, m32, v32 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	p64, g64, m64, v64 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for _, l := range nrLevels(t) {
		SetLevel(l)
		for _, wd := range []float64{0, 0.01} {
			a := DefaultRAdam()
			a.WeightDecay = wd
			for _, step := range []int{2, 20} { // unrectified, rectified
				if allocs := testing.AllocsPerRun(20, func() { a.Step32(step, p32, g32, m32, v32) }); allocs != 0 {
					t.Errorf("level %v, wd %v, t=%d: Step32 allocates %v times per call", l, wd, step, allocs)
				}
				if allocs := testing.AllocsPerRun(20, func() { a.Step64(step, p64, g64, m64, v64) }); allocs != 0 {
					t.Errorf("level %v, wd %v, t=%d: Step64 allocates %v times per call", l, wd, step, allocs)
				}
			}
		}
	}
	a := DefaultRAdam()
	if err := a.Step32(1, nil, nil, nil, nil); err != nil {
		t.Errorf("empty Step32: %v", err)
	}
	if err := a.Step64(9, []float64{}, nil, nil, nil); err != nil {
		t.Errorf("empty Step64: %v", err)
	}
}

// radamLevelCases cover the four kernel variants (at steps on both sides
// of the switch) and every scalar option.
func radamLevelCases() []RAdam {
	coupled := DefaultRAdam()
	coupled.WeightDecay, coupled.Maximize, coupled.GradScale = 0.1, true, 1.0/3
	decoupled := DefaultRAdam()
	decoupled.WeightDecay, decoupled.Decoupled, decoupled.LR = 0.5, true, 0.1
	return []RAdam{DefaultRAdam(), coupled, decoupled, {LR: 1, Beta1: 0, Beta2: 0.9, Eps: 1e-3, GradScale: 1e-30}}
}

func TestRAdamLevelsMatchGeneric(t *testing.T) {
	levels := nrLevels(t)
	r := testbuf.NewRand(6)
	for ci, a := range radamLevelCases() {
		for _, step := range []int{1, 5, 6, 50} {
			for _, n := range nrLevelLens {
				in32, in64 := nrRandom[float32](r, n, 7), nrRandom[float64](r, n, 7)
				var want32 nrInputs[float32]
				var want64 nrInputs[float64]
				for li := len(levels) - 1; li >= 0; li-- { // Generic first
					l := levels[li]
					SetLevel(l)
					got32, got64 := in32.clone(), in64.clone()
					if err := a.Step32(step, got32[0], got32[1], got32[2], got32[3]); err != nil {
						t.Fatal(err)
					}
					if err := a.Step64(step, got64[0], got64[1], got64[2], got64[3]); err != nil {
						t.Fatal(err)
					}
					if l == Generic {
						want32, want64 = got32, got64
						continue
					}
					if d := nrDiff(got32, want32); d != "" {
						t.Errorf("level %v, case %d, t=%d, n=%d: Step32 %s (generic)", l, ci, step, n, d)
					}
					if d := nrDiff(got64, want64); d != "" {
						t.Errorf("level %v, case %d, t=%d, n=%d: Step64 %s (generic)", l, ci, step, n, d)
					}
				}
			}
		}
	}
}

// ---- hand-checked steps ----

// RAdam steps computed with python3 in float64, following
// torch.optim.RAdam's _single_tensor_radam operation by operation,
// printed with repr (lerp as in nadam_test.go):
//
//	def radam(p, g, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0,
//	          decoupled=False, maximize=False, scale=None):
//	    p, m, v = list(p), list(m), list(v)
//	    bc1 = 1 - b1**t
//	    bc2 = 1 - b2**t
//	    rho_inf = 2 / (1 - b2) - 1
//	    rho_t = rho_inf - 2 * t * (b2**t) / bc2
//	    for i in range(len(p)):
//	        gi = g[i] / scale if scale else g[i]
//	        gi = -gi if maximize else gi
//	        if wd != 0:
//	            if decoupled: p[i] = p[i] * (1 - lr*wd)
//	            else: gi = gi + wd*p[i]
//	        m[i] = lerp(m[i], gi, 1 - b1)
//	        v[i] = v[i]*b2
//	        v[i] = v[i] + (1 - b2)*gi*gi
//	        bcm = m[i] / bc1
//	        if rho_t > 5.0:
//	            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
//	            adaptive = (bc2 ** 0.5) / (math.sqrt(v[i]) + eps)
//	            p[i] = p[i] + -1.0 * (bcm * lr * adaptive * rect)
//	        else:
//	            p[i] = p[i] + -1.0 * (bcm * lr)
//	    return p, m, v, rho_t > 5.0
//
// The default run takes seven steps from zero state with the gradients
// G1, G2 and radamG3..radamG7 (p, m, v = radam(p, G[t-1], m, v, t)):
// steps 1-5 unrectified, 6 and 7 rectified.
var (
	radamG3 = []float64{0.3, 0.1, -2.0, 0.0, -0.5}
	radamG4 = []float64{0.2, 0.3, 1.0, 5e-9, 0.25}
	radamG5 = []float64{-0.1, 0.2, 0.5, 0.0, 1.0}
	radamG6 = []float64{0.05, -0.1, -1.0, 1e-9, 0.5}
	radamG7 = []float64{0.1, 0.1, 0.1, 0.1, 0.1}
)

var radamTorchCases = []struct {
	name   string
	a      RAdam
	m0, v0 []float64
	steps  []nrTorchStep
}{
	{
		name: "default, t=1..7",
		a:    DefaultRAdam(),
		steps: []nrTorchStep{
			{t: 1, grad: nrG1,
				p: []float64{0.4999, -1.2498, 1.997, -1.0000000000000002e-12, 3.0},
				m: nrM1, v: nrV1},
			{t: 2, grad: nrG2,
				p: []float64{0.4998789473684211, -1.2494947368421052, 1.9947894736842107, -2.5263157894736845e-12, 2.9998684210526316},
				m: []float64{0.004, -0.05799999999999999, 0.41999999999999993, 2.8999999999999993e-10, 0.024999999999999994},
				v: []float64{1.2490000000000014e-05, 0.00019996000000000022, 0.01124100000000001, 4.999000000000005e-21, 6.250000000000006e-05}},
			{t: 3, grad: radamG3,
				p: []float64{0.4997549621285687, -1.2493390172849097, 1.994132647115945, -3.4894154204699947e-12, 2.9999698970673916},
				m: []float64{0.03359999999999999, -0.04219999999999999, 0.178, 2.6099999999999993e-10, -0.027499999999999997},
				v: []float64{0.00010247751000000009, 0.00020976004000000022, 0.015229759000000013, 4.994001000000005e-21, 0.00031243750000000027}},
			{t: 4, grad: radamG4,
				p: []float64{0.4996088731492142, -1.2493158128650201, 1.9933760318208011, -5.626373838614804e-12, 2.999969170111881},
				m: []float64{0.05023999999999999, -0.007980000000000001, 0.2602, 7.348999999999998e-10, 0.0002499999999999933},
				v: []float64{0.00014237503249000014, 0.00029955027996000027, 0.016214529241000013, 2.998900699900003e-20, 0.0003746250625000003}},
			{t: 5, grad: radamG5,
				p: []float64{0.49952287769122783, -1.2493471136879548, 1.9926820805131407, -7.241499232378082e-12, 2.999724426393779},
				m: []float64{0.035216, 0.012817999999999993, 0.28418, 6.614099999999999e-10, 0.10022499999999998},
				v: []float64{0.00015223265745751015, 0.00033925072968004033, 0.016448314711759015, 2.995901799200103e-20, 0.0013742504374375012}},
			{t: 6, grad: radamG6,
				p: []float64{0.49951029522809526, -1.2493474643052804, 1.9926770509181946, -2.9129681149801884e-07, 2.999709589040776},
				m: []float64{0.036694399999999995, 0.0015361999999999945, 0.155762, 6.952689999999999e-10, 0.14020249999999998},
				v: []float64{0.00015458042480005264, 0.0003489114789503603, 0.017431866397047257, 3.092905897400903e-20, 0.001622876187000064}},
			{t: 7, grad: radamG7,
				p: []float64{0.4994927049658624, -1.2493506156450138, 1.992671086244217, -1.6869439433187847e-05, 2.999691912514936},
				m: []float64{0.043024959999999994, 0.011382579999999995, 0.1501858, 0.010000000625742099, 0.13618224999999998},
				v: []float64{0.00016442584437525258, 0.00035856256747140996, 0.01742443453065021, 1.0000000000000041e-05, 0.001631253310813064}},
		},
	},
	{
		// radam(P0, G1, Z, Z, 1, lr=1e-2, wd=0.1, decoupled=True)
		name: "decoupled weight decay, t=1",
		a:    RAdam{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true},
		steps: []nrTorchStep{{t: 1, grad: nrG1,
			p: []float64{0.4985, -1.24675, 1.968, -1.0000000000000001e-11, 2.997},
			m: nrM1, v: nrV1}},
	},
	{
		// radam(P0, G1, M0, V0, 10, wd=0.1, maximize=True)
		name: "coupled weight decay, maximize, from a state, t=10",
		a:    RAdam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Maximize: true},
		m0:   nrM0, v0: nrV0,
		steps: []nrTorchStep{{t: 10, grad: nrG1,
			p: []float64{0.499997033011608, -1.249996084860588, 2.0000002400755137, 7.482299197810046e-08, 3.000004485668802},
			m: []float64{0.004000000000000001, -0.0105, -0.009999999999999898, -9.999999999999998e-11, -0.06000000000000001},
			v: []float64{0.00010240000000000001, 0.000405225, 0.09774999999999999, 1.000000000000001e-21, 0.01008}}},
	},
	{
		// radam(P0, G1, M0, V0, 20, lr=1e-2, b1=0.8, b2=0.95, wd=0.1, decoupled=True, scale=3)
		name: "decoupled weight decay, GradScale 1/3, t=20",
		a:    RAdam{LR: 1e-2, Beta1: 0.8, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true, GradScale: 1.0 / 3},
		m0:   nrM0, v0: nrV0,
		steps: []nrTorchStep{{t: 20, grad: nrG1,
			p: []float64{0.4938930184096062, -1.2431430161247936, 1.9923930139923003, -3.1040603786623544e-05, 3.000850122919063},
			m: []float64{0.014666666666666665, -0.02933333333333333, 0.43999999999999995, 6.666666666666666e-11, -0.08000000000000002},
			v: []float64{0.0001505555555555556, 0.0006022222222222224, 0.13550000000000004, 5.5555555555555616e-21, 0.0095}}},
	},
	{
		// radam(P0, G1, M0, V0, 100, b2=0.5): rho_inf = 3, never rectified
		name: "Beta2 0.5, never rectified, t=100",
		a:    RAdam{LR: 1e-3, Beta1: 0.9, Beta2: 0.5, Eps: 1e-8},
		m0:   nrM0, v0: nrV0,
		steps: []nrTorchStep{{t: 100, grad: nrG1,
			p: []float64{0.49998099949532, -1.24996199899064, 1.9994299848596004, -1.000026562104414e-13, 3.000090002390589},
			m: []float64{0.019, -0.038, 0.57, 9.999999999999998e-11, -0.09000000000000001},
			v: []float64{0.005050000000000001, 0.020200000000000003, 4.545, 5e-19, 0.005}}},
	},
}

func TestRAdamMatchesPyTorch(t *testing.T) {
	for _, c := range radamTorchCases {
		nrTorchRun(t, c.name, nrP0, c.m0, c.v0, c.steps, c.a.Step64, c.a.Step32)
	}
}

// ---- parallel ----

// TestRAdamStepTensorsMatchesStep: StepTensors and StepParallel give
// Step's bits on each tensor, for a few workers, over the steps 4 to 6,
// where the steps switch to rectified.
func TestRAdamStepTensorsMatchesStep(t *testing.T) {
	pt := parTest[int]{Seed: [2]uint64{3, 15}, Workers: [2][]int{{1, 2, 3}, {1, 2}}, Lists: [2]int{12, 5}, Slots: nrParSlots}
	for ci, a := range radamLevelCases()[:3] {
		pt.Cases = append(pt.Cases, radamParCase(fmt.Sprintf("case=%d", ci), a, 4, 5, 6))
	}
	pt.Run(t)
}

// radamParCase is the parallel harness's case of a at the given steps.
func radamParCase(name string, a RAdam, steps ...int) parCase[int] {
	return parCase[int]{Name: name, Steps: steps,
		Ops32: parOps4(a.Step32, a.StepParallel32, a.StepTensors32),
		Ops64: parOps4(a.Step64, a.StepParallel64, a.StepTensors64)}
}

// TestRAdamParallelDoesNotAllocate, at a rectified step.
func TestRAdamParallelDoesNotAllocate(t *testing.T) {
	parNoAlloc(t, nrParSlots, radamParCase("", DefaultRAdam(), 10))
}

// TestPowInt: powInt is b^t correctly rounded (against math/big), and so
// equals C's pow as Python prints it (python3: repr(b**float(t))), where
// math.Pow is off by some ulps.
func TestPowInt(t *testing.T) {
	for _, c := range []struct {
		b    float64
		t    int
		want float64
	}{
		{0.999, 6, 0.994014980014994}, {0.999, 1000, 0.36769542477096373}, {0.9, 7, 0.4782969000000001},
		{0.99, 100, 0.3660323412732292}, {0.9999, 12345, 0.2909622547125437}, {0.5, 3, 0.125},
		{0.3, 40, 1.2157665459056911e-21}, {0, 0, 1}, {0, 3, 0}, {0.7, 0, 1},
	} {
		if got := powInt(c.b, c.t); got != c.want {
			t.Errorf("powInt(%v, %d) = %v, C's pow %v", c.b, c.t, got, c.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := rng.Float64()
		n := 1 + rng.IntN(5000)
		exact := new(big.Float).SetPrec(4000).SetFloat64(1)
		x := new(big.Float).SetPrec(4000).SetFloat64(b)
		for k := n; k > 0; k >>= 1 { // 4000 bits: within about 2^-3980 of b^n, relative
			if k&1 != 0 {
				exact.Mul(exact, x)
			}
			x.Mul(x, x)
		}
		want, _ := exact.Float64()
		if got := powInt(b, n); got != want {
			t.Errorf("powInt(%v, %d) = %v, correctly rounded %v", b, n, got, want)
		}
	}
}
