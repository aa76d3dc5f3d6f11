package kernels

// Tests of the SGD API (sgd.go, sgd_parallel.go): validation, lengths,
// allocations, levels through the public API, an independent reference of
// torch.optim.SGD with a derived error bound, hand-checked steps and the
// parallel steps.
//
// The first part of this file holds what adagrad_test.go shares: the
// three-slice inputs, a level comparison through a step function and the
// big.Float helpers. The forward error model (errArith) that bounds how
// far a kernel's order of operations can land from the exact result is in
// errmodel_test.go.
//
// # The reference and its tolerance
//
// sgdRef64 (float64, for Step32) and sgdRefBig (math/big.Float at fwdPrec
// bits, for Step64) follow PyTorch's _single_tensor_sgd, not the kernels:
//
//	grad = grads[i] if not maximize else -grads[i]
//	grad = grad.add(param, alpha=weight_decay)              (weight_decay != 0)
//	buf = torch.clone(grad)                                 (momentum != 0, first step)
//	buf.mul_(momentum).add_(grad, alpha=1 - dampening)      (momentum != 0, later steps)
//	grad = grad.add(buf, alpha=momentum) if nesterov else buf
//	param.add_(grad, alpha=-lr)
//
// with GradScale as the user's own grad*scale. Each step is checked on its
// own, from exactly the state the kernel had before it (the float32 values
// widened), so the bound is a one-step bound: sgdErrBound runs the kernel's
// operations (generic.go: g = grad*gscale (+ wd*param); bt = mom*buf +
// damp*g; g = g + nest*bt; param = param - lr*g) through errArith, where
// every rounding adds u times the magnitude of its result, every per-step
// scalar carries its own relative error (sigma units: one for the rounding
// of the float64 scalar to float32; 1 - Dampening is one more rounding in
// float64), and errors go through products and sums by the product and
// triangle rules. Counted out for float32 Nesterov with decay, per output,
// k units of 2^-24 times the sum of the magnitudes of the terms:
//
//	g:     k = 4 on |s*grad| + |wd*param|  (2 scalars, 2 products, the sum)
//	buf:   k = 7 on |mom*buf| + |damp*g|   (g's 4, scalar, product, sum)
//	param: k = 11 on |param| + |lr|*(|g| + |nest*buf|)
//
// and for Step64 the same in units of 2^-53 with exact user scalars. The
// bound is rigorous given the exact values: for Step32 these come from the
// float64 reference, whose own error (2^-29 of a float32 unit) is covered by
// a slack of 2^-44 of the magnitudes; for Step64 from the 200-bit
// reference, plus 2^-53 of it for its rounding to float64. The largest
// ratio of error to bound is logged: about 0.98 for Step32 and 0.86 for
// Step64, where a param's final rounding (up to half an ulp, which the
// bound counts as u*|param|, sharp just above a power of two) dominates.

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// streams3 are the three slices of an SGD or Adagrad step: param, grad and
// the state (buf or sum).
type streams3[F testbuf.Float] [3][]F

func (s streams3[F]) clone() streams3[F] {
	var c streams3[F]
	for i, x := range s {
		if x != nil {
			c[i] = append([]F(nil), x...)
		}
	}
	return c
}

// random3 fills n elements of each slice with moderate random values, the
// state non-negative if nonNeg, and sprinkles special values at a rate of
// 1/every if every > 0.
func random3[F testbuf.Float](r *testbuf.Rand, n, every int, nonNeg bool) streams3[F] {
	var s streams3[F]
	for i := range s {
		s[i] = make([]F, n)
	}
	testbuf.Fill(r, s[0], -4, 3)
	testbuf.Fill(r, s[1], -12, 2)
	if nonNeg {
		testbuf.FillNonNeg(r, s[2], -24, 2)
	} else {
		testbuf.Fill(r, s[2], -12, 1)
	}
	if every > 0 {
		for _, x := range s {
			testbuf.Sprinkle(r, x, every)
		}
	}
	return s
}

