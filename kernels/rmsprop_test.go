package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// The RMSprop tests: validation, lengths, allocations, levels through the
// public API, a bounded float64 reference of PyTorch's algorithm (its
// running error bound is errmodel_test.go's errArith), hand-checked
// PyTorch steps and the parallel steps.

// rmsSlots names RMSprop's five slices, in argument order.
var rmsSlots = [5]string{"param", "grad", "sq", "gavg", "buf"}

// rmsAll is an RMSprop that uses every slice and option but EpsInSqrt.
func rmsAll() RMSprop {
	r := DefaultRMSprop()
	r.WeightDecay, r.Momentum, r.Centered = 0.01, 0.9, true
	return r
}

// rmsVariant is r with the options of kernel variant v switched as v says
// (coupled decay, Centered, momentum, EpsInSqrt), keeping r's values where
// they are nonzero.
func rmsVariant(r RMSprop, v int) RMSprop {
	r.WeightDecay, r.Momentum = 0, 0
	if v&1 != 0 {
		r.WeightDecay = 0.03
	}
	r.Centered = v&2 != 0
	if v&4 != 0 {
		r.Momentum = 0.9
	}
	r.EpsInSqrt = v&8 != 0
	return r
}

// rmsInputs are random slices for RMSprop: moderate parameters and
// gradients, sq large enough next to gavg^2 that the centered variance is
// mostly positive, and, if every > 0, special values at a rate 1/every.
func rmsInputs[F testbuf.Float](seed uint64, n, every int) [5][]F {
	r := testbuf.NewRand(seed)
	var in [5][]F
	for i := range in {
		in[i] = make([]F, n)
	}
	testbuf.Fill(r, in[0], -4, 3)
	testbuf.Fill(r, in[1], -12, 2)
	testbuf.FillNonNeg(r, in[2], -10, 0)
	testbuf.Fill(r, in[3], -20, -6)
	testbuf.Fill(r, in[4], -4, 2)
	if every > 0 {
		for _, s := range in {
			testbuf.Sprinkle(r, s, every)
		}
	}
	return in
}

// rmsClone copies every slice (nil stays nil).
func rmsClone[F testbuf.Float](in [5][]F) [5][]F {
	var c [5][]F
	rdCopySlots(c[:], in[:])
	return c
}

// rdCopySlots sets each dst[i] to a copy of src[i] (nil stays nil).
func rdCopySlots[F testbuf.Float](dst, src [][]F) {
	for i, s := range src {
		if s != nil {
			dst[i] = append([]F(nil), s...)
		}
	}
}

// rdBad is an invalid setting: the field to blame, its value, whether only
// float32 rejects it, and the step number.
type rdBad[O any] struct {
	field  string
	value  float64
	only32 bool
	t      int
	set    func(*O)
}

// add adds to rt the case of b on o, variant naming o's options, its
// parCase made by caseOf.
func (b rdBad[O]) add(rt *rejectTest[int], o O, variant string, caseOf func(string, O) parCase[int]) {
	b.set(&o)
	name := fmt.Sprintf("%s=%v/%s", b.field, b.value, variant)
	if b.only32 {
		name = "float32/" + name
	}
	rt.Add(caseOf(name, o), b.t, b.field, b.value, b.only32)
}

func rmsBads() []rdBad[RMSprop] {
	var out []rdBad[RMSprop]
	add := func(field string, only32 bool, ptr func(*RMSprop) *float64, values ...float64) {
		for _, v := range values {
			out = append(out, rdBad[RMSprop]{field, v, only32, 1, func(r *RMSprop) { *ptr(r) = v }})
		}
	}
	nan, inf := math.NaN(), math.Inf(1)
	lr := func(r *RMSprop) *float64 { return &r.LR }
	eps := func(r *RMSprop) *float64 { return &r.Eps }
	wd := func(r *RMSprop) *float64 { return &r.WeightDecay }
	mom := func(r *RMSprop) *float64 { return &r.Momentum }
	gs := func(r *RMSprop) *float64 { return &r.GradScale }
	add("LR", false, lr, -1e-3, nan, inf, -inf)
	add("Alpha", false, func(r *RMSprop) *float64 { return &r.Alpha }, -0.1, math.Nextafter(1, 2), 1.5, nan, inf, -inf)
	add("Eps", false, eps, 0, -1e-8, nan, inf)
	add("WeightDecay", false, wd, -0.01, nan, inf)
	add("Momentum", false, mom, -0.9, nan, inf)
	add("GradScale", false, gs, -1, nan, inf)
	add("Eps", true, eps, 1e-50, 1e39)
	add("LR", true, lr, 1e39)
	add("WeightDecay", true, wd, 1e39)
	add("Momentum", true, mom, 1e39)
	add("GradScale", true, gs, 1e39)
	for _, step := range []int{0, -1} {
		out = append(out, rdBad[RMSprop]{"t", float64(step), false, step, func(*RMSprop) {}})
	}
	return out
}

// TestRMSpropValidation: every way out of every domain makes Step32,
// Step64 and the parallel steps return the same *ParamError, naming the
// field and value, at every level, and change nothing; what only float32
// cannot carry passes the float64 methods (rejectTest).
func TestRMSpropValidation(t *testing.T) {
	rt := rejectTest[int]{Opt: "RMSprop", Slots: rmsParSlots}
	for _, b := range rmsBads() {
		for _, eis := range []bool{false, true} {
			r := rmsAll()
			r.EpsInSqrt = eis
			b.add(&rt, r, fmt.Sprintf("epsInSqrt=%v", eis), func(name string, r RMSprop) parCase[int] { return rmsParCase(name, r, false) })
		}
	}
	rt.Run(t)
}

