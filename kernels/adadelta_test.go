package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// The Adadelta tests: validation, lengths, allocations, levels through
// the public API, a bounded float64 reference of PyTorch's algorithm,
// hand-checked PyTorch steps and the parallel steps. The error bound
// arithmetic (errArith) is in errmodel_test.go, the shared helpers in
// rmsprop_test.go.

// adadeltaSlots names Adadelta's four slices, in argument order.
var adadeltaSlots = [4]string{"param", "grad", "sq", "acc"}

// adadeltaInputs are random slices for Adadelta (non-negative averages)
// and, if every > 0, special values at a rate 1/every.
func adadeltaInputs[F testbuf.Float](seed uint64, n, every int) [4][]F {
	r := testbuf.NewRand(seed)
	var in [4][]F
	for i := range in {
		in[i] = make([]F, n)
	}
	testbuf.Fill(r, in[0], -4, 3)
	testbuf.Fill(r, in[1], -12, 2)
	testbuf.FillNonNeg(r, in[2], -24, 0)
	testbuf.FillNonNeg(r, in[3], -30, -4)
	if every > 0 {
		for _, s := range in {
			testbuf.Sprinkle(r, s, every)
		}
	}
	return in
}

func adadeltaClone[F testbuf.Float](in [4][]F) [4][]F {
	var c [4][]F
	rdCopySlots(c[:], in[:])
	return c
}

// adadeltaStep is Step32 or Step64 on s, by F.
func adadeltaStep[F testbuf.Float](a Adadelta, t int, s [4][]F) error {
	switch s := any(s).(type) {
	case [4][]float32:
		return a.Step32(t, s[0], s[1], s[2], s[3])
	case [4][]float64:
		return a.Step64(t, s[0], s[1], s[2], s[3])
	}
	panic("unreachable")
}

// adadeltaWith is a with coupled weight decay or none, by variant.
func adadeltaWith(a Adadelta, v int) Adadelta {
	a.WeightDecay = 0
	if v == 1 {
		a.WeightDecay = 0.03
	}
	return a
}

func adadeltaBads() []rdBad[Adadelta] {
	var out []rdBad[Adadelta]
	add := func(field string, only32 bool, ptr func(*Adadelta) *float64, values ...float64) {
		for _, v := range values {
			out = append(out, rdBad[Adadelta]{field, v, only32, 1, func(a *Adadelta) { *ptr(a) = v }})
		}
	}
	nan, inf := math.NaN(), math.Inf(1)
	lr := func(a *Adadelta) *float64 { return &a.LR }
	eps := func(a *Adadelta) *float64 { return &a.Eps }
	wd := func(a *Adadelta) *float64 { return &a.WeightDecay }
	gs := func(a *Adadelta) *float64 { return &a.GradScale }
	add("LR", false, lr, -1, nan, inf, -inf)
	add("Rho", false, func(a *Adadelta) *float64 { return &a.Rho }, -0.1, math.Nextafter(1, 2), 2, nan, inf, -inf)
	add("Eps", false, eps, 0, -1e-6, nan, inf)
	add("WeightDecay", false, wd, -0.01, nan, inf)
	add("GradScale", false, gs, -1, nan, inf)
	add("Eps", true, eps, 1e-50, 1e39)
	add("LR", true, lr, 1e39)
	add("WeightDecay", true, wd, 1e39)
	add("GradScale", true, gs, 1e39)
	for _, step := range []int{0, -1} {
		out = append(out, rdBad[Adadelta]{"t", float64(step), false, step, func(*Adadelta) {}})
	}
	return out
}

// TestAdadeltaValidation: every way out of every domain makes Step32,
// Step64 and the parallel steps return the same *ParamError, naming the
// field and value, at every level, and change nothing; what only float32
// cannot carry passes the float64 methods (rejectTest).
func TestAdadeltaValidation(t *testing.T) {
	rt := rejectTest[int]{Opt: "Adadelta", Slots: adadeltaParSlots}
	for _, b := range adadeltaBads() {
		for v := range 2 {
			b.add(&rt, adadeltaWith(DefaultAdadelta(), v), fmt.Sprintf("variant=%d", v), adadeltaParCase)
		}
	}
	rt.Run(t)
}

