package kernels

// Tests of the Adagrad API (adagrad.go, adagrad_parallel.go): validation,
// lengths, allocations, the state helper, levels through the public API,
// an independent reference of torch.optim.Adagrad with a derived error
// bound, hand-checked steps and the parallel steps. The helpers shared
// with SGD (streams3, levelsAgree3, runHand) are in sgd_test.go, the
// parallel tests' harness in parallel_harness_test.go, the error model
// (errArith, errCheck) in errmodel_test.go.
//
// # The reference and its tolerance
//
// adagradRef64 (float64, for Step32) and adagradRefBig (math/big.Float at
// fwdPrec bits, for Step64) follow PyTorch's _single_tensor_adagrad:
//
//	grad = grad if not maximize else -grad
//	grad = grad.add(param, alpha=weight_decay)      (weight_decay != 0)
//	clr = lr / (1 + (step - 1) * lr_decay)
//	state_sum.addcmul_(grad, grad, value=1)
//	std = state_sum.sqrt().add_(eps)                (Optax: (state_sum + eps).sqrt())
//	param.addcdiv_(grad, std, value=-clr)
//
// with GradScale as the user's own grad*scale. As for SGD (sgd_test.go),
// each step is checked on its own against a bound that adagradErrBound
// derives by running the kernel's operations (generic.go: g = grad*gscale
// (+ wd*param); st = sum + g*g; std = sqrt(st) + eps or sqrt(st + eps);
// param = param - clr*(g/std)) through errArith. The float64 clr carries
// up to 3 roundings (product, sum, quotient) when LRDecay is on, and one
// more rounding to float32. Counted out for float32 with decay, per output,
// in units of 2^-24 relative to the output (no cancellation: every term of
// sum and std is non-negative):
//
//	g:     k = 4 on |s*grad| + |wd*param|
//	sum:   k = 10 on sum + g*g       (2*4 through the square, its rounding, the sum)
//	std:   k = 7 relative            (half of sum's 10, the root, the scalar eps, the sum)
//	param: k = 16 on |param| + |clr*g/std|
//	       (g's 4, std's 7, the quotient, the scalar clr and its product, the difference)
//
// For Step64 the same counts apply in units of 2^-53 with exact user
// scalars. The largest ratio of error to bound is logged: about 1.0 for
// Step32 and 0.92 for Step64, where an output's final rounding dominates
// (a sum of 1 + a little rounds by up to half an ulp, 2^-24 of it; the
// bound counts u*|sum|, sharp just above a power of two).

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

var adagradNames = [3]string{"param", "grad", "sum"}

// adagradBad puts every field outside its domain in every way the domain
// can be left.
func adagradBad() []struct {
	field string
	value float64
	a     Adagrad
} {
	type bad = struct {
		field string
		value float64
		a     Adagrad
	}
	var out []bad
	add := func(field string, set func(*Adagrad, float64), values ...float64) {
		for _, v := range values {
			a := DefaultAdagrad()
			set(&a, v)
			out = append(out, bad{field, v, a})
		}
	}
	nan, inf := math.NaN(), math.Inf(1)
	add("LR", func(a *Adagrad, v float64) { a.LR = v }, -1e-3, nan, inf, -inf)
	add("LRDecay", func(a *Adagrad, v float64) { a.LRDecay = v }, -0.1, nan, inf)
	add("WeightDecay", func(a *Adagrad, v float64) { a.WeightDecay = v }, -0.01, nan, inf)
	add("InitialAccumulatorValue", func(a *Adagrad, v float64) { a.InitialAccumulatorValue = v }, -0.1, nan, inf)
	add("Eps", func(a *Adagrad, v float64) { a.Eps = v }, 0, -1e-10, nan, inf)
	add("GradScale", func(a *Adagrad, v float64) { a.GradScale = v }, -1, nan, inf)
	return out
}

