package fusedgorgonia_test

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mlp is the training tests' model: a two-layer perceptron classifying
// the spirals, x·w0+b0 → ReLU → (·w1+b1)·scale → log-softmax, with a
// cross-entropy loss, built in one dtype with gorgonia's autograd.
// scale, a learnable scalar, takes the solvers' scalar path.
type mlp struct {
	vm     G.VM
	params G.Nodes // w0, b0, w1, b1, scale
	loss   G.Value
}

// newMLP builds the model in dtype dt. With dual, the tape machine binds
// dual values to the parameters (gorgonia.BindDualValues), which hold
// their gradients in place; without, each gradient is the value of its
// derivative node.
func newMLP(t testing.TB, dt tensor.Dtype, dual bool) *mlp {
	t.Helper()
	xs, ys := spirals()
	g := G.NewGraph()
	x := G.NewMatrix(g, dt, G.WithShape(nPoints, 2), G.WithName("x"), G.WithValue(dense(dt, xs, nPoints, 2)))
	y := G.NewMatrix(g, dt, G.WithShape(nPoints, nClasses), G.WithName("y"), G.WithValue(dense(dt, ys, nPoints, nClasses)))
	w0 := G.NewMatrix(g, dt, G.WithShape(2, nHidden), G.WithName("w0"), G.WithValue(dense(dt, initial(1, 2*nHidden, 2, nHidden), 2, nHidden)))
	b0 := G.NewMatrix(g, dt, G.WithShape(1, nHidden), G.WithName("b0"), G.WithValue(dense(dt, make([]float64, nHidden), 1, nHidden)))
	w1 := G.NewMatrix(g, dt, G.WithShape(nHidden, nClasses), G.WithName("w1"), G.WithValue(dense(dt, initial(2, nHidden*nClasses, nHidden, nClasses), nHidden, nClasses)))
	b1 := G.NewMatrix(g, dt, G.WithShape(1, nClasses), G.WithName("b1"), G.WithValue(dense(dt, make([]float64, nClasses), 1, nClasses)))
	scale := G.NewScalar(g, dt, G.WithName("scale"), G.WithValue(scalar(dt, 1)))

	h := G.Must(G.Rectify(G.Must(G.BroadcastAdd(G.Must(G.Mul(x, w0)), b0, nil, []byte{0}))))
	z := G.Must(G.BroadcastAdd(G.Must(G.Mul(h, w1)), b1, nil, []byte{0}))
	logp := G.Must(G.LogSoftMax(G.Must(G.Mul(z, scale))))
	loss := G.Must(G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(logp, y)), 1))))))

	m := &mlp{params: G.Nodes{w0, b0, w1, b1, scale}}
	G.Read(loss, &m.loss)
	if _, err := G.Grad(loss, m.params...); err != nil {
		t.Fatal(err)
	}
	if dual {
		m.vm = G.NewTapeMachine(g, G.BindDualValues(m.params...))
	} else {
		m.vm = G.NewTapeMachine(g)
	}
	t.Cleanup(func() { m.vm.Close() })
	return m
}

// forward runs the graph, computing the loss and the gradients.
func (m *mlp) forward(t testing.TB) float64 {
	t.Helper()
	if err := m.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	switch v := m.loss.(type) {
	case *G.F32:
		return float64(*v)
	case *G.F64:
		return float64(*v)
	}
	t.Fatalf("loss is a %T", m.loss)
	return 0
}

// model is the solvers' argument.
func (m *mlp) model() []G.ValueGrad { return G.NodesToValueGrads(m.params) }

// dense is a tensor of dtype dt holding v.
func dense(dt tensor.Dtype, v []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// scalar is x as a Go value of dtype dt.
func scalar(dt tensor.Dtype, x float64) any {
	if dt == tensor.Float32 {
		return float32(x)
	}
	return x
}
