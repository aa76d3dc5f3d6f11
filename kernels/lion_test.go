package kernels_test

// Tests of Lion through its public API: validation, length panics,
// allocations, every level against Generic, an independent reference of
// Optax's update with a derived error bound, hand-checked steps, and the
// parallel steps against the single-threaded one.
//
// # The reference and its tolerance
//
// refLion64 (float64, for Step32) and refLionBig (math/big.Float with
// refPrec bits, for Step64) follow optax.lion, the chain
// scale_by_lion(b1, b2), add_decayed_weights(weight_decay),
// scale_by_learning_rate(lr) and optax.apply_updates:
//
//	c      = (1 - b1)*g + b1*m
//	update = -lr * (sign(c) + weight_decay*param)
//	param  = param + update
//	m      = (1 - b2)*g + b2*m
//
// not the kernels' param*(1 - lr*wd) - lr*sign(c). Each step is checked
// on its own, from exactly the state the kernel had before it, with the
// bound lionErrBound: a forward error analysis of the kernels' order of
// operations with the rules of reference_test.go. In units of 2^-24 for
// float32 (2^-53 for float64) times the sum of the magnitudes of the
// terms, per output and per step:
//
//	g:     k = 2 on |s*grad|                     (scalar, product)
//	c, m:  k = 5 on |b*m| + (1-b)*|g|            (scalar, g's 2, product, sum)
//	param: k = 3 on |param| + lr                 (the scalar 1-lr*wd, its
//	       product, the subtraction; lr*sign(c) is exact but for lr's own
//	       rounding)
//
// given the sign. sign makes the update discontinuous at c = 0: where the
// exact c lies within its error bound E_c of zero, the kernel may take any
// sign that [c - E_c, c + E_c] allows, and param is accepted if it is
// within the bound of the reference with one of them. Exact zeros are
// exact: a zero momentum and gradient give c = 0 in every arithmetic, and
// only sign 0 is allowed. The inputs include such zeros and, one element
// in eight, gradients chosen to cancel the momentum, so that c lands
// within rounding of zero; TestLionStep32MatchesReference logs how many
// elements were ambiguous.
//
// Note that the bound on param is relative to |param|: in float32 the
// decay LR*WeightDecay*param is often below the rounding of the result,
// so the test does not, cannot, hold Step32's decay to a relative
// accuracy; TestLionDecayRounding checks a case where it must show.

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// lionBad is an invalid setting, the field it must be blamed on, and
// whether only float32 rejects it.
type lionBad struct {
	field  string
	value  float64
	o      kernels.Lion
	only32 bool
}

func lionBads() []lionBad {
	var out []lionBad
	add := func(field string, set func(*kernels.Lion, float64), values ...float64) {
		for _, v := range values {
			o := kernels.DefaultLion()
			set(&o, v)
			out = append(out, lionBad{field, v, o, false})
		}
	}
	nan, inf := math.NaN(), math.Inf(1)
	add("LR", func(o *kernels.Lion, v float64) { o.LR = v }, -1e-4, nan, inf, -inf)
	add("Beta1", func(o *kernels.Lion, v float64) { o.Beta1 = v }, -0.1, 1, 1.5, nan, inf)
	add("Beta2", func(o *kernels.Lion, v float64) { o.Beta2 = v }, -0.1, 1, nan, -inf)
	add("WeightDecay", func(o *kernels.Lion, v float64) { o.WeightDecay = v }, -0.01, nan, inf)
	add("GradScale", func(o *kernels.Lion, v float64) { o.GradScale = v }, -1, nan, inf)
	// LR*WeightDecay overflows float64 itself.
	out = append(out, lionBad{"WeightDecay", 1e300, kernels.Lion{LR: 1e10, Beta1: 0.9, Beta2: 0.99, WeightDecay: 1e300}, false})
	with := func(f func(*kernels.Lion)) kernels.Lion { o := kernels.DefaultLion(); f(&o); return o }
	out = append(out,
		lionBad{"LR", 1e39, with(func(o *kernels.Lion) { o.LR, o.WeightDecay = 1e39, 0 }), true},
		lionBad{"GradScale", 1e39, with(func(o *kernels.Lion) { o.GradScale = 1e39 }), true},
		lionBad{"WeightDecay", 1e38, with(func(o *kernels.Lion) { o.LR, o.WeightDecay = 10, 1e38 }), true},
	)
	return out
}

// lionSlices are param, grad and m of n random elements.
func lionSlices[F float32 | float64](seed uint64, n int) [3][]F {
	r := testbuf.NewRand(seed)
	var s [3][]F
	for i := range s {
		s[i] = make([]F, n)
	}
	testbuf.Fill(r, s[0], -4, 3)
	testbuf.Fill(r, s[1], -12, 2)
	testbuf.Fill(r, s[2], -12, 0)
	return s
}