// TestRMSpropValidateAcceptsEdges: the closed ends of each domain are
// valid, and so are the defaults.
func TestRMSpropValidateAcceptsEdges(t *testing.T) {
	for _, r := range []RMSprop{
		DefaultRMSprop(),
		{LR: 0, Alpha: 0, Eps: math.SmallestNonzeroFloat64},
		{LR: 1, Alpha: 1, Eps: 1, WeightDecay: 0, Momentum: 0, GradScale: 0},
		{LR: 1e300, Alpha: 0.5, Eps: 1e300, WeightDecay: 1e300, Momentum: 1e300, GradScale: 1e300},
	} {
		if err := r.Validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
}

// TestRMSpropLengthPanics: a slice of the wrong length panics, naming the
// slice and both lengths, before anything is written; gavg is only
// checked when Centered and buf only with momentum.
func TestRMSpropLengthPanics(t *testing.T) {
	const n = 6
	for v := range 16 {
		r := rmsVariant(DefaultRMSprop(), v)
		for slot := 1; slot < 5; slot++ {
			used := slot < 3 || slot == 3 && r.Centered || slot == 4 && r.Momentum > 0
			for _, bad := range []int{0, n - 1, n + 1} {
				in := rmsInputs[float32](9, n, 0)
				got := rmsClone(in)
				got[slot] = append(got[slot][:min(bad, n)], make([]float32, max(bad-n, 0))...)
				msg := panicMessage(func() { r.Step32(1, got[0], got[1], got[2], got[3], got[4]) })
				if !used {
					if msg != "" {
						t.Errorf("variant %d: unused len(%s) = %d panicked: %s", v, rmsSlots[slot], bad, msg)
					}
					continue
				}
				want := fmt.Sprintf("fusedopt: RMSprop.Step32: len(%s) = %d, want len(param) = %d", rmsSlots[slot], bad, n)
				if msg != want {
					t.Errorf("variant %d: panic %q, want %q", v, msg, want)
				}
				if testbuf.FirstDiff(got[0], in[0]) >= 0 {
					t.Errorf("variant %d, len(%s) = %d: param changed before the panic", v, rmsSlots[slot], bad)
				}
				x := make([]float64, n)
				s64 := [5][]float64{x, x, x, x, x}
				s64[slot] = make([]float64, bad)
				msg = panicMessage(func() { r.Step64(1, s64[0], s64[1], s64[2], s64[3], s64[4]) })
				if want := fmt.Sprintf("fusedopt: RMSprop.Step64: len(%s) = %d, want len(param) = %d", rmsSlots[slot], bad, n); msg != want {
					t.Errorf("variant %d: Step64 panic %q, want %q", v, msg, want)
				}
			}
		}
	}
}

// TestRMSpropStepDoesNotAllocate: no variant of Step32 or Step64
// allocates, at any level.
func TestRMSpropStepDoesNotAllocate(t *testing.T) {
	in32 := rmsInputs[float32](1, 100, 0)
	in64 := rmsInputs[float64](1, 100, 0)
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for v := range 16 {
			r := rmsVariant(DefaultRMSprop(), v)
			if n := testing.AllocsPerRun(10, func() { r.Step32(2, in32[0], in32[1], in32[2], in32[3], in32[4]) }); n != 0 {
				t.Errorf("level %v, variant %d: Step32 allocates %v times per call", l, v, n)
			}
			if n := testing.AllocsPerRun(10, func() { r.Step64(2, in64[0], in64[1], in64[2], in64[3], in64[4]) }); n != 0 {
				t.Errorf("level %v, variant %d: Step64 allocates %v times per call", l, v, n)
			}
		}
	}
}

// TestRMSpropEmptyAndUnused: zero elements is a no-op, and the slices a
// variant does not use may be nil.
func TestRMSpropEmptyAndUnused(t *testing.T) {
	for v := range 16 {
		r := rmsVariant(DefaultRMSprop(), v)
		if err := r.Step32(1, nil, nil, nil, nil, nil); err != nil {
			t.Errorf("variant %d: Step32 on nil slices: %v", v, err)
		}
		if err := r.Step64(1, []float64{}, []float64{}, []float64{}, []float64{}, []float64{}); err != nil {
			t.Errorf("variant %d: Step64 on empty slices: %v", v, err)
		}
	}
	p := []float32{1, 2, 3}
	if err := DefaultRMSprop().Step32(1, p, []float32{1, 1, 1}, make([]float32, 3), nil, nil); err != nil || p[0] == 1 {
		t.Errorf("nil gavg and buf: err %v, param %v", err, p)
	}
}

// rmsStep is Step32 or Step64 on s, by F.
func rmsStep[F testbuf.Float](r RMSprop, t int, s [5][]F) error {
	switch s := any(s).(type) {
	case [5][]float32:
		return r.Step32(t, s[0], s[1], s[2], s[3], s[4])
	case [5][]float64:
		return r.Step64(t, s[0], s[1], s[2], s[3], s[4])
	}
	panic("unreachable")
}

