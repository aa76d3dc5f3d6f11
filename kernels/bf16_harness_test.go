package kernels

import (
	"cmp"
	"fmt"
	"math"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// This file holds what the bfloat16 tests share: inputs, a call of one
// level's kernel on guarded copies, and an independent reference of the
// rounding and its random bits.

// bf16Inputs is one call's slices: param, m, v and the gradient in both
// forms (the kernel variant picks one).
type bf16Inputs struct {
	param, m, v, grad16 []BF16
	grad                []float32
}

func (in bf16Inputs) clone() bf16Inputs {
	return bf16Inputs{
		param: append([]BF16(nil), in.param...), m: append([]BF16(nil), in.m...),
		v: append([]BF16(nil), in.v...), grad16: append([]BF16(nil), in.grad16...),
		grad: append([]float32(nil), in.grad...),
	}
}

// randomBF16Inputs is randomInputs rounded to bfloat16 (NaN payloads
// kept where the high half holds them), with specials at 1/every.
func randomBF16Inputs(r *testbuf.Rand, n, every int) bf16Inputs {
	f := randomInputs[float32](r, n, every)
	in := bf16Inputs{param: make([]BF16, n), m: make([]BF16, n), v: make([]BF16, n), grad16: make([]BF16, n), grad: f[1]}
	SliceFrom32(in.param, f[0])
	SliceFrom32(in.grad16, f[1])
	SliceFrom32(in.m, f[2])
	SliceFrom32(in.v, f[3])
	return in
}

// bf16Case is one kernel variant: the hyperparameters (Adam's, or SGD's
// if sgd is set, whose buffer is the inputs' m, or Lion's if lion is set,
// whose m is the inputs' m), the rounding, and which gradient it reads.
type bf16Case struct {
	a      Adam
	sgd    *SGD
	lion   *Lion
	t      int
	r      Rounding
	grad16 bool
}

func (c bf16Case) String() string {
	switch {
	case c.sgd != nil:
		return fmt.Sprintf("t=%d rounding=%+v grad16=%v SGD %+v", c.t, c.r, c.grad16, *c.sgd)
	case c.lion != nil:
		return fmt.Sprintf("t=%d rounding=%+v grad16=%v Lion %+v", c.t, c.r, c.grad16, *c.lion)
	}
	return fmt.Sprintf("t=%d rounding=%+v grad16=%v %+v", c.t, c.r, c.grad16, c.a)
}

// bf16Cases is every variant (coupled or decoupled decay, nearest or
// stochastic rounding, float32 or bfloat16 gradient) with a few
// hyperparameter mixes.
func bf16Cases() []bf16Case {
	var cs []bf16Case
	for i, a := range []Adam{DefaultAdam(), DefaultAdamW(), {LR: 0.5, Beta1: 0.5, Beta2: 0.75, Eps: 1e-3, WeightDecay: 0.1, Maximize: true, GradScale: 0.25}} {
		for _, coupled := range []bool{false, true} {
			b := a
			if coupled {
				b.Decoupled, b.WeightDecay = false, 0.01+a.WeightDecay
			}
			for _, r := range []Rounding{RoundNearestEven, {Stochastic: true, Seed: 42 + uint64(i), Offset: 12345}} {
				for _, g16 := range []bool{false, true} {
					cs = append(cs, bf16Case{a: b, t: 3 + i*1000, r: r, grad16: g16})
				}
			}
		}
	}
	for i, o := range []SGD{{LR: 0.1}, {LR: 0.01, Momentum: 0.9, WeightDecay: 1e-3}, {LR: 0.5, Momentum: 0.5, Nesterov: true, Maximize: true, GradScale: 4}} {
		for _, t := range []int{1, 5} {
			for _, r := range []Rounding{RoundNearestEven, {Stochastic: true, Seed: 7 + uint64(i), Offset: 99}} {
				for _, g16 := range []bool{false, true} {
					cs = append(cs, bf16Case{sgd: &o, t: t, r: r, grad16: g16})
				}
			}
		}
	}
	// Lion last, so that the golden digests of the others keep their lines.
	for i, o := range []Lion{DefaultLion(), {LR: 0.1, Beta1: 0.5, Beta2: 0.25, WeightDecay: 0.5, Maximize: true, GradScale: 8}} {
		for _, r := range []Rounding{RoundNearestEven, {Stochastic: true, Seed: 3 + uint64(i), Offset: 4321}} {
			for _, g16 := range []bool{false, true} {
				cs = append(cs, bf16Case{lion: &o, t: 2 + 5*i, r: r, grad16: g16})
			}
		}
	}
	return cs
}

// stepBF16At runs c's kernel of level l on in, in place.
func stepBF16At(tb testing.TB, l Level, c bf16Case, in bf16Inputs) {
	tb.Helper()
	k := kernelsFor(l)
	if c.lion != nil {
		var s [lionBF16ScalarCount]float32
		late, err := c.lion.scalarsBF16(c.t, c.r, &s)
		if err = cmp.Or(err, late); err != nil {
			tb.Fatal(err)
		}
		if c.grad16 {
			k.lionBF16GradF32[variantBF16(c.r)](bf16Bits(in.param), bf16Bits(in.grad16), bf16Bits(in.m), s)
		} else {
			k.lionBF16F32[variantBF16(c.r)](bf16Bits(in.param), in.grad, bf16Bits(in.m), s)
		}
		return
	}
	if c.sgd != nil {
		var s [sgdBF16ScalarCount]float32
		late, err := c.sgd.scalarsBF16(c.t, c.r, &s)
		if err = cmp.Or(err, late); err != nil {
			tb.Fatal(err)
		}
		if c.grad16 {
			k.sgdBF16GradF32[c.sgd.variantBF16(c.r)](bf16Bits(in.param), bf16Bits(in.grad16), bf16Bits(in.m), s)
		} else {
			k.sgdBF16F32[c.sgd.variantBF16(c.r)](bf16Bits(in.param), in.grad, bf16Bits(in.m), s)
		}
		return
	}
	var s [adamBF16ScalarCount]float32
	late, err := c.a.scalarsBF16(c.t, c.r, &s)
	if err = cmp.Or(err, late); err != nil {
		tb.Fatal(err)
	}
	if c.grad16 {
		k.adamBF16GradF32[c.a.variantBF16(c.r)](bf16Bits(in.param), bf16Bits(in.grad16), bf16Bits(in.m), bf16Bits(in.v), s)
	} else {
		k.adamBF16F32[c.a.variantBF16(c.r)](bf16Bits(in.param), in.grad, bf16Bits(in.m), bf16Bits(in.v), s)
	}
}

// stepBF16 runs c's step (the exported method) on in, in place.
func stepBF16(tb testing.TB, c bf16Case, in bf16Inputs) {
	tb.Helper()
	var err error
	switch {
	case c.lion != nil && c.grad16:
		err = c.lion.StepBF16Grad(c.t, c.r, in.param, in.grad16, in.m)
	case c.lion != nil:
		err = c.lion.StepBF16(c.t, c.r, in.param, in.grad, in.m)
	case c.sgd != nil && c.grad16:
		err = c.sgd.StepBF16Grad(c.t, c.r, in.param, in.grad16, in.m)
	case c.sgd != nil:
		err = c.sgd.StepBF16(c.t, c.r, in.param, in.grad, in.m)
	case c.grad16:
		err = c.a.StepBF16Grad(c.t, c.r, in.param, in.grad16, in.m, in.v)
	default:
		err = c.a.StepBF16(c.t, c.r, in.param, in.grad, in.m, in.v)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

// step32Reference is what c's bfloat16 step computes before it rounds:
// Step32 on in widened to float32 (param, m or SGD's buf, v; Lion's and
// SGD's v is in.v unchanged).
func step32Reference(tb testing.TB, c bf16Case, in bf16Inputs) [3][]float32 {
	tb.Helper()
	n := len(in.param)
	var out [3][]float32
	for i, s := range [][]BF16{in.param, in.m, in.v} {
		out[i] = make([]float32, n)
		SliceTo32(out[i], s)
	}
	g := in.grad
	if c.grad16 {
		g = make([]float32, n)
		SliceTo32(g, in.grad16)
	}
	var err error
	switch {
	case c.lion != nil:
		err = c.lion.Step32(out[0], g, out[1])
	case c.sgd != nil:
		err = c.sgd.Step32(c.t, out[0], g, out[1])
	default:
		err = c.a.Step32(c.t, out[0], g, out[1], out[2], nil)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// sameBF16 compares bit for bit, any NaN equal to any NaN; it returns the
// first differing index, or -1.
func sameBF16(got, want []BF16) int {
	for i := range want {
		g, w := got[i], want[i]
		if g != w && !(isNaN16(g) && isNaN16(w)) {
			return i
		}
	}
	return -1
}

func isNaN16(b BF16) bool { return b&0x7fff > 0x7f80 }

// compareBF16WithGeneric runs level l on guarded copies of in, starting
// offset elements into their buffers, and the generic level on plain
// copies, and describes the first difference, or returns "".
func compareBF16WithGeneric(tb testing.TB, l Level, c bf16Case, in bf16Inputs, offset int) string {
	want := in.clone()
	stepBF16At(tb, Generic, c, want)
	gp, gm, gv, gg := testbuf.GuardedCopyBF16(in.param, offset), testbuf.GuardedCopyBF16(in.m, offset),
		testbuf.GuardedCopyBF16(in.v, offset), testbuf.GuardedCopyBF16(in.grad16, offset)
	grad := testbuf.GuardedCopy(in.grad, offset)
	got := bf16Inputs{param: gp.S, m: gm.S, v: gv.S, grad16: gg.S, grad: grad.S}
	stepBF16At(tb, l, c, got)
	for _, g := range []struct {
		name      string
		got, want []BF16
		guard     *testbuf.GuardedBF16[BF16]
	}{{"param", got.param, want.param, gp}, {"m", got.m, want.m, gm}, {"v", got.v, want.v, gv}, {"grad16", got.grad16, want.grad16, gg}} {
		if err := g.guard.Check(g.name); err != nil {
			return fmt.Sprintf("%v (n=%d offset=%d %v)", err, len(in.param), offset, c)
		}
		if j := sameBF16(g.got, g.want); j >= 0 {
			return fmt.Sprintf("%s[%d] = %#04x, generic gives %#04x; inputs param=%#04x grad=%#08x grad16=%#04x m=%#04x v=%#04x (n=%d offset=%d %v)",
				g.name, j, g.got[j], g.want[j], in.param[j], math.Float32bits(in.grad[j]), in.grad16[j], in.m[j], in.v[j], len(in.param), offset, c)
		}
	}
	if err := grad.Check("grad"); err != nil {
		return err.Error()
	}
	return ""
}

// refKey is Rounding.key written out from its documentation.
func refKey(seed uint64, t int) uint32 {
	z := seed + 0x9e3779b97f4a7c15*uint64(t)
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return uint32(z >> 32)
}

// refLowbias32 is Chris Wellons' lowbias32, whole.
func refLowbias32(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	return x
}

// refStreamBits is the documented 16 random bits of stream (0: param, 1:
// m or buf, 2: v) from the element's lowbias32 x.
func refStreamBits(x uint32, stream uint64) uint32 {
	switch stream {
	case 0:
		return x >> 16
	case 1:
		return x & 0xffff
	}
	return x>>16 ^ x&0xffff
}

// refRound is the documented rounding of x: nearest even (from the two
// neighbouring bfloat16, compared in float64), or stochastic with the 16
// random bits r: up iff r + (x's low 16 bits) carries.
func refRound(x float32, stochastic bool, r uint32) BF16 {
	if x != x {
		return 0xffff // any NaN (sameBF16)
	}
	u := math.Float32bits(x)
	down := BF16(u >> 16)
	up := down + 1 // the next bfloat16 away from zero (0x7f80: Inf)
	low := u & 0xffff
	if low == 0 {
		return down
	}
	if stochastic {
		if low+r >= 1<<16 {
			return up
		}
		return down
	}
	dd := math.Abs(float64(x) - float64(down.Float32()))
	du := math.Abs(float64(up.Float32()) - float64(x))
	if up&0x7fff == 0x7f80 {
		du = math.Abs(0x1p128 - math.Abs(float64(x))) // IEEE: as if 2^128 were representable
	}
	switch {
	case dd < du:
		return down
	case du < dd:
		return up
	case down&1 == 0:
		return down
	}
	return up
}