// TestAdadeltaValidateAcceptsEdges: the closed ends of each domain are
// valid, and so are the defaults.
func TestAdadeltaValidateAcceptsEdges(t *testing.T) {
	for _, a := range []Adadelta{
		DefaultAdadelta(),
		{LR: 0, Rho: 0, Eps: math.SmallestNonzeroFloat64},
		{LR: 1, Rho: 1, Eps: 1},
		{LR: 1e300, Rho: 0.5, Eps: 1e300, WeightDecay: 1e300, GradScale: 1e300},
	} {
		if err := a.Validate(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
}

// TestAdadeltaLengthPanics: a slice of the wrong length panics, naming the
// slice and both lengths, before anything is written.
func TestAdadeltaLengthPanics(t *testing.T) {
	const n = 6
	for v := range 2 {
		a := adadeltaWith(DefaultAdadelta(), v)
		for slot := 1; slot < 4; slot++ {
			for _, bad := range []int{0, n - 1, n + 1} {
				in := adadeltaInputs[float32](9, n, 0)
				got := adadeltaClone(in)
				got[slot] = append(got[slot][:min(bad, n)], make([]float32, max(bad-n, 0))...)
				msg := panicMessage(func() { a.Step32(1, got[0], got[1], got[2], got[3]) })
				want := fmt.Sprintf("fusedopt: Adadelta.Step32: len(%s) = %d, want len(param) = %d", adadeltaSlots[slot], bad, n)
				if msg != want {
					t.Errorf("variant %d: panic %q, want %q", v, msg, want)
				}
				if testbuf.FirstDiff(got[0], in[0]) >= 0 {
					t.Errorf("variant %d, len(%s) = %d: param changed before the panic", v, adadeltaSlots[slot], bad)
				}
				x := make([]float64, n)
				s64 := [4][]float64{x, x, x, x}
				s64[slot] = make([]float64, bad)
				msg = panicMessage(func() { a.Step64(1, s64[0], s64[1], s64[2], s64[3]) })
				if want := fmt.Sprintf("fusedopt: Adadelta.Step64: len(%s) = %d, want len(param) = %d", adadeltaSlots[slot], bad, n); msg != want {
					t.Errorf("variant %d: Step64 panic %q, want %q", v, msg, want)
				}
			}
		}
	}
}

// TestAdadeltaStepDoesNotAllocate: neither variant of Step32 or Step64
// allocates, at any level; zero elements is a no-op.
func TestAdadeltaStepDoesNotAllocate(t *testing.T) {
	in32 := adadeltaInputs[float32](1, 100, 0)
	in64 := adadeltaInputs[float64](1, 100, 0)
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for v := range 2 {
			a := adadeltaWith(DefaultAdadelta(), v)
			if n := testing.AllocsPerRun(10, func() { a.Step32(2, in32[0], in32[1], in32[2], in32[3]) }); n != 0 {
				t.Errorf("level %v, variant %d: Step32 allocates %v times per call", l, v, n)
			}
			if n := testing.AllocsPerRun(10, func() { a.Step64(2, in64[0], in64[1], in64[2], in64[3]) }); n != 0 {
				t.Errorf("level %v, variant %d: Step64 allocates %v times per call", l, v, n)
			}
			if err := a.Step32(1, nil, nil, nil, nil); err != nil {
				t.Errorf("variant %d: Step32 on nil slices: %v", v, err)
			}
			if err := a.Step64(1, []float64{}, []float64{}, []float64{}, []float64{}); err != nil {
				t.Errorf("variant %d: Step64 on empty slices: %v", v, err)
			}
		}
	}
}

// TestAdadeltaLevelsAgree: through Step32 and Step64, every supported
// level gives Generic's bits in both variants, with and without maximize
// and gradient scaling, on random and special values, over two steps,
// without writing outside the slices; also with grad aliasing param.
func TestAdadeltaLevelsAgree(t *testing.T) {
	adadeltaLevelsAgree[float32](t)
	adadeltaLevelsAgree[float64](t)
}

func adadeltaLevelsAgree[F testbuf.Float](t *testing.T) {
	levels := fastLevels(t)
	for c := range 4 {
		a := adadeltaWith(DefaultAdadelta(), c%2)
		if c >= 2 {
			a.Maximize, a.GradScale, a.Rho = true, 0.25, 0.5
		}
		for li, n := range rmsLengths {
			every := 0
			if li%2 == 1 {
				every = 5
			}
			alias := li%5 == 4
			in := adadeltaInputs[F](uint64(100*c+n), n, every)
			run := func(l Level, offset int) ([4][]F, []*testbuf.Guarded[F]) {
				withLevel(t, l)
				var g []*testbuf.Guarded[F]
				var s [4][]F
				for i := range s {
					g = append(g, testbuf.GuardedCopy(in[i], offset))
					s[i] = g[i].S
				}
				if alias {
					s[1] = s[0]
				}
				for step := 1; step <= 2; step++ {
					if err := adadeltaStep(a, step, s); err != nil {
						t.Fatal(err)
					}
				}
				return s, g
			}
			want, _ := run(Generic, 0)
			for _, l := range levels {
				got, g := run(l, n%4)
				for i := range got {
					if err := g[i].Check(adadeltaSlots[i]); err != nil {
						t.Fatalf("level %v, %+v, n=%d, %T: %v", l, a, n, F(0), err)
					}
					if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
						t.Fatalf("level %v, %+v, n=%d, alias=%v, %T: %s[%d] = %s, generic gives %s",
							l, a, n, alias, F(0), adadeltaSlots[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]))
					}
				}
			}
		}
	}
}