// rmsLengths are around the vector widths and unroll factors of every
// level: 4/8/16 float32 per vector, four vectors per iteration.
var rmsLengths = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 200}

// TestRMSpropLevelsAgree: through Step32 and Step64, every supported level
// gives Generic's bits in every variant and for both signs and scales of
// the gradient, on random and special values, over two steps, without
// writing outside the slices; also with grad aliasing param.
func TestRMSpropLevelsAgree(t *testing.T) {
	rmsLevelsAgree[float32](t)
	rmsLevelsAgree[float64](t)
}

func rmsLevelsAgree[F testbuf.Float](t *testing.T) {
	levels := fastLevels(t)
	for v := range 16 {
		r := rmsVariant(DefaultRMSprop(), v)
		r.LR, r.Alpha = 0.1, 0.9
		if v%3 == 0 {
			r.Maximize, r.GradScale = true, 0.25
		}
		for li, n := range rmsLengths {
			every := 0
			if li%2 == 1 {
				every = 5
			}
			alias := li%5 == 4
			in := rmsInputs[F](uint64(100*v+n), n, every)
			run := func(l Level, offset int) ([5][]F, []*testbuf.Guarded[F]) {
				withLevel(t, l)
				var g []*testbuf.Guarded[F]
				var s [5][]F
				for i := range s {
					g = append(g, testbuf.GuardedCopy(in[i], offset))
					s[i] = g[i].S
				}
				if alias {
					s[1] = s[0]
				}
				for step := 1; step <= 2; step++ {
					if err := rmsStep(r, step, s); err != nil {
						t.Fatal(err)
					}
				}
				return s, g
			}
			want, _ := run(Generic, 0)
			for _, l := range levels {
				offset := n % 4
				got, g := run(l, offset)
				for i := range got {
					if err := g[i].Check(rmsSlots[i]); err != nil {
						t.Fatalf("level %v, variant %d, n=%d, %T: %v", l, v, n, F(0), err)
					}
					if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
						t.Fatalf("level %v, variant %d, n=%d, alias=%v, %T: %s[%d] = %s, generic gives %s (%+v)",
							l, v, n, alias, F(0), rmsSlots[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]), r)
					}
				}
			}
		}
	}
}

// TestRMSpropVariantScalars pins the plumbing from the struct to the
// kernel: the variant index and each scalar.
func TestRMSpropVariantScalars(t *testing.T) {
	r := RMSprop{LR: 0.5, Alpha: 0.25, Eps: 1e-3, WeightDecay: 0.125, Momentum: 0.75, Centered: true, EpsInSqrt: true, Maximize: true, GradScale: 2}
	if v := r.variant(); v != 15 {
		t.Errorf("variant %d, want 15", v)
	}
	s, err := r.scalars(1)
	if err != nil {
		t.Fatal(err)
	}
	want := [rmspropScalarCount]float64{rmspropGscale: -2, rmspropWd: 0.125, rmspropAlpha: 0.25, rmspropOma: 0.75, rmspropEps: 1e-3, rmspropMom: 0.75, rmspropLr: 0.5}
	if s != want {
		t.Errorf("scalars %v, want %v", s, want)
	}
	for _, c := range []struct {
		r RMSprop
		v int
	}{
		{DefaultRMSprop(), 0},
		{RMSprop{WeightDecay: 1}, 1},
		{RMSprop{Centered: true}, 2},
		{RMSprop{Momentum: 0.1}, 4},
		{RMSprop{EpsInSqrt: true}, 8},
		{RMSprop{Maximize: true, GradScale: 3}, 0},
	} {
		if v := c.r.variant(); v != c.v {
			t.Errorf("%+v: variant %d, want %d", c.r, v, c.v)
		}
	}
}

// # The bounded reference
//
// rmsTorch evaluates PyTorch's order in ea64: x is the float64 reference
// and e bounds its distance from the exact formula; rmsKernel evaluates
// the kernels' order in ea32 or ea64, each per-step scalar carrying its
// own rounding (2^-24 relative for float32, plus 2^-53 where 1-alpha
// rounds). The sum of the two bounds, with errCheck.checkSum, bounds
// |Step - reference| (see errmodel_test.go for the rules and why).
//
// To first order, the bound for RMSprop's float32 kernels is k units of
// 2^-24 times the sum of the magnitudes of the terms that produce each
// output (each scalar's rounding to float32 is one unit):
//
//	g:     k = 3 on |s*grad| + |wd*param|    (2 without decay)
//	sq:    k = 10 on |alpha*sq| + (1-alpha)*g^2
//	gavg:  k = 6 on |alpha*gavg| + (1-alpha)*|g|
//	v:     k = 14 on sq + gavg^2 when centered (amplified by
//	       (sq + gavg^2)/v where the two cancel)
//	avg:   k = 7 relative (half of v's through the square root, plus the
//	       root, eps and the sum)
//	u:     k = 11 relative (g/avg)
//	buf:   k = 12 on |mom*buf| + |u|
//	param: k = 15 on |param| + lr*(|mom*buf| + |u|), 14 without momentum
//
// and the reference adds as many units of 2^-53. The test logs the
// largest ratio of the actual difference to the bound (about 0.98 for
// Step32, where a final rounding of param alone reaches half an ulp).

// rmsIn is one element's state before a step.
type rmsIn struct{ p, g, sq, ga, buf float64 }

// rmsOut is one element after a step, each with its bound.
type rmsOut struct{ p, sq, ga, buf errVal }