func lionClone[F float32 | float64](s [3][]F) [3][]F {
	var c [3][]F
	for i := range s {
		c[i] = append([]F(nil), s[i]...)
	}
	return c
}

var lionSlotNames = [3]string{"param", "grad", "m"}

// TestLionValidation: a bad hyperparameter makes every step method return
// a *ParamError naming the field and the value, at every level, and
// leaves every slice untouched (kernels.RejectTest, at a step number Lion
// does not take).
func TestLionValidation(t *testing.T) {
	rt := kernels.RejectTest[int]{Opt: "Lion", Slots: lionParSlots}
	for _, c := range lionBads() {
		name := fmt.Sprintf("%s=%v", c.field, c.value)
		if c.only32 {
			name = "float32/" + name
		}
		rt.Add(lionParCase(name, c.o), 1, c.field, c.value, c.only32)
	}
	rt.Run(t)
}

// TestLionValidateAcceptsEdges: the closed ends of each domain are valid,
// and the defaults are optax.lion's with LR 1e-4.
func TestLionValidateAcceptsEdges(t *testing.T) {
	for _, o := range []kernels.Lion{
		kernels.DefaultLion(),
		{},
		{LR: 1e30, Beta1: 0.999999, Beta2: 0.999999, WeightDecay: 1e-30, GradScale: 1e30, Maximize: true},
	} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if d := kernels.DefaultLion(); d != (kernels.Lion{LR: 1e-4, Beta1: 0.9, Beta2: 0.99, WeightDecay: 1e-3}) {
		t.Errorf("DefaultLion() = %+v", d)
	}
}

// TestLionLengthPanics: a slice of the wrong length panics, naming the
// method, the slice and both lengths, before anything is written.
func TestLionLengthPanics(t *testing.T) {
	const n = 6
	o := kernels.DefaultLion()
	for slot := 1; slot < 3; slot++ {
		for _, bad := range []int{0, n - 1, n + 1} {
			in := lionSlices[float32](9, n)
			s := lionClone(in)
			s[slot] = make([]float32, bad)
			want := fmt.Sprintf("fusedopt: Lion.Step32: len(%s) = %d, want len(param) = %d", lionSlotNames[slot], bad, n)
			if got := adamaxPanic(func() { o.Step32(s[0], s[1], s[2]) }); got != want {
				t.Errorf("panic %q, want %q", got, want)
			}
			if axExactDiff(s[0], in[0]) >= 0 {
				t.Errorf("len(%s) = %d: param changed before the panic", lionSlotNames[slot], bad)
			}
			x := make([]float64, n)
			sl := [3][]float64{x, x, x}
			sl[slot] = make([]float64, bad)
			want = fmt.Sprintf("fusedopt: Lion.Step64: len(%s) = %d, want len(param) = %d", lionSlotNames[slot], bad, n)
			if got := adamaxPanic(func() { o.Step64(sl[0], sl[1], sl[2]) }); got != want {
				t.Errorf("panic %q, want %q", got, want)
			}
			want = fmt.Sprintf("fusedopt: Lion.StepParallel32: len(%s) = %d, want len(param) = %d", lionSlotNames[slot], bad, n)
			if got := adamaxPanic(func() { o.StepParallel32(nil, s[0], s[1], s[2]) }); got != want {
				t.Errorf("panic %q, want %q", got, want)
			}
			first := lionSlices[float64](1, n)
			before := lionClone(first)
			ts := []kernels.LionTensor64{{Param: first[0], Grad: first[1], M: first[2]}, {Param: sl[0], Grad: sl[1], M: sl[2]}}
			want = fmt.Sprintf("fusedopt: Lion.StepTensors64: tensor 1: len(%s) = %d, want len(param) = %d", lionSlotNames[slot], bad, n)
			if got := adamaxPanic(func() { o.StepTensors64(nil, ts) }); got != want {
				t.Errorf("panic %q, want %q", got, want)
			}
			if axExactDiff(first[0], before[0]) >= 0 || axExactDiff(first[2], before[2]) >= 0 {
				t.Errorf("StepTensors64: tensor 0 changed before the panic")
			}
		}
	}
}

// TestLionEmptyStep: zero elements is a valid call that does nothing.
func TestLionEmptyStep(t *testing.T) {
	o := kernels.DefaultLion()
	if err := o.Step32(nil, nil, nil); err != nil {
		t.Error(err)
	}
	if err := o.Step64([]float64{}, []float64{}, nil); err != nil {
		t.Error(err)
	}
	if err := o.StepTensors64(nil, []kernels.LionTensor64{{}, {}}); err != nil {
		t.Error(err)
	}
}

