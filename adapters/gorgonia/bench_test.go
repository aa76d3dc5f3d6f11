package fusedgorgonia_test

import (
	"math/rand/v2"
	"testing"

	fg "github.com/fusedopt/fusedopt/adapters/gorgonia"
	"github.com/fusedopt/fusedopt/kernels"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// benchShapes are the parameters of an MNIST-sized MLP, 784-1024-256-10:
// 1,068,810 parameters in six tensors.
var benchShapes = [][]int{{784, 1024}, {1, 1024}, {1024, 256}, {1, 256}, {256, 10}, {1, 10}}

// BenchmarkStep times one optimizer step of the 1M-parameter model with
// gorgonia's AdamSolver and with the Solver of fusedopt's Adam, on the
// calling goroutine, in float32 and float64. Each step reads fresh gradients, written outside the timing:
// gorgonia's solvers square and zero them in place, and Adam's state
// would decay into subnormals on zero gradients.
//
//	go test -run '^$' -bench Step -count 5 .
func BenchmarkStep(b *testing.B) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		b.Run("gorgonia-AdamSolver/"+dt.String(), func(b *testing.B) {
			benchStep(b, dt, G.NewAdamSolver())
		})
		b.Run("fusedopt-Adam/"+dt.String(), func(b *testing.B) {
			benchStep(b, dt, fg.NewSolver(kernels.DefaultAdam()))
		})
	}
}

func benchStep(b *testing.B, dt tensor.Dtype, s G.Solver) {
	rng := rand.New(rand.NewPCG(5, 6))
	var model []G.ValueGrad
	var grads [][]float64
	size := 0
	for _, shape := range benchShapes {
		n := shape[0] * shape[1]
		w, g := make([]float64, n), make([]float64, n)
		for i := range w {
			w[i], g[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		grads = append(grads, g)
		model = append(model, param{dense(dt, w, shape...), dense(dt, g, shape...)})
		size += n
	}
	refill := func() {
		for i, vg := range model {
			g, _ := vg.Grad()
			switch d := g.(*tensor.Dense).Data().(type) {
			case []float32:
				for j, x := range grads[i] {
					d[j] = float32(x)
				}
			case []float64:
				copy(d, grads[i])
			}
		}
	}
	b.SetBytes(int64(size) * int64(dt.Size()))
	for b.Loop() {
		b.StopTimer()
		refill()
		b.StartTimer()
		if err := s.Step(model); err != nil {
			b.Fatal(err)
		}
	}
}