// rmsTorch is one step of torch.optim.RMSprop on one element, in
// PyTorch's arrangement (_single_tensor_rmsprop, float64 tensors):
//
//	grad = -grad if maximize
//	grad = grad.add(param, alpha=weight_decay)
//	square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
//	grad_avg.lerp_(grad, 1 - alpha)                                 (centered)
//	avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()  (centered)
//	avg = square_avg.sqrt()                                         (else)
//	avg = avg.add_(eps)
//	buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)  (momentum > 0)
//	param.addcdiv_(grad, avg, value=-lr)                                (else)
//
// with addcmul as self + value*t1*t2 and addcdiv as self + value*t1/t2
// (ATen's CPU kernels), lerp as ATen's, and GradScale the user's own
// grad*scale before the optimizer. EpsInSqrt, not a PyTorch option, is
// Optax's rsqrt(nu + eps): avg = sqrt(v + eps). Evaluated in ea64, x is
// the float64 reference and e bounds its distance from the exact formula.
func rmsTorch(a errArith, r RMSprop, in rmsIn) rmsOut {
	g := a.grad(in.g, r.GradScale, r.Maximize)
	p := a.exact(in.p)
	if r.WeightDecay != 0 {
		g = a.add(g, a.mul(a.exact(r.WeightDecay), p))
	}
	oma := a.scalar(oneMinus64(r.Alpha))
	sq := a.add(a.mul(a.exact(in.sq), a.exact(r.Alpha)), a.mul(a.mul(oma, g), g))
	v, ga := sq, a.exact(in.ga)
	if r.Centered {
		ga = a.lerp(ga, g, oma)
		v = a.sub(sq, a.mul(ga, ga))
	}
	eps := a.exact(r.Eps)
	var avg errVal
	if r.EpsInSqrt {
		avg = a.sqrt(a.add(v, eps))
	} else {
		avg = a.add(a.sqrt(v), eps)
	}
	floor := rmsFloor(a, r, r.Eps)
	out := rmsOut{sq: sq, ga: ga, buf: a.exact(in.buf)}
	if r.Momentum > 0 {
		out.buf = a.add(a.mul(out.buf, a.exact(r.Momentum)), a.div(g, avg, floor))
		out.p = a.add(p, a.mul(a.exact(-r.LR), out.buf))
	} else {
		out.p = a.add(p, a.div(a.mul(a.exact(-r.LR), g), avg, floor))
	}
	return out
}

// rmsFloor is a floor of the computed denominator, given a floor epsLo of
// the eps the computation uses (the float32 eps~ is within its rounding of
// Eps): sqrt(v)+eps~ >= eps~ since the square root is never negative and
// rounding is monotonic, and sqrt(v+eps~) >= sqrt(eps~)*(1-u) when v >= 0,
// which holds without centering (v is then a sum of non-negative terms).
func rmsFloor(a errArith, r RMSprop, epsLo float64) float64 {
	switch {
	case !r.EpsInSqrt:
		return epsLo
	case !r.Centered:
		return math.Sqrt(epsLo) * (1 - a.u)
	}
	return 0
}

// rmsKernel bounds the kernels' own order (generic.go), with every
// per-step scalar carrying its rounding:
//
//	g = grad*gscale (+ wd*param); sq = alpha*sq + oma*(g*g)
//	gavg = alpha*gavg + oma*g; v = sq - gavg*gavg (centered)
//	avg = sqrt(v) + eps (or sqrt(v + eps)); u = g/avg
//	buf = mom*buf + u; param = param - lr*buf (or param - lr*u)
func rmsKernel(a errArith, r RMSprop, in rmsIn) rmsOut {
	sc := a.scalar
	g := a.mul(a.exact(in.g), sc(signedGradScale(r.GradScale, r.Maximize), 0))
	p := a.exact(in.p)
	if r.WeightDecay != 0 {
		g = a.add(g, a.mul(sc(r.WeightDecay, 0), p))
	}
	alpha, oma := sc(r.Alpha, 0), sc(oneMinus64(r.Alpha))
	sq := a.add(a.mul(alpha, a.exact(in.sq)), a.mul(oma, a.mul(g, g)))
	v, ga := sq, a.exact(in.ga)
	if r.Centered {
		ga = a.add(a.mul(alpha, ga), a.mul(oma, g))
		v = a.sub(sq, a.mul(ga, ga))
	}
	eps := sc(r.Eps, 0)
	var avg errVal
	if r.EpsInSqrt {
		avg = a.sqrt(a.add(v, eps))
	} else {
		avg = a.add(a.sqrt(v), eps)
	}
	u := a.div(g, avg, rmsFloor(a, r, eps.x-eps.e))
	out := rmsOut{sq: sq, ga: ga, buf: a.exact(in.buf)}
	lr := sc(r.LR, 0)
	if r.Momentum > 0 {
		out.buf = a.add(a.mul(sc(r.Momentum, 0), out.buf), u)
		out.p = a.sub(p, a.mul(lr, out.buf))
	} else {
		out.p = a.sub(p, a.mul(lr, u))
	}
	return out
}