// TestAdagradValidationErrors: every bad hyperparameter and step number
// makes every step method return a *ParamError naming the field and the
// value, at every level, in both eps forms, and leaves every slice
// untouched; what only float32 cannot carry fails the float32 methods
// alone (rejectTest).
func TestAdagradValidationErrors(t *testing.T) {
	type bad struct {
		field  string
		value  float64
		a      Adagrad
		t      int
		only32 bool
	}
	var cases []bad
	for _, b := range adagradBad() {
		cases = append(cases, bad{b.field, b.value, b.a, 1, false})
	}
	for _, step := range []int{0, -1, math.MinInt} {
		cases = append(cases, bad{"t", float64(step), DefaultAdagrad(), step, false})
	}
	with := func(f func(*Adagrad)) Adagrad { a := DefaultAdagrad(); f(&a); return a }
	cases = append(cases,
		bad{"Eps", 1e-50, with(func(a *Adagrad) { a.Eps = 1e-50 }), 1, true},
		bad{"Eps", 1e39, with(func(a *Adagrad) { a.Eps = 1e39 }), 1, true},
		bad{"LR", 1e39, with(func(a *Adagrad) { a.LR = 1e39 }), 1, true},
		bad{"GradScale", 1e39, with(func(a *Adagrad) { a.GradScale = 1e39 }), 1, true},
		bad{"WeightDecay", 1e39, with(func(a *Adagrad) { a.WeightDecay = 1e39 }), 1, true},
	)
	rt := rejectTest[int]{Opt: "Adagrad", Slots: adagradSlots}
	for _, c := range cases {
		for _, inSqrt := range []bool{false, true} {
			c.a.EpsInSqrt = inSqrt
			rt.Add(adagradParCase(fmt.Sprintf("%s=%v/t=%d/epsInSqrt=%v", c.field, c.value, c.t, inSqrt), c.a), c.t, c.field, c.value, c.only32)
		}
	}
	rt.Run(t)
}