// levelsAgree3 runs step on a copy of in at the Generic level, then at
// every other supported level on guarded copies starting offset elements
// past a 64-byte boundary, and returns the first difference of bits (NaN
// payloads aside) or write outside a slice, or "". The active level is
// restored.
func levelsAgree3[F testbuf.Float](names [3]string, in streams3[F], offset int, step func(streams3[F]) error) string {
	old := ActiveLevel()
	defer SetLevel(old)
	SetLevel(Generic)
	want := in.clone()
	wantErr := step(want)
	for _, l := range Levels() {
		if l == Generic {
			continue
		}
		SetLevel(l)
		var g [3]*testbuf.Guarded[F]
		var got streams3[F]
		for i := range g {
			g[i] = testbuf.GuardedCopy(in[i], offset)
			got[i] = g[i].S
		}
		if err := step(got); fmt.Sprint(err) != fmt.Sprint(wantErr) {
			return fmt.Sprintf("level %v: error %v, generic gives %v", l, err, wantErr)
		}
		for i := range g {
			if err := g[i].Check(names[i]); err != nil {
				return fmt.Sprintf("level %v, n=%d offset=%d: %v", l, len(in[0]), offset, err)
			}
			if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
				return fmt.Sprintf("level %v, n=%d offset=%d: %s[%d] = %s, generic gives %s; inputs %s=%s %s=%s %s=%s",
					l, len(in[0]), offset, names[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]),
					names[0], testbuf.Hex(in[0][j]), names[1], testbuf.Hex(in[1][j]), names[2], testbuf.Hex(in[2][j]))
			}
		}
	}
	return ""
}

// levelLens are lengths around every vector width and unrolled iteration
// (4, 8 and 16 lanes, four vectors per iteration) and their tails.
var levelLens = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200}

const fwdPrec = 200 // bits of the big.Float references

// bigOf is x as a fwdPrec-bit number.
func bigOf(x float64) *big.Float { return new(big.Float).SetPrec(fwdPrec).SetFloat64(x) }
func bigNew() *big.Float         { return new(big.Float).SetPrec(fwdPrec) }
func bigF64(x *big.Float) float64 {
	f, _ := x.Float64()
	return f
}

// ---- SGD ----

var sgdNames = [3]string{"param", "grad", "buf"}

// sgdModes are the momentum modes by kernel option: none, momentum,
// Nesterov.
var sgdModes = []struct {
	name     string
	momentum float64
	nesterov bool
}{{"plain", 0, false}, {"momentum", 0.9, false}, {"nesterov", 0.9, true}}

// sgdBad puts every field outside its domain in every way the domain can
// be left, as a modification of a valid SGD and the field and value to
// blame.
func sgdBad() []struct {
	field string
	value float64
	o     SGD
} {
	type bad = struct {
		field string
		value float64
		o     SGD
	}
	var out []bad
	add := func(field string, set func(*SGD, float64), values ...float64) {
		for _, v := range values {
			o := SGD{LR: 0.1, Momentum: 0.9}
			set(&o, v)
			out = append(out, bad{field, v, o})
		}
	}
	nan, inf := math.NaN(), math.Inf(1)
	add("LR", func(o *SGD, v float64) { o.LR = v }, -1e-3, nan, inf, -inf)
	add("Momentum", func(o *SGD, v float64) { o.Momentum = v }, -0.1, nan, inf)
	add("Dampening", func(o *SGD, v float64) { o.Dampening = v }, -0.1, 1.5, nan, inf)
	add("WeightDecay", func(o *SGD, v float64) { o.WeightDecay = v }, -0.01, nan, inf)
	add("GradScale", func(o *SGD, v float64) { o.GradScale = v }, -1, nan, inf)
	// Nesterov needs momentum and no dampening, as torch.optim.SGD checks.
	add("Momentum", func(o *SGD, v float64) { o.Momentum, o.Nesterov = v, true }, 0)
	add("Dampening", func(o *SGD, v float64) { o.Dampening, o.Nesterov = v, true }, 0.1, 1)
	return out
}

// TestSGDValidationErrors: every bad hyperparameter and step number makes
// every step method return a *ParamError naming the field and the value,
// at every level, and leaves every slice untouched, buf given or nil
// without momentum; what only float32 cannot carry fails the float32
// methods alone (rejectTest).
func TestSGDValidationErrors(t *testing.T) {
	type bad struct {
		field  string
		value  float64
		o      SGD
		t      int
		only32 bool
	}
	var cases []bad
	for _, b := range sgdBad() {
		cases = append(cases, bad{b.field, b.value, b.o, 1, false})
		cases = append(cases, bad{b.field, b.value, b.o, 5, false})
	}
	for _, step := range []int{0, -1, math.MinInt} {
		cases = append(cases, bad{"t", float64(step), DefaultSGD(), step, false})
	}
	cases = append(cases,
		bad{"LR", 1e39, SGD{LR: 1e39}, 1, true},
		bad{"Momentum", 1e39, SGD{LR: 1, Momentum: 1e39}, 2, true},
		bad{"GradScale", 1e300, SGD{LR: 1, GradScale: 1e300}, 1, true},
		bad{"WeightDecay", 1e39, SGD{LR: 1, WeightDecay: 1e39}, 1, true},
	)
	rt := rejectTest[int]{Opt: "SGD", Slots: sgdSlots}
	for _, c := range cases {
		rt.Add(sgdParCase(fmt.Sprintf("%s=%v/t=%d", c.field, c.value, c.t), c.o), c.t, c.field, c.value, c.only32)
	}
	rt.Run(t)
}

