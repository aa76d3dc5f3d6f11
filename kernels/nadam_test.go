package kernels

// Tests of NAdam's API, and the helpers that radam_test.go and
// adam_epshat_test.go share with it (prefixed nr): inputs and comparisons.
// The running error bound is errmodel_test.go's errArith.
//
// # The reference and its tolerance
//
// nadamRef is torch.optim.NAdam's single-tensor step on one element,
// written in PyTorch's arrangement (lerp for m, v*beta2 + ((1-beta2)*g)*g,
// sqrt(v/bc2) + eps, then two addcdiv updates), in float64. Its per-step
// scalars (1-beta2^t, mu_t, mu_{t+1}, the running product P_t, the two
// addcdiv coefficients, 1 - lr*wd) are PyTorch's float64 scalars,
// computed by nadamTorchScalars in Python's order; the kernels receive the
// same float64 values (the tests check that the schedule's product and
// the coefficients equal them, and hand-computed Python values), so the
// analysis takes them as given and bounds the per-element arithmetic.
//
// The tolerance is a running (forward) error analysis, errArith
// (errmodel_test.go, which states its rules), evaluated along both
// computations: a division m/d uses a lower bound of the computed d (it
// never drops below eps), and each scalar the kernel receives carries its
// relative error: one float32 rounding for Step32, plus its float64
// roundings when it is the kernels' own (1/sqrt(1-beta2^t): 2 units of
// 2^-53; 1-beta: 1 unit). The kernel-side bound nadamKernelBound follows
// generic.go's order of operations; nadamRef tracks its own float64 error
// the same way. A step passes when |kernel - reference| <= (E_kernel +
// E_ref)*(1 + 2^-20) (errCheck.checkSum), element by element and output by
// output: Step32 with ea32 for the kernel (E_ref is then negligible),
// Step64 with ea64 on both sides, which is as tight as a float64
// reference allows. Each step starts from the state the kernels had
// before it, so errors do not compound and the bound is a one-step bound.
//
// Counted for float32 with coupled decay, the bound comes to about 3
// roundings on g (|s*grad| + |wd*param|), 6 on m, 10 on v, 9 relative on
// the denominator, and on param about 19 units on
// |param*pdecay| + (|cg*g| + |cm*m|)/d, the same counts as Adam's (doc.go)
// with the merged division: PyTorch's two divisions, and two roundings of
// param, become one, which can only help.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// nrInputs are the four slices of a NAdam or RAdam step: param, grad, m, v.
type nrInputs[F testbuf.Float] [4][]F

var nrSlotNames = [4]string{"param", "grad", "m", "v"}

// nrRandom fills n elements of each slice with moderate random values (v
// non-negative) and, if every > 0, sprinkles special values at a rate of
// 1/every.
func nrRandom[F testbuf.Float](r *testbuf.Rand, n, every int) nrInputs[F] {
	var in nrInputs[F]
	for i := range in {
		in[i] = make([]F, n)
	}
	testbuf.Fill(r, in[0], -4, 3)
	testbuf.Fill(r, in[1], -12, 2)
	testbuf.Fill(r, in[2], -12, 0)
	testbuf.FillNonNeg(r, in[3], -24, 0)
	if every > 0 {
		for _, s := range in {
			testbuf.Sprinkle(r, s, every)
		}
	}
	return in
}

func (in nrInputs[F]) clone() nrInputs[F] {
	var c nrInputs[F]
	for i, s := range in {
		c[i] = append([]F(nil), s...)
	}
	return c
}

// nrDiff describes the first element whose bits differ (NaNs equal), or "".
func nrDiff[F testbuf.Float](got, want nrInputs[F]) string {
	for i := range want {
		if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
			return fmt.Sprintf("%s[%d] = %s, want %s", nrSlotNames[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]))
		}
	}
	return ""
}

// nrLevelLens are lengths around the vector widths (4 and 8 float32 or
// float64 lanes, unrolled by up to four) and their tails.
var nrLevelLens = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 200}

// nrLevels returns every supported level, Generic last, restoring the
// active level when t ends.
func nrLevels(t *testing.T) []Level {
	old := ActiveLevel()
	t.Cleanup(func() { SetLevel(old) })
	return allLevels(t)
}

// nrRefSteps are the step numbers run in sequence: the first steps (RAdam
// switches to rectified steps at the sixth with its default Beta2) and a
// few late ones.
var nrRefSteps = []int{1, 2, 3, 4, 5, 6, 7, 10, 100, 1000}

// ---- NAdam's reference ----

// nadamTorch are PyTorch's float64 per-step scalars of NAdam at step t.
type nadamTorch struct{ bc2, mu, muNext, prod, cg, cm, pdecay float64 }

