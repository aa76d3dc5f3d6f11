package kernels_test

// Tests of Adamax through its public API: validation, length panics,
// allocations, every level against Generic, an independent reference of
// PyTorch's algorithm with a derived error bound, hand-checked steps, and
// the parallel steps against the single-threaded one.
//
// # The reference and its tolerance
//
// refAdamax64 (float64, for Step32) and refAdamaxBig (math/big.Float with
// refPrec bits, for Step64) follow torch.optim.Adamax's single-tensor
// implementation, not the kernels' arrangement:
//
//	grad = -grad if maximize
//	grad = grad.add(param, alpha=weight_decay)          (weight_decay != 0)
//	exp_avg.lerp_(grad, 1 - beta1)
//	torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
//	clr = lr / (1 - beta1**step)
//	param.addcdiv_(exp_avg, exp_inf, value=-clr)        (self + value*t1/t2)
//
// Each step is checked on its own, from exactly the state the kernel had
// before it, with the bound adamaxErrBound: a running forward error
// analysis of the kernels' order of operations (generic.go) with the
// rules of reference_test.go (each rounded operation adds U*(|x| + E),
// scalars carry their own relative error sigma*U, max is 1-Lipschitz, and
// the quotient m/u obeys |m~/u~ - m/u| <= E_m/u_lo + |m|*E_u/(u*u_lo) with
// u_lo = max(u - E_u, eps~), since the kernel's u is never below its
// eps). Counted out for float32 with weight decay, per output and per
// step, in units of 2^-24 times the sum of the magnitudes of the terms:
//
//	g:     k = 3 on |s*grad| + |wd*param|      (scalar, product, sum; 2 without decay)
//	m:     k = 6 on |b1*m| + (1-b1)*|g|         (scalar, g's 3, product, sum)
//	u:     k = 4 relative, the larger of b2*u (scalar, product) and |g| + eps
//	       (g's 3, the sum)
//	param: k = 14 on |param| + clr*|m|/u        (m's 6, u's 4, the division,
//	       the scalar clr and its product, the subtraction)
//
// so about 14 * 2^-24 ~ 8e-7 of the step's size at worst. The float64
// reference's own rounding (about 2^-29 of a float32 unit) is covered by
// a slack of 2^-20 of the bound plus 2^-44 of the magnitudes. For Step64
// the same counts apply in units of 2^-53, plus the float64 clr's error
// where 1 - Beta1^t cancels (adamScalarSigma64), against the 200-bit
// reference plus half an ulp for rounding it to float64.

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// adamaxBad is an invalid setting, the field it must be blamed on, and
// whether only float32 rejects it.
type adamaxBad struct {
	field  string
	value  float64
	o      kernels.Adamax
	t      int
	only32 bool
}

// adamaxBads puts every field outside its domain in every way the domain
// can be left, plus t < 1 and the float32-only limits.
func adamaxBads() []adamaxBad {
	var out []adamaxBad
	add := func(field string, set func(*kernels.Adamax, float64), values ...float64) {
		for _, v := range values {
			o := kernels.DefaultAdamax()
			set(&o, v)
			out = append(out, adamaxBad{field, v, o, 1, false})
		}
	}
	nan, inf := math.NaN(), math.Inf(1)
	add("LR", func(o *kernels.Adamax, v float64) { o.LR = v }, -1e-3, nan, inf, -inf)
	add("Beta1", func(o *kernels.Adamax, v float64) { o.Beta1 = v }, -0.1, 1, 1.5, nan, inf)
	add("Beta2", func(o *kernels.Adamax, v float64) { o.Beta2 = v }, -0.1, 1, nan, -inf)
	add("Eps", func(o *kernels.Adamax, v float64) { o.Eps = v }, 0, -1e-8, nan, inf)
	add("WeightDecay", func(o *kernels.Adamax, v float64) { o.WeightDecay = v }, -0.01, nan, inf)
	add("GradScale", func(o *kernels.Adamax, v float64) { o.GradScale = v }, -1, nan, inf)
	for _, t := range []int{0, -1} {
		out = append(out, adamaxBad{"t", float64(t), kernels.DefaultAdamax(), t, false})
	}
	// LR/(1-Beta1) overflows float64 itself.
	o := kernels.DefaultAdamax()
	o.LR, o.Beta1 = 1e300, 1-0x1p-53
	out = append(out, adamaxBad{"LR", 1e300, o, 1, false})
	with := func(f func(*kernels.Adamax)) kernels.Adamax { o := kernels.DefaultAdamax(); f(&o); return o }
	out = append(out,
		adamaxBad{"Eps", 1e-50, with(func(o *kernels.Adamax) { o.Eps = 1e-50 }), 1, true},
		adamaxBad{"Eps", 1e39, with(func(o *kernels.Adamax) { o.Eps = 1e39 }), 1, true},
		adamaxBad{"LR", 1e300, with(func(o *kernels.Adamax) { o.LR = 1e300 }), 1, true},
		adamaxBad{"GradScale", 1e39, with(func(o *kernels.Adamax) { o.GradScale = 1e39 }), 1, true},
		adamaxBad{"WeightDecay", 1e39, with(func(o *kernels.Adamax) { o.WeightDecay = 1e39 }), 1, true},
	)
	return out
}