// TestAdagradValidateAcceptsEdges: the closed ends of each domain are
// valid.
func TestAdagradValidateAcceptsEdges(t *testing.T) {
	for _, a := range []Adagrad{
		DefaultAdagrad(),
		{Eps: math.SmallestNonzeroFloat32},
		{LR: math.MaxFloat32, LRDecay: math.MaxFloat64, WeightDecay: math.MaxFloat32, InitialAccumulatorValue: math.MaxFloat32,
			Eps: math.MaxFloat32, GradScale: math.MaxFloat32, EpsInSqrt: true},
	} {
		if err := a.Validate(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
		x := []float32{1}
		if err := a.Step32(3, x, x, []float32{0}); err != nil {
			t.Errorf("%+v: Step32: %v", a, err)
		}
		if err := a.InitSum32(x); err != nil {
			t.Errorf("%+v: InitSum32: %v", a, err)
		}
	}
}

// TestAdagradInitSum: the helpers fill the state with
// InitialAccumulatorValue, or fail as Validate does and change nothing.
func TestAdagradInitSum(t *testing.T) {
	a := DefaultAdagrad()
	a.InitialAccumulatorValue = 0.1
	s32, s64 := []float32{7, 7, 7}, []float64{7, 7}
	if err := a.InitSum32(s32); err != nil || s32[0] != float32(0.1) || s32[2] != float32(0.1) {
		t.Errorf("InitSum32: %v, %v", err, s32)
	}
	if err := a.InitSum64(s64); err != nil || s64[0] != 0.1 || s64[1] != 0.1 {
		t.Errorf("InitSum64: %v, %v", err, s64)
	}
	if err := a.InitSum32(nil); err != nil {
		t.Errorf("InitSum32(nil): %v", err)
	}
	a.InitialAccumulatorValue = -1
	s32, s64 = []float32{7}, []float64{7}
	wantParamError(t, "InitSum32", "Adagrad", "InitialAccumulatorValue", -1, a.InitSum32(s32))
	wantParamError(t, "InitSum64", "Adagrad", "InitialAccumulatorValue", -1, a.InitSum64(s64))
	if s32[0] != 7 || s64[0] != 7 {
		t.Errorf("a failed InitSum changed the slice: %v %v", s32, s64)
	}
	a.InitialAccumulatorValue = 1e39
	wantParamError(t, "InitSum32", "Adagrad", "InitialAccumulatorValue", 1e39, a.InitSum32(s32))
	if err := a.InitSum64(s64); err != nil || s64[0] != 1e39 {
		t.Errorf("InitSum64 of 1e39: %v, %v", err, s64)
	}
	a = DefaultAdagrad()
	a.Eps = 0
	wantParamError(t, "InitSum32", "Adagrad", "Eps", 0, a.InitSum32(s32))
}

// TestAdagradLengthPanics: a slice of the wrong length panics naming the
// slice and both lengths, before anything is written.
func TestAdagradLengthPanics(t *testing.T) {
	const n = 6
	a := DefaultAdagrad()
	for slot := 1; slot < 3; slot++ {
		for _, bad := range []int{0, n - 1, n + 1} {
			in := random3[float32](testbuf.NewRand(9), n, 0, true)
			got := in.clone()
			got[slot] = make([]float32, bad)
			msg := panicMessage(func() { a.Step32(1, got[0], got[1], got[2]) })
			want := fmt.Sprintf("fusedopt: Adagrad.Step32: len(%s) = %d, want len(param) = %d", adagradNames[slot], bad, n)
			if msg != want {
				t.Errorf("panic %q, want %q", msg, want)
			}
			if testbuf.FirstDiff(got[0], in[0]) >= 0 {
				t.Errorf("len(%s) = %d: param changed before the panic", adagradNames[slot], bad)
			}
			x := make([]float64, n)
			msg = panicMessage(func() { a.Step64(1, x, x, make([]float64, bad)) })
			if want := fmt.Sprintf("fusedopt: Adagrad.Step64: len(sum) = %d, want len(param) = %d", bad, n); msg != want {
				t.Errorf("panic %q, want %q", msg, want)
			}
		}
	}
}

// TestAdagradEmptyStep: zero elements is a valid no-op.
func TestAdagradEmptyStep(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for v := range 4 {
			a := adagradVariant(DefaultAdagrad(), v)
			if err := a.Step32(1, nil, nil, nil); err != nil {
				t.Errorf("%v variant %d: Step32 on nil slices: %v", l, v, err)
			}
			if err := a.Step64(2, []float64{}, []float64{}, []float64{}); err != nil {
				t.Errorf("%v variant %d: Step64 on empty slices: %v", l, v, err)
			}
		}
	}
}

// adagradVariant is a with the options of kernel variant v (coupled decay
// + 2*EpsInSqrt) switched on or off.
func adagradVariant(a Adagrad, v int) Adagrad {
	a.WeightDecay = 0
	if v&1 != 0 {
		a.WeightDecay = 0.01
	}
	a.EpsInSqrt = v&2 != 0
	return a
}

// TestAdagradDoesNotAllocate: Step32 and Step64 allocate nothing, at
// every level, in every variant.
func TestAdagradDoesNotAllocate(t *testing.T) {
	const n = 100
	p32, g32, s32 := make([]float32, n), make([]float32, n), make([]float32, n)
	p64, g64, s64 := make([]float64, n), make([]float64, n), make([]float64, n)
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for v := range 4 {
			a := adagradVariant(DefaultAdagrad(), v)
			a.LRDecay = 0.01
			if n := testing.AllocsPerRun(20, func() { a.Step32(2, p32, g32, s32) }); n != 0 {
				t.Errorf("%v variant %d: Step32 allocates %v times per call", l, v, n)
			}
			if n := testing.AllocsPerRun(20, func() { a.Step64(2, p64, g64, s64) }); n != 0 {
				t.Errorf("%v variant %d: Step64 allocates %v times per call", l, v, n)
			}
		}
	}
}