// nadamTorchScalars computes them in PyTorch's order (_single_tensor_nadam):
// the running product over steps 1..t, then
// -lr*(1-mu)/(1-mu_product) and (-lr*mu_next)/(1-mu_product*mu_next).
func nadamTorchScalars(a NAdam, t int) nadamTorch {
	// Python's 0.96 ** x is C's pow, correctly rounded by glibc; pow096
	// is within an ulp of it (TestPow096) and, unlike math.Pow, gives the
	// same bits on every architecture, so the reference uses the kernels'
	// own power and the analysis can take the scalars as equal.
	mu := func(s float64) float64 {
		return a.Beta1 * (1 - float64(0.5*pow096(float64(s*a.MomentumDecay))))
	}
	var r nadamTorch
	r.prod = 1
	for s := 1; s <= t; s++ {
		r.mu = mu(float64(s))
		r.prod *= r.mu
	}
	r.muNext = mu(float64(t) + 1)
	prodNext := r.prod * r.muNext
	r.cg = float64(a.LR*(1-r.mu)) / (1 - r.prod)
	r.cm = float64(a.LR*r.muNext) / (1 - prodNext)
	r.bc2 = 1 - powInt(a.Beta2, t)
	r.pdecay = 1
	if a.Decoupled {
		r.pdecay = 1 - float64(a.LR*a.WeightDecay)
	}
	return r
}

// nadamRef is one step of torch.optim.NAdam on one element, in PyTorch's
// arrangement, in float64, with its own error bound.
func nadamRef(a NAdam, s nadamTorch, p0, grad, m0, v0 float64) (p, m, v errVal) {
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
	m = c.lerp(c.exact(m0), g, c.scalar(1-a.Beta1, 1)) // exp_avg.lerp_(grad, 1-beta1)
	// exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
	v = c.add(c.mul(c.exact(v0), c.exact(a.Beta2)), c.mul(c.mul(c.scalar(1-a.Beta2, 1), g), g))
	// denom = exp_avg_sq.div(bias_correction2).sqrt(); denom.add_(eps)
	d := c.add(c.sqrt(c.div(v, c.exact(s.bc2), s.bc2)), c.exact(a.Eps))
	// param.addcdiv_(grad, denom, value=-cg); param.addcdiv_(exp_avg, denom, value=-cm)
	p = c.sub(p, c.div(c.mul(c.exact(s.cg), g), d, a.Eps))
	p = c.sub(p, c.div(c.mul(c.exact(s.cm), m), d, a.Eps))
	return p, m, v
}

// nadamKernelBound follows generic.go's NAdam kernel with unit roundoff
// c.u: g = grad*gscale (+ wd*param); m = b1*m + omb1*g;
// v = b2*v + omb2*(g*g); d = sqrt(v)*ibc2 + eps;
// param = param*pdecay - (cg*g + cm*m)/d.
func nadamKernelBound(c errArith, a NAdam, s nadamTorch, p0, grad, m0, v0 float64) (p, m, v errVal) {
	g := c.mul(c.scalar(signedGradScale(a.GradScale, a.Maximize), 0), c.exact(grad))
	if a.WeightDecay != 0 && !a.Decoupled {
		g = c.add(g, c.mul(c.scalar(a.WeightDecay, 0), c.exact(p0)))
	}
	m = c.add(c.mul(c.scalar(a.Beta1, 0), c.exact(m0)), c.mul(c.scalar(1-a.Beta1, 1), g))
	v = c.add(c.mul(c.scalar(a.Beta2, 0), c.exact(v0)), c.mul(c.scalar(1-a.Beta2, 1), c.mul(g, g)))
	d := c.add(c.mul(c.sqrt(v), c.scalar(1/math.Sqrt(s.bc2), 2)), c.scalar(a.Eps, 0))
	num := c.add(c.mul(c.scalar(s.cg, 0), g), c.mul(c.scalar(s.cm, 0), m))
	p = c.sub(c.mul(c.exact(p0), c.scalar(s.pdecay, 0)), c.div(num, d, a.Eps*(1-2*c.u)))
	return p, m, v
}