// TestLionDoesNotAllocate: Step32 and Step64 allocate nothing at every
// level; nor do the parallel steps after warm-up (not in -short runs,
// which include the race detector's, which allocates).
func TestLionDoesNotAllocate(t *testing.T) {
	old := kernels.ActiveLevel()
	defer kernels.SetLevel(old)
	const n = 100
	s32, s64 := lionSlices[float32](1, n), lionSlices[float64](1, n)
	o := kernels.DefaultLion()
	for _, l := range kernels.Levels() {
		kernels.SetLevel(l)
		if a := testing.AllocsPerRun(20, func() { o.Step32(s32[0], s32[1], s32[2]) }); a != 0 {
			t.Errorf("level %v: Step32 allocates %v times per call", l, a)
		}
		if a := testing.AllocsPerRun(20, func() { o.Step64(s64[0], s64[1], s64[2]) }); a != 0 {
			t.Errorf("level %v: Step64 allocates %v times per call", l, a)
		}
	}
	if testing.Short() {
		return
	}
	p := kernels.NewPool(2)
	defer p.Close()
	big := lionSlices[float32](2, 100_000)
	big64 := lionSlices[float64](2, 40_000)
	ts := []kernels.LionTensor32{{big[0], big[1], big[2]}, {s32[0], s32[1], s32[2]}}
	for name, f := range map[string]func(){
		"StepTensors32":  func() { o.StepTensors32(p, ts) },
		"StepParallel32": func() { o.StepParallel32(p, big[0], big[1], big[2]) },
		"StepParallel64": func() { o.StepParallel64(nil, big64[0], big64[1], big64[2]) },
	} {
		for range 100 { // see TestAdamaxDoesNotAllocate
			f()
		}
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("%s: %v allocations per step, want 0", name, a)
		}
	}
}

// TestLionLevelsMatchGeneric: through Step32 and Step64, every level
// gives Generic's bits (NaN payloads aside) for lengths around the vector
// widths, random values with special ones sprinkled in (zeros, whose sign
// is 0, among them), and unaligned slices, without writing outside them.
func TestLionLevelsMatchGeneric(t *testing.T) {
	old := kernels.ActiveLevel()
	defer kernels.SetLevel(old)
	cases := []kernels.Lion{
		kernels.DefaultLion(),
		{LR: 3e-4, Beta1: 0.95, Beta2: 0.98, WeightDecay: 0.1, Maximize: true, GradScale: 1.0 / 64},
		{LR: 0.5, Beta1: 0, Beta2: 0, WeightDecay: 3},
	}
	lengths := []int{1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100}
	for ci, o := range cases {
		for _, n := range lengths {
			lionLevelCheck[float32](t, o, n, uint64(ci*1000+n))
			lionLevelCheck[float64](t, o, n, uint64(ci*1000+n))
		}
	}
}

func lionLevelCheck[F float32 | float64](t *testing.T, o kernels.Lion, n int, seed uint64) {
	t.Helper()
	in := lionSlices[F](seed, n)
	r := testbuf.NewRand(seed)
	for i := range in {
		testbuf.Sprinkle(r, in[i], 7)
	}
	call := func(s [3][]F) error {
		switch s := any(s).(type) {
		case [3][]float32:
			return o.Step32(s[0], s[1], s[2])
		case [3][]float64:
			return o.Step64(s[0], s[1], s[2])
		}
		panic("unreachable")
	}
	kernels.SetLevel(kernels.Generic)
	want := lionClone(in)
	if err := call(want); err != nil {
		t.Fatal(err)
	}
	for _, l := range kernels.Levels() {
		if l == kernels.Generic {
			continue
		}
		kernels.SetLevel(l)
		offset := int(seed % 4)
		var g [3]*testbuf.Guarded[F]
		var got [3][]F
		for i := range g {
			g[i] = testbuf.GuardedCopy(in[i], offset)
			got[i] = g[i].S
		}
		if err := call(got); err != nil {
			t.Fatal(err)
		}
		for i := range g {
			if err := g[i].Check(lionSlotNames[i]); err != nil {
				t.Fatalf("level %v n=%d %+v: %v", l, n, o, err)
			}
			if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
				t.Fatalf("level %v n=%d offset=%d %+v: %s[%d] = %s, generic gives %s (param %s grad %s m %s)",
					l, n, offset, o, lionSlotNames[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]),
					testbuf.Hex(in[0][j]), testbuf.Hex(in[1][j]), testbuf.Hex(in[2][j]))
			}
		}
	}
}

