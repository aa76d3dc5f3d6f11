package optim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// The tests run every algorithm through one harness: case is one
// algorithm with hyperparameters that use all of its state, and ref its
// step by the kernels called directly, tensor by tensor, which is what an
// Optimizer's steps must equal bit for bit.

// refState is one tensor's slices as the direct kernel calls see them.
type refState[E float] struct {
	data, grad []E
	state      [maxSlots][]E
}

// refStep is one algorithm's direct kernel step of one tensor at step c.
type refStep[H Algorithm] struct {
	f32 func(h H, c clock, x *refState[float32]) error
	f64 func(h H, c clock, x *refState[float64]) error
}

// algoCase is one algorithm under test: two groups' hyperparameters (the
// second differing in what a "no decay" group changes), and its reference.
type algoCase[H Algorithm] struct {
	name   string
	h, h2  H
	ref    refStep[H]
	adjust func(h *H, c clock) // a hyperparameter change mid-run that keeps the state, or nil
	whole  bool                // a Shard must not cut a parameter (trust ratios)
}

// suite is an algoCase with its type parameter hidden, so that one test
// can run every algorithm's.
type suite interface {
	Name() string
	trajectory(t *testing.T)
	shards(t *testing.T)
	resume(t *testing.T)
	golden(t *testing.T)
}

// allCases is every algorithm's case.
func allCases() []suite {
	return []suite{adamCase(), sgdCase(), adagradCase(), rmspropCase(), adadeltaCase(),
		adamaxCase(), nadamCase(), radamCase(), lionCase(), lambCase(), larsCase()}
}

func (c algoCase[H]) Name() string { return c.name }

// wavy is a schedule for tests that changes the LR at every step.
type wavy struct{}

func (wavy) LR(base float64, done int64) float64 { return base * float64(1+done%3) / 3 }
func (wavy) Validate() error                     { return nil }
func (wavy) String() string                      { return "wavy{}" }

func adamCase() algoCase[kernels.Adam] {
	h := kernels.DefaultAdamW()
	h.AMSGrad = true
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.Adam]{name: "Adam", h: h, h2: h2, ref: refStep[kernels.Adam]{
		f32: func(h kernels.Adam, c clock, x *refState[float32]) error {
			return h.Step32(int(c.steps), x.data, x.grad, x.state[0], x.state[1], x.state[2])
		},
		f64: func(h kernels.Adam, c clock, x *refState[float64]) error {
			return h.Step64(int(c.steps), x.data, x.grad, x.state[0], x.state[1], x.state[2])
		},
	}}
}

func sgdCase() algoCase[kernels.SGD] {
	h := kernels.DefaultSGD()
	h.LR, h.Momentum, h.Nesterov, h.WeightDecay = 0.05, 0.9, true, 1e-3
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.SGD]{name: "SGD", h: h, h2: h2, ref: refStep[kernels.SGD]{
		f32: func(h kernels.SGD, c clock, x *refState[float32]) error {
			return h.Step32(int(c.steps), x.data, x.grad, x.state[0])
		},
		f64: func(h kernels.SGD, c clock, x *refState[float64]) error {
			return h.Step64(int(c.steps), x.data, x.grad, x.state[0])
		},
	}}
}

func adagradCase() algoCase[kernels.Adagrad] {
	h := kernels.DefaultAdagrad()
	h.InitialAccumulatorValue, h.LRDecay, h.WeightDecay = 0.1, 1e-3, 1e-3
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.Adagrad]{name: "Adagrad", h: h, h2: h2, ref: refStep[kernels.Adagrad]{
		f32: func(h kernels.Adagrad, c clock, x *refState[float32]) error {
			return h.Step32(int(c.steps), x.data, x.grad, x.state[0])
		},
		f64: func(h kernels.Adagrad, c clock, x *refState[float64]) error {
			return h.Step64(int(c.steps), x.data, x.grad, x.state[0])
		},
	}}
}

func rmspropCase() algoCase[kernels.RMSprop] {
	h := kernels.DefaultRMSprop()
	h.Centered, h.Momentum, h.WeightDecay = true, 0.5, 1e-3
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.RMSprop]{name: "RMSprop", h: h, h2: h2, ref: refStep[kernels.RMSprop]{
		f32: func(h kernels.RMSprop, c clock, x *refState[float32]) error {
			return h.Step32(int(c.steps), x.data, x.grad, x.state[0], x.state[1], x.state[2])
		},
		f64: func(h kernels.RMSprop, c clock, x *refState[float64]) error {
			return h.Step64(int(c.steps), x.data, x.grad, x.state[0], x.state[1], x.state[2])
		},
	}}
}