// TestAdagradLevelsMatchGeneric: through the public API, every supported
// level gives the generic level's bits, in every variant, at lengths
// around the vector widths, with random and special values (negative sums
// among them), with grad == param.
func TestAdagradLevelsMatchGeneric(t *testing.T) {
	if len(fastLevels(t)) == 0 {
		return
	}
	r := testbuf.NewRand(19)
	tuned := Adagrad{LR: 0.1, LRDecay: 0.05, Eps: 1e-6, Maximize: true, GradScale: 1.0 / 3}
	for v := range 4 {
		for ci, c := range []struct {
			a Adagrad
			t int
		}{{DefaultAdagrad(), 1}, {tuned, 9}} {
			a := adagradVariant(c.a, v)
			for _, n := range levelLens {
				offset := (n + 1) % 4
				every := 0
				if n%2 == 1 {
					every = 5
				}
				in32 := random3[float32](r, n, every, true)
				if d := levelsAgree3(adagradNames, in32, offset, func(s streams3[float32]) error { return a.Step32(c.t, s[0], s[1], s[2]) }); d != "" {
					t.Fatalf("variant %d case %d %+v: Step32: %s", v, ci, a, d)
				}
				in64 := random3[float64](r, n, every, true)
				if d := levelsAgree3(adagradNames, in64, offset, func(s streams3[float64]) error { return a.Step64(c.t, s[0], s[1], s[2]) }); d != "" {
					t.Fatalf("variant %d case %d %+v: Step64: %s", v, ci, a, d)
				}
			}
			in := random3[float64](r, 77, 0, true)
			if d := levelsAgree3(adagradNames, in, 3, func(s streams3[float64]) error { return a.Step64(c.t, s[0], s[0], s[2]) }); d != "" {
				t.Fatalf("variant %d case %d %+v: Step64 with grad == param: %s", v, ci, a, d)
			}
		}
	}
}

// TestAdagradScalarsPortable: clr = LR/(1 + (t-1)*LRDecay) must round the
// product before the sum, as Python does, on every architecture; a fused
// multiply-add (which Go may emit on arm64 without the conversion) gives
// 0.05882352941176471 here instead of PyTorch's 0.058823529411764705.
func TestAdagradScalarsPortable(t *testing.T) {
	a := Adagrad{LR: 0.1, LRDecay: 0.1, Eps: 1e-10}
	s, err := a.scalars(8)
	if err != nil {
		t.Fatal(err)
	}
	if want := 0.058823529411764705; s[adagradClr] != want {
		t.Errorf("clr = %.17g, want %.17g (0.1/(1 + 7*0.1) in Python)", s[adagradClr], want)
	}
}

// adagradClrSigma64 is the relative error of the float64 clr, in units of
// 2^-53: exact (LR/1) on the first step or without decay, otherwise a
// product, a sum of non-negative terms and a quotient.
func adagradClrSigma64(a Adagrad, t int) float64 {
	if t == 1 || a.LRDecay == 0 {
		return 0
	}
	return 3
}

// adagradErrBound runs the kernel's operations for one element through m:
// the bound on sum and param after the step.
func adagradErrBound(m errArith, a Adagrad, t int, p, g, sum float64) (es, ep errVal) {
	x := m.mul(m.scalar(signedGradScale(a.GradScale, a.Maximize), 0), m.exact(g))
	if a.WeightDecay != 0 {
		x = m.add(x, m.mul(m.scalar(a.WeightDecay, 0), m.exact(p)))
	}
	es = m.add(m.exact(sum), m.mul(x, x))
	eps := m.scalar(a.Eps, 0)
	var std errVal
	var floor float64 // the least the kernel's std can be: its eps~, or sqrt of it
	if a.EpsInSqrt {
		std = m.sqrt(m.add(es, eps))
		floor = math.Sqrt(eps.x-eps.e) * (1 - m.u)
	} else {
		std = m.add(m.sqrt(es), eps)
		floor = eps.x - eps.e
	}
	q := m.div(x, std, floor)
	clr := a.LR / (1 + float64(t-1)*a.LRDecay)
	ep = m.sub(m.exact(p), m.mul(m.scalar(clr, adagradClrSigma64(a, t)), q))
	return es, ep
}