// TestLionSignOfZero: sign(0) = 0 (jnp.sign's), so a zero c leaves only
// the decay, at every level; a NaN c gives a NaN param; and the update's
// size is LR whatever the gradient's.
func TestLionSignOfZero(t *testing.T) {
	old := kernels.ActiveLevel()
	defer kernels.SetLevel(old)
	o := kernels.Lion{LR: 0.25, Beta1: 0.5, Beta2: 0.5, WeightDecay: 0.5} // exact in binary
	for _, l := range kernels.Levels() {
		kernels.SetLevel(l)
		// c = 0.5*m + 0.5*g: 0, 0 (cancelling), tiny, huge, NaN
		p := []float32{2, 2, 2, 2, 2, -2}
		g := []float32{0, 1, -0x1p-140, 1e30, float32(math.NaN()), -1e-30}
		m := []float32{0, -1, 0, 0, 0, 0}
		if err := o.Step32(p, g, m); err != nil {
			t.Fatal(err)
		}
		// param*(1 - 0.125) - 0.25*sign(c)
		want := []float32{1.75, 1.75, 2, 1.5, float32(math.NaN()), -1.5}
		for i := range want {
			if !testbuf.Same(p[i], want[i]) {
				t.Errorf("level %v [%d]: param = %v, want %v", l, i, p[i], want[i])
			}
		}
		if m[1] != 0 || m[0] != 0 {
			t.Errorf("level %v: m = %v, want 0 in [0] and [1]", l, m[:2])
		}
	}
}

// TestLionDecayRounding checks that Step32 applies the decay rate itself,
// not a float32 factor: with the defaults LR*WeightDecay = 1e-7, which
// as a factor 1 - 1e-7 rounds to 1 - 2^-23 = 1 - 1.19e-7 in float32. On
// param 1.75 (spacing 2^-23 there) the exact decay is 1.47 spacings, so
// the correctly rounded result moves by one; the rounded factor would
// move it by two. A factor below 2^-25 would round to 1 and drop the
// decay altogether.
func TestLionDecayRounding(t *testing.T) {
	o := kernels.DefaultLion() // LR 1e-4, WeightDecay 1e-3
	// A zero gradient and momentum: sign 0, only the decay moves param.
	p32 := []float32{1.75}
	if err := o.Step32(p32, []float32{0}, []float32{0}); err != nil {
		t.Fatal(err)
	}
	want := float32(1.75 - 1.75*o.LR*o.WeightDecay)
	factor := float32(1.75 * float64(float32(1-o.LR*o.WeightDecay)))
	if p32[0] != want || want == factor {
		t.Errorf("Step32: param = %.10g, want %.10g (the rounded factor would give %.10g)", p32[0], want, factor)
	}
	p64 := []float64{1.75}
	if err := o.Step64(p64, []float64{0}, []float64{0}); err != nil {
		t.Fatal(err)
	}
	if want := 1.75 - 1.75*(1e-4*1e-3); math.Abs(p64[0]-want) > 2*0x1p-53*1.75 {
		t.Errorf("Step64: param = %.17g, want %.17g", p64[0], want)
	}
}

// refLionIn is one element's state before a step, widened to float64.
type refLionIn struct{ p, g, m float64 }

// lionScale is the signed gradient scale.
func lionScale(o kernels.Lion) float64 {
	s := o.GradScale
	if s == 0 {
		s = 1
	}
	if o.Maximize {
		s = -s
	}
	return s
}

func lionSign(c float64) float64 {
	switch {
	case c > 0:
		return 1
	case c < 0:
		return -1
	}
	return 0
}

// refLion64 is one step of optax.lion on one element, in float64, in
// Optax's arrangement, with the update's sign given: c and the param that
// sign s gives, and the new momentum.
func refLion64(o kernels.Lion, in refLionIn) (c float64, param func(s float64) float64, m float64) {
	g := in.g * lionScale(o)
	c = float64((1-o.Beta1)*g) + float64(o.Beta1*in.m) // (1 - b1)*g + b1*m
	param = func(s float64) float64 {
		upd := s + float64(o.WeightDecay*in.p) // add_decayed_weights
		upd = -o.LR * upd                      // scale_by_learning_rate
		return in.p + upd                      // apply_updates
	}
	m = float64((1-o.Beta2)*g) + float64(o.Beta2*in.m) // tree_update_moment
	return c, param, m
}

// refLionBig is refLion64 in refPrec-bit arithmetic: exact to about
// 2^-190, and c's sign exact.
func refLionBig(o kernels.Lion, in refLionIn) (c *big.Float, param func(s float64) float64, m float64) {
	one := refBig(1)
	g := refNew().Mul(refBig(in.g), refBig(lionScale(o)))
	mix := func(b float64) *big.Float {
		x := refNew().Mul(refNew().Sub(one, refBig(b)), g)
		return x.Add(x, refNew().Mul(refBig(b), refBig(in.m)))
	}
	c = mix(o.Beta1)
	param = func(s float64) float64 {
		upd := refNew().Mul(refBig(o.WeightDecay), refBig(in.p))
		upd.Add(upd, refBig(s))
		upd.Mul(upd, refBig(-o.LR))
		r, _ := upd.Add(upd, refBig(in.p)).Float64()
		return r
	}
	m, _ = mix(o.Beta2).Float64()
	return c, param, m
}