// rmsRefCase draws the hyperparameters of option combination combo (bit
// 0 weight decay, 1 centered, 2 momentum, 3 EpsInSqrt, 4 maximize, 5
// gradient scale).
func rmsRefCase(rng *rand.Rand, combo int) RMSprop {
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	r := RMSprop{
		LR:    pick(1e-3, 1e-2, 0.1),
		Alpha: pick(0.99, 0.9, 0.95, 0.8, 0.3, 0),
		Eps:   pick(1e-8, 1e-6, 1e-4),
	}
	if combo&1 != 0 {
		r.WeightDecay = pick(0.01, 0.1, 0.5)
	}
	r.Centered = combo&2 != 0
	if combo&4 != 0 {
		r.Momentum = pick(0.9, 0.5, 0.99)
	}
	r.EpsInSqrt = combo&8 != 0
	r.Maximize = combo&16 != 0
	if combo&32 != 0 {
		r.GradScale = pick(1.0/32, 1.0/3, 4)
	}
	return r
}

// rdRefSteps is how many consecutive steps each reference case runs, from
// zero state; rdRefN exceeds the widest unrolled loop by an odd tail.
const (
	rdRefSteps = 6
	rdRefN     = 67
)

// TestRMSpropMatchesReference checks Step32 and Step64 at every level
// against rmsTorch, element by element and step by step, within the sum
// of the two rounding bounds (see errmodel_test.go). Each step starts from the
// state the Generic level left, which the reference also starts from, so
// the bound is a one-step bound.
func TestRMSpropMatchesReference(t *testing.T) {
	rmsMatchesReference[float32](t, ea32)
	rmsMatchesReference[float64](t, ea64)
}

func rmsMatchesReference[F testbuf.Float](t *testing.T, kern errArith) {
	c := &errCheck{t: t}
	rng := rand.New(rand.NewPCG(5, uint64(testbuf.Size[F]())))
	levels := append(fastLevels(t), Generic) // Generic last: its state is carried
	for combo := range 64 {
		r := rmsRefCase(rng, combo)
		var st [5][]F // param, grad, sq, gavg, buf
		for i := range st {
			st[i] = make([]F, rdRefN)
		}
		for i := range st[0] {
			st[0][i] = F(refMag(rng, -2, 1))
		}
		for step := 1; step <= rdRefSteps; step++ {
			scale := math.Pow(10, -1.5+2*rng.Float64())
			for i := range st[1] {
				st[1][i] = F(refMag(rng, -4, 0.5) * scale)
			}
			var got [5][]F
			for _, l := range levels {
				withLevel(t, l)
				got = rmsClone(st)
				if err := rmsStep(r, step, got); err != nil {
					t.Fatalf("%+v: %v", r, err)
				}
				for i := range rdRefN {
					in := rmsIn{float64(st[0][i]), float64(st[1][i]), float64(st[2][i]), float64(st[3][i]), float64(st[4][i])}
					ref, bound := rmsTorch(ea64, r, in), rmsKernel(kern, r, in)
					where := func() string { return fmt.Sprintf("%v %T %+v t=%d [%d] %+v", l, F(0), r, step, i, in) }
					c.checkSum(where, "param", float64(got[0][i]), ref.p, bound.p)
					c.checkSum(where, "sq", float64(got[2][i]), ref.sq, bound.sq)
					if r.Centered {
						c.checkSum(where, "gavg", float64(got[3][i]), ref.ga, bound.ga)
					}
					if r.Momentum > 0 {
						c.checkSum(where, "buf", float64(got[4][i]), ref.buf, bound.buf)
					}
				}
			}
			st = got
		}
	}
	t.Logf("%T: largest |got-ref|/bound: %.3f at %s", F(0), c.worst, c.worstAt)
}

// Hand-checked steps against PyTorch's documented equations. The expected
// values were computed with python3 in float64, following
// torch.optim.RMSprop's single-tensor implementation operation by
// operation, and printed with repr:
//
//	import math
//	def lerp(s, e, w):  # ATen's lerp
//	    return s + w*(e - s) if abs(w) < 0.5 else e - (e - s)*(1 - w)
//	def rmsprop(p, g, sq, ga, buf, lr=1e-2, alpha=0.99, eps=1e-8, wd=0.0, momentum=0.0,
//	            centered=False, maximize=False, eps_in_sqrt=False, batch=1):
//	    p, sq, ga, buf = list(p), list(sq), list(ga), list(buf)
//	    for i in range(len(p)):
//	        gi = g[i] / batch                              # the user's grad / batch_size
//	        gi = -gi if maximize else gi
//	        if wd != 0: gi = gi + wd*p[i]                  # grad.add(param, alpha=wd)
//	        sq[i] = sq[i]*alpha + (1 - alpha)*gi*gi        # square_avg.mul_(alpha).addcmul_(g, g, value=1-alpha)
//	        v = sq[i]
//	        if centered:
//	            ga[i] = lerp(ga[i], gi, 1 - alpha)         # grad_avg.lerp_(grad, 1-alpha)
//	            v = v + (-1)*ga[i]*ga[i]                   # square_avg.addcmul(ga, ga, value=-1)
//	        avg = math.sqrt(v + eps) if eps_in_sqrt else math.sqrt(v) + eps  # .sqrt_(); avg.add_(eps)
//	        if momentum > 0:
//	            buf[i] = buf[i]*momentum + gi/avg          # buf.mul_(momentum).addcdiv_(grad, avg)
//	            p[i] = p[i] + (-lr)*buf[i]                 # param.add_(buf, alpha=-lr)
//	        else:
//	            p[i] = p[i] + (-lr)*gi/avg                 # param.addcdiv_(grad, avg, value=-lr)
//	    return p, sq, ga, buf
//
// with P0 = [0.5, -1.25, 2.0, 0.0, 3.0], G1 = [0.1, -0.2, 3.0, 1e-9, 0.0]
// (1e-9: eps matters; 0: a zero gradient) and G2 = [-0.05, -0.4, 1.5,
// 2e-9, 0.25]; a second step starts from the first's result. EpsInSqrt
// has no PyTorch flag: it is the same script with avg = sqrt(v + eps), as
// Optax computes it.
//
// The kernels compute the same formula in another arrangement (alpha*sq +
// (1-alpha)*(g*g) instead of addcmul's order, alpha*gavg + (1-alpha)*g
// instead of lerp, lr*(g/avg) instead of (lr*g)/avg, grad*GradScale
// instead of grad/batch_size), so the outputs agree to a few roundings:
// Step64 within rmsTorchULP64 units of 2^-53 and Step32 within
// rmsTorchULP32 units of 2^-24, relative to the larger of the value and
// the magnitude it was updated from (param, buf and gavg can partly
// cancel). Each arrangement rounds about 6 to 8 times on the longest path
// (param with momentum) and a second step starts from states a rounding
// or two apart, hence 8 units for Step64; Step32 adds the rounding of its
// inputs and scalars to float32, hence 16. The largest differences
// measured are 3.1 units for both (every level computes the same bits).
const (
	rmsTorchULP64 = 8
	rmsTorchULP32 = 16
)

