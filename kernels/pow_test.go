package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPowInt2 checks that the interleaved powInt2 gives each power bit for
// bit as powInt does on its own (TestPowInt checks powInt itself), for
// betas near 1 as optimizers use them and for any other base.
func TestPowInt2(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	bases := []float64{0, 0.5, 0.9, 0.99, 0.999, 0.9999999999999999, 1, 1.5, -0.9}
	for range 200 {
		bases = append(bases, 1-rng.Float64()*rng.Float64()*0.1, rng.Float64()*4-2)
	}
	steps := []int{0, 1, 2, 3, 6, 7, 1000, 1 << 20, 1<<31 - 1}
	for range 50 {
		steps = append(steps, rng.IntN(1<<24))
	}
	for i, b := range bases {
		c := bases[(i*7+3)%len(bases)]
		for _, n := range steps {
			bt, ct := powInt2(b, c, n)
			wb, wc := powInt(b, n), powInt(c, n)
			if math.Float64bits(bt) != math.Float64bits(wb) || math.Float64bits(ct) != math.Float64bits(wc) {
				t.Fatalf("powInt2(%v, %v, %d) = %v, %v; powInt gives %v, %v", b, c, n, bt, ct, wb, wc)
			}
		}
	}
}