func adadeltaCase() algoCase[kernels.Adadelta] {
	h := kernels.DefaultAdadelta()
	h.WeightDecay = 1e-3
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.Adadelta]{name: "Adadelta", h: h, h2: h2, ref: refStep[kernels.Adadelta]{
		f32: func(h kernels.Adadelta, c clock, x *refState[float32]) error {
			return h.Step32(int(c.steps), x.data, x.grad, x.state[0], x.state[1])
		},
		f64: func(h kernels.Adadelta, c clock, x *refState[float64]) error {
			return h.Step64(int(c.steps), x.data, x.grad, x.state[0], x.state[1])
		},
	}}
}

func adamaxCase() algoCase[kernels.Adamax] {
	h := kernels.DefaultAdamax()
	h.WeightDecay = 1e-3
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.Adamax]{name: "Adamax", h: h, h2: h2, ref: refStep[kernels.Adamax]{
		f32: func(h kernels.Adamax, c clock, x *refState[float32]) error {
			return h.Step32(int(c.steps), x.data, x.grad, x.state[0], x.state[1])
		},
		f64: func(h kernels.Adamax, c clock, x *refState[float64]) error {
			return h.Step64(int(c.steps), x.data, x.grad, x.state[0], x.state[1])
		},
	}}
}

func nadamCase() algoCase[kernels.NAdam] {
	h := kernels.DefaultNAdam()
	h.WeightDecay, h.Decoupled = 1e-2, true
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.NAdam]{name: "NAdam", h: h, h2: h2, ref: refStep[kernels.NAdam]{
		f32: func(h kernels.NAdam, c clock, x *refState[float32]) error {
			return h.Step32(c.nadam, x.data, x.grad, x.state[0], x.state[1])
		},
		f64: func(h kernels.NAdam, c clock, x *refState[float64]) error {
			return h.Step64(c.nadam, x.data, x.grad, x.state[0], x.state[1])
		},
	}}
}

func radamCase() algoCase[kernels.RAdam] {
	h := kernels.DefaultRAdam()
	h.WeightDecay, h.Decoupled = 1e-2, true
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.RAdam]{name: "RAdam", h: h, h2: h2, ref: refStep[kernels.RAdam]{
		f32: func(h kernels.RAdam, c clock, x *refState[float32]) error {
			return h.Step32(int(c.steps), x.data, x.grad, x.state[0], x.state[1])
		},
		f64: func(h kernels.RAdam, c clock, x *refState[float64]) error {
			return h.Step64(int(c.steps), x.data, x.grad, x.state[0], x.state[1])
		},
	}}
}

func lionCase() algoCase[kernels.Lion] {
	h := kernels.DefaultLion()
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.Lion]{name: "Lion", h: h, h2: h2, ref: refStep[kernels.Lion]{
		f32: func(h kernels.Lion, _ clock, x *refState[float32]) error {
			return h.Step32(x.data, x.grad, x.state[0])
		},
		f64: func(h kernels.Lion, _ clock, x *refState[float64]) error {
			return h.Step64(x.data, x.grad, x.state[0])
		},
	}}
}

func lambCase() algoCase[kernels.LAMB] {
	h := kernels.DefaultLAMB()
	h.WeightDecay = 0.01
	h2 := h
	h2.WeightDecay = 0
	return algoCase[kernels.LAMB]{name: "LAMB", h: h, h2: h2, whole: true, ref: refStep[kernels.LAMB]{
		f32: func(h kernels.LAMB, c clock, x *refState[float32]) error {
			return h.Step32(int(c.steps), x.data, x.grad, x.state[0], x.state[1])
		},
		f64: func(h kernels.LAMB, c clock, x *refState[float64]) error {
			return h.Step64(int(c.steps), x.data, x.grad, x.state[0], x.state[1])
		},
	}}
}

// larsCase's second group is the usual exclusion of biases and norms:
// no decay and no trust ratio.
func larsCase() algoCase[kernels.LARS] {
	h := kernels.DefaultLARS()
	h.WeightDecay, h.Nesterov = 1e-4, true
	h2 := h
	h2.WeightDecay, h2.NoTrustRatio = 0, true
	return algoCase[kernels.LARS]{name: "LARS", h: h, h2: h2, whole: true, ref: refStep[kernels.LARS]{
		f32: func(h kernels.LARS, c clock, x *refState[float32]) error {
			return h.Step32(int(c.steps), x.data, x.grad, x.state[0])
		},
		f64: func(h kernels.LARS, c clock, x *refState[float64]) error {
			return h.Step64(int(c.steps), x.data, x.grad, x.state[0])
		},
	}}
}

// model is a small model's parameters: float32 and float64 tensors of
// awkward sizes, in two groups, with gradients the test fills each step.
type model struct {
	names []string
	group []int
	shape [][]int64
	d32   [][]float32 // nil where the parameter is float64
	g32   [][]float32
	d64   [][]float64
	g64   [][]float64
}

