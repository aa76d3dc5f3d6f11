package main

import (
	"math"
	"sync/atomic"

	"github.com/fusedopt/fusedopt/kernels"
)

// sumsqOptimizer is not an optimizer but the reduction under
// ClipGradNorm (and LAMB's and LARS's norms): kernels.SumSquares32,
// SumSquares64 and (-precision bf16) SumSquaresBF16 over one slice, read
// once (one value per element, nothing written). Its roofline is the
// fastest loop that reads the same bytes: internal/limits' read-only loop at each level (each element widened and
// added, without the square), or the C baseline compiled with -ffast-math,
// which sums in an order of gcc's choosing.
func sumsqOptimizer() *optimizer {
	return &optimizer{
		name:   "sumsq",
		title:  "SumSquares",
		slices: []string{"grad"},
		variants: []variant{
			{name: "norm", reads: 1, writes: 0, t: stepT},
		},
		fill: fillState([]string{"grad"}, nil),
		step32: func(variant) func([][]float32) {
			return func(s [][]float32) { keep(kernels.SumSquares32(s[0])) }
		},
		step64: func(variant) func([][]float64) {
			return func(s [][]float64) { keep(kernels.SumSquares64(s[0])) }
		},
		c32: func(fast bool, _ variant, s [][]float32, iters int) { keep(cSumSquares32(fast, s[0], iters)) },
		c64: func(fast bool, _ variant, s [][]float64, iters int) { keep(cSumSquares64(fast, s[0], iters)) },
		stepBF16: func(variant, bf16Form) func(bf16Data) {
			return func(d bf16Data) { keep(kernels.SumSquaresBF16(d.s[0])) }
		},
		// A reduction rounds nothing: one bfloat16 row, of a bfloat16
		// gradient, 2 bytes per element.
		formsBF16: []bf16Form{{name: "bf16grad", gradBF16: true}},
	}
}

// sink keeps the last sum the benchmark computed, so that no call is
// dropped as unused; atomically, since the threads of a job share it.
var sink atomic.Uint64

func keep(x float64) { sink.Store(math.Float64bits(x)) }