// lionSigma is the relative error of each per-step scalar in units of
// the kernel's U: in float64 1-b is exact for b in [0.5, 1] or 0, else
// one rounding, and 1 - lr*wd carries a product's and a difference's
// rounding, |lr*wd|/|1-lr*wd| + 1; the rest are the user's values. Step32
// rounds each to float32 once more.
func lionSigma(o kernels.Lion, f32 bool) refSigma {
	var s refSigma
	omb := func(b float64) float64 {
		if b >= 0.5 || b == 0 {
			return 0
		}
		return 1
	}
	s.omb1, s.omb2 = omb(o.Beta1), omb(o.Beta2)
	if o.LR*o.WeightDecay != 0 {
		s.pdecay = 1 // lrwd = LR*WeightDecay, rounded once
	}
	if f32 {
		r := refU64 / refU32
		for _, x := range []*float64{&s.gs, &s.b1, &s.omb1, &s.b2, &s.omb2, &s.step, &s.pdecay} {
			*x = 1 + *x*r
		}
	}
	return s // s.step is lr's
}

// lionErrBound bounds the kernels' error (generic.go: g = grad*s;
// c = b1*m + omb1*g; param = param - (lr*sign(c) + lrwd*param);
// m = b2*m + omb2*g) in c and m, and in param given the sign s the kernel
// took. sig.pdecay is lrwd's.
func lionErrBound(o kernels.Lion, in refLionIn, u0, tiny float64, sig refSigma) (ec, em float64, ep func(s float64) float64) {
	// An exact zero result of exact operands is exactly zero.
	rnd := func(x, e float64) float64 {
		if x == 0 && e == 0 {
			return 0
		}
		return e + u0*(math.Abs(x)+e) + tiny
	}
	scal := func(s, sigma, x, ex float64) float64 {
		return math.Abs(s)*ex + sigma*u0*math.Abs(s)*(math.Abs(x)+ex)
	}
	gs := lionScale(o)
	g := gs * in.g
	eg := rnd(g, scal(gs, sig.gs, in.g, 0))
	mix := func(b, sb, omb, somb float64) float64 {
		return rnd(b*in.m+omb*g, rnd(b*in.m, scal(b, sb, in.m, 0))+rnd(omb*g, scal(omb, somb, g, eg)))
	}
	ec = mix(o.Beta1, sig.b1, 1-o.Beta1, sig.omb1)
	em = mix(o.Beta2, sig.b2, 1-o.Beta2, sig.omb2)
	lw := o.LR * o.WeightDecay
	dec := lw * in.p
	edec := rnd(dec, scal(lw, sig.pdecay, in.p, 0))
	ep = func(s float64) float64 {
		els := rnd(o.LR*s, scal(o.LR, sig.step, s, 0))
		u := o.LR*s + dec
		return rnd(in.p-u, rnd(u, els+edec))
	}
	return ec, em, ep
}

// lionSigns lists the signs a kernel may take for an exact c known to
// within e (its own error bound).
func lionSigns(c, e float64) []float64 {
	if math.Abs(c) > e {
		return []float64{lionSign(c)}
	}
	var ss []float64
	if c+e > 0 {
		ss = append(ss, 1)
	}
	if c-e <= 0 && c+e >= 0 {
		ss = append(ss, 0)
	}
	if c-e < 0 {
		ss = append(ss, -1)
	}
	return ss
}

// lionRefCase draws the hyperparameters of option combination combo
// (bit 0 weight decay, 1 maximize, 2 gradient scale).
func lionRefCase(rng *rand.Rand, combo int) kernels.Lion {
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	o := kernels.Lion{
		LR:    pick(1e-4, 3e-4, 1e-3, 0.1),
		Beta1: pick(0.9, 0.95, 0.5, 0.3, 0),
		Beta2: pick(0.99, 0.98, 0.9, 0.3, 0),
	}
	if combo&1 != 0 {
		o.WeightDecay = pick(1e-3, 0.01, 0.1, 1)
	}
	o.Maximize = combo&2 != 0
	if combo&4 != 0 {
		o.GradScale = pick(1.0/32, 1.0/3, 1e-3, 4)
	}
	return o
}

// lionGrads draws a step's gradients: random magnitudes (zero one time in
// 25) and, every eighth element from the fifth, the gradient that cancels
// c, -b1*m/((1-b1)*s), so that c lies within rounding of zero.
func lionGrads(rng *rand.Rand, o kernels.Lion, m []float64, grad []float64) {
	scale := math.Pow(10, -1.5+2*rng.Float64())
	for i := range grad {
		grad[i] = kernels.RefMag(rng, -4, 0.5) * scale
		if i%8 == 5 && o.Beta1 != 0 && m[i] != 0 {
			grad[i] = -o.Beta1 * m[i] / ((1 - o.Beta1) * lionScale(o))
		}
	}
}