// axExactDiff reports the first element of got whose bits differ from want's
// (exactly: not even NaN payloads may change), or -1.
func axExactDiff[F float32 | float64](got, want []F) int {
	for i := range want {
		if testbuf.Bits(got[i]) != testbuf.Bits(want[i]) {
			return i
		}
	}
	return -1
}

// adamaxSlices are param, grad, m and u of n random elements (u >= 0).
func adamaxSlices[F float32 | float64](seed uint64, n int) [4][]F {
	r := testbuf.NewRand(seed)
	var s [4][]F
	for i := range s {
		s[i] = make([]F, n)
	}
	testbuf.Fill(r, s[0], -4, 3)
	testbuf.Fill(r, s[1], -12, 2)
	testbuf.Fill(r, s[2], -12, 0)
	testbuf.FillNonNeg(r, s[3], -12, 0)
	return s
}

func adamaxClone[F float32 | float64](s [4][]F) [4][]F {
	var c [4][]F
	for i := range s {
		c[i] = append([]F(nil), s[i]...)
	}
	return c
}

var adamaxSlotNames = [4]string{"param", "grad", "m", "u"}

// TestAdamaxValidation: a bad hyperparameter or step number makes every
// step method return a *ParamError naming the field and the value, at
// every level, and leaves every slice untouched (kernels.RejectTest).
func TestAdamaxValidation(t *testing.T) {
	rt := kernels.RejectTest[int]{Opt: "Adamax", Slots: adamaxParSlots}
	for _, c := range adamaxBads() {
		for _, wd := range []float64{0, 0.1} {
			o := c.o
			if c.field != "WeightDecay" {
				o.WeightDecay = wd
			}
			name := fmt.Sprintf("%s=%v/wd=%v", c.field, c.value, wd)
			if c.only32 {
				name = "float32/" + name
			}
			rt.Add(adamaxParCase(name, o), c.t, c.field, c.value, c.only32)
		}
	}
	rt.Run(t)
}

// TestAdamaxValidateAcceptsEdges: the closed ends of each domain are valid.
func TestAdamaxValidateAcceptsEdges(t *testing.T) {
	for _, o := range []kernels.Adamax{
		kernels.DefaultAdamax(),
		{LR: 0, Beta1: 0, Beta2: 0, Eps: math.SmallestNonzeroFloat64},
		{LR: 1, Beta1: 0.999999, Beta2: 0.999999, Eps: 1e30, WeightDecay: 1e30, GradScale: 1e30, Maximize: true},
	} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if d := kernels.DefaultAdamax(); d != (kernels.Adamax{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}) {
		t.Errorf("DefaultAdamax() = %+v, want torch.optim.Adamax's defaults", d)
	}
}