// TestAdadeltaVariantScalars pins the plumbing from the struct to the
// kernel: the variant index and each scalar.
func TestAdadeltaVariantScalars(t *testing.T) {
	a := Adadelta{LR: 0.5, Rho: 0.25, Eps: 1e-3, WeightDecay: 0.125, Maximize: true, GradScale: 2}
	if v := a.variant(); v != 1 {
		t.Errorf("variant %d, want 1", v)
	}
	if v := DefaultAdadelta().variant(); v != 0 {
		t.Errorf("default: variant %d, want 0", v)
	}
	s, err := a.scalars(1)
	if err != nil {
		t.Fatal(err)
	}
	want := [adadeltaScalarCount]float64{adadeltaGscale: -2, adadeltaWd: 0.125, adadeltaRho: 0.25, adadeltaOmr: 0.75, adadeltaEps: 1e-3, adadeltaLr: 0.5}
	if s != want {
		t.Errorf("scalars %v, want %v", s, want)
	}
}

// adadeltaIn is one element's state before a step.
type adadeltaIn struct{ p, g, sq, acc float64 }

// adadeltaOut is one element after a step, each with its bound.
type adadeltaOut struct{ p, sq, acc errVal }

// adadeltaTorch is one step of torch.optim.Adadelta on one element, in
// PyTorch's arrangement (_single_tensor_adadelta, float64 tensors):
//
//	grad = -grad if maximize
//	grad = grad.add(param, alpha=weight_decay)
//	square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
//	std = square_avg.add(eps).sqrt_()
//	delta = acc_delta.add(eps).sqrt_()
//	delta.div_(std).mul_(grad)
//	acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
//	param.add_(delta, alpha=-lr)
//
// with addcmul as self + value*t1*t2 and GradScale the user's own
// grad*scale. Evaluated in ea64, x is the float64 reference and e bounds
// its distance from the exact formula (see errArith).
func adadeltaTorch(a errArith, o Adadelta, in adadeltaIn) adadeltaOut {
	g := a.grad(in.g, o.GradScale, o.Maximize)
	p := a.exact(in.p)
	if o.WeightDecay != 0 {
		g = a.add(g, a.mul(a.exact(o.WeightDecay), p))
	}
	rho, omr, eps := a.exact(o.Rho), a.scalar(oneMinus64(o.Rho)), a.exact(o.Eps)
	sq := a.add(a.mul(a.exact(in.sq), rho), a.mul(a.mul(omr, g), g))
	floor := math.Sqrt(o.Eps) * (1 - a.u) // sq >= 0, so sqrt(sq+eps) >= sqrt(eps)*(1-u)
	std := a.sqrt(a.add(sq, eps))
	delta := a.mul(a.div(a.sqrt(a.add(a.exact(in.acc), eps)), std, floor), g)
	acc := a.add(a.mul(a.exact(in.acc), rho), a.mul(a.mul(omr, delta), delta))
	return adadeltaOut{p: a.add(p, a.mul(a.exact(-o.LR), delta)), sq: sq, acc: acc}
}