// adagradRef64 is one step of torch.optim.Adagrad on one element in
// float64, in PyTorch's arrangement (see the file comment).
func adagradRef64(a Adagrad, t int, p, g, sum float64) (float64, float64) {
	if a.GradScale != 0 {
		g *= a.GradScale // the user's grad * scale
	}
	if a.Maximize {
		g = -g
	}
	if a.WeightDecay != 0 {
		g = g + float64(a.WeightDecay*p) // grad.add(param, alpha=weight_decay)
	}
	clr := a.LR / (1 + float64(float64(t-1)*a.LRDecay)) // lr / (1 + (step - 1) * lr_decay)
	sum = sum + float64(g*g)                            // state_sum.addcmul_(grad, grad, value=1)
	std := math.Sqrt(sum) + a.Eps                       // state_sum.sqrt().add_(eps)
	if a.EpsInSqrt {
		std = math.Sqrt(sum + a.Eps) // Optax: sqrt(sum + eps)
	}
	return p + float64(-clr*g)/std, sum // param.addcdiv_(grad, std, value=-clr)
}

// adagradRefBig is adagradRef64 in fwdPrec-bit arithmetic with the exact
// clr: exact to about 2^-190.
func adagradRefBig(a Adagrad, t int, p, g, sum float64) (float64, float64) {
	x := bigOf(g)
	if a.GradScale != 0 {
		x.Mul(x, bigOf(a.GradScale))
	}
	if a.Maximize {
		x.Neg(x)
	}
	bp := bigOf(p)
	if a.WeightDecay != 0 {
		x.Add(x, bigNew().Mul(bigOf(a.WeightDecay), bp))
	}
	den := bigNew().Mul(bigOf(float64(t-1)), bigOf(a.LRDecay))
	den.Add(den, bigOf(1))
	clr := bigNew().Quo(bigOf(a.LR), den)
	s := bigOf(sum)
	s.Add(s, bigNew().Mul(x, x))
	var std *big.Float
	if a.EpsInSqrt {
		std = bigNew().Sqrt(bigNew().Add(s, bigOf(a.Eps)))
	} else {
		std = bigNew().Sqrt(s)
		std.Add(std, bigOf(a.Eps))
	}
	upd := bigNew().Mul(clr, x)
	bp.Sub(bp, upd.Quo(upd, std))
	return bigF64(bp), bigF64(s)
}

// adagradRefCase draws the hyperparameters of option combination combo
// (bit 0 weight decay, 1 EpsInSqrt, 2 maximize, 3 gradient scale, 4
// learning rate decay, 5 initial accumulator value).
func adagradRefCase(rng *rand.Rand, combo int) Adagrad {
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	a := Adagrad{LR: pick(1e-3, 1e-2, 0.1, 0.5), Eps: pick(1e-10, 1e-8, 1e-6, 1e-3)}
	if combo&1 != 0 {
		a.WeightDecay = pick(1e-4, 0.01, 0.1, 1)
	}
	a.EpsInSqrt = combo&2 != 0
	a.Maximize = combo&4 != 0
	if combo&8 != 0 {
		a.GradScale = pick(1.0/32, 1.0/3, 1e-3, 4)
	}
	if combo&16 != 0 {
		a.LRDecay = pick(0.01, 0.1, 1, 1.0/3)
	}
	if combo&32 != 0 {
		a.InitialAccumulatorValue = pick(0.1, 1e-3, 1)
	}
	return a
}

var adagradRefSteps = []int{1, 2, 3, 4, 10, 100, 1000}

