package optim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fusedopt/fusedopt/internal/safetensors"
	"github.com/fusedopt/fusedopt/kernels"
)

// The tests run every algorithm through one harness: case is one
// algorithm with hyperparameters that use all of its state, and ref its
// step by the kernels called directly, tensor by tensor, which is what an
// Optimizer's steps must equal bit for bit.

// refState is one tensor's slices as the direct kernel calls see them.
type refState[E elem] struct {
	data, grad []E
	state      [maxSlots][]E
}

// refStep is one algorithm's direct kernel step of one tensor at step c.
type refStep[H Algorithm] struct {
	f32 func(h H, c clock, x *refState[float32]) error
	f64 func(h H, c clock, x *refState[float64]) error
	// bf steps a bfloat16 tensor with rounding r (its Offset the tensor's
	// first element's place in the registration order); nil where the
	// kernels have no bfloat16 form, and then the model has no such tensor.
	bf func(h H, c clock, r kernels.Rounding, x *refState[kernels.BF16]) error
}

// algoCase is one algorithm under test: two groups' hyperparameters (the
// second differing in what a "no decay" group changes), and its reference.
type algoCase[H Algorithm] struct {
	name   string
	h, h2  H
	ref    refStep[H]
	adjust func(h *H, c clock) // a hyperparameter change mid-run that keeps the state, or nil
	whole  bool                // a Shard must not cut a parameter (trust ratios)
	round  kernels.Rounding    // Config.Rounding, with ref.bf
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
		adamaxCase(), nadamCase(), radamCase(), lionCase(), lambCase(), larsCase(),
		adamBF16Case(kernels.Rounding{Stochastic: true, Seed: 0x5eed}),
		adamBF16Case(kernels.Rounding{}),
		sgdBF16Case(), lionBF16Case()}
}

// model is a model for c: with bfloat16 tensors among the others where c
// steps them.
func (c algoCase[H]) model(seed uint64) *model {
	m := newModel(seed)
	if c.ref.bf != nil {
		m = newModelBF16(seed)
	}
	return m
}

// config is the Config of c's optimizers, with its rounding.
func (c algoCase[H]) config() *Config { return &Config{Rounding: c.round} }

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

// adamBF16Case is AdamW over a model with bfloat16 tensors, rounding as
// r says. AMSGrad is off: the bfloat16 kernels do not offer it.
func adamBF16Case(r kernels.Rounding) algoCase[kernels.Adam] {
	c := adamCase()
	c.h.AMSGrad, c.h2.AMSGrad = false, false
	c.name, c.round = "AdamBF16Nearest", r
	if r.Stochastic {
		c.name = "AdamBF16"
	}
	c.ref.bf = func(h kernels.Adam, c clock, r kernels.Rounding, x *refState[kernels.BF16]) error {
		return h.StepBF16Grad(int(c.steps), r, x.data, x.grad, x.state[0], x.state[1])
	}
	return c
}

// sgdBF16Case is SGD with Nesterov momentum over a model with bfloat16
// tensors, rounding stochastically.
func sgdBF16Case() algoCase[kernels.SGD] {
	c := sgdCase()
	c.name, c.round = "SGDBF16", kernels.Rounding{Stochastic: true, Seed: 1<<63 + 5}
	c.ref.bf = func(h kernels.SGD, c clock, r kernels.Rounding, x *refState[kernels.BF16]) error {
		return h.StepBF16Grad(int(c.steps), r, x.data, x.grad, x.state[0])
	}
	return c
}