// rdTorchStep is one hand-checked step: the gradient and the expected
// state after it (nil where the option is off).
type rdTorchStep struct {
	grad              []float64
	wantP, wantSq     []float64
	wantGAvg, wantBuf []float64 // RMSprop: centered, momentum
	wantAcc           []float64 // Adadelta
}

var (
	rdP0 = []float64{0.5, -1.25, 2.0, 0.0, 3.0}
	rdG1 = []float64{0.1, -0.2, 3.0, 1e-9, 0.0}
	rdG2 = []float64{-0.05, -0.4, 1.5, 2e-9, 0.25}
	// square_avg after G1 from zero with alpha 0.99, shared by several cases.
	rmsSq1 = []float64{0.0001000000000000001, 0.0004000000000000004, 0.09000000000000008, 1.000000000000001e-20, 0.0}
	rmsSq2 = []float64{0.00012400000000000014, 0.001996000000000002, 0.1116000000000001, 4.990000000000005e-20, 0.0006250000000000006}
	rmsGa1 = []float64{0.0010000000000000009, -0.0020000000000000018, 0.030000000000000027, 1.0000000000000009e-11, 0.0}
	rmsGa2 = []float64{0.0004900000000000004, -0.005980000000000005, 0.04470000000000004, 2.990000000000003e-11, 0.0025000000000000022}
)

type rmsTorchCase struct {
	name  string
	r     RMSprop
	steps []rdTorchStep
}