// adadeltaKernel bounds the kernels' own order (generic.go), with every
// per-step scalar carrying its rounding:
//
//	g = grad*gscale (+ wd*param); sq = rho*sq + omr*(g*g)
//	std = sqrt(sq + eps); delta = (sqrt(acc + eps) / std) * g
//	acc = rho*acc + omr*(delta*delta); param = param - lr*delta
//
// To first order, in units of 2^-24 for Step32 (see errArith): g 3 (2
// without decay) on |s*grad| + |wd*param|; sq 10 on |rho*sq| +
// (1-rho)*g^2; delta 13.5 relative (the root of sq+eps 6.5, of acc+eps 2,
// the division and the product with g); acc 31 on |rho*acc| +
// (1-rho)*delta^2; param 16.5 on |param| + lr*|delta|.
func adadeltaKernel(a errArith, o Adadelta, in adadeltaIn) adadeltaOut {
	sc := a.scalar
	g := a.mul(a.exact(in.g), sc(signedGradScale(o.GradScale, o.Maximize), 0))
	p := a.exact(in.p)
	if o.WeightDecay != 0 {
		g = a.add(g, a.mul(sc(o.WeightDecay, 0), p))
	}
	rho, omr, eps := sc(o.Rho, 0), sc(oneMinus64(o.Rho)), sc(o.Eps, 0)
	sq := a.add(a.mul(rho, a.exact(in.sq)), a.mul(omr, a.mul(g, g)))
	// The computed sq is a sum of non-negative terms and rounding is
	// monotonic: std >= sqrt(eps~)*(1-u).
	floor := math.Sqrt(eps.x-eps.e) * (1 - a.u)
	std := a.sqrt(a.add(sq, eps))
	delta := a.mul(a.div(a.sqrt(a.add(a.exact(in.acc), eps)), std, floor), g)
	acc := a.add(a.mul(rho, a.exact(in.acc)), a.mul(omr, a.mul(delta, delta)))
	return adadeltaOut{p: a.sub(p, a.mul(sc(o.LR, 0), delta)), sq: sq, acc: acc}
}

// adadeltaRefCase draws the hyperparameters of option combination combo
// (bit 0 weight decay, 1 maximize, 2 gradient scale).
func adadeltaRefCase(rng *rand.Rand, combo int) Adadelta {
	pick := func(xs ...float64) float64 { return xs[rng.IntN(len(xs))] }
	a := Adadelta{
		LR:  pick(1, 0.5, 0.1),
		Rho: pick(0.9, 0.95, 0.99, 0.5, 0.3, 0),
		Eps: pick(1e-6, 1e-8, 1e-4),
	}
	if combo&1 != 0 {
		a.WeightDecay = pick(0.01, 0.1, 0.5)
	}
	a.Maximize = combo&2 != 0
	if combo&4 != 0 {
		a.GradScale = pick(1.0/32, 1.0/3, 4)
	}
	return a
}

// TestAdadeltaMatchesReference checks Step32 and Step64 at every level
// against adadeltaTorch, element by element and step by step, within the
// sum of the two rounding bounds (see errArith). Each step starts from the
// state the Generic level left, which the reference also starts from.
func TestAdadeltaMatchesReference(t *testing.T) {
	adadeltaMatchesReference[float32](t, ea32)
	adadeltaMatchesReference[float64](t, ea64)
}