// TestSGDValidateAcceptsEdges: the closed ends of each domain are valid,
// and so is the largest momentum float32 carries.
func TestSGDValidateAcceptsEdges(t *testing.T) {
	for _, o := range []SGD{
		DefaultSGD(),
		{},
		{LR: math.MaxFloat32, Momentum: math.MaxFloat32, Dampening: 1, WeightDecay: math.MaxFloat32, GradScale: math.MaxFloat32},
		{LR: 0.1, Momentum: math.SmallestNonzeroFloat64, Nesterov: true},
		{LR: 0.1, Dampening: 0.5}, // dampening without momentum: ignored, as in PyTorch
	} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
		x := []float32{1}
		if err := o.Step32(2, x, x, []float32{0}); err != nil {
			t.Errorf("%+v: Step32: %v", o, err)
		}
	}
}

// TestSGDLengthPanics: a slice of the wrong length panics naming the slice
// and both lengths, before anything is written; buf is only checked with
// momentum.
func TestSGDLengthPanics(t *testing.T) {
	const n = 6
	for _, mode := range sgdModes {
		o := SGD{LR: 0.1, Momentum: mode.momentum, Nesterov: mode.nesterov}
		for slot := 1; slot < 3; slot++ {
			for _, bad := range []int{0, n - 1, n + 1} {
				in := random3[float32](testbuf.NewRand(9), n, 0, false)
				got := in.clone()
				got[slot] = make([]float32, bad)
				msg := panicMessage(func() { o.Step32(2, got[0], got[1], got[2]) })
				if slot == 2 && mode.momentum == 0 {
					if msg != "" {
						t.Errorf("%s: len(buf) = %d panicked without momentum: %s", mode.name, bad, msg)
					}
					continue
				}
				want := fmt.Sprintf("fusedopt: SGD.Step32: len(%s) = %d, want len(param) = %d", sgdNames[slot], bad, n)
				if msg != want {
					t.Errorf("%s: panic %q, want %q", mode.name, msg, want)
				}
				if testbuf.FirstDiff(got[0], in[0]) >= 0 {
					t.Errorf("%s, len(%s) = %d: param changed before the panic", mode.name, sgdNames[slot], bad)
				}
				x := make([]float64, n)
				msg = panicMessage(func() { o.Step64(1, x, make([]float64, bad), x) })
				if want := fmt.Sprintf("fusedopt: SGD.Step64: len(grad) = %d, want len(param) = %d", bad, n); msg != want {
					t.Errorf("%s: panic %q, want %q", mode.name, msg, want)
				}
			}
		}
	}
}

// TestSGDEmptyAndNilBuf: zero elements is a valid no-op with nil or empty
// slices; without momentum buf may be nil and is never touched.
func TestSGDEmptyAndNilBuf(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, mode := range sgdModes {
			for _, wd := range []float64{0, 0.1} {
				o := SGD{LR: 0.1, Momentum: mode.momentum, Nesterov: mode.nesterov, WeightDecay: wd}
				if err := o.Step32(1, nil, nil, nil); err != nil {
					t.Errorf("%v %s: Step32 on nil slices: %v", l, mode.name, err)
				}
				if err := o.Step64(3, []float64{}, []float64{}, []float64{}); err != nil {
					t.Errorf("%v %s: Step64 on empty slices: %v", l, mode.name, err)
				}
			}
		}
		o := SGD{LR: 0.5, WeightDecay: 0.1}
		p := []float32{1, 2, 3}
		if err := o.Step32(1, p, []float32{1, 1, 1}, nil); err != nil || p[0] >= 1 {
			t.Errorf("%v: Step32 without momentum and nil buf: %v, param %v", l, err, p)
		}
		short := []float64{42}
		if err := o.Step64(2, []float64{1, 2}, []float64{1, 1}, short); err != nil || short[0] != 42 {
			t.Errorf("%v: Step64 without momentum touched a short buf: %v, %v", l, err, short)
		}
	}
}

// TestSGDDoesNotAllocate: Step32 and Step64 allocate nothing, at every
// level, in every variant.
func TestSGDDoesNotAllocate(t *testing.T) {
	const n = 100
	p32, g32, b32 := make([]float32, n), make([]float32, n), make([]float32, n)
	p64, g64, b64 := make([]float64, n), make([]float64, n), make([]float64, n)
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, mode := range sgdModes {
			for _, wd := range []float64{0, 0.01} {
				o := SGD{LR: 1e-3, Momentum: mode.momentum, Nesterov: mode.nesterov, WeightDecay: wd}
				if a := testing.AllocsPerRun(20, func() { o.Step32(2, p32, g32, b32) }); a != 0 {
					t.Errorf("%v %s wd=%v: Step32 allocates %v times per call", l, mode.name, wd, a)
				}
				if a := testing.AllocsPerRun(20, func() { o.Step64(2, p64, g64, b64) }); a != 0 {
					t.Errorf("%v %s wd=%v: Step64 allocates %v times per call", l, mode.name, wd, a)
				}
			}
		}
	}
}

