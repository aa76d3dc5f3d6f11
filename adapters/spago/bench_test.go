package fusedspago_test

import (
	"math/rand/v2"
	"testing"

	fs "github.com/fusedopt/fusedopt/adapters/spago"
	"github.com/fusedopt/fusedopt/kernels"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
	"github.com/nlpodyssey/spago/nn"
	"github.com/nlpodyssey/spago/optimizers/adam"
)

// benchShapes are the parameters of an MNIST-sized MLP, 784-1024-256-10,
// as spaGO lays them out (weights out×in, biases out×1): 1,068,810
// parameters in six matrices.
var benchShapes = [][]int{{1024, 784}, {1024, 1}, {256, 1024}, {256, 1}, {10, 256}, {10, 1}}

// BenchmarkStep times one optimizer step of the 1M-parameter model with
// spaGO's Adam and with a Strategy of fusedopt's Adam in spaGO's form
// (EpsHat), both on the calling goroutine, in float32 and float64. Each
// step gets fresh gradients, made outside the timing, since both drop
// them; spaGO's Adam is called one parameter at a time, as spaGO's
// Optimizer does (without its goroutines, whose Optimize does not wait
// for them).
//
//	go test -run '^$' -bench Step -count 5 .
func BenchmarkStep(b *testing.B) {
	b.Run("spago-Adam/float32", benchSpago[float32])
	b.Run("fusedopt-Adam/float32", benchFused[float32])
	b.Run("spago-Adam/float64", benchSpago[float64])
	b.Run("fusedopt-Adam/float64", benchFused[float64])
}

// benchModel returns the parameters and their gradients.
func benchModel[T float.DType]() ([]*nn.Param, []mat.Matrix) {
	rng := rand.New(rand.NewPCG(5, 6))
	var ps []*nn.Param
	var gs []mat.Matrix
	for _, shape := range benchShapes {
		n := shape[0] * shape[1]
		w, g := make([]float64, n), make([]float64, n)
		for i := range w {
			w[i], g[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		ps = append(ps, param[T](w, shape[0], shape[1]))
		gs = append(gs, param[T](g, shape[0], shape[1]).Matrix)
	}
	return ps, gs
}

// regradAll gives every parameter its gradient, outside the timing.
func regradAll(b *testing.B, ps []*nn.Param, gs []mat.Matrix) {
	b.StopTimer()
	for i, p := range ps {
		p.ZeroGrad()
		p.AccGrad(gs[i])
	}
	b.StartTimer()
}

func setBytes[T float.DType](b *testing.B, ps []*nn.Param) {
	n := 0
	for _, p := range ps {
		n += p.Size()
	}
	size := 8
	if _, ok := any(T(0)).(float32); ok {
		size = 4
	}
	b.SetBytes(int64(n * size))
}

func benchSpago[T float.DType](b *testing.B) {
	ps, gs := benchModel[T]()
	s := adam.New(adam.NewDefaultConfig())
	setBytes[T](b, ps)
	for b.Loop() {
		regradAll(b, ps, gs)
		for _, p := range ps {
			if err := s.OptimizeParams(p); err != nil {
				b.Fatal(err)
			}
		}
		s.IncExample()
	}
}

func benchFused[T float.DType](b *testing.B) {
	ps, gs := benchModel[T]()
	h := kernels.DefaultAdam()
	h.EpsHat = true
	s := fs.NewStrategy(nn.StreamParams(ps), h)
	setBytes[T](b, ps)
	for b.Loop() {
		regradAll(b, ps, gs)
		if err := s.Optimize(); err != nil {
			b.Fatal(err)
		}
	}
}