func adadeltaMatchesReference[F testbuf.Float](t *testing.T, kern errArith) {
	c := &errCheck{t: t}
	rng := rand.New(rand.NewPCG(7, uint64(testbuf.Size[F]())))
	levels := append(fastLevels(t), Generic) // Generic last: its state is carried
	for round := range 3 {
		for combo := range 8 {
			o := adadeltaRefCase(rng, combo)
			var st [4][]F // param, grad, sq, acc
			for i := range st {
				st[i] = make([]F, rdRefN)
			}
			for i := range st[0] {
				st[0][i] = F(refMag(rng, -2, 1))
			}
			for step := 1; step <= rdRefSteps+2*round; step++ {
				scale := math.Pow(10, -1.5+2*rng.Float64())
				for i := range st[1] {
					st[1][i] = F(refMag(rng, -4, 0.5) * scale)
				}
				var got [4][]F
				for _, l := range levels {
					withLevel(t, l)
					got = adadeltaClone(st)
					if err := adadeltaStep(o, step, got); err != nil {
						t.Fatalf("%+v: %v", o, err)
					}
					for i := range rdRefN {
						in := adadeltaIn{float64(st[0][i]), float64(st[1][i]), float64(st[2][i]), float64(st[3][i])}
						ref, bound := adadeltaTorch(ea64, o, in), adadeltaKernel(kern, o, in)
						where := func() string { return fmt.Sprintf("%v %T %+v t=%d [%d] %+v", l, F(0), o, step, i, in) }
						c.checkSum(where, "param", float64(got[0][i]), ref.p, bound.p)
						c.checkSum(where, "sq", float64(got[2][i]), ref.sq, bound.sq)
						c.checkSum(where, "acc", float64(got[3][i]), ref.acc, bound.acc)
					}
				}
				st = got
			}
		}
	}
	t.Logf("%T: largest |got-ref|/bound: %.3f at %s", F(0), c.worst, c.worstAt)
}

// Hand-checked steps against PyTorch's documented equations, computed with
// python3 in float64 following torch.optim.Adadelta's single-tensor
// implementation operation by operation, printed with repr:
//
//	import math
//	def adadelta(p, g, sq, acc, lr=1.0, rho=0.9, eps=1e-6, wd=0.0, maximize=False, batch=1):
//	    p, sq, acc = list(p), list(sq), list(acc)
//	    for i in range(len(p)):
//	        gi = g[i] / batch                              # the user's grad / batch_size
//	        gi = -gi if maximize else gi
//	        if wd != 0: gi = gi + wd*p[i]                  # grad.add(param, alpha=wd)
//	        sq[i] = sq[i]*rho + (1 - rho)*gi*gi            # square_avg.mul_(rho).addcmul_(g, g, value=1-rho)
//	        std = math.sqrt(sq[i] + eps)                   # square_avg.add(eps).sqrt_()
//	        delta = math.sqrt(acc[i] + eps)                # acc_delta.add(eps).sqrt_()
//	        delta = delta / std * gi                       # .div_(std).mul_(grad)
//	        acc[i] = acc[i]*rho + (1 - rho)*delta*delta    # acc_delta.mul_(rho).addcmul_(d, d, value=1-rho)
//	        p[i] = p[i] + (-lr)*delta                      # param.add_(delta, alpha=-lr)
//	    return p, sq, acc
//
// with P0, G1 and G2 of the RMSprop cases (rmsprop_test.go). The kernels'
// arrangement differs from it only in rho*sq + (1-rho)*(g*g) for
// addcmul's order, lr*delta for add_'s alpha, and grad*GradScale for
// grad/batch_size; the tolerances are those of the RMSprop cases, for the
// same reasons. The largest differences measured are 3.8 units (Step64)
// and 3.2 (Step32).
const (
	adadeltaTorchULP64 = 8
	adadeltaTorchULP32 = 16
)

type adadeltaTorchCase struct {
	name      string
	a         Adadelta
	sq0, acc0 []float64 // nil means zeros
	steps     []rdTorchStep
}