// lionCheckParam checks got against the reference param of every allowed
// sign and fails if it is within the bound of none.
func lionCheckParam(c *kernels.ErrCheck, where func() string, got float64, signs []float64, want func(float64) float64, tol func(s, ref float64) float64) {
	best, bestWant, bestTol := math.Inf(1), 0.0, 0.0
	for _, s := range signs {
		w := want(s)
		tl := tol(s, w)
		r := math.Abs(got-w) / tl
		if got == w {
			r = 0
		}
		if r < best {
			best, bestWant, bestTol = r, w, tl
		}
	}
	c.Check(where, fmt.Sprintf("param (signs %v)", signs), got, bestWant, bestTol)
}

const lionRefN32, lionRefN64 = 67, 35

func TestLionStep32MatchesReference(t *testing.T) {
	levels := refLevels(t)
	c := kernels.NewErrCheck(t)
	rng := rand.New(rand.NewPCG(3, 32))
	ambiguous := 0
	for combo := range 8 {
		for rep := range 4 {
			o := lionRefCase(rng, combo)
			name := fmt.Sprintf("%+v#%d", o, rep)
			sig := lionSigma(o, true)
			p, m := make([]float32, lionRefN32), make([]float32, lionRefN32)
			for i := range p {
				p[i] = float32(kernels.RefMag(rng, -2, 1))
			}
			grad, m64, grad64 := make([]float32, lionRefN32), make([]float64, lionRefN32), make([]float64, lionRefN32)
			var gp, gg, gm []float32
			for step := range 8 {
				for i := range m {
					m64[i] = float64(m[i])
				}
				lionGrads(rng, o, m64, grad64)
				for i := range grad {
					grad[i] = float32(grad64[i])
				}
				for li, lvl := range levels {
					kernels.SetLevel(lvl)
					gp, gg, gm = append(gp[:0], p...), append(gg[:0], grad...), append(gm[:0], m...)
					if err := o.Step32(gp, gg, gm); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					for i := range p {
						in := refLionIn{float64(p[i]), float64(grad[i]), float64(m[i])}
						cx, wantP, wantM := refLion64(o, in)
						ec, em, ep := lionErrBound(o, in, refU32, 0x1p-149, sig)
						// The float64 reference's own rounding, on the
						// magnitudes of its terms.
						gmag := math.Abs(lionScale(o) * in.g)
						slackC := 0x1p-44 * (o.Beta1*math.Abs(in.m) + gmag)
						signs := lionSigns(cx, ec*(1+0x1p-20)+slackC)
						if li == 0 && len(signs) > 1 {
							ambiguous++
						}
						where := func() string { return fmt.Sprintf("%v %s step %d [%d] c=%g", lvl, name, step, i, cx) }
						c.Check(where, "m", float64(gm[i]), wantM, em*(1+0x1p-20)+0x1p-44*(math.Abs(in.m)+gmag))
						lionCheckParam(c, where, float64(gp[i]), signs, wantP, func(s, _ float64) float64 {
							return ep(s)*(1+0x1p-20) + 0x1p-44*(math.Abs(in.p)+o.LR)
						})
					}
					if li == len(levels)-1 { // Generic is last: carry its state
						copy(p, gp)
						copy(m, gm)
					}
				}
			}
		}
	}
	if ambiguous == 0 {
		t.Errorf("no element had c within rounding of zero: the sign's discontinuity went untested")
	}
	t.Logf("largest |got-ref|/bound: %.3f; %d elements with c within rounding of zero", c.Worst(), ambiguous)
}

func TestLionStep64MatchesReference(t *testing.T) {
	levels := refLevels(t)
	c := kernels.NewErrCheck(t)
	rng := rand.New(rand.NewPCG(3, 64))
	ambiguous := 0
	for combo := range 8 {
		for rep := range 2 {
			o := lionRefCase(rng, combo)
			name := fmt.Sprintf("%+v#%d", o, rep)
			sig := lionSigma(o, false)
			p, m, grad := make([]float64, lionRefN64), make([]float64, lionRefN64), make([]float64, lionRefN64)
			for i := range p {
				p[i] = kernels.RefMag(rng, -2, 1)
			}
			var gp, gg, gm []float64
			for step := range 8 {
				lionGrads(rng, o, m, grad)
				for li, lvl := range levels {
					kernels.SetLevel(lvl)
					gp, gg, gm = append(gp[:0], p...), append(gg[:0], grad...), append(gm[:0], m...)
					if err := o.Step64(gp, gg, gm); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					for i := range p {
						in := refLionIn{p[i], grad[i], m[i]}
						cx, wantP, wantM := refLionBig(o, in)
						ec, em, ep := lionErrBound(o, in, refU64, 0x1p-1074, sig)
						cf, _ := cx.Float64()
						// The exact c's sign is exact; its float64 value
						// is within half an ulp, which the bound absorbs.
						signs := lionSigns(cf, ec*(1+0x1p-30))
						if li == 0 && len(signs) > 1 {
							ambiguous++
						}
						where := func() string { return fmt.Sprintf("%v %s step %d [%d] c=%g", lvl, name, step, i, cf) }
						c.Check(where, "m", gm[i], wantM, em*(1+0x1p-30)+refU64*math.Abs(wantM))
						lionCheckParam(c, where, gp[i], signs, wantP, func(s, ref float64) float64 {
							return ep(s)*(1+0x1p-30) + refU64*math.Abs(ref)
						})
					}
					if li == len(levels)-1 {
						copy(p, gp)
						copy(m, gm)
					}
				}
			}
		}
	}
	if ambiguous == 0 {
		t.Errorf("no element had c within rounding of zero: the sign's discontinuity went untested")
	}
	t.Logf("largest |got-ref|/bound: %.3f; %d elements with c within rounding of zero", c.Worst(), ambiguous)
}

