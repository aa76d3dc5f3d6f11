package optim

import (
	"math"

	"github.com/fusedopt/fusedopt/kernels"
)

// Gradient clipping of bfloat16 gradients. The sum of squares is the
// kernels' (kernels.SumSquaresTensorsBF16, on the pool, in sumSquares);
// the rest are plain loops: each computes in float32 from the exact
// widened values, in a fixed order, and so gives the same bits on every
// machine and shard.

// maxAbsBF16 is the largest magnitude in g, NaN if any element is NaN.
func maxAbsBF16(g []kernels.BF16) float64 {
	var m float32
	for _, b := range g {
		x := b.Float32()
		if x != x {
			return math.NaN()
		}
		m = max(m, float32(math.Abs(float64(x))))
	}
	return float64(m)
}

// scaleBF16 multiplies g by c in float32 and rounds each product to
// nearest, as PyTorch's mul_ of a bfloat16 tensor does.
func scaleBF16(g []kernels.BF16, c float32) {
	for i, b := range g {
		g[i] = kernels.BF16From32(b.Float32() * c)
	}
}

// clampBF16 clamps g to [-c, c], storing ±c rounded to nearest, as
// PyTorch's clamp_ of a bfloat16 tensor does. NaN stays NaN.
func clampBF16(g []kernels.BF16, c float32) {
	hi, lo := kernels.BF16From32(c), kernels.BF16From32(-c)
	for i, b := range g {
		if x := b.Float32(); x > c {
			g[i] = hi
		} else if x < -c {
			g[i] = lo
		}
	}
}