var rmsTorchCases = []rmsTorchCase{
	{
		// rmsprop(P0, G1, 0, 0, 0), then rmsprop(<result>, G2)
		name: "default, two steps",
		r:    DefaultRMSprop(),
		steps: []rdTorchStep{{
			grad:   rdG1,
			wantP:  []float64{0.40000009999990005, -1.150000049999975, 1.9000000033333333, -0.0009900990099009903, 3.0},
			wantSq: rmsSq1,
		}, {
			grad:   rdG2,
			wantP:  []float64{0.4449013851840493, -1.0604677738328816, 1.8550986791707256, -0.0029463985875828767, 2.900000039999984},
			wantSq: rmsSq2,
		}},
	},
	{
		// rmsprop(P0, G1, 0, 0, 0, wd=0.1): L2 decay, which moves element
		// 4 although its gradient is 0
		name: "weight decay 0.1",
		r:    RMSprop{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, WeightDecay: 0.1},
		steps: []rdTorchStep{{
			grad:   rdG1,
			wantP:  []float64{0.40000006666662224, -1.1500000307692213, 1.900000003125, -0.0009900990099009903, 2.9000000333333222},
			wantSq: []float64{0.00022500000000000026, 0.001056250000000001, 0.1024000000000001, 1.000000000000001e-20, 0.0009000000000000011},
		}},
	},
	{
		// rmsprop(..., centered=True), two steps
		name: "centered, two steps",
		r:    RMSprop{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, Centered: true},
		steps: []rdTorchStep{{
			grad:     rdG1,
			wantP:    []float64{0.3994963194840783, -1.149496268979104, 1.899496221841082, -0.000990148150295813, 3.0},
			wantSq:   rmsSq1,
			wantGAvg: rmsGa1,
		}, {
			grad:     rdG2,
			wantP:    []float64{0.44444113882242064, -1.059151021049545, 1.8541874610062528, -0.00294683244964205, 2.899496258878103},
			wantSq:   rmsSq2,
			wantGAvg: rmsGa2,
		}},
	},
	{
		// rmsprop(..., momentum=0.9), two steps
		name: "momentum 0.9, two steps",
		r:    RMSprop{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, Momentum: 0.9},
		steps: []rdTorchStep{{
			grad:    rdG1,
			wantP:   []float64{0.40000009999990005, -1.150000049999975, 1.9000000033333333, -0.0009900990099009901, 3.0},
			wantSq:  rmsSq1,
			wantBuf: []float64{9.999990000009996, -9.999995000002494, 9.999999666666673, 0.09900990099009901, 0.0},
		}, {
			grad:    rdG2,
			wantP:   []float64{0.35490147518395937, -0.9704678188328592, 1.7650986821707255, -0.0038374876964937673, 2.900000039999984},
			wantSq:  rmsSq2,
			wantBuf: []float64{4.5098624815940695, -17.953223116711577, 13.490132116260778, 0.2847388686592777, 9.999996000001595},
		}},
	},
	{
		// rmsprop(..., lr=1e-3, alpha=0.9, wd=0.05, momentum=0.5,
		// centered=True), two steps: every PyTorch option at once
		name: "weight decay, centered, momentum, two steps",
		r:    RMSprop{LR: 1e-3, Alpha: 0.9, Eps: 1e-8, WeightDecay: 0.05, Momentum: 0.5, Centered: true},
		steps: []rdTorchStep{{
			grad:     rdG1,
			wantP:    []float64{0.49666666755555533, -1.2466666670899471, 1.996666666702509, -9.708737864077672e-05, 2.9966666674074074},
			wantSq:   []float64{0.0015624999999999997, 0.006890624999999999, 0.9609999999999999, 9.999999999999999e-20, 0.0022500000000000003},
			wantGAvg: []float64{0.012499999999999997, -0.026249999999999996, 0.30999999999999994, 9.999999999999998e-11, 0.015},
			wantBuf:  []float64{3.3333324444446815, -3.333332910052964, 3.33333329749104, 0.09708737864077671, 3.333332592592757},
		}, {
			grad:     rdG2,
			wantP:    []float64{0.4956742202346432, -1.2419311560067132, 1.9933393890128608, 0.003164892346878336, 2.9917517065050716},
			wantSq:   []float64{0.0014695861108874073, 0.027576773613068078, 1.1208466694450179, 2.354548515261571e-12, 0.018011669447406172},
			wantGAvg: []float64{0.008733333337777774, -0.06985833333544972, 0.43898333333351247, -4.851468932038836e-07, 0.05348333333703703},
			wantBuf:  []float64{0.9924473209121599, -4.735511083233984, 3.327277689648315, -3.2619797255191125, 4.914960902335657},
		}},
	},
	{
		// rmsprop(P0, G1, 0, 0, 0, eps_in_sqrt=True): element 3's
		// denominator is sqrt(1e-20 + 1e-8), about 1e-4
		name: "EpsInSqrt",
		r:    RMSprop{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, EpsInSqrt: true},
		steps: []rdTorchStep{{
			grad:   rdG1,
			wantP:  []float64{0.4000049996250313, -1.150001249976563, 1.900000005555555, -9.999999999995001e-08, 3.0},
			wantSq: rmsSq1,
		}},
	},
	{
		// rmsprop(..., centered=True, eps_in_sqrt=True, momentum=0.9),
		// two steps: Optax's centered rmsprop with momentum
		name: "EpsInSqrt, centered, momentum, two steps",
		r:    RMSprop{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, Momentum: 0.9, Centered: true, EpsInSqrt: true},
		steps: []rdTorchStep{{
			grad:     rdG1,
			wantP:    []float64{0.39950129403813156, -1.149497487437186, 1.8994962241140212, -9.999999999995051e-08, 3.0},
			wantSq:   rmsSq1,
			wantGAvg: rmsGa1,
			wantBuf:  []float64{10.049870596186844, -10.050251256281403, 10.050377588597879, 9.99999999999505e-06, 0.0},
		}, {
			grad:     rdG2,
			wantP:    []float64{0.35399550271293295, -0.968700188239001, 1.7637340656801912, -3.8999999999941594e-07, 2.8994970306160046},
			wantSq:   rmsSq2,
			wantGAvg: rmsGa2,
			wantBuf:  []float64{4.550579132519863, -18.079729919818494, 13.576215843382997, 2.8999999999946542e-05, 10.050296938399539},
		}},
	},
	{
		// rmsprop(P0, G1, 0, 0, 0, maximize=True, batch=3): ascends, with
		// g = W.grad / 3 given to the kernel as GradScale 1/3
		name: "maximize, GradScale 1/3",
		r:    RMSprop{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, Maximize: true, GradScale: 1.0 / 3},
		steps: []rdTorchStep{{
			grad:   rdG1,
			wantP:  []float64{0.5999997000009, -1.349999850000225, 2.099999990000001, 0.0003322259136212625, 3.0},
			wantSq: []float64{1.1111111111111122e-05, 4.444444444444449e-05, 0.010000000000000009, 1.1111111111111125e-21, 0.0},
		}},
	},
}

// rdTorchClose reports whether got is within k units of u of want,
// relative to the larger of |want| and scale.
func rdTorchClose(got, want, scale, k, u float64) bool {
	return math.Abs(got-want) <= k*u*math.Max(math.Abs(want), scale)
}

func rdTo32(xs []float64) []float32 {
	r := make([]float32, len(xs))
	for i, x := range xs {
		r[i] = float32(x)
	}
	return r
}

