package kernels

import (
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// TestBF16ParallelMatchesStep checks StepParallelBF16(Grad) on pools of
// several sizes, and StepTensorsBF16(Grad) on a list of tensors of mixed
// sizes, against StepBF16(Grad) on each tensor with its offset, bit for
// bit: the chunks pass their global offsets to the hash.
func TestBF16ParallelMatchesStep(t *testing.T) {
	r := testbuf.NewRand(8)
	a := DefaultAdamW()
	rnd := Rounding{Stochastic: true, Seed: 99, Offset: 7}
	const n = 300_001 // above the 256 KiB a slice needs to be split
	for _, workers := range []int{1, 2, 3, 7} {
		pool := NewPool(workers)
		in := randomBF16Inputs(r, n, 0)
		want, got, got16, want16 := in.clone(), in.clone(), in.clone(), in.clone()
		a.StepBF16(4, rnd, want.param, want.grad, want.m, want.v)
		a.StepBF16Grad(4, rnd, want16.param, want16.grad16, want16.m, want16.v)
		if err := a.StepParallelBF16(pool, 4, rnd, got.param, got.grad, got.m, got.v); err != nil {
			t.Fatal(err)
		}
		if err := a.StepParallelBF16Grad(pool, 4, rnd, got16.param, got16.grad16, got16.m, got16.v); err != nil {
			t.Fatal(err)
		}
		for _, c := range [][2][]BF16{{got.param, want.param}, {got.m, want.m}, {got.v, want.v}, {got16.param, want16.param}, {got16.v, want16.v}} {
			if j := sameBF16(c[0], c[1]); j >= 0 {
				t.Fatalf("%d workers: element %d = %#04x, StepBF16 gives %#04x", workers, j, c[0][j], c[1][j])
			}
		}

		var ts []AdamTensorBF16
		var ts16 []AdamTensorBF16Grad
		var wants, wants16 []bf16Inputs
		offset := uint64(0)
		for _, size := range []int{0, 1, 17, 200_000, 3, 150_000, 64} {
			in := randomBF16Inputs(r, size, 0)
			w, w16, g, g16 := in.clone(), in.clone(), in.clone(), in.clone()
			rr := rnd
			rr.Offset += offset
			a.StepBF16(5, rr, w.param, w.grad, w.m, w.v)
			a.StepBF16Grad(5, rr, w16.param, w16.grad16, w16.m, w16.v)
			wants, wants16 = append(wants, w), append(wants16, w16)
			ts = append(ts, AdamTensorBF16{g.param, g.grad, g.m, g.v, offset})
			ts16 = append(ts16, AdamTensorBF16Grad{g16.param, g16.grad16, g16.m, g16.v, offset})
			offset += uint64(size)
		}
		if err := a.StepTensorsBF16(pool, 5, rnd, ts); err != nil {
			t.Fatal(err)
		}
		if err := a.StepTensorsBF16Grad(pool, 5, rnd, ts16); err != nil {
			t.Fatal(err)
		}
		for i := range ts {
			for _, c := range [][2][]BF16{{ts[i].Param, wants[i].param}, {ts[i].M, wants[i].m}, {ts[i].V, wants[i].v},
				{ts16[i].Param, wants16[i].param}, {ts16[i].M, wants16[i].m}, {ts16[i].V, wants16[i].v}} {
				if j := sameBF16(c[0], c[1]); j >= 0 {
					t.Fatalf("%d workers, tensor %d: element %d = %#04x, StepBF16 gives %#04x", workers, i, j, c[0][j], c[1][j])
				}
			}
		}
		pool.Close()
	}
	mustPanic(t, "tensor overlap", func() {
		p := make([]BF16, 4)
		a.StepTensorsBF16(nil, 1, rnd, []AdamTensorBF16{{p, make([]float32, 4), make([]BF16, 4), make([]BF16, 4), 0}, {p, make([]float32, 4), make([]BF16, 4), make([]BF16, 4), 4}})
	}, "tensors 0 and 1 share memory")
	mustPanic(t, "tensor length", func() {
		a.StepTensorsBF16Grad(nil, 1, rnd, []AdamTensorBF16Grad{{make([]BF16, 4), make([]BF16, 3), make([]BF16, 4), make([]BF16, 4), 0}})
	}, "tensor 0", "len(grad) = 3")
}