// adamaxPanic runs f and returns its panic value as a string ("" if none).
func adamaxPanic(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestAdamaxLengthPanics: a slice of the wrong length panics, naming the
// method, the slice and both lengths, before anything is written.
func TestAdamaxLengthPanics(t *testing.T) {
	const n = 6
	o := kernels.DefaultAdamax()
	o.WeightDecay = 0.1
	for slot := 1; slot < 4; slot++ {
		for _, bad := range []int{0, n - 1, n + 1} {
			in := adamaxSlices[float32](9, n)
			s := adamaxClone(in)
			s[slot] = make([]float32, bad)
			want := fmt.Sprintf("fusedopt: Adamax.Step32: len(%s) = %d, want len(param) = %d", adamaxSlotNames[slot], bad, n)
			if got := adamaxPanic(func() { o.Step32(1, s[0], s[1], s[2], s[3]) }); got != want {
				t.Errorf("panic %q, want %q", got, want)
			}
			if axExactDiff(s[0], in[0]) >= 0 {
				t.Errorf("len(%s) = %d: param changed before the panic", adamaxSlotNames[slot], bad)
			}
			x := make([]float64, n)
			sl := [4][]float64{x, x, x, x}
			sl[slot] = make([]float64, bad)
			want = fmt.Sprintf("fusedopt: Adamax.Step64: len(%s) = %d, want len(param) = %d", adamaxSlotNames[slot], bad, n)
			if got := adamaxPanic(func() { o.Step64(1, sl[0], sl[1], sl[2], sl[3]) }); got != want {
				t.Errorf("panic %q, want %q", got, want)
			}
			want = fmt.Sprintf("fusedopt: Adamax.StepParallel64: len(%s) = %d, want len(param) = %d", adamaxSlotNames[slot], bad, n)
			if got := adamaxPanic(func() { o.StepParallel64(nil, 1, sl[0], sl[1], sl[2], sl[3]) }); got != want {
				t.Errorf("panic %q, want %q", got, want)
			}
			ts := []kernels.AdamaxTensor32{{adamaxZeros32(n), adamaxZeros32(n), adamaxZeros32(n), adamaxZeros32(n)}, {s[0], s[1], s[2], s[3]}}
			want = fmt.Sprintf("fusedopt: Adamax.StepTensors32: tensor 1: len(%s) = %d, want len(param) = %d", adamaxSlotNames[slot], bad, n)
			if got := adamaxPanic(func() { o.StepTensors32(nil, 1, ts) }); got != want {
				t.Errorf("panic %q, want %q", got, want)
			}
			if axExactDiff(ts[0].Param, adamaxZeros32(n)) >= 0 || axExactDiff(s[0], in[0]) >= 0 {
				t.Errorf("StepTensors32: a tensor changed before the panic")
			}
		}
	}
}

func adamaxZeros32(n int) []float32 { return make([]float32, n) }

// TestAdamaxEmptyStep: zero elements is a valid call that does nothing.
func TestAdamaxEmptyStep(t *testing.T) {
	o := kernels.DefaultAdamax()
	if err := o.Step32(1, nil, nil, nil, nil); err != nil {
		t.Error(err)
	}
	if err := o.Step64(3, []float64{}, []float64{}, nil, nil); err != nil {
		t.Error(err)
	}
	if err := o.StepTensors32(nil, 1, []kernels.AdamaxTensor32{{}, {}}); err != nil {
		t.Error(err)
	}
}

// TestAdamaxDoesNotAllocate: Step32 and Step64 allocate nothing, at every
// level and in both variants; nor do the parallel steps after warm-up
// (skipped in -short runs, which include the race detector's, which
// allocates).
func TestAdamaxDoesNotAllocate(t *testing.T) {
	old := kernels.ActiveLevel()
	defer kernels.SetLevel(old)
	const n = 100
	s32, s64 := adamaxSlices[float32](1, n), adamaxSlices[float64](1, n)
	for _, l := range kernels.Levels() {
		kernels.SetLevel(l)
		for _, wd := range []float64{0, 0.01} {
			o := kernels.DefaultAdamax()
			o.WeightDecay = wd
			if a := testing.AllocsPerRun(20, func() { o.Step32(2, s32[0], s32[1], s32[2], s32[3]) }); a != 0 {
				t.Errorf("level %v, wd %v: Step32 allocates %v times per call", l, wd, a)
			}
			if a := testing.AllocsPerRun(20, func() { o.Step64(2, s64[0], s64[1], s64[2], s64[3]) }); a != 0 {
				t.Errorf("level %v, wd %v: Step64 allocates %v times per call", l, wd, a)
			}
		}
	}
	if testing.Short() {
		return
	}
	p := kernels.NewPool(2)
	defer p.Close()
	o := kernels.DefaultAdamax()
	big := adamaxSlices[float32](2, 100_000)
	big64 := adamaxSlices[float64](2, 40_000)
	ts := []kernels.AdamaxTensor32{{big[0], big[1], big[2], big[3]}, {s32[0], s32[1], s32[2], s32[3]}}
	for name, f := range map[string]func(){
		"StepTensors32":  func() { o.StepTensors32(p, 3, ts) },
		"StepParallel32": func() { o.StepParallel32(p, 3, big[0], big[1], big[2], big[3]) },
		"StepParallel64": func() { o.StepParallel64(nil, 3, big64[0], big64[1], big64[2], big64[3]) },
	} {
		// Warm up the free lists: a helper that wakes late still holds
		// the last step's batch, so the next step takes a new one, until
		// enough batches circulate. One warm-up call is not always enough
		// on a busy machine.
		for range 100 {
			f()
		}
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("%s: %v allocations per step, want 0", name, a)
		}
	}
}

// adamaxLevelCases mix every option: both variants, maximize, a gradient
// scale, a zero beta, a large eps and a late step.
func adamaxLevelCases() []struct {
	o kernels.Adamax
	t int
} {
	return []struct {
		o kernels.Adamax
		t int
	}{
		{kernels.DefaultAdamax(), 1},
		{kernels.Adamax{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}, 7},
		{kernels.Adamax{LR: 0.3, Beta1: 0, Beta2: 0.5, Eps: 1e-3, Maximize: true, GradScale: 1.0 / 128}, 3},
		{kernels.Adamax{LR: 2e-3, Beta1: 0.95, Beta2: 0, Eps: 1e-6, WeightDecay: 2, Maximize: true, GradScale: 3}, 1000},
	}
}

// TestAdamaxLevelsMatchGeneric: through Step32 and Step64, every level
// gives Generic's bits (NaN payloads aside) for lengths around the vector
// widths, random values with special ones sprinkled in, and unaligned
// slices, without writing outside them.
func TestAdamaxLevelsMatchGeneric(t *testing.T) {
	old := kernels.ActiveLevel()
	defer kernels.SetLevel(old)
	lengths := []int{1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100}
	for ci, c := range adamaxLevelCases() {
		for _, n := range lengths {
			adamaxLevelCheck[float32](t, c.o, c.t, n, uint64(ci*1000+n))
			adamaxLevelCheck[float64](t, c.o, c.t, n, uint64(ci*1000+n))
		}
	}
}