var adadeltaTorchCases = []adadeltaTorchCase{
	{
		// adadelta(P0, G1, 0, 0), then adadelta(<result>, G2)
		name: "default, two steps",
		a:    DefaultAdadelta(),
		steps: []rdTorchStep{{
			grad:    rdG1,
			wantP:   []float64{0.4968393022937949, -1.2468381175504386, 1.996837724096651, -9.999999999999502e-10, 3.0},
			wantSq:  []float64{0.0009999999999999998, 0.003999999999999999, 0.8999999999999998, 9.999999999999999e-20, 0.0},
			wantAcc: []float64{9.990009990009993e-07, 9.997500624843786e-07, 9.999988888901238e-07, 9.999999999999002e-20, 0.0},
		}, {
			grad:    rdG2,
			wantP:   []float64{0.49892301983676296, -1.242797862921541, 1.9947525815426015, -2.99999999999956e-09, 2.9968379752916907},
			wantSq:  []float64{0.0011499999999999998, 0.019599999999999996, 1.0349999999999997, 4.899999999999999e-19, 0.006249999999999999},
			wantAcc: []float64{1.3332887789881713e-06, 2.532140802868769e-06, 1.3347809470719626e-06, 4.899999999998348e-19, 9.998400255959046e-07},
		}},
	},
	{
		// adadelta(P0, G1, 0, 0, lr=0.5, wd=0.1): L2 decay, which moves
		// element 4 although its gradient is 0
		name: "weight decay 0.1, LR 0.5",
		a:    Adadelta{LR: 0.5, Rho: 0.9, Eps: 1e-6, WeightDecay: 0.1},
		steps: []rdTorchStep{{
			grad:    rdG1,
			wantP:   []float64{0.49841921241702225, -1.2484189360114102, 1.9984188619419556, -4.999999999999751e-10, 2.9984189490036424},
			wantSq:  []float64{0.0022500000000000003, 0.010562499999999999, 1.0239999999999998, 9.999999999999999e-20, 0.009000000000000001},
			wantAcc: []float64{9.995557529986668e-07, 9.999053344062101e-07, 9.99999023438454e-07, 9.999999999999002e-20, 9.998889012331965e-07},
		}},
	},
	{
		// adadelta(P0, G1, 0, 0, maximize=True, batch=3, rho=0.5):
		// ascends, with g = W.grad / 3 given as GradScale 1/3
		name: "maximize, GradScale 1/3, rho 0.5",
		a:    Adadelta{LR: 1, Rho: 0.5, Eps: 1e-6, Maximize: true, GradScale: 1.0 / 3},
		steps: []rdTorchStep{{
			grad:    rdG1,
			wantP:   []float64{0.5014129424858631, -1.2514138954716731, 2.0014142121481617, 3.333333333333241e-10, 3.0},
			wantSq:  []float64{0.0005555555555555556, 0.0022222222222222222, 0.5, 5.555555555555556e-20, 0.0},
			wantAcc: []float64{9.982032341784789e-07, 9.99550202408916e-07, 9.999980000039998e-07, 5.555555555555248e-20, 0.0},
		}},
	},
	{
		// adadelta(P0, G1, SQ0, ACC0, rho=0.95, eps=1e-8): from a nonzero
		// state, where acc sets the step size
		name: "nonzero state, rho 0.95, eps 1e-8",
		a:    Adadelta{LR: 1, Rho: 0.95, Eps: 1e-8},
		sq0:  []float64{1e-4, 4e-4, 0.09, 0.0, 0.01},
		acc0: []float64{1e-6, 2e-6, 1e-4, 0.0, 1e-5},
		steps: []rdTorchStep{{
			grad:    rdG1,
			wantP:   []float64{0.4958799873021829, -1.244187825650713, 1.9590019475493505, -9.999999999975001e-10, 3.0},
			wantSq:  []float64{0.0005950000000000005, 0.002380000000000002, 0.5355000000000004, 5.000000000000005e-20, 0.0095},
			wantAcc: []float64{1.7987252315087138e-06, 3.5890685333254904e-06, 0.00017904201523731062, 4.9999999999750055e-20, 9.5e-06},
		}},
	},
}