// lionBF16Case is Lion over a model with bfloat16 tensors, rounding
// stochastically.
func lionBF16Case() algoCase[kernels.Lion] {
	c := lionCase()
	c.name, c.round = "LionBF16", kernels.Rounding{Stochastic: true, Seed: 0x11a}
	c.ref.bf = func(h kernels.Lion, c clock, r kernels.Rounding, x *refState[kernels.BF16]) error {
		return h.StepBF16Grad(int(c.steps), r, x.data, x.grad, x.state[0])
	}
	return c
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

// model is a small model's parameters: float32, float64 and (for the
// algorithms with bfloat16 kernels) bfloat16 tensors of awkward sizes, in
// two groups, with gradients the test fills each step.
type model struct {
	names []string
	group []int
	shape [][]int64
	d32   [][]float32 // nil where the parameter is not float32
	g32   [][]float32
	d64   [][]float64 // nil where the parameter is not float64
	g64   [][]float64
	dbf   [][]kernels.BF16 // nil where the parameter is not bfloat16
	gbf   [][]kernels.BF16
}

// modelSpec is one parameter of a model.
type modelSpec struct {
	name  string
	group int
	shape []int64
	dtype safetensors.DType
}

// modelSpecs are the parameters of newModel: 1206 elements.
var modelSpecs = []modelSpec{
	{"enc.weight", 0, []int64{7, 13}, safetensors.F32},
	{"enc.bias", 1, []int64{13}, safetensors.F32},
	{"scale", 1, []int64{}, safetensors.F32},
	{"dec.weight", 0, []int64{13, 5}, safetensors.F64},
	{"dec.bias", 1, []int64{5}, safetensors.F64},
	{"big", 0, []int64{1031}, safetensors.F32},
	{"empty", 0, []int64{0, 3}, safetensors.F32},
}

func newModel(seed uint64) *model { return buildModel(seed, modelSpecs) }

// newModelBF16 is newModel with two bfloat16 parameters more, one in each
// group: emb, inside the element range that TestShards cuts at 700, and
// norm, last.
func newModelBF16(seed uint64) *model {
	specs := slices.Insert(slices.Clone(modelSpecs), 2, modelSpec{"emb", 0, []int64{37, 17}, safetensors.BF16})
	return buildModel(seed, append(specs, modelSpec{"norm", 1, []int64{9}, safetensors.BF16}))
}

func buildModel(seed uint64, specs []modelSpec) *model {
	m := &model{}
	r := rand.New(rand.NewPCG(seed, 1))
	for _, s := range specs {
		n := 1
		for _, d := range s.shape {
			n *= int(d)
		}
		m.names = append(m.names, s.name)
		m.group = append(m.group, s.group)
		m.shape = append(m.shape, s.shape)
		var d32, g32 []float32
		var d64, g64 []float64
		var dbf, gbf []kernels.BF16
		switch s.dtype {
		case safetensors.F64:
			d64, g64 = make([]float64, n), make([]float64, n)
			for i := range d64 {
				d64[i] = float64(r.Float64()*2) - 1 // exact, unlike NormFloat64's rare math.Exp
			}
		case safetensors.F32:
			d32, g32 = make([]float32, n), make([]float32, n)
			for i := range d32 {
				d32[i] = float32(float64(r.Float64()*2) - 1)
			}
		default:
			dbf, gbf = make([]kernels.BF16, n), make([]kernels.BF16, n)
			for i := range dbf {
				dbf[i] = kernels.BF16From32(float32(float64(r.Float64()*2) - 1))
			}
		}
		m.d32, m.g32 = append(m.d32, d32), append(m.g32, g32)
		m.d64, m.g64 = append(m.d64, d64), append(m.g64, g64)
		m.dbf, m.gbf = append(m.dbf, dbf), append(m.gbf, gbf)
	}
	return m
}

// size is the number of elements of m's parameters.
func (m *model) size() int {
	n := 0
	for i := range m.names {
		n += len(m.d32[i]) + len(m.d64[i]) + len(m.dbf[i])
	}
	return n
}

// clone is a deep copy of m's values and gradients.
func (m *model) clone() *model {
	c := *m
	c.d32, c.g32, c.d64, c.g64 = cloneAll(m.d32), cloneAll(m.g32), cloneAll(m.d64), cloneAll(m.g64)
	c.dbf, c.gbf = cloneAll(m.dbf), cloneAll(m.gbf)
	return &c
}

func cloneAll[E elem](xs [][]E) [][]E {
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
		for j := range m.dbf[i] {
			g := float64(float64(m.dbf[i][j].Float32())*0.5) + noise(uint64(k), i, j)
			m.gbf[i][j] = kernels.BF16From32(float32(g))
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
		switch {
		case m.d32[i] != nil:
			err = o.Add32(m.group[i], Param32{Name: name, Shape: m.shape[i], Data: m.d32[i], Grad: m.g32[i]})
		case m.d64[i] != nil:
			err = o.Add64(m.group[i], Param64{Name: name, Shape: m.shape[i], Data: m.d64[i], Grad: m.g64[i]})
		default:
			err = o.AddBF16(m.group[i], ParamBF16{Name: name, Shape: m.shape[i], Data: m.dbf[i], Grad: m.gbf[i]})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// sameBits reports the first element where a and b differ in bits (NaNs
// equal), or -1.
func sameBits[E elem](a, b []E) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		x, y := toFloat64(a[i]), toFloat64(b[i])
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
		if j := sameBits(a.dbf[i], b.dbf[i]); j >= 0 {
			t.Fatalf("%s: %s[%d] = %#04x, want %#04x", what, name, j, a.dbf[i][j], b.dbf[i][j])
		}
	}
}