// nadamCase draws hyperparameters for option combination combo (bit 0
// weight decay, 1 decoupled, 2 maximize, 3 gradient scale).
func nadamCase(rng *rand.Rand, combo int) NAdam {
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	a := NAdam{
		LR:            pick(2e-3, 1e-2, 0.1),
		Beta1:         pick(0.9, 0.8, 0.95, 0.5, 0.3, 0),
		Beta2:         pick(0.999, 0.99, 0.9, 0.9999),
		Eps:           pick(1e-8, 1e-6, 1e-3),
		MomentumDecay: pick(4e-3, 0, 0.1, 2),
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

// nadamRefRun runs every option combination through the steps of
// nrRefSteps at every level, n elements, and checks each output against
// the reference with the bound of c.
func nadamRefRun[F float32 | float64](t *testing.T, c errArith, n int, seed uint64) {
	levels := nrLevels(t)
	ck := &errCheck{t: t}
	rng := rand.New(rand.NewPCG(seed, 77))
	for combo := range 16 {
		a := nadamCase(rng, combo)
		name := fmt.Sprintf("%+v", a)
		st := nrRefInit[F](rng, n)
		for _, step := range nrRefSteps {
			sched := a.ScheduleAt(step)
			ts := nadamTorchScalars(a, step)
			if sched.MuProduct != ts.prod {
				t.Fatalf("%s t=%d: ScheduleAt's product %v, PyTorch's loop %v", name, step, sched.MuProduct, ts.prod)
			}
			st = nrRefStep(ck, rng, levels, st, fmt.Sprintf("%s t=%d", name, step),
				func(p, g, m, v []float32) error { return a.Step32(sched, p, g, m, v) },
				func(p, g, m, v []float64) error { return a.Step64(sched, p, g, m, v) },
				func(p0, g, m0, v0 float64) (ref, bound [3]errVal) {
					ref[0], ref[1], ref[2] = nadamRef(a, ts, p0, g, m0, v0)
					bound[0], bound[1], bound[2] = nadamKernelBound(c, a, ts, p0, g, m0, v0)
					return ref, bound
				})
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f", ck.worst)
}

// nrRefInit is the starting state of a NAdam or RAdam reference run:
// random parameters, zero moments.
func nrRefInit[F float32 | float64](rng *rand.Rand, n int) nrInputs[F] {
	var st nrInputs[F]
	for i := range st {
		st[i] = make([]F, n)
	}
	for i := range n {
		st[0][i] = F(refMag(rng, -2, 1))
	}
	return st
}

// nrRefStep is one step of a NAdam or RAdam reference run from state st:
// it draws a gradient into st, steps a copy of st at every level (step32
// or step64, by F), and checks each element's param, m and v against the
// reference within the sum of the two bounds, both of which refs gives
// for the element's inputs ([0] param, [1] m, [2] v). It returns the
// last level's state, Generic's, from which the next step goes on.
func nrRefStep[F float32 | float64](ck *errCheck, rng *rand.Rand, levels []Level, st nrInputs[F], what string,
	step32 func(p, g, m, v []float32) error, step64 func(p, g, m, v []float64) error,
	refs func(p0, g, m0, v0 float64) (ref, bound [3]errVal)) nrInputs[F] {
	n := len(st[0])
	scale := math.Pow(10, -1.5+2*rng.Float64())
	for i := range n {
		st[1][i] = F(refMag(rng, -4, 0.5) * scale)
	}
	var out nrInputs[F]
	for _, lvl := range levels {
		if _, err := SetLevel(lvl); err != nil {
			ck.t.Fatal(err)
		}
		out = st.clone()
		var err error
		switch o := any(out).(type) {
		case nrInputs[float32]:
			err = step32(o[0], o[1], o[2], o[3])
		case nrInputs[float64]:
			err = step64(o[0], o[1], o[2], o[3])
		}
		if err != nil {
			ck.t.Fatalf("%s: %v", what, err)
		}
		for i := range n {
			ref, bound := refs(float64(st[0][i]), float64(st[1][i]), float64(st[2][i]), float64(st[3][i]))
			where := func() string { return fmt.Sprintf("%v %s [%d]", lvl, what, i) }
			ck.checkSum(where, "m", float64(out[2][i]), ref[1], bound[1])
			ck.checkSum(where, "v", float64(out[3][i]), ref[2], bound[2])
			ck.checkSum(where, "param", float64(out[0][i]), ref[0], bound[0])
		}
	}
	return out
}

func TestNAdamStep32MatchesReference(t *testing.T) { nadamRefRun[float32](t, ea32, 67, 32) }
func TestNAdamStep64MatchesReference(t *testing.T) { nadamRefRun[float64](t, ea64, 35, 64) }

// ---- validation, lengths, allocations, levels ----

func TestNAdamValidation(t *testing.T) {
	type bad = rejectBad[NAdam, NAdamSchedule]
	nan, inf := math.NaN(), math.Inf(1)
	one := NAdamSchedule{T: 1, MuProduct: DefaultNAdam().Mu(1)}
	var cases []bad
	add := func(field string, set func(*NAdam, float64), values ...float64) {
		for _, v := range values {
			a := DefaultNAdam()
			set(&a, v)
			cases = append(cases, bad{field + "=" + strconv.FormatFloat(v, 'g', -1, 64), field, v, a, one, false})
		}
	}
	add("LR", func(a *NAdam, v float64) { a.LR = v }, -1e-3, nan, inf, -inf)
	add("Beta1", func(a *NAdam, v float64) { a.Beta1 = v }, -0.1, 1, 1.5, nan, inf)
	add("Beta2", func(a *NAdam, v float64) { a.Beta2 = v }, -0.1, 1, nan, -inf)
	add("Eps", func(a *NAdam, v float64) { a.Eps = v }, 0, -1e-8, nan, inf)
	add("WeightDecay", func(a *NAdam, v float64) { a.WeightDecay = v }, -0.01, nan, inf)
	add("MomentumDecay", func(a *NAdam, v float64) { a.MomentumDecay = v }, -4e-3, nan, inf)
	add("GradScale", func(a *NAdam, v float64) { a.GradScale = v }, -1, nan, inf)
	for _, step := range []int{0, -1} {
		cases = append(cases, bad{"t=" + strconv.Itoa(step), "t", float64(step), DefaultNAdam(), NAdamSchedule{T: step, MuProduct: 0.5}, false})
	}
	for _, p := range []float64{-0.1, 1, 1.5, nan, inf} {
		cases = append(cases, bad{"MuProduct=" + strconv.FormatFloat(p, 'g', -1, 64), "MuProduct", p, DefaultNAdam(), NAdamSchedule{T: 3, MuProduct: p}, false})
	}
	with := func(f func(*NAdam)) NAdam { a := DefaultNAdam(); f(&a); return a }
	cases = append(cases,
		bad{"float32/Eps=1e-50", "Eps", 1e-50, with(func(a *NAdam) { a.Eps = 1e-50 }), one, true},
		bad{"float32/LR=1e300", "LR", 1e300, with(func(a *NAdam) { a.LR = 1e300 }), one, true},
		bad{"float32/GradScale=1e39", "GradScale", 1e39, with(func(a *NAdam) { a.GradScale = 1e39 }), one, true},
		bad{"float32/WeightDecay=1e39", "WeightDecay", 1e39, with(func(a *NAdam) { a.WeightDecay = 1e39 }), one, true},
	)
	rejectBoth(t, "NAdam", nrParSlots, cases, "coupled", func(a *NAdam, coupled bool) { a.Decoupled = !coupled },
		func(name string, a NAdam) parCase[NAdamSchedule] { return nadamParCase(name, a) })
	for _, a := range []NAdam{DefaultNAdam(), {Eps: math.SmallestNonzeroFloat64}} {
		if err := a.Validate(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
}

func TestNAdamLengthPanics(t *testing.T) {
	const n = 6
	a := DefaultNAdam()
	s := a.Next(NAdamSchedule{})
	for slot := 1; slot < 4; slot++ {
		for _, bad := range []int{0, n - 1, n + 1} {
			in := nrRandom[float32](testbuf.NewRand(9), n, 0)
			got := in.clone()
			got[slot] = make([]float32, bad)
			msg := panicMessage(func() { a.Step32(s, got[0], got[1], got[2], got[3]) })
			want := "NAdam.Step32: len(" + nrSlotNames[slot] + ") = " + strconv.Itoa(bad) + ", want len(param) = " + strconv.Itoa(n)
			if !strings.Contains(msg, want) {
				t.Errorf("panic %q, want it to contain %q", msg, want)
			}
			if testbuf.FirstDiff(got[0], in[0]) >= 0 {
				t.Errorf("len(%s) = %d: param changed before the panic", nrSlotNames[slot], bad)
			}
			msg = panicMessage(func() {
				a.Step64(s, make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, bad))
			})
			if !strings.Contains(msg, "NAdam.Step64: len(v) = "+strconv.Itoa(bad)) {
				t.Errorf("Step64 with len(v) = %d: panic %q", bad, msg)
			}
			msg = panicMessage(func() {
				a.StepTensors32(nil, s, []NAdamTensor32{{}, {got[0], got[1], got[2], got[3]}})
			})
			if !strings.Contains(msg, "NAdam.StepTensors32: tensor 1: len("+nrSlotNames[slot]+") = "+strconv.Itoa(bad)) {
				t.Errorf("StepTensors32: panic %q", msg)
			}
		}
	}
}

func TestNAdamDoesNotAllocate(t *testing.T) {
	const n = 100
	p32, g32, m32, v32 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	p64, g64, m64, v64 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for _, l := range nrLevels(t) {
		SetLevel(l)
		for _, wd := range []float64{0, 0.01} {
			a := DefaultNAdam()
			a.WeightDecay = wd
			s := a.ScheduleAt(2)
			if allocs := testing.AllocsPerRun(20, func() { a.Step32(s, p32, g32, m32, v32) }); allocs != 0 {
				t.Errorf("level %v, wd %v: Step32 allocates %v times per call", l, wd, allocs)
			}
			if allocs := testing.AllocsPerRun(20, func() { a.Step64(s, p64, g64, m64, v64) }); allocs != 0 {
				t.Errorf("level %v, wd %v: Step64 allocates %v times per call", l, wd, allocs)
			}
			if allocs := testing.AllocsPerRun(20, func() { s = a.Next(s) }); allocs != 0 {
				t.Errorf("Next allocates %v times per call", allocs)
			}
		}
	}
	a := DefaultNAdam()
	if err := a.Step32(a.Next(NAdamSchedule{}), nil, nil, nil, nil); err != nil {
		t.Errorf("empty Step32: %v", err)
	}
	if err := a.Step64(a.Next(NAdamSchedule{}), []float64{}, nil, nil, nil); err != nil {
		t.Errorf("empty Step64: %v", err)
	}
}

// nadamLevelCases cover both kernel variants and every scalar option.
func nadamLevelCases() []NAdam {
	coupled := DefaultNAdam()
	coupled.WeightDecay, coupled.Maximize, coupled.GradScale = 0.1, true, 1.0/3
	decoupled := DefaultNAdam()
	decoupled.WeightDecay, decoupled.Decoupled, decoupled.LR, decoupled.MomentumDecay = 0.5, true, 0.1, 1
	return []NAdam{DefaultNAdam(), coupled, decoupled, {LR: 1, Beta1: 0, Beta2: 0, Eps: 1e-3, GradScale: 1e-30}}
}

// TestNAdamLevelsMatchGeneric: through the public API, every level gives
// Generic's bits, on lengths around the vector widths, with random and
// special values, at several steps.
func TestNAdamLevelsMatchGeneric(t *testing.T) {
	levels := nrLevels(t)
	r := testbuf.NewRand(5)
	for ci, a := range nadamLevelCases() {
		for _, step := range []int{1, 2, 50} {
			s := a.ScheduleAt(step)
			for _, n := range nrLevelLens {
				in32, in64 := nrRandom[float32](r, n, 7), nrRandom[float64](r, n, 7)
				var want32 nrInputs[float32]
				var want64 nrInputs[float64]
				for li := len(levels) - 1; li >= 0; li-- { // Generic first
					l := levels[li]
					SetLevel(l)
					got32, got64 := in32.clone(), in64.clone()
					if err := a.Step32(s, got32[0], got32[1], got32[2], got32[3]); err != nil {
						t.Fatal(err)
					}
					if err := a.Step64(s, got64[0], got64[1], got64[2], got64[3]); err != nil {
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

// ---- the schedule ----

// TestNAdamSchedule: the carried product equals PyTorch's running product
// (Python's loop `mu_product *= mu`, printed with repr), Next and
// ScheduleAt agree, the zero value starts the run, and the step
// coefficients equal PyTorch's addcdiv values:
//
//	def sc(t, lr=2e-3, b1=0.9, psi=4e-3):
//	    mp = 1.0
//	    for s in range(1, t+1):
//	        mu = b1 * (1.0 - 0.5 * (0.96 ** (s * psi)))
//	        mp *= mu
//	    mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
//	    return mp, -lr * (1.0 - mu) / (1.0 - mp), (-lr * mu_next) / (1.0 - mp*mu_next)
func TestNAdamSchedule(t *testing.T) {
	type prod struct {
		t    int
		want float64
	}
	for _, c := range []struct {
		a     NAdam
		prods []prod
	}{
		{DefaultNAdam(), []prod{{1, 0.45007347359129607}, {2, 0.20259919474573693}, {3, 0.0912142874159059},
			{10, 0.0003435745719228685}, {50, 5.630518617599858e-18}, {100, 4.736985605702626e-35},
			{1000, 1.800799734e-315}, {2000, 5e-324}}},
		{NAdam{Beta1: 0.999, MomentumDecay: 1}, []prod{{1, 0.51948}, {2, 0.27982351238400005},
			{3, 0.15588250631285702}, {10, 0.005591911368206538}, {50, 4.178244146373464e-06},
			{100, 9.985851558565232e-07}, {1000, 3.313004139118815e-07}, {2000, 1.2181764642012514e-07}}},
	} {
		var s NAdamSchedule
		k := 0
		for s.T < 2000 {
			s = c.a.Next(s)
			if k < len(c.prods) && c.prods[k].t == s.T {
				// Go's math.Pow and C's pow may differ in the last bit of
				// a mu_t: allow 2^-50 per step, relative.
				if w := c.prods[k].want; math.Abs(s.MuProduct-w) > float64(s.T)*0x1p-50*w {
					t.Errorf("%+v: product at t=%d = %v, PyTorch's loop %v", c.a, s.T, s.MuProduct, w)
				}
				if at := c.a.ScheduleAt(s.T); at != s {
					t.Errorf("%+v: ScheduleAt(%d) = %+v, Next gives %+v", c.a, s.T, at, s)
				}
				k++
			}
		}
	}
	if s := DefaultNAdam().Next(NAdamSchedule{MuProduct: 0.7}); s.T != 1 || s.MuProduct != DefaultNAdam().Mu(1) {
		t.Errorf("Next from T=0 = %+v, want T=1 and mu_1 alone (MuProduct ignored at T=0)", s)
	}
	for _, c := range []struct {
		a      NAdam
		t      int
		cg, cm float64
	}{
		{DefaultNAdam(), 1, 0.002, 0.0011290355671077646},
		{DefaultNAdam(), 2, 0.0013791133923885459, 0.0009908174799679458},
		{DefaultNAdam(), 10, 0.0010989091646236642, 0.0009017547692525862},
		{DefaultNAdam(), 100, 0.0010854234149057706, 0.0009147211522900311},
		{NAdam{LR: 1e-2, Beta1: 0.95, Beta2: 0.99, Eps: 1e-8, MomentumDecay: 0.5}, 3, 0.005648288220473086, 0.005459274351473532},
	} {
		s, err := c.a.scalars(c.a.ScheduleAt(c.t))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			name      string
			got, want float64
		}{{"cg", s[nadamCg], c.cg}, {"cm", s[nadamCm], c.cm}} {
			if math.Abs(x.got-x.want) > 4*0x1p-53*x.want {
				t.Errorf("%+v t=%d: %s = %v, PyTorch %v", c.a, c.t, x.name, x.got, x.want)
			}
		}
	}
}

// TestNAdamScalarsPortable: the decoupled decay factor and the
// denominator 1 - P*mu_next are rounded before their subtraction, so that
// arm64 computes the amd64 scalars.
func TestNAdamScalarsPortable(t *testing.T) {
	a := NAdam{LR: 0.02, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 3.5, Decoupled: true, MomentumDecay: 4e-3}
	sched := NAdamSchedule{T: 1, MuProduct: 0.7}
	s, err := a.scalars(sched)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 - float64(a.LR*a.WeightDecay); s[nadamPdecay] != want {
		t.Errorf("pdecay = %v, want %v, the product rounded first", s[nadamPdecay], want)
	}
	muNext := a.Mu(2)
	if want := float64(a.LR*muNext) / (1 - float64(sched.MuProduct*muNext)); s[nadamCm] != want {
		t.Errorf("cm = %v, want %v, the product rounded first", s[nadamCm], want)
	}
}

// ---- hand-checked steps ----

// NAdam steps computed with python3 in float64, following
// torch.optim.NAdam's _single_tensor_nadam operation by operation (the
// arithmetic PyTorch performs on float64 tensors with a float64
// mu_product), printed with repr:
//
//	import math
//	def lerp(s, e, w):  # ATen's lerp
//	    return s + w*(e - s) if abs(w) < 0.5 else e - (e - s)*(1 - w)
//	def nadam(p, g, m, v, t, mu_product, lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0,
//	          psi=4e-3, decoupled=False, maximize=False, scale=None):
//	    p, m, v = list(p), list(m), list(v)
//	    bc2 = 1 - b2**t
//	    mu = b1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
//	    mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
//	    mu_product *= mu
//	    for i in range(len(p)):
//	        gi = g[i] / scale if scale else g[i]        # the user's grad / batch_size
//	        gi = -gi if maximize else gi
//	        if wd != 0:
//	            if decoupled: p[i] = p[i] * (1 - lr*wd)
//	            else: gi = gi + wd*p[i]
//	        m[i] = lerp(m[i], gi, 1 - b1)
//	        v[i] = v[i]*b2
//	        v[i] = v[i] + (1 - b2)*gi*gi
//	        denom = math.sqrt(v[i] / bc2)
//	        mu_product_next = mu_product * mu_next
//	        denom = denom + eps
//	        p[i] = p[i] + (-lr * (1.0 - mu) / (1.0 - mu_product)) * gi / denom
//	        p[i] = p[i] + ((-lr * mu_next) / (1.0 - mu_product_next)) * m[i] / denom
//	    return p, m, v, mu_product
//
// The tolerances are pytorch_test.go's: a few roundings in float64, a few
// more in float32 (the merged division only removes roundings).
type nrTorchStep struct {
	t       int
	grad    []float64
	p, m, v []float64
}

type nadamTorchCase struct {
	name   string
	a      NAdam
	m0, v0 []float64 // nil: zeros; param starts at nrP0
	steps  []nrTorchStep
}

var (
	nrP0 = []float64{0.5, -1.25, 2.0, 0.0, 3.0}
	nrG1 = []float64{0.1, -0.2, 3.0, 1e-9, 0.0} // 1e-9: eps matters
	nrG2 = []float64{-0.05, -0.4, 1.5, 2e-9, 0.25}
	nrM0 = []float64{0.01, -0.02, 0.3, 0.0, -0.1}
	nrV0 = []float64{1e-4, 4e-4, 0.09, 0.0, 0.01}
	// After t = 1 from zero state with the default betas and G1.
	nrM1 = []float64{0.009999999999999998, -0.019999999999999997, 0.29999999999999993, 9.999999999999998e-11, 0.0}
	nrV1 = []float64{1.0000000000000011e-05, 4.0000000000000044e-05, 0.009000000000000008, 1.000000000000001e-21, 0.0}
)

var nadamTorchCases = []nadamTorchCase{
	{
		// r1 = nadam(P0, G1, Z, Z, 1, 1.0); nadam(r1[0], G2, r1[1], r1[2], 2, r1[3])
		name: "default, t=1 and t=2",
		a:    DefaultNAdam(),
		steps: []nrTorchStep{{
			t: 1, grad: nrG1,
			p: []float64{0.49788709665457953, -1.2478870965489344, 1.9978870964503321, -0.0001920821415191615, 3.0},
			m: nrM1, v: nrV1,
		}, {
			t: 2, grad: nrG2,
			p: []float64{0.4987093160090397, -1.2459612019092585, 1.9968392498540097, -0.00045505295148253567, 2.9979100391890774},
			m: []float64{0.004, -0.05799999999999999, 0.41999999999999993, 2.8999999999999993e-10, 0.024999999999999994},
			v: []float64{1.2490000000000014e-05, 0.00019996000000000022, 0.01124100000000001, 4.999000000000005e-21, 6.250000000000006e-05},
		}},
	},
	{
		// nadam(P0, G1, Z, Z, 1, 1.0, lr=1e-2, wd=0.1, decoupled=True)
		name: "decoupled weight decay",
		a:    NAdam{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true, MomentumDecay: 4e-3},
		steps: []nrTorchStep{{
			t: 1, grad: nrG1,
			p: []float64{0.4889354832728978, -1.238185482744672, 1.9874354822516611, -0.0009604107075958074, 2.997},
			m: nrM1, v: nrV1,
		}},
	},
	{
		// nadam(P0, G1, Z, Z, 1, 1.0, wd=0.1, maximize=True)
		name: "coupled weight decay, maximize",
		a:    NAdam{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, MomentumDecay: 4e-3, Maximize: true},
		steps: []nrTorchStep{{
			t: 1, grad: nrG1,
			p: []float64{0.5021129031341302, -1.2521129032749903, 2.0021129035491647, 0.0001920821415191615, 2.997887096513719},
			m: []float64{-0.004999999999999999, 0.0075, -0.2799999999999999, -9.999999999999998e-11, 0.03},
			v: []float64{2.5000000000000027e-06, 5.625000000000006e-06, 0.007840000000000005, 1.000000000000001e-21, 9.00000000000001e-05},
		}},
	},
	{
		// mp = mu_1*mu_2 with b1=0.95, psi=0.5;
		// nadam(P0, G1, M0, V0, 3, mp, lr=1e-2, b1=0.95, b2=0.99, psi=0.5)
		name: "momentum decay 0.5 from a state, t=3",
		a:    NAdam{LR: 1e-2, Beta1: 0.95, Beta2: 0.99, Eps: 1e-8, MomentumDecay: 0.5},
		m0:   nrM0, v0: nrV0,
		steps: []nrTorchStep{{
			t: 3, grad: nrG1,
			p: []float64{0.49213249691499417, -1.2421324964344138, 1.9921324959858724, -0.0005596514685626049, 3.0008983104593057},
			m: []float64{0.014500000000000006, -0.029000000000000012, 0.4350000000000001, 5.000000000000005e-11, -0.095},
			v: []float64{0.00019900000000000012, 0.0007960000000000005, 0.1791000000000001, 1.000000000000001e-20, 0.0099},
		}},
	},
	{
		// nadam(P0, G1, Z, Z, 1, 1.0, scale=3): g = W.grad / batch_size
		name: "GradScale 1/batch_size",
		a:    NAdam{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MomentumDecay: 4e-3, GradScale: 1.0 / 3},
		steps: []nrTorchStep{{
			t: 1, grad: nrG1,
			p: []float64{0.4978870970771601, -1.2478870967602247, 1.9978870964644182, -6.815817924873475e-05, 3.0},
			m: []float64{0.0033333333333333327, -0.006666666666666665, 0.09999999999999998, 3.333333333333333e-11, 0.0},
			v: []float64{1.111111111111112e-06, 4.444444444444448e-06, 0.0010000000000000009, 1.1111111111111122e-22, 0.0},
		}},
	},
}

// nrTorchULP64 and nrTorchULP32 are pytorch_test.go's tolerances: units of
// 2^-53 (2^-24) of the larger of |want| and the magnitude of the terms.
const (
	nrTorchULP64 = 8
	nrTorchULP32 = 16
)

func nrTorchClose(got, want, scale, k, u float64) bool {
	return math.Abs(got-want) <= k*u*math.Max(math.Abs(want), scale)
}

func nrOrZeros(xs []float64, n int) []float64 {
	if xs == nil {
		return make([]float64, n)
	}
	return append([]float64(nil), xs...)
}

func nrTo32(xs []float64) []float32 {
	r := make([]float32, len(xs))
	for i, x := range xs {
		r[i] = float32(x)
	}
	return r
}

// nrTorchRun runs hand-checked steps: step64 and step32 apply step number
// t to the slices; each output must be within the tolerances.
func nrTorchRun(t *testing.T, name string, p0, m0, v0 []float64, steps []nrTorchStep,
	step64 func(t int, p, g, m, v []float64) error, step32 func(t int, p, g, m, v []float32) error) {
	t.Helper()
	for _, lvl := range nrLevels(t) {
		SetLevel(lvl)
		n := len(p0)
		p64 := append([]float64(nil), p0...)
		m64, v64 := nrOrZeros(m0, n), nrOrZeros(v0, n)
		p32, m32, v32 := nrTo32(p64), nrTo32(m64), nrTo32(v64)
		for _, s := range steps {
			in64, mIn, vIn := append([]float64(nil), p64...), append([]float64(nil), m64...), append([]float64(nil), v64...)
			if err := step64(s.t, p64, append([]float64(nil), s.grad...), m64, v64); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := step32(s.t, p32, nrTo32(s.grad), m32, v32); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for i := range n {
				check := func(what string, got64 float64, got32 float32, want, scale float64) {
					if !nrTorchClose(got64, want, scale, nrTorchULP64, 0x1p-53) {
						t.Errorf("%v %s t=%d: Step64 %s[%d] = %.17g, PyTorch %.17g (%.3g ulps)",
							lvl, name, s.t, what, i, got64, want, (got64-want)/(0x1p-53*math.Abs(want)))
					}
					if !nrTorchClose(float64(got32), want, scale, nrTorchULP32, 0x1p-24) {
						t.Errorf("%v %s t=%d: Step32 %s[%d] = %.9g, PyTorch %.17g", lvl, name, s.t, what, i, got32, want)
					}
				}
				// Relative to the magnitudes of the terms (moments can
				// cancel): the input and the change for param, the input
				// and the gradient's share for m and v.
				g := math.Abs(s.grad[i])
				check("param", p64[i], p32[i], s.p[i], math.Abs(in64[i])+math.Abs(s.p[i]-in64[i]))
				check("m", m64[i], m32[i], s.m[i], math.Abs(mIn[i])+g)
				check("v", v64[i], v32[i], s.v[i], math.Abs(vIn[i])+g*g)
			}
		}
	}
}

func TestNAdamMatchesPyTorch(t *testing.T) {
	for _, c := range nadamTorchCases {
		a := c.a
		nrTorchRun(t, c.name, nrP0, c.m0, c.v0, c.steps,
			func(step int, p, g, m, v []float64) error { return a.Step64(a.ScheduleAt(step), p, g, m, v) },
			func(step int, p, g, m, v []float32) error { return a.Step32(a.ScheduleAt(step), p, g, m, v) })
	}
}

// ---- parallel ----

// nrParSlots are NAdam's and RAdam's slices as nrRandom fills them.
var nrParSlots = []parSlot{{"param", -4, 3, false}, {"grad", -12, 2, false}, {"m", -12, 0, false}, {"v", -24, 0, true}}

// TestNAdamStepTensorsMatchesStep: StepTensors and StepParallel give
// Step's bits on each tensor, for a few workers, over three steps.
func TestNAdamStepTensorsMatchesStep(t *testing.T) {
	pt := parTest[NAdamSchedule]{Seed: [2]uint64{3, 14}, Workers: [2][]int{{1, 2, 3}, {1, 2}}, Lists: [2]int{12, 5}, Slots: nrParSlots}
	for ci, a := range nadamLevelCases()[:3] {
		pt.Cases = append(pt.Cases, nadamParCase(fmt.Sprintf("case=%d", ci), a, 1, 2, 3))
	}
	pt.Run(t)
}

// nadamParCase is the parallel harness's case of a at the schedules of
// the given steps.
func nadamParCase(name string, a NAdam, steps ...int) parCase[NAdamSchedule] {
	c := parCase[NAdamSchedule]{Name: name,
		Ops32: parOps4(a.Step32, a.StepParallel32, a.StepTensors32),
		Ops64: parOps4(a.Step64, a.StepParallel64, a.StepTensors64)}
	for _, t := range steps {
		c.Steps = append(c.Steps, a.ScheduleAt(t))
	}
	return c
}

func TestNAdamParallelDoesNotAllocate(t *testing.T) {
	parNoAlloc(t, nrParSlots, nadamParCase("", DefaultNAdam(), 3))
}