// Hand-checked steps. The expected values were computed with python3 in
// float64, following optax.lion (scale_by_lion, add_decayed_weights,
// scale_by_learning_rate, apply_updates) operation by operation, and
// printed with repr:
//
//	def sign(x):  # jnp.sign: sign(0) = 0
//	    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)
//	def lion(p, g, m, lr=1e-4, b1=0.9, b2=0.99, wd=1e-3, maximize=False):
//	    p, m = list(p), list(m)
//	    for i in range(len(p)):
//	        gi = -g[i] if maximize else g[i]
//	        c = (1. - b1)*gi + b1*m[i]       # scale_by_lion: sign((1-b1)*g + b1*m)
//	        upd = sign(c)
//	        upd = upd + wd*p[i]              # add_decayed_weights(weight_decay)
//	        upd = -lr*upd                    # scale_by_learning_rate(lr)
//	        p[i] = p[i] + upd                # optax.apply_updates
//	        m[i] = (1. - b2)*gi + b2*m[i]    # tree_update_moment(g, mu, b2, 1)
//	    return p, m
//
// Maximize (not an Optax option) negates the gradient; GradScale stands
// for the user's g = W.grad / batch_size, computed as a division. Step64
// is held to torchULP64 and Step32 to torchULP32 units (pytorch_test.go),
// relative to the larger of the value and, for param, the step's input.
type lionTorchCase struct {
	name   string
	o      kernels.Lion
	p, g   []float64
	m      []float64
	wp, wm []float64
}

var (
	lionP0 = []float64{0.5, -1.25, 2.0, 0.0, 3.0}
	lionG1 = []float64{0.1, -0.2, 3.0, 1e-9, 0.0} // 1e-9: tiny, same step; 0: sign 0, decay only
	lionZ  = []float64{0, 0, 0, 0, 0}
	// lion(P0, G1, 0)
	lionP1 = []float64{0.49989995, -1.249899875, 1.9998998, -0.0001, 2.9999997}
	lionM1 = []float64{0.0010000000000000009, -0.0020000000000000018, 0.030000000000000027, 1.0000000000000009e-11, 0.0}
)

var lionTorchCases = []lionTorchCase{
	{name: "default, from zero", o: kernels.DefaultLion(), p: lionP0, g: lionG1, m: lionZ, wp: lionP1, wm: lionM1},
	{
		// lion(P1, G2, M1)
		name: "default, second step", o: kernels.DefaultLion(),
		p: lionP1, g: []float64{-0.05, -0.4, 1.5, 2e-9, 0.25}, m: lionM1,
		wp: []float64{0.499999900010005, -1.2497997500100126, 1.99979960001002, -0.00019999999000000002, 2.99989940000003},
		wm: []float64{0.0004900000000000004, -0.005980000000000005, 0.04470000000000004, 2.990000000000003e-11, 0.0025000000000000022},
	},
	{
		// lion(P0, G1, 0, lr=1e-3, wd=0.0)
		name: "no decay", o: kernels.Lion{LR: 1e-3, Beta1: 0.9, Beta2: 0.99},
		p: lionP0, g: lionG1, m: lionZ,
		wp: []float64{0.499, -1.249, 1.999, -0.001, 3.0}, wm: lionM1,
	},
	{
		// lion(P0, G1, 0, maximize=True)
		name: "maximize", o: kernels.Lion{LR: 1e-4, Beta1: 0.9, Beta2: 0.99, WeightDecay: 1e-3, Maximize: true},
		p: lionP0, g: lionG1, m: lionZ,
		wp: []float64{0.50009995, -1.250099875, 2.0000998, 0.0001, 2.9999997},
		wm: []float64{-0.0010000000000000009, 0.0020000000000000018, -0.030000000000000027, -1.0000000000000009e-11, 0.0},
	},
	{
		// lion(P0, [x/3 for x in G1], 0): the step is the same, m a third
		name: "GradScale 1/3", o: kernels.Lion{LR: 1e-4, Beta1: 0.9, Beta2: 0.99, WeightDecay: 1e-3, GradScale: 1.0 / 3},
		p: lionP0, g: lionG1, m: lionZ,
		wp: lionP1,
		wm: []float64{0.00033333333333333365, -0.0006666666666666673, 0.010000000000000009, 3.3333333333333368e-12, 0.0},
	},
	{
		// lion(P0, G1, M0, lr=3e-4, b1=0.95, b2=0.98, wd=0.1): in elements 2
		// and 4 the momentum outweighs the gradient and sets the sign
		name: "momentum sets the sign", o: kernels.Lion{LR: 3e-4, Beta1: 0.95, Beta2: 0.98, WeightDecay: 0.1},
		p: lionP0, g: lionG1, m: []float64{0.5, -0.02, -0.3, 1e-3, -0.1},
		wp: []float64{0.499685, -1.2496625, 2.00024, -0.0003, 3.00021},
		wm: []float64{0.492, -0.023600000000000003, -0.23399999999999993, 0.0009800000199999999, -0.098},
	},
}