func adamaxLevelCheck[F float32 | float64](t *testing.T, o kernels.Adamax, step, n int, seed uint64) {
	t.Helper()
	in := adamaxSlices[F](seed, n)
	r := testbuf.NewRand(seed)
	for i := range in {
		testbuf.Sprinkle(r, in[i], 7)
	}
	call := func(s [4][]F) error {
		switch s := any(s).(type) {
		case [4][]float32:
			return o.Step32(step, s[0], s[1], s[2], s[3])
		case [4][]float64:
			return o.Step64(step, s[0], s[1], s[2], s[3])
		}
		panic("unreachable")
	}
	kernels.SetLevel(kernels.Generic)
	want := adamaxClone(in)
	if err := call(want); err != nil {
		t.Fatal(err)
	}
	for _, l := range kernels.Levels() {
		if l == kernels.Generic {
			continue
		}
		kernels.SetLevel(l)
		offset := int(seed % 4)
		var g [4]*testbuf.Guarded[F]
		var got [4][]F
		for i := range g {
			g[i] = testbuf.GuardedCopy(in[i], offset)
			got[i] = g[i].S
		}
		if err := call(got); err != nil {
			t.Fatal(err)
		}
		for i := range g {
			if err := g[i].Check(adamaxSlotNames[i]); err != nil {
				t.Fatalf("level %v n=%d %+v: %v", l, n, o, err)
			}
			if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
				t.Fatalf("level %v n=%d offset=%d t=%d %+v: %s[%d] = %s, generic gives %s (param %s grad %s m %s u %s)",
					l, n, offset, step, o, adamaxSlotNames[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]),
					testbuf.Hex(in[0][j]), testbuf.Hex(in[1][j]), testbuf.Hex(in[2][j]), testbuf.Hex(in[3][j]))
			}
		}
	}
}

// TestAdamaxNaNPropagates: like torch.maximum, the max propagates a NaN
// from either side, at every level; an infinite gradient makes u infinite
// and the step Inf/Inf = NaN, as in PyTorch.
func TestAdamaxNaNPropagates(t *testing.T) {
	old := kernels.ActiveLevel()
	defer kernels.SetLevel(old)
	nan := float32(math.NaN())
	for _, l := range kernels.Levels() {
		kernels.SetLevel(l)
		p := []float32{1, 1, 1, 1}
		g := []float32{nan, 0.5, float32(math.Inf(1)), 0.5}
		m := []float32{0, 0, 0, 0}
		u := []float32{0, nan, 0, 0.25}
		if err := kernels.DefaultAdamax().Step32(1, p, g, m, u); err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, true, true, false} {
			if (p[i] != p[i]) != want || (u[i] != u[i]) != (want && i != 2) {
				t.Errorf("level %v [%d]: u = %v, param = %v; want param NaN: %v", l, i, u[i], p[i], want)
			}
		}
	}
}

// refAdamaxIn is one element's state before a step, widened to float64.
type refAdamaxIn struct{ p, g, m, u float64 }

// refAdamaxOut is one element's state after a step.
type refAdamaxOut struct{ p, m, u float64 }

// adamaxScale is the signed gradient scale: the user's grad*scale, negated
// when maximizing.
func adamaxScale(o kernels.Adamax) float64 {
	s := o.GradScale
	if s == 0 {
		s = 1
	}
	if o.Maximize {
		s = -s
	}
	return s
}

// refAdamax64 is one step of torch.optim.Adamax on one element, in
// float64, in PyTorch's arrangement (see the file comment).
func refAdamax64(o kernels.Adamax, t int, in refAdamaxIn) refAdamaxOut {
	g := in.g * adamaxScale(o)
	if o.WeightDecay != 0 {
		g = g + float64(o.WeightDecay*in.p) // grad.add(param, alpha=weight_decay)
	}
	m := refLerp(in.m, g, 1-o.Beta1)                        // exp_avg.lerp_(grad, 1-beta1)
	u := math.Max(float64(in.u*o.Beta2), math.Abs(g)+o.Eps) // torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps))
	clr := o.LR / (1 - math.Pow(o.Beta1, float64(t)))
	p := in.p + float64(-clr*m)/u // param.addcdiv_(exp_avg, exp_inf, value=-clr)
	return refAdamaxOut{p: p, m: m, u: u}
}