// rdTorchCheck compares one output of a float64 and a float32 step with
// the hand-checked value.
func rdTorchCheck(t *testing.T, where string, k64, k32 float64, got64 []float64, got32 []float32, want []float64, scale func(i int) float64) {
	t.Helper()
	for i := range want {
		s := scale(i)
		if !rdTorchClose(got64[i], want[i], s, k64, 0x1p-53) {
			t.Errorf("%s [%d]: Step64 %.17g, PyTorch %.17g (%.3g units)", where, i, got64[i], want[i],
				(got64[i]-want[i])/(0x1p-53*math.Max(math.Abs(want[i]), s)))
		}
		if !rdTorchClose(float64(got32[i]), want[i], s, k32, 0x1p-24) {
			t.Errorf("%s [%d]: Step32 %.9g, PyTorch %.17g (%.3g units)", where, i, got32[i], want[i],
				(float64(got32[i])-want[i])/(0x1p-24*math.Max(math.Abs(want[i]), s)))
		}
	}
}

func TestRMSpropMatchesPyTorch(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, c := range rmsTorchCases {
			n := len(rdP0)
			var s64 [5][]float64
			s64[0] = append([]float64(nil), rdP0...)
			for i := 2; i < 5; i++ {
				s64[i] = make([]float64, n)
			}
			s32 := [5][]float32{rdTo32(s64[0]), nil, rdTo32(s64[2]), rdTo32(s64[3]), rdTo32(s64[4])}
			for k, st := range c.steps {
				before64, before32 := rmsClone(s64), rmsClone(s32)
				s64[1], s32[1] = append([]float64(nil), st.grad...), rdTo32(st.grad)
				if err := c.r.Step64(k+1, s64[0], s64[1], s64[2], s64[3], s64[4]); err != nil {
					t.Fatal(err)
				}
				if err := c.r.Step32(k+1, s32[0], s32[1], s32[2], s32[3], s32[4]); err != nil {
					t.Fatal(err)
				}
				where := func(what string) string { return fmt.Sprintf("%v %s step %d %s", l, c.name, k+1, what) }
				from := func(slot int, f float64) func(int) float64 {
					return func(i int) float64 {
						return f * math.Max(math.Abs(before64[slot][i]), math.Abs(float64(before32[slot][i])))
					}
				}
				rdTorchCheck(t, where("param"), rmsTorchULP64, rmsTorchULP32, s64[0], s32[0], st.wantP, from(0, 1))
				rdTorchCheck(t, where("sq"), rmsTorchULP64, rmsTorchULP32, s64[2], s32[2], st.wantSq, from(2, 0))
				if c.r.Centered {
					rdTorchCheck(t, where("gavg"), rmsTorchULP64, rmsTorchULP32, s64[3], s32[3], st.wantGAvg, from(3, c.r.Alpha))
				}
				if c.r.Momentum > 0 {
					rdTorchCheck(t, where("buf"), rmsTorchULP64, rmsTorchULP32, s64[4], s32[4], st.wantBuf, from(4, c.r.Momentum))
				}
			}
		}
	}
}

// rmsParSlots are RMSprop's slices as rmsInputs fills them, and
// rmsParCase is the RMSprop r over two steps, gavg and buf left nil where
// r does not use them if dropUnused.
var rmsParSlots = []parSlot{{"param", -4, 3, false}, {"grad", -12, 2, false}, {"sq", -10, 0, true},
	{"gavg", -20, -6, false}, {"buf", -4, 2, false}}

func rmsParCase(name string, r RMSprop, dropUnused bool) parCase[int] {
	c := parCase[int]{Name: name, Steps: []int{1, 2},
		Ops32: parOps5(r.Step32, r.StepParallel32, r.StepTensors32),
		Ops64: parOps5(r.Step64, r.StepParallel64, r.StepTensors64)}
	if dropUnused && !r.Centered {
		c.Nil = append(c.Nil, 3)
	}
	if dropUnused && r.Momentum == 0 {
		c.Nil = append(c.Nil, 4)
	}
	return c
}

// TestRMSpropStepTensorsMatchesStep: StepTensors and StepParallel give
// Step's bits on random tensor lists, over two steps, on several worker
// counts, in variants that use and leave out gavg and buf (left nil, or
// given and unused).
func TestRMSpropStepTensorsMatchesStep(t *testing.T) {
	pt := parTest[int]{Seed: [2]uint64{17, 19}, Workers: [2][]int{{1, 2, 3}, {1, 3}}, Lists: [2]int{8, 4}, Slots: rmsParSlots}
	for _, v := range []int{0, 15, 5, 10} {
		pt.Cases = append(pt.Cases, rmsParCase(fmt.Sprintf("variant=%d", v), rmsVariant(DefaultRMSprop(), v), true))
	}
	for _, v := range []int{0, 5, 10} {
		pt.Cases = append(pt.Cases, rmsParCase(fmt.Sprintf("variant=%d/unused", v), rmsVariant(DefaultRMSprop(), v), false))
	}
	pt.Run(t)
}

// TestRMSpropStepTensorsLengthPanic: a mismatch anywhere in the list
// panics in the caller, naming the tensor and both lengths, before any
// tensor changes; so does StepParallel.
func TestRMSpropStepTensorsLengthPanic(t *testing.T) {
	parLengthPanic(t, "RMSprop", rmsParSlots, rmsParCase("", rmsAll(), false))
}

// TestRMSpropParallelDoesNotAllocate: after warm-up, the parallel steps
// allocate nothing, split or not.
func TestRMSpropParallelDoesNotAllocate(t *testing.T) {
	parNoAlloc(t, rmsParSlots, rmsParCase("", rmsAll(), false))
}