func TestLionMatchesOptax(t *testing.T) {
	old := kernels.ActiveLevel()
	defer kernels.SetLevel(old)
	for _, lvl := range kernels.Levels() {
		kernels.SetLevel(lvl)
		for _, c := range lionTorchCases {
			cp := func(x []float64) []float64 { return append([]float64(nil), x...) }
			p64, m64 := cp(c.p), cp(c.m)
			if err := c.o.Step64(p64, cp(c.g), m64); err != nil {
				t.Fatal(err)
			}
			p32, m32 := torchTo32(c.p), torchTo32(c.m)
			if err := c.o.Step32(p32, torchTo32(c.g), m32); err != nil {
				t.Fatal(err)
			}
			for i := range c.p {
				check := func(what string, got64 float64, got32 float32, want, scale float64) {
					if !torchClose(got64, want, scale, torchULP64, refU64) {
						t.Errorf("%v %s: Step64 %s[%d] = %.17g, Optax %.17g", lvl, c.name, what, i, got64, want)
					}
					if !torchClose(float64(got32), want, scale, torchULP32, refU32) {
						t.Errorf("%v %s: Step32 %s[%d] = %.9g, Optax %.17g", lvl, c.name, what, i, got32, want)
					}
				}
				check("param", p64[i], p32[i], c.wp[i], math.Abs(c.p[i]))
				check("m", m64[i], m32[i], c.wm[i], 0)
			}
		}
	}
}

// TestLionParallelMatchesStep: StepTensors and StepParallel give Step's
// bits on each tensor, on 1 to 3 workers, over three steps, for lists
// with empty, tiny and split tensors.
func TestLionParallelMatchesStep(t *testing.T) {
	big := 300_000
	if kernels.ParSmall() {
		big = 70_000
	}
	pt := kernels.ParTest[int]{Seed: [2]uint64{43, 44}, Workers: [2][]int{{1, 2, 3}, {1, 3}},
		Sizes: []int{0, 5, big, 1000, 17, big / 3}, Slots: lionParSlots}
	for ci, o := range []kernels.Lion{kernels.DefaultLion(), {LR: 1e-2, Beta1: 0.5, Beta2: 0.9, WeightDecay: 0.1, Maximize: true, GradScale: 0.5}} {
		pt.Cases = append(pt.Cases, lionParCase(fmt.Sprintf("case=%d", ci), o))
	}
	pt.Run(t)
}

// lionParSlots are Lion's slices for the parallel harness.
var lionParSlots = []kernels.ParSlot{{"param", -4, 3, false}, {"grad", -12, 2, false}, {"m", -12, 0, false}}

// lionParCase is the parallel harness's case of o over three steps.
func lionParCase(name string, o kernels.Lion) kernels.ParCase[int] {
	return kernels.ParCase[int]{Name: name, Steps: []int{1, 2, 3},
		Ops32: lionParOps(o.Step32, o.StepParallel32, o.StepTensors32),
		Ops64: lionParOps(o.Step64, o.StepParallel64, o.StepTensors64)}
}

func TestLionParallelDoesNotAllocate(t *testing.T) {
	kernels.ParNoAlloc(t, lionParSlots, lionParCase("", kernels.DefaultLion()))
}

// lionParOps are Lion's steps for the harness, which passes a step number
// that Lion does not take.
func lionParOps[F float32 | float64, T any](step func(p, g, m []F) error,
	par func(*kernels.Pool, []F, []F, []F) error, list func(*kernels.Pool, []T) error) kernels.ParOps[F, int] {
	return kernels.ParOps3(func(_ int, p, g, m []F) error { return step(p, g, m) },
		func(pl *kernels.Pool, _ int, p, g, m []F) error { return par(pl, p, g, m) },
		func(pl *kernels.Pool, _ int, ts []T) error { return list(pl, ts) })
}