// refAdamaxBig is refAdamax64 in refPrec-bit arithmetic with the exact
// bias correction: the documented formula, exactly, to about 2^-190.
func refAdamaxBig(o kernels.Adamax, t int, in refAdamaxIn) refAdamaxOut {
	g := refNew().Mul(refBig(in.g), refBig(adamaxScale(o)))
	if o.WeightDecay != 0 {
		g.Add(g, refNew().Mul(refBig(o.WeightDecay), refBig(in.p)))
	}
	m := refBig(in.m) // lerp, exactly: m + (1-b1)*(g-m)
	w := refNew().Sub(g, m)
	m.Add(m, w.Mul(w, refNew().Sub(refBig(1), refBig(o.Beta1))))
	u := refNew().Mul(refBig(in.u), refBig(o.Beta2))
	ag := refNew().Abs(g)
	ag.Add(ag, refBig(o.Eps))
	if ag.Cmp(u) > 0 {
		u = ag
	}
	clr := refNew().Quo(refBig(o.LR), refNew().Sub(refBig(1), refBigPow(o.Beta1, t)))
	upd := refNew().Mul(clr, m)
	p := refBig(in.p)
	p.Sub(p, upd.Quo(upd, u))
	f := func(x *big.Float) float64 { r, _ := x.Float64(); return r }
	return refAdamaxOut{p: f(p), m: f(m), u: f(u)}
}

// adamaxSigma is the relative error, in units of the kernel's U, of each
// per-step scalar: Adam's analysis (adamScalarSigma64/32) covers them,
// clr being Adam's step LR/(1-Beta1^t).
func adamaxSigma(o kernels.Adamax, t int, f32 bool) refSigma {
	a := kernels.Adam{LR: o.LR, Beta1: o.Beta1, Beta2: o.Beta2, Eps: o.Eps}
	if f32 {
		return adamScalarSigma32(a, t)
	}
	return adamScalarSigma64(a, t)
}

// adamaxErrBound bounds, for one element and one step, how far the
// kernels' order of operations (g = grad*s (+ wd*param); m = b1*m +
// omb1*g; u = max(b2*u, |g| + eps); param = param - clr*(m/u)), each
// operation rounded with unit roundoff u0 and each scalar carrying sig,
// can land from the exact result. See the file comment.
func adamaxErrBound(o kernels.Adamax, t int, in refAdamaxIn, u0, tiny float64, sig refSigma) (em, eu, ep float64) {
	rnd := func(x, e float64) float64 { return e + u0*(math.Abs(x)+e) + tiny }
	scal := func(s, sigma, x, ex float64) float64 {
		return math.Abs(s)*ex + sigma*u0*math.Abs(s)*(math.Abs(x)+ex)
	}
	gs := adamaxScale(o)
	b1, omb1, b2 := o.Beta1, 1-o.Beta1, o.Beta2
	clr := o.LR / (1 - math.Pow(o.Beta1, float64(t)))

	g := gs * in.g
	eg := rnd(g, scal(gs, sig.gs, in.g, 0))
	if o.WeightDecay != 0 {
		w := o.WeightDecay * in.p
		ew := rnd(w, scal(o.WeightDecay, sig.wd, in.p, 0))
		g += w
		eg = rnd(g, eg+ew)
	}
	m := b1*in.m + omb1*g
	em = rnd(m, rnd(b1*in.m, scal(b1, sig.b1, in.m, 0))+rnd(omb1*g, scal(omb1, sig.omb1, g, eg)))
	a := b2 * in.u
	ea := rnd(a, scal(b2, sig.b2, in.u, 0))
	b := math.Abs(g) + o.Eps
	eb := rnd(b, eg+sig.eps*u0*o.Eps)
	u := math.Max(a, b)
	eu = math.Max(ea, eb) // max is 1-Lipschitz in each argument
	ulo := math.Max(u-eu, o.Eps*(1-sig.eps*u0))
	q := m / u
	eq := rnd(q, em/ulo+math.Abs(m)*eu/(u*ulo))
	s := clr * q
	es := rnd(s, scal(clr, sig.step, q, eq))
	ep = rnd(in.p-s, es)
	return em, eu, ep
}

// adamaxRefMag is the magnitude scale of the float64 reference's own
// computation, for the slack that covers its rounding.
func adamaxRefMag(o kernels.Adamax, t int, in refAdamaxIn, ref refAdamaxOut) (mm, mu, mp float64) {
	gm := math.Abs(adamaxScale(o)*in.g) + o.WeightDecay*math.Abs(in.p)
	mm = math.Abs(in.m) + gm
	mu = math.Abs(in.u) + gm + o.Eps
	clr := o.LR / (1 - math.Pow(o.Beta1, float64(t)))
	mp = math.Abs(in.p) + clr*mm/ref.u
	return mm, mu, mp
}

// adamaxRefCase draws the hyperparameters of option combination combo
// (bit 0 weight decay, 1 maximize, 2 gradient scale).
func adamaxRefCase(rng *rand.Rand, combo int) kernels.Adamax {
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	o := kernels.Adamax{
		LR:    pick(2e-3, 1e-2, 0.1, 0.5),
		Beta1: pick(0.9, 0.8, 0.95, 0.5, 0.3, 0),
		Beta2: pick(0.999, 0.99, 0.9, 0.5, 0),
		Eps:   pick(1e-8, 1e-6, 1e-3),
	}
	if combo&1 != 0 {
		o.WeightDecay = pick(0.01, 0.1, 0.5, 1)
	}
	o.Maximize = combo&2 != 0
	if combo&4 != 0 {
		o.GradScale = pick(1.0/32, 1.0/3, 1e-3, 4)
	}
	return o
}