// sgdLevelCases cover every variant (decay x mode), the first-step rule
// and the scalar options.
func sgdLevelCases() []struct {
	o SGD
	t int
} {
	type c = struct {
		o SGD
		t int
	}
	var out []c
	for _, mode := range sgdModes {
		for _, wd := range []float64{0, 0.01} {
			o := SGD{LR: 0.05, Momentum: mode.momentum, Nesterov: mode.nesterov, WeightDecay: wd}
			out = append(out, c{o, 1}, c{o, 2})
			if !mode.nesterov {
				o.Dampening = 0.25
			}
			o.Maximize, o.GradScale = true, 1.0/3
			out = append(out, c{o, 7})
		}
	}
	return out
}

// TestSGDLevelsMatchGeneric: through the public API, every supported level
// gives the generic level's bits, in every variant, at lengths around the
// vector widths, with random and special values, with grad == param.
func TestSGDLevelsMatchGeneric(t *testing.T) {
	if len(fastLevels(t)) == 0 {
		return
	}
	r := testbuf.NewRand(17)
	for ci, c := range sgdLevelCases() {
		for _, n := range levelLens {
			offset := n % 4
			every := 0
			if n%2 == 1 {
				every = 5
			}
			in32 := random3[float32](r, n, every, false)
			if d := levelsAgree3(sgdNames, in32, offset, func(s streams3[float32]) error { return c.o.Step32(c.t, s[0], s[1], s[2]) }); d != "" {
				t.Fatalf("case %d %+v t=%d: Step32: %s", ci, c.o, c.t, d)
			}
			in64 := random3[float64](r, n, every, false)
			if d := levelsAgree3(sgdNames, in64, offset, func(s streams3[float64]) error { return c.o.Step64(c.t, s[0], s[1], s[2]) }); d != "" {
				t.Fatalf("case %d %+v t=%d: Step64: %s", ci, c.o, c.t, d)
			}
		}
		in := random3[float32](r, 77, 0, false)
		if d := levelsAgree3(sgdNames, in, 1, func(s streams3[float32]) error { return c.o.Step32(c.t, s[0], s[0], s[2]) }); d != "" {
			t.Fatalf("case %d %+v t=%d: Step32 with grad == param: %s", ci, c.o, c.t, d)
		}
	}
}

// TestSGDFirstStepTakesGradient: on the first step the buffer becomes the
// (scaled, decayed) gradient itself, from zeros or from any finite values,
// as PyTorch's torch.clone(grad); dampening does not apply to it.
func TestSGDFirstStepTakesGradient(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		o := SGD{LR: 0.1, Momentum: 0.9, Dampening: 0.5, WeightDecay: 0.25}
		p := []float32{1, -2, 3, 0.5, 8}
		g := []float32{0.5, 0.25, -1, 3, 0}
		buf := []float32{0, 7, -1e30, 1e-40, 3}
		want := make([]float32, len(p))
		for i := range p {
			want[i] = g[i] + float32(float32(0.25)*p[i])
		}
		if err := o.Step32(1, p, g, buf); err != nil {
			t.Fatal(err)
		}
		if j := testbuf.FirstDiff(buf, want); j >= 0 {
			t.Errorf("%v: buf[%d] = %v after the first step, want the gradient %v", l, j, buf[j], want[j])
		}
	}
}

// sgdErrBound runs the kernel's operations for one element through m:
// the bound on buf and param after the step. The user's scalars are exact
// in float64 (rounded once for float32); only 1 - Dampening is computed
// (exact for Dampening 0 or in [0.5, 1], Sterbenz).
func sgdErrBound(m errArith, o SGD, t int, p, g, buf float64) (eb, ep errVal) {
	gs := signedGradScale(o.GradScale, o.Maximize)
	x := m.mul(m.scalar(gs, 0), m.exact(g))
	if o.WeightDecay != 0 {
		x = m.add(x, m.mul(m.scalar(o.WeightDecay, 0), m.exact(p)))
	}
	eb = m.exact(buf)
	if o.Momentum != 0 {
		mom, damp := m.scalar(o.Momentum, 0), m.scalar(oneMinus64(o.Dampening))
		if t == 1 {
			mom, damp = m.exact(0), m.exact(1)
		}
		eb = m.add(m.mul(mom, m.exact(buf)), m.mul(damp, x))
		if o.Nesterov {
			x = m.add(x, m.mul(m.scalar(o.Momentum, 0), eb))
		} else {
			x = eb
		}
	}
	ep = m.sub(m.exact(p), m.mul(m.scalar(o.LR, 0), x))
	return eb, ep
}

