package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// TestClipGradNormBF16Kernels checks the 2-norm over bfloat16 and float32
// gradients together, at every level and on pools of 1, 2, 3 and 7
// workers: the square root of each gradient's kernels.SumSquares32 (of
// the widened values, for a bfloat16 one) added in registration order,
// bit for bit. The gradients span several reduction chunks, so that the
// pool splits them.
func TestClipGradNormBF16Kernels(t *testing.T) {
	r := testbuf.NewRand(21)
	sizes := []int{3*kernels.NormChunk + 17, 100, kernels.NormChunk - 1, 70000}
	grads := make([][]float32, len(sizes))
	var want float64
	for i, n := range sizes {
		grads[i] = make([]float32, n)
		testbuf.Fill(r, grads[i], -20, 20)
		if i%2 == 0 { // a bfloat16 gradient: its values, exactly
			b := make([]kernels.BF16, n)
			kernels.SliceFrom32(b, grads[i])
			kernels.SliceTo32(grads[i], b)
		}
		want += kernels.SumSquares32(grads[i])
	}
	want = math.Sqrt(want)
	check := func(name string, cfg *Config) {
		t.Helper()
		o, err := New(kernels.DefaultAdamW(), nil, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range grads {
			var err error
			if i%2 == 0 {
				p := bf16Param(fmt.Sprint("b", i), len(g))
				kernels.SliceFrom32(p.Grad, g)
				err = o.AddBF16(0, p)
			} else {
				err = o.Add32(0, Param32{Name: fmt.Sprint("f", i), Data: make([]float32, len(g)), Grad: g})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if got, err := o.ClipGradNorm(math.Inf(1), nil); err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%s: norm %x (%v), want %x", name, math.Float64bits(got), err, math.Float64bits(want))
		}
	}
	for _, l := range kernels.Levels() {
		old, err := kernels.SetLevel(l)
		if err != nil {
			t.Fatal(err)
		}
		check("level "+l.String(), nil)
		for _, w := range []int{1, 2, 3, 7} {
			p := kernels.NewPool(w)
			check(fmt.Sprintf("level %v, pool of %d", l, w), &Config{Pool: p})
			p.Close()
		}
		kernels.SetLevel(old)
	}
}