var adamaxRefSteps = []int{1, 2, 3, 4, 5, 10, 100, 1000}

func TestAdamaxStep32MatchesReference(t *testing.T) {
	levels := refLevels(t)
	c := kernels.NewErrCheck(t)
	rng := rand.New(rand.NewPCG(2, 32))
	for combo := range 8 {
		for rep := range 4 {
			o := adamaxRefCase(rng, combo)
			name := fmt.Sprintf("%+v#%d", o, rep)
			p, m, u := make([]float32, refN32), make([]float32, refN32), make([]float32, refN32)
			for i := range p {
				p[i] = float32(kernels.RefMag(rng, -2, 1))
			}
			grad := make([]float32, refN32)
			var gp, gg, gm, gu []float32
			for _, step := range adamaxRefSteps {
				scale := math.Pow(10, -1.5+2*rng.Float64())
				for i := range grad {
					grad[i] = float32(kernels.RefMag(rng, -4, 0.5) * scale)
				}
				sig := adamaxSigma(o, step, true)
				for li, lvl := range levels {
					kernels.SetLevel(lvl)
					gp, gg = append(gp[:0], p...), append(gg[:0], grad...)
					gm, gu = append(gm[:0], m...), append(gu[:0], u...)
					if err := o.Step32(step, gp, gg, gm, gu); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					for i := range p {
						in := refAdamaxIn{float64(p[i]), float64(grad[i]), float64(m[i]), float64(u[i])}
						want := refAdamax64(o, step, in)
						em, eu, ep := adamaxErrBound(o, step, in, refU32, 0x1p-149, sig)
						mm, mu, mp := adamaxRefMag(o, step, in, want)
						tol := func(e, mag float64) float64 { return e*(1+0x1p-20) + 0x1p-44*mag }
						where := func() string { return fmt.Sprintf("%v %s t=%d [%d]", lvl, name, step, i) }
						c.Check(where, "m", float64(gm[i]), want.m, tol(em, mm))
						c.Check(where, "u", float64(gu[i]), want.u, tol(eu, mu))
						c.Check(where, "param", float64(gp[i]), want.p, tol(ep, mp))
					}
					if li == len(levels)-1 { // Generic is last: carry its state
						copy(p, gp)
						copy(m, gm)
						copy(u, gu)
					}
				}
			}
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f", c.Worst())
}

func TestAdamaxStep64MatchesReference(t *testing.T) {
	levels := refLevels(t)
	c := kernels.NewErrCheck(t)
	rng := rand.New(rand.NewPCG(2, 64))
	for combo := range 8 {
		for rep := range 2 {
			o := adamaxRefCase(rng, combo)
			name := fmt.Sprintf("%+v#%d", o, rep)
			p, m, u := make([]float64, refN64), make([]float64, refN64), make([]float64, refN64)
			for i := range p {
				p[i] = kernels.RefMag(rng, -2, 1)
			}
			grad := make([]float64, refN64)
			want := make([]refAdamaxOut, refN64)
			var gp, gg, gm, gu []float64
			for _, step := range adamaxRefSteps {
				scale := math.Pow(10, -1.5+2*rng.Float64())
				for i := range grad {
					grad[i] = kernels.RefMag(rng, -4, 0.5) * scale
				}
				sig := adamaxSigma(o, step, false)
				for i := range p {
					want[i] = refAdamaxBig(o, step, refAdamaxIn{p[i], grad[i], m[i], u[i]})
				}
				for li, lvl := range levels {
					kernels.SetLevel(lvl)
					gp, gg = append(gp[:0], p...), append(gg[:0], grad...)
					gm, gu = append(gm[:0], m...), append(gu[:0], u...)
					if err := o.Step64(step, gp, gg, gm, gu); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					for i := range p {
						in := refAdamaxIn{p[i], grad[i], m[i], u[i]}
						em, eu, ep := adamaxErrBound(o, step, in, refU64, 0x1p-1074, sig)
						tol := func(e, ref float64) float64 { return e*(1+0x1p-30) + refU64*math.Abs(ref) }
						where := func() string { return fmt.Sprintf("%v %s t=%d [%d]", lvl, name, step, i) }
						c.Check(where, "m", gm[i], want[i].m, tol(em, want[i].m))
						c.Check(where, "u", gu[i], want[i].u, tol(eu, want[i].u))
						c.Check(where, "param", gp[i], want[i].p, tol(ep, want[i].p))
					}
					if li == len(levels)-1 {
						copy(p, gp)
						copy(m, gm)
						copy(u, gu)
					}
				}
			}
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f", c.Worst())
}

// Hand-checked steps. The expected values were computed with python3 in
// float64, following torch.optim.Adamax's single-tensor implementation
// operation by operation, and printed with repr:
//
//	def lerp(s, e, w):  # ATen's lerp
//	    return s + w*(e - s) if abs(w) < 0.5 else e - (e - s)*(1 - w)
//	def adamax(p, g, m, u, t, lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, maximize=False):
//	    p, m, u = list(p), list(m), list(u)
//	    clr = lr / (1 - b1**t)                      # bias_correction = 1 - beta1**step
//	    for i in range(len(p)):
//	        gi = -g[i] if maximize else g[i]        # grad = -grad if maximize
//	        if wd != 0:
//	            gi = gi + wd*p[i]                   # grad.add(param, alpha=wd)
//	        m[i] = lerp(m[i], gi, 1 - b1)           # exp_avg.lerp_(grad, 1-beta1)
//	        u[i] = max(u[i]*b2, abs(gi) + eps)      # torch.maximum(exp_inf.mul_(b2), grad.abs().add_(eps))
//	        p[i] = p[i] + (-clr)*m[i]/u[i]          # param.addcdiv_(exp_avg, exp_inf, value=-clr)
//	    return p, m, u
//
// GradScale stands for the user's g = W.grad / batch_size, which the
// script computes as a division. The kernels' arrangement differs (see
// Adamax), so Step64 is held to torchULP64 and Step32 to torchULP32
// units (pytorch_test.go), relative to the larger of the value and, for
// param, the step's input.
type adamaxTorchCase struct {
	name       string
	o          kernels.Adamax
	t          int
	p, g, m, u []float64 // before
	wp, wm, wu []float64 // after
}

var (
	adamaxP0 = []float64{0.5, -1.25, 2.0, 0.0, 3.0}
	adamaxG1 = []float64{0.1, -0.2, 3.0, 1e-9, 0.0} // 1e-9: eps matters; 0: u = eps
	adamaxZ  = []float64{0, 0, 0, 0, 0}
	// adamax(P0, G1, 0, 0, 1)
	adamaxP1 = []float64{0.49800000019999996, -1.2480000001, 1.9980000000066667, -0.0001818181818181818, 3.0}
	adamaxM1 = []float64{0.009999999999999998, -0.019999999999999997, 0.29999999999999993, 9.999999999999998e-11, 0.0}
	adamaxU1 = []float64{0.10000001, 0.20000001, 3.00000001, 1.1000000000000001e-08, 1e-08}
)

var adamaxTorchCases = []adamaxTorchCase{
	{
		name: "default t=1", o: kernels.DefaultAdamax(), t: 1,
		p: adamaxP0, g: adamaxG1, m: adamaxZ, u: adamaxZ,
		wp: adamaxP1, wm: adamaxM1, wu: adamaxU1,
	},
	{
		// adamax(P1, G2, M1, U1, 2): u keeps b2*u in element 0, takes |g|+eps elsewhere
		name: "default t=2", o: kernels.DefaultAdamax(), t: 2,
		p: adamaxP1, g: []float64{-0.05, -0.4, 1.5, 2e-9, 0.25}, m: adamaxM1, u: adamaxU1,
		wp: []float64{0.49757852613646275, -1.246473684348684, 1.9965248406416876, -0.0004362041467304625, 2.998947368463158},
		wm: []float64{0.004, -0.05799999999999999, 0.41999999999999993, 2.8999999999999993e-10, 0.024999999999999994},
		wu: []float64{0.09990000999, 0.40000001, 2.99700000999, 1.2e-08, 0.25000001},
	},
	{
		// adamax(P0, G1, 0, 0, 1, lr=1e-2, wd=0.1): the decay reaches m and u,
		// and element 4 moves although its gradient is 0
		name: "weight decay", o: kernels.Adamax{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}, t: 1,
		p: adamaxP0, g: adamaxG1, m: adamaxZ, u: adamaxZ,
		wp: []float64{0.4900000006666666, -1.2400000003076923, 1.99000000003125, -0.000909090909090909, 2.990000000333333},
		wm: []float64{0.015, -0.032499999999999994, 0.31999999999999995, 9.999999999999998e-11, 0.03},
		wu: []float64{0.15000001000000002, 0.32500001, 3.20000001, 1.1000000000000001e-08, 0.30000001000000004},
	},
	{
		// adamax(P0, G1, 0, 0, 1, maximize=True)
		name: "maximize", o: kernels.Adamax{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Maximize: true}, t: 1,
		p: adamaxP0, g: adamaxG1, m: adamaxZ, u: adamaxZ,
		wp: []float64{0.5019999998, -1.2519999999, 2.001999999993333, 0.0001818181818181818, 3.0},
		wm: []float64{-0.009999999999999998, 0.019999999999999997, -0.29999999999999993, -9.999999999999998e-11, 0.0},
		wu: adamaxU1,
	},
	{
		// adamax(P0, [x/3 for x in G1], 0, 0, 1): GradScale 1/3
		name: "GradScale 1/3", o: kernels.Adamax{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, GradScale: 1.0 / 3}, t: 1,
		p: adamaxP0, g: adamaxG1, m: adamaxZ, u: adamaxZ,
		wp: []float64{0.4980000005999998, -1.2480000003, 1.99800000002, -6.451612903225807e-05, 3.0},
		wm: []float64{0.0033333333333333327, -0.006666666666666665, 0.09999999999999998, 3.333333333333333e-11, 0.0},
		wu: []float64{0.033333343333333335, 0.06666667666666666, 1.00000001, 1.0333333333333333e-08, 1e-08},
	},
	{
		// adamax(P0, G1, M0, U0, 5, b1=0.8, b2=0.9, eps=1e-6), from a nonzero state
		name: "nonzero state t=5", o: kernels.Adamax{LR: 2e-3, Beta1: 0.8, Beta2: 0.9, Eps: 1e-6}, t: 5,
		p: adamaxP0, g: adamaxG1, m: []float64{0.01, -0.02, 0.3, 0.0, -0.1}, u: []float64{0.5, 0.05, 2.0, 1e-3, 0.2},
		wp: []float64{0.49981490295626424, -1.2491670674678517, 1.9991670635808345, -6.610608704849541e-10, 3.00132212174097},
		wm: []float64{0.027999999999999997, -0.055999999999999994, 0.8399999999999999, 1.9999999999999996e-10, -0.08000000000000002},
		wu: []float64{0.45, 0.200001, 3.000001, 0.0009000000000000001, 0.18000000000000002},
	},
}

func TestAdamaxMatchesPyTorch(t *testing.T) {
	old := kernels.ActiveLevel()
	defer kernels.SetLevel(old)
	for _, lvl := range kernels.Levels() {
		kernels.SetLevel(lvl)
		for _, c := range adamaxTorchCases {
			cp := func(x []float64) []float64 { return append([]float64(nil), x...) }
			p64, m64, u64 := cp(c.p), cp(c.m), cp(c.u)
			if err := c.o.Step64(c.t, p64, cp(c.g), m64, u64); err != nil {
				t.Fatal(err)
			}
			p32, m32, u32 := torchTo32(c.p), torchTo32(c.m), torchTo32(c.u)
			if err := c.o.Step32(c.t, p32, torchTo32(c.g), m32, u32); err != nil {
				t.Fatal(err)
			}
			for i := range c.p {
				check := func(what string, got64 float64, got32 float32, want, scale float64) {
					if !torchClose(got64, want, scale, torchULP64, refU64) {
						t.Errorf("%v %s: Step64 %s[%d] = %.17g, PyTorch %.17g", lvl, c.name, what, i, got64, want)
					}
					if !torchClose(float64(got32), want, scale, torchULP32, refU32) {
						t.Errorf("%v %s: Step32 %s[%d] = %.9g, PyTorch %.17g", lvl, c.name, what, i, got32, want)
					}
				}
				check("param", p64[i], p32[i], c.wp[i], math.Abs(c.p[i]))
				check("m", m64[i], m32[i], c.wm[i], 0)
				check("u", u64[i], u32[i], c.wu[i], 0)
			}
		}
	}
}

// TestAdamaxParallelMatchesStep: StepTensors and StepParallel give
// Step's bits on each tensor, on 1 to 3 workers, over three steps, for
// lists with empty, tiny and split tensors.
func TestAdamaxParallelMatchesStep(t *testing.T) {
	big := 300_000
	if kernels.ParSmall() {
		big = 70_000
	}
	pt := kernels.ParTest[int]{Seed: [2]uint64{41, 42}, Workers: [2][]int{{1, 2, 3}, {1, 3}},
		Sizes: []int{0, 5, big, 1000, 17, big / 3}, Slots: adamaxParSlots}
	for ci, o := range []kernels.Adamax{kernels.DefaultAdamax(), {LR: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1, Maximize: true, GradScale: 0.5}} {
		pt.Cases = append(pt.Cases, adamaxParCase(fmt.Sprintf("case=%d", ci), o, 1, 2, 3))
	}
	pt.Run(t)
}

// adamaxParSlots are Adamax's slices for the parallel harness, u (the
// infinity norm) never negative.
var adamaxParSlots = []kernels.ParSlot{{"param", -4, 3, false}, {"grad", -12, 2, false}, {"m", -12, 0, false}, {"u", -12, 0, true}}

// adamaxParCase is the parallel harness's case of o at the given steps.
func adamaxParCase(name string, o kernels.Adamax, steps ...int) kernels.ParCase[int] {
	return kernels.ParCase[int]{Name: name, Steps: steps,
		Ops32: kernels.ParOps4(o.Step32, o.StepParallel32, o.StepTensors32),
		Ops64: kernels.ParOps4(o.Step64, o.StepParallel64, o.StepTensors64)}
}

func TestAdamaxParallelDoesNotAllocate(t *testing.T) {
	kernels.ParNoAlloc(t, adamaxParSlots, adamaxParCase("", kernels.DefaultAdamax(), 3))
}