// sgdRef64 is one step of torch.optim.SGD on one element in float64, in
// PyTorch's arrangement (see the file comment). The explicit conversions
// keep the compiler from fusing multiply-adds.
func sgdRef64(o SGD, t int, p, g, buf float64) (float64, float64) {
	if o.GradScale != 0 {
		g *= o.GradScale // the user's grad * scale
	}
	if o.Maximize {
		g = -g
	}
	if o.WeightDecay != 0 {
		g = g + float64(o.WeightDecay*p) // grad.add(param, alpha=weight_decay)
	}
	if o.Momentum != 0 {
		if t == 1 {
			buf = g // torch.clone(grad)
		} else {
			buf = float64(buf*o.Momentum) + float64((1-o.Dampening)*g) // buf.mul_(momentum).add_(grad, alpha=1-dampening)
		}
		if o.Nesterov {
			g = g + float64(o.Momentum*buf) // grad.add(buf, alpha=momentum)
		} else {
			g = buf
		}
	}
	return p + float64(-o.LR*g), buf // param.add_(grad, alpha=-lr)
}

// sgdRefBig is sgdRef64 in fwdPrec-bit arithmetic: exact to about 2^-190.
func sgdRefBig(o SGD, t int, p, g, buf float64) (float64, float64) {
	x := bigOf(g)
	if o.GradScale != 0 {
		x.Mul(x, bigOf(o.GradScale))
	}
	if o.Maximize {
		x.Neg(x)
	}
	bp := bigOf(p)
	if o.WeightDecay != 0 {
		x.Add(x, bigNew().Mul(bigOf(o.WeightDecay), bp))
	}
	b := bigOf(buf)
	if o.Momentum != 0 {
		if t == 1 {
			b.Set(x)
		} else {
			omd := bigNew().Sub(bigOf(1), bigOf(o.Dampening))
			b.Mul(b, bigOf(o.Momentum)).Add(b, omd.Mul(omd, x))
		}
		if o.Nesterov {
			x.Add(x, bigNew().Mul(bigOf(o.Momentum), b))
		} else {
			x.Set(b)
		}
	}
	bp.Sub(bp, x.Mul(x, bigOf(o.LR)))
	return bigF64(bp), bigF64(b)
}

// sgdRefCase draws the hyperparameters of option combination combo: mode
// combo%3 (none, momentum, Nesterov), then bits of combo/3: 0 weight
// decay, 1 maximize, 2 gradient scale, 3 dampening (not with Nesterov).
func sgdRefCase(rng *rand.Rand, combo int) SGD {
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	o := SGD{LR: pick(1e-3, 1e-2, 0.1, 0.5)}
	mode, bits := combo%3, combo/3
	if mode > 0 {
		o.Momentum = pick(0.9, 0.5, 0.99, 0.3)
		o.Nesterov = mode == 2
	}
	if bits&1 != 0 {
		o.WeightDecay = pick(1e-4, 0.01, 0.1, 1)
	}
	o.Maximize = bits&2 != 0
	if bits&4 != 0 {
		o.GradScale = pick(1.0/32, 1.0/3, 1e-3, 4)
	}
	if bits&8 != 0 && !o.Nesterov {
		o.Dampening = pick(0.1, 0.3, 0.5, 0.9)
	}
	return o
}

// sgdRefSteps are the step numbers run in sequence on each case.
var sgdRefSteps = []int{1, 2, 3, 4, 10, 100}