func TestAdadeltaMatchesPyTorch(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, c := range adadeltaTorchCases {
			n := len(rdP0)
			zeros := func(xs []float64) []float64 {
				if xs == nil {
					return make([]float64, n)
				}
				return append([]float64(nil), xs...)
			}
			s64 := [4][]float64{append([]float64(nil), rdP0...), nil, zeros(c.sq0), zeros(c.acc0)}
			s32 := [4][]float32{rdTo32(s64[0]), nil, rdTo32(s64[2]), rdTo32(s64[3])}
			for k, st := range c.steps {
				before64, before32 := adadeltaClone(s64), adadeltaClone(s32)
				s64[1], s32[1] = append([]float64(nil), st.grad...), rdTo32(st.grad)
				if err := c.a.Step64(k+1, s64[0], s64[1], s64[2], s64[3]); err != nil {
					t.Fatal(err)
				}
				if err := c.a.Step32(k+1, s32[0], s32[1], s32[2], s32[3]); err != nil {
					t.Fatal(err)
				}
				where := func(what string) string { return fmt.Sprintf("%v %s step %d %s", l, c.name, k+1, what) }
				fromParam := func(i int) float64 {
					return math.Max(math.Abs(before64[0][i]), math.Abs(float64(before32[0][i])))
				}
				none := func(int) float64 { return 0 }
				rdTorchCheck(t, where("param"), adadeltaTorchULP64, adadeltaTorchULP32, s64[0], s32[0], st.wantP, fromParam)
				rdTorchCheck(t, where("sq"), adadeltaTorchULP64, adadeltaTorchULP32, s64[2], s32[2], st.wantSq, none)
				rdTorchCheck(t, where("acc"), adadeltaTorchULP64, adadeltaTorchULP32, s64[3], s32[3], st.wantAcc, none)
			}
		}
	}
}

// adadeltaParSlots are Adadelta's slices as adadeltaInputs fills them,
// and adadeltaParCase is the Adadelta a over two steps.
var adadeltaParSlots = []parSlot{{"param", -4, 3, false}, {"grad", -12, 2, false}, {"sq", -24, 0, true}, {"acc", -30, -4, true}}

func adadeltaParCase(name string, a Adadelta) parCase[int] {
	return parCase[int]{Name: name, Steps: []int{1, 2},
		Ops32: parOps4(a.Step32, a.StepParallel32, a.StepTensors32),
		Ops64: parOps4(a.Step64, a.StepParallel64, a.StepTensors64)}
}

// TestAdadeltaStepTensorsMatchesStep: StepTensors and StepParallel give
// Step's bits on random tensor lists, over two steps, on several worker
// counts, in both variants.
func TestAdadeltaStepTensorsMatchesStep(t *testing.T) {
	pt := parTest[int]{Seed: [2]uint64{23, 29}, Workers: [2][]int{{1, 2, 3}, {1, 3}}, Lists: [2]int{8, 4}, Slots: adadeltaParSlots}
	for v := range 2 {
		pt.Cases = append(pt.Cases, adadeltaParCase(fmt.Sprintf("variant=%d", v), adadeltaWith(DefaultAdadelta(), v)))
	}
	pt.Run(t)
}

// TestAdadeltaStepTensorsLengthPanic: a mismatch anywhere in the list
// panics in the caller, naming the tensor and both lengths, before any
// tensor changes; so does StepParallel.
func TestAdadeltaStepTensorsLengthPanic(t *testing.T) {
	parLengthPanic(t, "Adadelta", adadeltaParSlots, adadeltaParCase("", DefaultAdadelta()))
}

// TestAdadeltaParallelDoesNotAllocate: after warm-up, the parallel steps
// allocate nothing, split or not.
func TestAdadeltaParallelDoesNotAllocate(t *testing.T) {
	opt := DefaultAdadelta()
	opt.WeightDecay = 0.01
	parNoAlloc(t, adadeltaParSlots, adadeltaParCase("", opt))
}
