package fusedspago_test

import (
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
	"github.com/nlpodyssey/spago/nn"
)

// mlp is the training tests' model: a two-layer perceptron classifying
// the spirals, W1·ReLU(W0·x+B0)+B1 → log-softmax, with a cross-entropy
// loss, in spaGO's autograd. The whole dataset is one batch: points are
// columns, and a bias reaches every column through a product with a row
// of ones.
type mlp[T float.DType] struct {
	nn.Module
	W0, B0, W1, B1 *nn.Param

	x, y, ones, onesC, onesCT mat.Tensor // the data (y is -onehot/N) and constants
}

func newMLP[T float.DType]() *mlp[T] {
	xs, ys := spirals()
	x := make([]T, 2*nPoints) // 2×N: the transpose of xs
	y := make([]T, nClasses*nPoints)
	for i := range nPoints {
		x[i], x[nPoints+i] = T(xs[2*i]), T(xs[2*i+1])
		for c := range nClasses {
			// The one-hot classes, times -1/N: the loss is their
			// product with the log-probabilities.
			y[c*nPoints+i] = T(-ys[i*nClasses+c] / nPoints)
		}
	}
	return &mlp[T]{
		W0:     param[T](initial(1, 2*nHidden, 2, nHidden), nHidden, 2),
		B0:     param[T](make([]float64, nHidden), nHidden, 1),
		W1:     param[T](initial(2, nHidden*nClasses, nHidden, nClasses), nClasses, nHidden),
		B1:     param[T](make([]float64, nClasses), nClasses, 1),
		x:      mat.NewDense[T](mat.WithShape(2, nPoints), mat.WithBacking(x)),
		y:      mat.NewDense[T](mat.WithShape(nClasses, nPoints), mat.WithBacking(y)),
		ones:   filled[T](1, nPoints),
		onesC:  filled[T](1, nClasses),
		onesCT: filled[T](nClasses, 1),
	}
}

// loss runs the model forward and returns its mean cross-entropy.
func (m *mlp[T]) loss() mat.Tensor {
	h := ag.ReLU(ag.Add(ag.Mul(m.W0, m.x), ag.Mul(m.B0, m.ones)))
	z := ag.Add(ag.Mul(m.W1, h), ag.Mul(m.B1, m.ones))
	lse := ag.Log(ag.Mul(m.onesC, ag.Exp(z))) // 1×N
	logp := ag.Sub(z, ag.Mul(m.onesCT, lse))  // C×N
	// ReduceSum of a matrix gives its backward pass a vector: flatten first.
	return ag.ReduceSum(ag.Flatten(ag.Prod(logp, m.y))) // -Σ log p(class)/N
}

// backward computes the loss and the parameters' gradients, and returns
// the loss.
func (m *mlp[T]) backward(t testing.TB) float64 {
	t.Helper()
	l := m.loss()
	if err := ag.Backward(l); err != nil {
		t.Fatal(err)
	}
	return l.Value().Item().F64()
}

func (m *mlp[T]) params() []*nn.Param { return []*nn.Param{m.W0, m.B0, m.W1, m.B1} }

// param is a parameter of shape rows×cols holding v.
func param[T float.DType](v []float64, rows, cols int) *nn.Param {
	d := make([]T, len(v))
	for i, x := range v {
		d[i] = T(x)
	}
	return nn.NewParam(mat.NewDense[T](mat.WithShape(rows, cols), mat.WithBacking(d)))
}

func filled[T float.DType](rows, cols int) mat.Tensor {
	d := make([]T, rows*cols)
	for i := range d {
		d[i] = 1
	}
	return mat.NewDense[T](mat.WithShape(rows, cols), mat.WithBacking(d))
}
