package kernels

import (
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// step is c's serial step (StepBF16 or StepBF16Grad) on in, in place,
// with rounding r; SGD's buffer is in.m.
func (c bf16Case) step(tb testing.TB, r Rounding, in bf16Inputs) {
	tb.Helper()
	var err error
	switch {
	case c.lion != nil && c.grad16:
		err = c.lion.StepBF16Grad(c.t, r, in.param, in.grad16, in.m)
	case c.lion != nil:
		err = c.lion.StepBF16(c.t, r, in.param, in.grad, in.m)
	case c.sgd != nil && c.grad16:
		err = c.sgd.StepBF16Grad(c.t, r, in.param, in.grad16, in.m)
	case c.sgd != nil:
		err = c.sgd.StepBF16(c.t, r, in.param, in.grad, in.m)
	case c.grad16:
		err = c.a.StepBF16Grad(c.t, r, in.param, in.grad16, in.m, in.v)
	default:
		err = c.a.StepBF16(c.t, r, in.param, in.grad, in.m, in.v)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

// stepParallel is step through StepParallelBF16(Grad) on pool p.
func (c bf16Case) stepParallel(tb testing.TB, p *Pool, in bf16Inputs) {
	tb.Helper()
	var err error
	switch {
	case c.lion != nil && c.grad16:
		err = c.lion.StepParallelBF16Grad(p, c.t, c.r, in.param, in.grad16, in.m)
	case c.lion != nil:
		err = c.lion.StepParallelBF16(p, c.t, c.r, in.param, in.grad, in.m)
	case c.sgd != nil && c.grad16:
		err = c.sgd.StepParallelBF16Grad(p, c.t, c.r, in.param, in.grad16, in.m)
	case c.sgd != nil:
		err = c.sgd.StepParallelBF16(p, c.t, c.r, in.param, in.grad, in.m)
	case c.grad16:
		err = c.a.StepParallelBF16Grad(p, c.t, c.r, in.param, in.grad16, in.m, in.v)
	default:
		err = c.a.StepParallelBF16(p, c.t, c.r, in.param, in.grad, in.m, in.v)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

// stepTensors is step through StepTensorsBF16(Grad) on pool p, on the
// tensors ins with the offsets offsets.
func (c bf16Case) stepTensors(tb testing.TB, p *Pool, ins []bf16Inputs, offsets []uint64) {
	tb.Helper()
	var err error
	switch {
	case c.lion != nil && c.grad16:
		ts := make([]LionTensorBF16Grad, len(ins))
		for i, in := range ins {
			ts[i] = LionTensorBF16Grad{in.param, in.grad16, in.m, offsets[i]}
		}
		err = c.lion.StepTensorsBF16Grad(p, c.t, c.r, ts)
	case c.lion != nil:
		ts := make([]LionTensorBF16, len(ins))
		for i, in := range ins {
			ts[i] = LionTensorBF16{in.param, in.grad, in.m, offsets[i]}
		}
		err = c.lion.StepTensorsBF16(p, c.t, c.r, ts)
	case c.sgd != nil && c.grad16:
		ts := make([]SGDTensorBF16Grad, len(ins))
		for i, in := range ins {
			ts[i] = SGDTensorBF16Grad{in.param, in.grad16, in.m, offsets[i]}
		}
		err = c.sgd.StepTensorsBF16Grad(p, c.t, c.r, ts)
	case c.sgd != nil:
		ts := make([]SGDTensorBF16, len(ins))
		for i, in := range ins {
			ts[i] = SGDTensorBF16{in.param, in.grad, in.m, offsets[i]}
		}
		err = c.sgd.StepTensorsBF16(p, c.t, c.r, ts)
	case c.grad16:
		ts := make([]AdamTensorBF16Grad, len(ins))
		for i, in := range ins {
			ts[i] = AdamTensorBF16Grad{in.param, in.grad16, in.m, in.v, offsets[i]}
		}
		err = c.a.StepTensorsBF16Grad(p, c.t, c.r, ts)
	default:
		ts := make([]AdamTensorBF16, len(ins))
		for i, in := range ins {
			ts[i] = AdamTensorBF16{in.param, in.grad, in.m, in.v, offsets[i]}
		}
		err = c.a.StepTensorsBF16(p, c.t, c.r, ts)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

// sameStates describes the first element where got's param, m or v
// differs from want's, or returns "".
func sameStates(got, want bf16Inputs) string {
	for _, s := range []struct {
		name      string
		got, want []BF16
	}{{"param", got.param, want.param}, {"m", got.m, want.m}, {"v", got.v, want.v}} {
		if j := sameBF16(s.got, s.want); j >= 0 {
			return fmt.Sprintf("%s[%d] = %#04x, the serial step gives %#04x", s.name, j, s.got[j], s.want[j])
		}
	}
	return ""
}

// parallelBF16Cases are the variants the parallel tests run: AdamW,
// Lion, and SGD without momentum, with it (and coupled decay) and with
// Nesterov momentum, each in both roundings and with both gradients.
// (Without momentum SGD's buffer, in.m, must stay as it was: the serial
// step leaves it too.)
func parallelBF16Cases() []bf16Case {
	var cs []bf16Case
	sgds := []SGD{{LR: 0.1}, {LR: 0.01, Momentum: 0.9, WeightDecay: 1e-3}, {LR: 0.5, Momentum: 0.5, Nesterov: true}}
	lion := DefaultLion()
	for _, r := range []Rounding{RoundNearestEven, {Stochastic: true, Seed: 99, Offset: 7}} {
		for _, g16 := range []bool{false, true} {
			cs = append(cs, bf16Case{a: DefaultAdamW(), t: 4, r: r, grad16: g16})
			cs = append(cs, bf16Case{lion: &lion, t: 4, r: r, grad16: g16})
			for i := range sgds {
				cs = append(cs, bf16Case{sgd: &sgds[i], t: 4, r: r, grad16: g16})
			}
		}
	}
	return cs
}

// TestBF16ParallelMatchesStep checks StepParallelBF16(Grad) on pools of
// several sizes, and StepTensorsBF16(Grad) on a list of tensors of mixed
// sizes and offsets, against StepBF16(Grad) on each tensor with its
// offset, bit for bit, for Adam and SGD: the chunks pass their global
// offsets to the hash.
func TestBF16ParallelMatchesStep(t *testing.T) {
	r := testbuf.NewRand(8)
	const n = 300_001 // above the 256 KiB a slice needs to be split
	whole := randomBF16Inputs(r, n, 0)
	sizes := []int{0, 1, 17, 200_000, 3, 150_000, 64, 4097}
	var parts []bf16Inputs
	var offsets []uint64
	offset := uint64(5)
	for _, size := range sizes {
		parts = append(parts, randomBF16Inputs(r, size, 0))
		offsets = append(offsets, offset)
		offset += uint64(size) + uint64(size%3) // gaps too: an offset is the caller's choice
	}
	for _, workers := range []int{1, 2, 3, 7} {
		pool := NewPool(workers)
		for _, c := range parallelBF16Cases() {
			want, got := whole.clone(), whole.clone()
			c.step(t, c.r, want)
			c.stepParallel(t, pool, got)
			if msg := sameStates(got, want); msg != "" {
				t.Fatalf("%d workers, StepParallel (%v): %s", workers, c, msg)
			}

			wants, gots := make([]bf16Inputs, len(parts)), make([]bf16Inputs, len(parts))
			for i, in := range parts {
				wants[i], gots[i] = in.clone(), in.clone()
				rr := c.r
				rr.Offset += offsets[i]
				c.step(t, rr, wants[i])
			}
			c.stepTensors(t, pool, gots, offsets)
			for i := range parts {
				if msg := sameStates(gots[i], wants[i]); msg != "" {
					t.Fatalf("%d workers, StepTensors, tensor %d of %d elements (%v): %s", workers, i, sizes[i], c, msg)
				}
			}
		}
		pool.Close()
	}
}

// TestBF16TensorsPanics checks the tensor lists' overlap and length
// panics, which name the tensors.
func TestBF16TensorsPanics(t *testing.T) {
	a, rnd := DefaultAdamW(), Rounding{Stochastic: true, Seed: 99}
	sgd := SGD{LR: 0.1, Momentum: 0.9}
	p, b, q := make([]BF16, 4), make([]BF16, 4), make([]BF16, 5)
	mustPanic(t, "Adam tensor overlap", func() {
		a.StepTensorsBF16(nil, 1, rnd, []AdamTensorBF16{{p, make([]float32, 4), make([]BF16, 4), make([]BF16, 4), 0}, {p, make([]float32, 4), make([]BF16, 4), make([]BF16, 4), 4}})
	}, "tensors 0 and 1 share memory")
	mustPanic(t, "Adam tensor length", func() {
		a.StepTensorsBF16Grad(nil, 1, rnd, []AdamTensorBF16Grad{{make([]BF16, 4), make([]BF16, 3), make([]BF16, 4), make([]BF16, 4), 0}})
	}, "tensor 0", "len(grad) = 3")
	mustPanic(t, "SGD tensor overlap", func() {
		sgd.StepTensorsBF16(nil, 1, rnd, []SGDTensorBF16{{p, make([]float32, 4), b, 0}, {q[:4], make([]float32, 4), q[1:], 4}})
	}, "SGD.StepTensorsBF16", "tensor 1", "param and buf share memory")
	mustPanic(t, "SGD tensor length", func() {
		sgd.StepTensorsBF16Grad(nil, 1, rnd, []SGDTensorBF16Grad{{p, make([]BF16, 4), b, 0}, {make([]BF16, 5), make([]BF16, 5), b[:2], 4}})
	}, "SGD.StepTensorsBF16Grad", "tensor 1", "len(buf) = 2, want len(param) = 5")
	// Without momentum buf is unused: any length, any memory.
	if err := (SGD{LR: 0.1}).StepTensorsBF16Grad(nil, 1, rnd, []SGDTensorBF16Grad{{p, make([]BF16, 4), p, 0}}); err != nil {
		t.Error(err)
	}
}