func TestSGDStep32MatchesReference(t *testing.T) {
	old := ActiveLevel()
	defer SetLevel(old)
	c := &errCheck{t: t}
	rng := rand.New(rand.NewPCG(2, 32))
	const n = 67 // past the widest unrolled loop, with an odd tail
	for combo := range 48 {
		o := sgdRefCase(rng, combo)
		name := fmt.Sprintf("%+v", o)
		p, buf, grad := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(refMag(rng, -2, 1))
		}
		var gp, gg, gb []float32
		for _, step := range sgdRefSteps {
			scale := math.Pow(10, -1.5+2*rng.Float64())
			for i := range grad {
				grad[i] = float32(refMag(rng, -4, 0.5) * scale)
			}
			for _, lvl := range Levels() { // Generic last: its state carries on
				SetLevel(lvl)
				gp, gg, gb = append(gp[:0], p...), append(gg[:0], grad...), append(gb[:0], buf...)
				if err := o.Step32(step, gp, gg, gb); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for i := range p {
					in := [3]float64{float64(p[i]), float64(grad[i]), float64(buf[i])}
					wp, wb := sgdRef64(o, step, in[0], in[1], in[2])
					eb, ep := sgdErrBound(ea32, o, step, in[0], in[1], in[2])
					where := func() string { return fmt.Sprintf("%v %s t=%d [%d]", lvl, name, step, i) }
					if o.Momentum != 0 {
						c.check(where, "buf", float64(gb[i]), wb, tol32(eb))
					}
					c.check(where, "param", float64(gp[i]), wp, tol32(ep))
				}
			}
			copy(p, gp)
			copy(buf, gb)
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f", c.worst)
}

func TestSGDStep64MatchesReference(t *testing.T) {
	old := ActiveLevel()
	defer SetLevel(old)
	c, cross := &errCheck{t: t}, &errCheck{t: t}
	rng := rand.New(rand.NewPCG(2, 64))
	const n = 35
	for combo := range 48 {
		o := sgdRefCase(rng, combo)
		name := fmt.Sprintf("%+v", o)
		p, buf, grad := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range p {
			p[i] = refMag(rng, -2, 1)
		}
		wantP, wantB := make([]float64, n), make([]float64, n)
		var gp, gg, gb []float64
		for _, step := range sgdRefSteps {
			scale := math.Pow(10, -1.5+2*rng.Float64())
			for i := range grad {
				grad[i] = refMag(rng, -4, 0.5) * scale
				wantP[i], wantB[i] = sgdRefBig(o, step, p[i], grad[i], buf[i])
				// The float64 reference is within its own rounding of the
				// exact one: a check of both.
				rp, rb := sgdRef64(o, step, p[i], grad[i], buf[i])
				eb, ep := sgdErrBound(ea64, o, step, p[i], grad[i], buf[i])
				where := func() string { return fmt.Sprintf("float64 reference %s t=%d [%d]", name, step, i) }
				cross.check(where, "buf", rb, wantB[i], 64*0x1p-53*eb.mag)
				cross.check(where, "param", rp, wantP[i], 64*0x1p-53*ep.mag)
			}
			for _, lvl := range Levels() {
				SetLevel(lvl)
				gp, gg, gb = append(gp[:0], p...), append(gg[:0], grad...), append(gb[:0], buf...)
				if err := o.Step64(step, gp, gg, gb); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for i := range p {
					eb, ep := sgdErrBound(ea64, o, step, p[i], grad[i], buf[i])
					where := func() string { return fmt.Sprintf("%v %s t=%d [%d]", lvl, name, step, i) }
					if o.Momentum != 0 {
						c.check(where, "buf", gb[i], wantB[i], tol64(eb, wantB[i]))
					}
					c.check(where, "param", gp[i], wantP[i], tol64(ep, wantP[i]))
				}
			}
			copy(p, gp)
			copy(buf, gb)
		}
	}
	t.Logf("largest |got-ref|/bound: %.3f (float64 reference vs big: %.3f)", c.worst, cross.worst)
}

// Hand-checked steps, computed with python3 in float64 following
// torch.optim.SGD's _single_tensor_sgd operation by operation, and
// printed with repr:
//
//	def sgd(p, g, buf, first, lr=1e-3, mom=0.0, damp=0.0, wd=0.0, nesterov=False, maximize=False):
//	    p, buf = list(p), list(buf)
//	    for i in range(len(p)):
//	        gi = -g[i] if maximize else g[i]
//	        if wd != 0:
//	            gi = gi + wd*p[i]                             # grad.add(param, alpha=wd)
//	        if mom != 0:
//	            if first: buf[i] = gi                         # torch.clone(grad)
//	            else: buf[i] = buf[i]*mom + (1 - damp)*gi     # buf.mul_(mom).add_(grad, alpha=1-damp)
//	            gi = gi + mom*buf[i] if nesterov else buf[i]  # grad.add(buf, alpha=mom) / buf
//	        p[i] = p[i] + (-lr)*gi                            # param.add_(grad, alpha=-lr)
//	    return p, buf
//
// with P0 = [0.5, -1.25, 2.0, 0.0, 3.0], G1 = [0.1, -0.2, 3.0, 1e-9, 0.0],
// G2 = [-0.05, -0.4, 1.5, 2e-9, 0.25], G3 = [0.3, 0.1, -2.0, 0.0, -0.5]
// and GradScale standing for the user's g/3. The kernels compute the same
// arrangement except that they multiply by GradScale instead of dividing
// and form the first buffer as 0*buf + 1*g, so Step64 is checked to within
// handULP64 units of 2^-53 of the magnitude (the largest difference seen
// is 1), and Step32, whose inputs and scalars are rounded to float32, to
// within handULP32 units of 2^-24 (about 11 roundings on the longest path;
// the largest seen is 2).
const (
	handULP64 = 4
	handULP32 = 16
)

var (
	handP0 = []float64{0.5, -1.25, 2.0, 0.0, 3.0}
	handG1 = []float64{0.1, -0.2, 3.0, 1e-9, 0.0}
	handG2 = []float64{-0.05, -0.4, 1.5, 2e-9, 0.25}
	handG3 = []float64{0.3, 0.1, -2.0, 0.0, -0.5}
)

// handStep is one hand-checked step: its number, gradient and the wanted
// param and state (buf or sum; nil when there is none).
type handStep struct {
	t            int
	grad         []float64
	wantP, wantS []float64
}

type sgdHandCase struct {
	name  string
	o     SGD
	steps []handStep
}

var sgdHandCases = []sgdHandCase{
	{"DefaultSGD", DefaultSGD(), []handStep{{1, handG1,
		[]float64{0.4999, -1.2498, 1.997, -1.0000000000000002e-12, 3.0}, nil}}},
	{"momentum 0.9 lr 0.1", SGD{LR: 0.1, Momentum: 0.9}, []handStep{
		{1, handG1, []float64{0.49, -1.23, 1.7, -1.0000000000000002e-10, 3.0},
			[]float64{0.1, -0.2, 3.0, 1e-09, 0.0}},
		{2, handG2, []float64{0.486, -1.172, 1.2799999999999998, -3.9000000000000005e-10, 2.975},
			[]float64{0.04000000000000001, -0.5800000000000001, 4.2, 2.9000000000000003e-09, 0.25}},
		{3, handG3, []float64{0.45239999999999997, -1.1298, 1.1019999999999999, -6.510000000000001e-10, 3.0025},
			[]float64{0.336, -0.42200000000000015, 1.7800000000000002, 2.6100000000000003e-09, -0.275}},
	}},
	{"momentum 0.9 dampening 0.5 wd 0.01 lr 0.1", SGD{LR: 0.1, Momentum: 0.9, Dampening: 0.5, WeightDecay: 0.01}, []handStep{
		{1, handG1, []float64{0.4895, -1.22875, 1.698, -1.0000000000000002e-10, 2.997},
			[]float64{0.10500000000000001, -0.21250000000000002, 3.02, 1e-09, 0.03}},
		{2, handG2, []float64{0.48230524999999996, -1.189010625, 1.3503509999999999, -2.8995000000000007e-10, 2.9803015},
			[]float64{0.07194750000000001, -0.39739375000000005, 3.47649, 1.8995000000000003e-09, 0.166985}},
	}},
	{"nesterov 0.9 lr 0.05 wd 1e-4", SGD{LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4}, []handStep{
		{1, handG1, []float64{0.49049525, -1.230988125, 1.7149809999999999, -9.500000000000001e-11, 2.9999715},
			[]float64{0.10005, -0.200125, 3.0002, 1e-09, 0.00030000000000000003}},
		{2, handG2, []float64{0.491188565295125, -1.1848713681128127, 1.4509566076804998, -3.254990975e-10, 2.97618085027075},
			[]float64{0.040094049524999995, -0.5802355988125001, 4.2003514981, 2.8999905e-09, 0.25056999715}},
	}},
	{"maximize wd 0.1 lr 0.1 (decay still shrinks)", SGD{LR: 0.1, WeightDecay: 0.1, Maximize: true}, []handStep{{1, handG1,
		[]float64{0.505, -1.2575, 2.28, 1.0000000000000002e-10, 2.97}, nil}}},
	{"GradScale 1/3 momentum 0.5 lr 0.1", SGD{LR: 0.1, Momentum: 0.5, GradScale: 1.0 / 3}, []handStep{
		{1, handG1, []float64{0.49666666666666665, -1.2433333333333334, 1.9, -3.333333333333334e-11, 3.0},
			[]float64{0.03333333333333333, -0.06666666666666667, 1.0, 3.3333333333333337e-10, 0.0}},
		{2, handG2, []float64{0.49666666666666665, -1.2266666666666668, 1.7999999999999998, -1.166666666666667e-10, 2.9916666666666667},
			[]float64{0.0, -0.16666666666666666, 1.0, 8.333333333333335e-10, 0.08333333333333333}},
	}},
}

// handClose reports whether got is within k units of u of want, relative
// to the larger of |want| and scale.
func handClose(got, want, scale, k, u float64) bool {
	return math.Abs(got-want) <= k*u*math.Max(math.Abs(want), scale)
}

func to32(xs []float64) []float32 {
	r := make([]float32, len(xs))
	for i, x := range xs {
		r[i] = float32(x)
	}
	return r
}

// runHand runs the hand-checked steps of one case at the active level,
// through step64 and step32 on param and state starting at p0 and s0, and
// checks param against wantP (scale: the step's input param) and the
// state against wantS (scale: stateScale of the inputs).
func runHand(t *testing.T, name string, p0, s0 []float64, steps []handStep,
	step64 func(t int, p, g, s []float64) error, step32 func(t int, p, g, s []float32) error,
	stateScale func(p, g, s float64) float64) {
	t.Helper()
	n := len(p0)
	p64, s64 := append([]float64(nil), p0...), append([]float64(nil), s0...)
	p32, s32 := to32(p64), to32(s64)
	for _, st := range steps {
		inP64, inS64 := append([]float64(nil), p64...), append([]float64(nil), s64...)
		if err := step64(st.t, p64, append([]float64(nil), st.grad...), s64); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := step32(st.t, p32, to32(st.grad), s32); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range n {
			check := func(what string, got64 float64, got32 float32, want, scale float64) {
				if !handClose(got64, want, scale, handULP64, 0x1p-53) {
					t.Errorf("%v %s t=%d: Step64 %s[%d] = %.17g, PyTorch %.17g", ActiveLevel(), name, st.t, what, i, got64, want)
				}
				if !handClose(float64(got32), want, scale, handULP32, 0x1p-24) {
					t.Errorf("%v %s t=%d: Step32 %s[%d] = %.9g, PyTorch %.17g", ActiveLevel(), name, st.t, what, i, got32, want)
				}
			}
			check("param", p64[i], p32[i], st.wantP[i], math.Abs(inP64[i]))
			if st.wantS != nil {
				check("state", s64[i], s32[i], st.wantS[i], stateScale(inP64[i], st.grad[i], inS64[i]))
			}
		}
	}
}

func TestSGDMatchesPyTorch(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, c := range sgdHandCases {
			o := c.o
			runHand(t, c.name, handP0, make([]float64, len(handP0)), c.steps,
				func(t int, p, g, s []float64) error { return o.Step64(t, p, g, s) },
				func(t int, p, g, s []float32) error { return o.Step32(t, p, g, s) },
				func(p, g, s float64) float64 {
					gs := signedGradScale(o.GradScale, false)
					return o.Momentum*math.Abs(s) + math.Abs(gs*g) + o.WeightDecay*math.Abs(p)
				})
		}
	}
}