func newModel(seed uint64) *model {
	m := &model{}
	r := rand.New(rand.NewPCG(seed, 1))
	specs := []struct {
		name  string
		group int
		shape []int64
		f64   bool
	}{
		{"enc.weight", 0, []int64{7, 13}, false},
		{"enc.bias", 1, []int64{13}, false},
		{"scale", 1, []int64{}, false},
		{"dec.weight", 0, []int64{13, 5}, true},
		{"dec.bias", 1, []int64{5}, true},
		{"big", 0, []int64{1031}, false},
		{"empty", 0, []int64{0, 3}, false},
	}
	for _, s := range specs {
		n := 1
		for _, d := range s.shape {
			n *= int(d)
		}
		m.names = append(m.names, s.name)
		m.group = append(m.group, s.group)
		m.shape = append(m.shape, s.shape)
		if s.f64 {
			d := make([]float64, n)
			for i := range d {
				d[i] = float64(r.Float64()*2) - 1 // exact, unlike NormFloat64's rare math.Exp
			}
			m.d64 = append(m.d64, d)
			m.g64 = append(m.g64, make([]float64, n))
			m.d32, m.g32 = append(m.d32, nil), append(m.g32, nil)
		} else {
			d := make([]float32, n)
			for i := range d {
				d[i] = float32(float64(r.Float64()*2) - 1)
			}
			m.d32 = append(m.d32, d)
			m.g32 = append(m.g32, make([]float32, n))
			m.d64, m.g64 = append(m.d64, nil), append(m.g64, nil)
		}
	}
	return m
}

// clone is a deep copy of m's values and gradients.
func (m *model) clone() *model {
	c := *m
	c.d32, c.g32, c.d64, c.g64 = cloneAll(m.d32), cloneAll(m.g32), cloneAll(m.d64), cloneAll(m.g64)
	return &c
}

func cloneAll[E float](xs [][]E) [][]E {
	out := make([][]E, len(xs))
	for i, x := range xs {
		if x != nil {
			out[i] = append(make([]E, 0, len(x)), x...)
		}
	}
	return out
}

// fillGrads writes step k's gradients: half the value (a quadratic bowl)
// plus noise, a function of the values and k alone, so that two runs with
// equal values see equal gradients. Every operation is exact or one
// correctly rounded sum, so the gradients are the same bits on every
// architecture (math.Sin's are not: arm64 fuses its multiply-adds).
func (m *model) fillGrads(k int64) {
	for i := range m.names {
		for j := range m.d32[i] {
			m.g32[i][j] = float32(float64(float64(m.d32[i][j])*0.5) + noise(uint64(k), i, j))
		}
		for j := range m.d64[i] {
			m.g64[i][j] = float64(m.d64[i][j]*0.5) + noise(uint64(k), i, j)
		}
	}
}

// noise is a pseudo-random value in [-1, 1) from integers alone (a
// SplitMix64 finalizer), exact in float64.
func noise(k uint64, i, j int) float64 {
	h := k*0x9E3779B97F4A7C15 ^ uint64(i)<<40 ^ uint64(j)
	h ^= h >> 31
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 29
	return float64(float64(h>>11)*0x1p-52) - 1
}

// register adds m's parameters to o (group 1 made with h2 if missing).
func register[H Algorithm](t testing.TB, o *Optimizer[H], m *model, h2 H) {
	t.Helper()
	for o.Groups() < 2 {
		if _, err := o.AddGroup(h2, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range m.names {
		var err error
		if m.d32[i] != nil {
			err = o.Add32(m.group[i], Param32{Name: name, Shape: m.shape[i], Data: m.d32[i], Grad: m.g32[i]})
		} else {
			err = o.Add64(m.group[i], Param64{Name: name, Shape: m.shape[i], Data: m.d64[i], Grad: m.g64[i]})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// sameBits reports the first element where a and b differ in bits (NaNs
// equal), or -1.
func sameBits[E float](a, b []E) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		if math.Float64bits(x) != math.Float64bits(y) && !(x != x && y != y) {
			return i
		}
	}
	return -1
}

// equalModels fails t where a and b differ.
func equalModels(t testing.TB, what string, a, b *model) {
	t.Helper()
	for i, name := range a.names {
		if j := sameBits(a.d32[i], b.d32[i]); j >= 0 {
			t.Fatalf("%s: %s[%d] = %v, want %v", what, name, j, a.d32[i][j], b.d32[i][j])
		}
		if j := sameBits(a.d64[i], b.d64[i]); j >= 0 {
			t.Fatalf("%s: %s[%d] = %v, want %v", what, name, j, a.d64[i][j], b.d64[i][j])
		}
	}
}
