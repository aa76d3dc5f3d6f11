package fuzz

import (
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// Flag bits of FuzzAdamBF16's flags byte, after Adam's.
const (
	flagStochastic = 1 << (iota + 4)
	flagGrad16
	flagSGD // SGD (LR, Momentum = beta1, Dampening = 1-beta2, Nesterov = AMSGrad's bit) instead of Adam
)

// bf16Slots are a bfloat16 step's slices: param, the gradient in both
// forms, m and v.
type bf16Slots struct {
	param, grad16, m, v []kernels.BF16
	grad                []float32
}

// bf16Inputs is inputs rounded to bfloat16 (specials included).
func bf16Inputs(in adamInput) bf16Slots {
	f := inputs[float32](in)
	s := bf16Slots{param: make([]kernels.BF16, in.n), grad16: make([]kernels.BF16, in.n),
		m: make([]kernels.BF16, in.n), v: make([]kernels.BF16, in.n), grad: f[1]}
	kernels.SliceFrom32(s.param, f[0])
	kernels.SliceFrom32(s.grad16, f[1])
	kernels.SliceFrom32(s.m, f[2])
	kernels.SliceFrom32(s.v, f[3])
	return s
}

// sigil16 fills the bytes around the guarded bfloat16 copies.
const sigil16 = kernels.BF16(0x7fad)

// guardedBF16 copies s offset elements into a buffer of sigils.
func guardedBF16(s []kernels.BF16, offset int) (buf, view []kernels.BF16) {
	buf = make([]kernels.BF16, offset+len(s)+32)
	for i := range buf {
		buf[i] = sigil16
	}
	view = buf[offset : offset+len(s) : offset+len(s)]
	copy(view, s)
	return buf, view
}

func bf16Step(in adamInput, flags uint8, s bf16Slots) error {
	r := kernels.Rounding{Stochastic: flags&flagStochastic != 0, Seed: in.seed, Offset: in.seed >> 40}
	if flags&flagSGD != 0 {
		o := kernels.SGD{LR: in.a.LR, Momentum: in.a.Beta1, Dampening: 1 - in.a.Beta2, Nesterov: in.a.AMSGrad,
			WeightDecay: in.a.WeightDecay, Maximize: in.a.Maximize, GradScale: in.a.GradScale}
		if flags&flagGrad16 != 0 {
			return o.StepBF16Grad(in.step, r, s.param, s.grad16, s.m)
		}
		return o.StepBF16(in.step, r, s.param, s.grad, s.m)
	}
	if flags&flagGrad16 != 0 {
		return in.a.StepBF16Grad(in.step, r, s.param, s.grad16, s.m, s.v)
	}
	return in.a.StepBF16(in.step, r, s.param, s.grad, s.m, s.v)
}

// FuzzAdamBF16 runs Adam.StepBF16 and StepBF16Grad (or with flagSGD
// SGD's), either rounding, at every supported level on the same fuzzed input and demands the generic
// level's bits (NaNs equal whatever their payload), no write outside the
// slices, and the same error everywhere.
func FuzzAdamBF16(f *testing.F) {
	f.Add(uint16(77), uint8(1), int64(3), 1e-3, 0.9, 0.999, 1e-8, 0.01, 1.0, uint8(flagDecoupled|flagStochastic), uint64(5), []byte{0, 3, 0, 14})
	f.Add(uint16(45), uint8(2), int64(2), 1e-2, 0.9, 1.0, 1e-8, 0.01, 1.0, uint8(flagSGD|flagStochastic|flagGrad16), uint64(6), []byte{2, 9, 0, 16})
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, beta1, beta2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		in := decode(n, offset, step, lr, beta1, beta2, eps, wd, gscale, flags, seed, specials)
		checkBF16Levels(t, in, flags, func(s bf16Slots) error { return bf16Step(in, flags, s) })
	})
}