// sgdSlots are SGD's slices, and sgdParCase is the SGD o over three steps
// (the first-step rule included), buf left nil without momentum.
var sgdSlots = []parSlot{{"param", -4, 3, false}, {"grad", -12, 2, false}, {"buf", -12, 1, false}}

func sgdParCase(name string, o SGD) parCase[int] {
	c := parCase[int]{Name: name, Steps: []int{1, 2, 3},
		Ops32: parOps3(o.Step32, o.StepParallel32, o.StepTensors32),
		Ops64: parOps3(o.Step64, o.StepParallel64, o.StepTensors64)}
	if o.Momentum == 0 {
		c.Nil = []int{2}
	}
	return c
}

// TestSGDStepTensorsMatchesStep checks StepTensors and StepParallel against
// Step on each tensor, bit for bit, for random tensor lists on a few
// worker counts, over three steps (the first-step rule included).
func TestSGDStepTensorsMatchesStep(t *testing.T) {
	pt := parTest[int]{Seed: [2]uint64{21, 22}, Workers: [2][]int{{1, 2, 5}, {1, 3}}, Lists: [2]int{20, 8}, Slots: sgdSlots}
	for oi, o := range []SGD{
		{LR: 0.1},
		{LR: 0.1, Momentum: 0.9, WeightDecay: 1e-4, Dampening: 0.1},
		{LR: 0.05, Momentum: 0.9, Nesterov: true, Maximize: true, GradScale: 0.5},
	} {
		pt.Cases = append(pt.Cases, sgdParCase(fmt.Sprintf("sgd=%d", oi), o))
	}
	pt.Run(t)
}

// TestSGDStepTensorsErrors: a slice of the wrong length makes the
// parallel steps panic, naming the tensor, before any tensor changes, and
// a nil buf is fine without momentum. (Bad hyperparameters fail every
// step method alike: TestSGDValidationErrors.)
func TestSGDStepTensorsErrors(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	o := SGD{LR: 0.1, Momentum: 0.9}
	parLengthPanic(t, "SGD", sgdSlots, sgdParCase("", o))
	plain := SGD{LR: 0.1}
	y := []float32{1, 2, 3}
	if err := plain.StepTensors32(p, 1, []SGDTensor32{{y, []float32{1, 1, 1}, nil}, {}}); err != nil || y[0] == 1 {
		t.Errorf("without momentum and a nil buf: %v, param %v", err, y)
	}
}

// TestSGDStepTensorsDoesNotAllocate: after warm-up, parallel steps
// allocate nothing.
func TestSGDStepTensorsDoesNotAllocate(t *testing.T) {
	parNoAlloc(t, sgdSlots, sgdParCase("", SGD{LR: 0.1, Momentum: 0.9, Nesterov: true}))
}