func TestAdagradStep32MatchesReference(t *testing.T) {
	old := ActiveLevel()
	defer SetLevel(old)
	c := &errCheck{t: t}
	rng := rand.New(rand.NewPCG(3, 32))
	const n = 67
	for combo := range 64 {
		a := adagradRefCase(rng, combo)
		name := fmt.Sprintf("%+v", a)
		p, sum, grad := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(refMag(rng, -2, 1))
		}
		if err := a.InitSum32(sum); err != nil {
			t.Fatal(err)
		}
		var gp, gg, gs []float32
		for _, step := range adagradRefSteps {
			scale := math.Pow(10, -1.5+2*rng.Float64())
			for i := range grad {
				grad[i] = float32(refMag(rng, -4, 0.5) * scale)
			}
			for _, lvl := range Levels() { // Generic last: its state carries on
				SetLevel(lvl)
				gp, gg, gs = append(gp[:0], p...), append(gg[:0], grad...), append(gs[:0], sum...)
				if err := a.Step32(step, gp, gg, gs); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for i := range p {
					in := [3]float64{float64(p[i]), float64(grad[i]), float64(sum[i])}
					wp, ws := adagradRef64(a, step, in[0], in[1], in[2])
					es, ep := adagradErrBound(ea32, a, step, in[0], in[1], in[2])
					where := func() string { return fmt.Sprintf("%v %s t=%d [%d]", lvl, name, step, i) }
					c.check(where, "sum", float64(gs[i]), ws, tol32(es))
					c.check(where, "param", float64(gp[i]), wp, tol32(ep))
				}
			}
			copy(p, gp)
			copy(sum, gs)
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f", c.worst)
}

func TestAdagradStep64MatchesReference(t *testing.T) {
	old := ActiveLevel()
	defer SetLevel(old)
	c, cross := &errCheck{t: t}, &errCheck{t: t}
	rng := rand.New(rand.NewPCG(3, 64))
	const n = 35
	for combo := range 64 {
		a := adagradRefCase(rng, combo)
		name := fmt.Sprintf("%+v", a)
		p, sum, grad := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range p {
			p[i] = refMag(rng, -2, 1)
		}
		if err := a.InitSum64(sum); err != nil {
			t.Fatal(err)
		}
		wantP, wantS := make([]float64, n), make([]float64, n)
		var gp, gg, gs []float64
		for _, step := range adagradRefSteps {
			scale := math.Pow(10, -1.5+2*rng.Float64())
			for i := range grad {
				grad[i] = refMag(rng, -4, 0.5) * scale
				wantP[i], wantS[i] = adagradRefBig(a, step, p[i], grad[i], sum[i])
				rp, rs := adagradRef64(a, step, p[i], grad[i], sum[i])
				es, ep := adagradErrBound(ea64, a, step, p[i], grad[i], sum[i])
				where := func() string { return fmt.Sprintf("float64 reference %s t=%d [%d]", name, step, i) }
				cross.check(where, "sum", rs, wantS[i], 64*0x1p-53*es.mag)
				cross.check(where, "param", rp, wantP[i], 64*0x1p-53*ep.mag)
			}
			for _, lvl := range Levels() {
				SetLevel(lvl)
				gp, gg, gs = append(gp[:0], p...), append(gg[:0], grad...), append(gs[:0], sum...)
				if err := a.Step64(step, gp, gg, gs); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for i := range p {
					es, ep := adagradErrBound(ea64, a, step, p[i], grad[i], sum[i])
					where := func() string { return fmt.Sprintf("%v %s t=%d [%d]", lvl, name, step, i) }
					c.check(where, "sum", gs[i], wantS[i], tol64(es, wantS[i]))
					c.check(where, "param", gp[i], wantP[i], tol64(ep, wantP[i]))
				}
			}
			copy(p, gp)
			copy(sum, gs)
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f (float64 reference vs big: %.3f)", c.worst, cross.worst)
}

// Hand-checked steps, computed with python3 in float64 following
// torch.optim.Adagrad's _single_tensor_adagrad operation by operation, and
// printed with repr:
//
//	def adagrad(p, g, s, t, lr=1e-2, lr_decay=0.0, wd=0.0, eps=1e-10, maximize=False, eps_in_sqrt=False):
//	    p, s = list(p), list(s)
//	    clr = lr / (1 + (t - 1)*lr_decay)
//	    for i in range(len(p)):
//	        gi = -g[i] if maximize else g[i]
//	        if wd != 0:
//	            gi = gi + wd*p[i]                             # grad.add(param, alpha=wd)
//	        s[i] = s[i] + gi*gi                               # state_sum.addcmul_(grad, grad, value=1)
//	        std = math.sqrt(s[i] + eps) if eps_in_sqrt else math.sqrt(s[i]) + eps  # state_sum.sqrt().add_(eps)
//	        p[i] = p[i] + (-clr)*gi/std                       # param.addcdiv_(grad, std, value=-clr)
//	    return p, s
//
// with P0, G1, G2 and G3 as for SGD (sgd_test.go) and the same tolerances:
// the kernels' arrangement is PyTorch's but for GradScale (a product, not
// the user's division) and, for Step32, float32 inputs and scalars.
type adagradHandCase struct {
	name  string
	a     Adagrad
	s0    float64 // every element of the initial sum (InitialAccumulatorValue)
	steps []handStep
}

var adagradHandCases = []adagradHandCase{
	{"DefaultAdagrad", DefaultAdagrad(), 0, []handStep{
		{1, handG1, []float64{0.49000000001, -1.240000000005, 1.9900000000003333, -0.00909090909090909, 3.0},
			[]float64{0.010000000000000002, 0.04000000000000001, 9.0, 1e-18, 0.0}},
		{2, handG2, []float64{0.4944721359609996, -1.231055728097001, 1.985527864045467, -0.017652303790307043, 2.990000000004},
			[]float64{0.012500000000000002, 0.20000000000000004, 11.25, 5e-18, 0.0625}},
	}},
	{"lr 0.1 lr_decay 0.1 initial_accumulator_value 0.1", Adagrad{LR: 0.1, LRDecay: 0.1, Eps: 1e-10, InitialAccumulatorValue: 0.1}, 0.1, []handStep{
		{1, handG1, []float64{0.46984886555131455, -1.1965477516318008, 1.9005509683835273, -3.1622776591683797e-10, 3.0},
			[]float64{0.11000000000000001, 0.14, 9.1, 0.1, 0.1}},
		{2, handG2, []float64{0.4834007926836365, -1.1301571386129927, 1.860074683575943, -8.911873403110888e-10, 2.9436205752007094},
			[]float64{0.11250000000000002, 0.30000000000000004, 11.35, 0.1, 0.1625}},
		{3, handG3, []float64{0.4278452371404266, -1.1451242471125358, 1.9026143969823701, -8.911873403110888e-10, 3.0084954872040686},
			[]float64{0.2025, 0.31000000000000005, 15.35, 0.1, 0.4125}},
	}},
	{"weight decay 0.1", Adagrad{LR: 1e-2, Eps: 1e-10, WeightDecay: 0.1}, 0, []handStep{
		{1, handG1, []float64{0.49000000000666666, -1.2400000000030769, 1.9900000000003124, -0.00909090909090909, 2.9900000000033335},
			[]float64{0.022500000000000006, 0.10562500000000001, 10.240000000000002, 1e-18, 0.09000000000000002}},
	}},
	{"EpsInSqrt eps 1e-2 (Optax)", Adagrad{LR: 1e-2, Eps: 1e-2, EpsInSqrt: true}, 0, []handStep{
		{1, handG1, []float64{0.49292893218813455, -1.2410557280900008, 1.9900055509302084, -1e-10, 3.0},
			[]float64{0.010000000000000002, 0.04000000000000001, 9.0, 1e-18, 0.0}},
		{2, handG2, []float64{0.4962622655214679, -1.232327012480561, 1.9855354012670923, -2.9999999999999995e-10, 2.9907152330911475},
			[]float64{0.012500000000000002, 0.20000000000000004, 11.25, 5e-18, 0.0625}},
	}},
	{"maximize", Adagrad{LR: 1e-2, Eps: 1e-10, Maximize: true}, 0, []handStep{
		{1, handG1, []float64{0.50999999999, -1.259999999995, 2.0099999999996667, 0.00909090909090909, 3.0},
			[]float64{0.010000000000000002, 0.04000000000000001, 9.0, 1e-18, 0.0}},
	}},
	{"GradScale 1/3", Adagrad{LR: 1e-2, Eps: 1e-10, GradScale: 1.0 / 3}, 0, []handStep{
		{1, handG1, []float64{0.49000000003, -1.240000000015, 1.990000000001, -0.007692307692307693, 3.0},
			[]float64{0.0011111111111111111, 0.0044444444444444444, 1.0, 1.1111111111111113e-19, 0.0}},
	}},
}

func TestAdagradMatchesPyTorch(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, c := range adagradHandCases {
			a := c.a
			s0 := make([]float64, len(handP0))
			for i := range s0 {
				s0[i] = c.s0
			}
			runHand(t, c.name, handP0, s0, c.steps,
				func(t int, p, g, s []float64) error { return a.Step64(t, p, g, s) },
				func(t int, p, g, s []float32) error { return a.Step32(t, p, g, s) },
				func(p, g, s float64) float64 { return 0 }) // a sum of non-negative terms: relative
		}
	}
}

// adagradSlots are Adagrad's slices, and adagradParCase is the Adagrad a
// over three steps.
var adagradSlots = []parSlot{{"param", -4, 3, false}, {"grad", -12, 2, false}, {"sum", -24, 2, true}}

func adagradParCase(name string, a Adagrad) parCase[int] {
	return parCase[int]{Name: name, Steps: []int{1, 2, 3},
		Ops32: parOps3(a.Step32, a.StepParallel32, a.StepTensors32),
		Ops64: parOps3(a.Step64, a.StepParallel64, a.StepTensors64)}
}

// TestAdagradStepTensorsMatchesStep checks StepTensors and StepParallel
// against Step on each tensor, bit for bit, for random tensor lists on a
// few worker counts, over three steps.
func TestAdagradStepTensorsMatchesStep(t *testing.T) {
	pt := parTest[int]{Seed: [2]uint64{31, 32}, Workers: [2][]int{{1, 2, 5}, {1, 3}}, Lists: [2]int{20, 8}, Slots: adagradSlots}
	for ai, a := range []Adagrad{
		DefaultAdagrad(),
		{LR: 0.1, LRDecay: 0.01, WeightDecay: 1e-4, Eps: 1e-8, EpsInSqrt: true, Maximize: true, GradScale: 0.5},
	} {
		pt.Cases = append(pt.Cases, adagradParCase(fmt.Sprintf("adagrad=%d", ai), a))
	}
	pt.Run(t)
}

// TestAdagradStepTensorsErrors: a slice of the wrong length makes the
// parallel steps panic, naming the tensor, before any tensor changes.
// (Bad hyperparameters fail every step method alike:
// TestAdagradValidationErrors.)
func TestAdagradStepTensorsErrors(t *testing.T) {
	parLengthPanic(t, "Adagrad", adagradSlots, adagradParCase("", DefaultAdagrad()))
}

// TestAdagradStepTensorsDoesNotAllocate: after warm-up, parallel steps
// allocate nothing.
func TestAdagradStepTensorsDoesNotAllocate(t *testing.T) {
	parNoAlloc(t, adagradSlots, adagradParCase("", DefaultAdagrad()))
}