// FuzzLionBF16 is FuzzAdamBF16 for Lion.StepBF16 and StepBF16Grad, with
// Adam's inputs: LR, Beta1, Beta2, WeightDecay, GradScale and Maximize
// are Lion's, Eps and the other flags unused.
func FuzzLionBF16(f *testing.F) {
	f.Add(uint16(77), uint8(1), int64(3), 1e-4, 0.9, 0.99, 0.0, 1e-3, 1.0, uint8(flagStochastic), uint64(5), []byte{0, 3, 0, 14})
	f.Add(uint16(45), uint8(2), int64(2), 0.5, 0.5, 0.25, 0.0, 0.5, 8.0, uint8(flagMaximize|flagStochastic|flagGrad16), uint64(6), []byte{2, 9, 0, 16})
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, beta1, beta2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		in := decode(n, offset, step, lr, beta1, beta2, eps, wd, gscale, flags, seed, specials)
		o := kernels.Lion{LR: in.a.LR, Beta1: in.a.Beta1, Beta2: in.a.Beta2, WeightDecay: in.a.WeightDecay, Maximize: in.a.Maximize, GradScale: in.a.GradScale}
		r := kernels.Rounding{Stochastic: flags&flagStochastic != 0, Seed: in.seed, Offset: in.seed >> 40}
		checkBF16Levels(t, in, flags, func(s bf16Slots) error {
			if flags&flagGrad16 != 0 {
				return o.StepBF16Grad(in.step, r, s.param, s.grad16, s.m)
			}
			return o.StepBF16(in.step, r, s.param, s.grad, s.m)
		})
	})
}

// checkBF16Levels runs step on in's slices at every supported level and
// demands the generic level's bits (NaNs equal whatever their payload),
// no write outside the slices, and the same error everywhere.
func checkBF16Levels(t *testing.T, in adamInput, flags uint8, step func(s bf16Slots) error) {
	orig := kernels.ActiveLevel()
	defer kernels.SetLevel(orig)
	base := bf16Inputs(in)
	kernels.SetLevel(kernels.Generic)
	want := bf16Slots{param: clone16(base.param), grad16: clone16(base.grad16), m: clone16(base.m), v: clone16(base.v), grad: base.grad}
	wantErr := step(want)
	for _, l := range kernels.Levels() {
		if l == kernels.Generic {
			continue
		}
		kernels.SetLevel(l)
		var got bf16Slots
		var bufs [4][]kernels.BF16
		bufs[0], got.param = guardedBF16(base.param, in.offset)
		bufs[1], got.grad16 = guardedBF16(base.grad16, in.offset)
		bufs[2], got.m = guardedBF16(base.m, in.offset)
		bufs[3], got.v = guardedBF16(base.v, in.offset)
		g := testbuf.GuardedCopy(base.grad, in.offset)
		got.grad = g.S
		err := step(got)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("level %v: error %v, generic gives %v", l, err, wantErr)
		}
		if err := g.Check("grad"); err != nil {
			t.Fatalf("level %v: %v", l, err)
		}
		names := [4]string{"param", "grad16", "m", "v"}
		gots := [4][]kernels.BF16{got.param, got.grad16, got.m, got.v}
		wants := [4][]kernels.BF16{want.param, want.grad16, want.m, want.v}
		for i, buf := range bufs {
			for j, b := range buf {
				if (j < in.offset || j >= in.offset+in.n) && b != sigil16 {
					t.Fatalf("level %v: %s: element %d outside the slice written", l, names[i], j-in.offset)
				}
			}
			for j := range gots[i] {
				a, b := gots[i][j], wants[i][j]
				if a != b && !(a&0x7fff > 0x7f80 && b&0x7fff > 0x7f80) {
					t.Fatalf("level %v: %s[%d] = %#04x, generic gives %#04x (n=%d offset=%d t=%d flags=%#x %+v)",
						l, names[i], j, a, b, in.n, in.offset, in.step, flags, in.a)
				}
			}
		}
	}
}

func clone16(s []kernels.BF16) []kernels.BF16 { return append([]kernels.BF16(nil), s...) }
