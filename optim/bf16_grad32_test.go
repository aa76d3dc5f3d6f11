package optim

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/fusedopt/fusedopt/kernels"
)

// grad32Sizes are the bfloat16 parameters of the Grad32 tests: one large
// enough that a step splits it into chunks, one of each odd kind.
var grad32Sizes = []int{200_003, 1, 37, 4096}

// grad32Model is bfloat16 parameters with float32 gradients, and a
// bfloat16 parameter with a bfloat16 gradient and a float32 parameter
// between them, so that offsets in the registration order count every
// kind.
type grad32Model struct {
	data  [][]kernels.BF16
	grads [][]float32
	mid16 ParamBF16 // registered after data[0]
	mid32 Param32   // registered after data[1]
}

func newGrad32Model() *grad32Model {
	m := &grad32Model{mid16: bf16Param("mid16", 100), mid32: Param32{Name: "mid32", Data: make([]float32, 50), Grad: make([]float32, 50)}}
	for _, n := range grad32Sizes {
		d := make([]kernels.BF16, n)
		for j := range d {
			d[j] = kernels.BF16From32(float32(j%97)/48 - 1)
		}
		m.data = append(m.data, d)
		m.grads = append(m.grads, make([]float32, n))
	}
	for j := range m.mid16.Data {
		m.mid16.Data[j] = kernels.BF16From32(float32(j) / 100)
	}
	return m
}

// fill writes step k's gradients: float32 values with more bits than a
// bfloat16 holds, so that a gradient rounded to bfloat16 would show.
func (m *grad32Model) fill(k int) {
	for i, g := range m.grads {
		for j := range g {
			g[j] = float32(math.Sin(float64(j*(i+3)+k))) * (1 + 0x1p-20)
		}
	}
	for j := range m.mid16.Grad {
		m.mid16.Grad[j] = kernels.BF16From32(float32(j%5) - 2)
	}
}

// register adds m's parameters to o in order, the bfloat16 ones with
// their float32 gradients.
func (m *grad32Model) register(t *testing.T, o interface {
	AddBF16(int, ParamBF16) error
	Add32(int, Param32) error
}) {
	t.Helper()
	for i := range m.data {
		if err := o.AddBF16(0, ParamBF16{Name: fmt.Sprint("w", i), Data: m.data[i], Grad32: m.grads[i]}); err != nil {
			t.Fatal(err)
		}
		var err error
		switch i {
		case 0:
			err = o.AddBF16(0, m.mid16)
		case 1:
			err = o.Add32(0, m.mid32)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// offsets are each of data's places in the registration order.
func (m *grad32Model) offsets() []uint64 {
	var offs []uint64
	next := uint64(0)
	for i, d := range m.data {
		offs = append(offs, next)
		next += uint64(len(d))
		switch i {
		case 0:
			next += uint64(len(m.mid16.Data))
		case 1:
			next += uint64(len(m.mid32.Data))
		}
	}
	return offs
}

// TestBF16Grad32Step checks that Step on bfloat16 parameters with float32
// gradients gives exactly the bits of the kernels' StepBF16 on each, with
// its offset in the registration order, for Adam, SGD and Lion, on the
// caller and on a pool; that Step does not allocate after the first; and that
// ZeroGrad clears the float32 gradients.
func TestBF16Grad32Step(t *testing.T) {
	r := kernels.Rounding{Stochastic: true, Seed: 77}
	adam, sgd, lion := kernels.DefaultAdamW(), kernels.SGD{LR: 0.05, Momentum: 0.9, Nesterov: true}, kernels.DefaultLion()
	pool := kernels.NewPool(3)
	defer pool.Close()
	for _, on := range []*kernels.Pool{nil, pool} {
		for _, name := range []string{"Adam", "SGD", "Lion"} {
			m, ref := newGrad32Model(), newGrad32Model()
			var o interface {
				AddBF16(int, ParamBF16) error
				Add32(int, Param32) error
				Step() error
				ZeroGrad()
			}
			var err error
			switch name {
			case "Adam":
				o, err = New(adam, nil, &Config{Pool: on, Rounding: r})
			case "SGD":
				o, err = New(sgd, nil, &Config{Pool: on, Rounding: r})
			default:
				o, err = New(lion, nil, &Config{Pool: on, Rounding: r})
			}
			if err != nil {
				t.Fatal(err)
			}
			m.register(t, o)
			offs := ref.offsets()
			state := make([][2][]kernels.BF16, len(ref.data))
			for i, d := range ref.data {
				state[i] = [2][]kernels.BF16{make([]kernels.BF16, len(d)), make([]kernels.BF16, len(d))}
			}
			for k := 1; k <= 3; k++ {
				m.fill(k)
				ref.fill(k)
				if err := o.Step(); err != nil {
					t.Fatal(err)
				}
				for i := range ref.data {
					rr := r
					rr.Offset = offs[i]
					switch name {
					case "Adam":
						err = adam.StepBF16(k, rr, ref.data[i], ref.grads[i], state[i][0], state[i][1])
					case "SGD":
						err = sgd.StepBF16(k, rr, ref.data[i], ref.grads[i], state[i][0])
					default:
						err = lion.StepBF16(k, rr, ref.data[i], ref.grads[i], state[i][0])
					}
					if err != nil {
						t.Fatal(err)
					}
					if j := sameBits(m.data[i], ref.data[i]); j >= 0 {
						t.Fatalf("%s, pool %v, step %d: w%d[%d] = %#04x, StepBF16 gives %#04x", name, on != nil, k, i, j, m.data[i][j], ref.data[i][j])
					}
				}
			}
			if n := testing.AllocsPerRun(50, func() { o.Step() }); n != 0 {
				t.Errorf("%s, pool %v: Step allocates %v times per call", name, on != nil, n)
			}
			o.ZeroGrad()
			for i, g := range m.grads {
				if slices.ContainsFunc(g, func(x float32) bool { return x != 0 }) {
					t.Errorf("ZeroGrad left w%d's float32 gradient", i)
				}
			}
		}
	}
}

// TestBF16Grad32Shard checks that shards that cut the float32-gradient
// parameters step their windows with the unsharded step's bits.
func TestBF16Grad32Shard(t *testing.T) {
	r := kernels.Rounding{Stochastic: true, Seed: 5}
	whole := newGrad32Model()
	o, err := New(kernels.DefaultAdamW(), nil, &Config{Rounding: r})
	if err != nil {
		t.Fatal(err)
	}
	whole.register(t, o)
	var shards []*Optimizer[kernels.Adam]
	var models []*grad32Model
	cuts := []int64{0, 1000, 200_050, 200_200, 1 << 40}
	for s := range len(cuts) - 1 {
		m := newGrad32Model()
		so, err := New(kernels.DefaultAdamW(), nil, &Config{Rounding: r, Shard: &Shard{cuts[s], cuts[s+1]}})
		if err != nil {
			t.Fatal(err)
		}
		m.register(t, so)
		shards, models = append(shards, so), append(models, m)
	}
	offs := whole.offsets()
	for k := 1; k <= 2; k++ {
		whole.fill(k)
		if err := o.Step(); err != nil {
			t.Fatal(err)
		}
		for s, so := range shards {
			models[s].fill(k)
			if err := so.Step(); err != nil {
				t.Fatal(err)
			}
			for i, d := range models[s].data {
				lo, hi := max(cuts[s]-int64(offs[i]), 0), min(cuts[s+1]-int64(offs[i]), int64(len(d)))
				if lo >= hi {
					continue
				}
				if j := sameBits(d[lo:hi], whole.data[i][lo:hi]); j >= 0 {
					t.Fatalf("shard %d, step %d: w%d[%d] = %#04x, unsharded %#04x", s, k, i, lo+int64(j), d[lo+int64(j)], whole.data[i][lo+int64(j)])
				}
			}
		}
	}
}

// TestBF16Grad32Clip checks that ClipGradNorm (2 and infinity norms) and
// ClipGradValue treat a bfloat16 parameter's float32 gradient exactly as
// they treat a float32 parameter's.
func TestBF16Grad32Clip(t *testing.T) {
	build := func(asBF16 bool) (*Optimizer[kernels.Adam], []float32) {
		o, err := New(kernels.DefaultAdamW(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float32, 1001)
		for j := range g {
			g[j] = float32(math.Cos(float64(j))) * 3
		}
		if asBF16 {
			err = o.AddBF16(0, ParamBF16{Name: "w", Data: make([]kernels.BF16, len(g)), Grad32: g})
		} else {
			err = o.Add32(0, Param32{Name: "w", Data: make([]float32, len(g)), Grad: g})
		}
		if err == nil {
			err = o.AddBF16(0, ParamBF16{Name: "b", Data: make([]kernels.BF16, 3), Grad: []kernels.BF16{0x3f80, 0xc000, 0x4040}})
		}
		if err != nil {
			t.Fatal(err)
		}
		return o, g
	}
	for _, clip := range []func(o *Optimizer[kernels.Adam]) (float64, error){
		func(o *Optimizer[kernels.Adam]) (float64, error) { return o.ClipGradNorm(2, nil) },
		func(o *Optimizer[kernels.Adam]) (float64, error) {
			return o.ClipGradNorm(2, &ClipOptions{NormType: math.Inf(1)})
		},
		func(o *Optimizer[kernels.Adam]) (float64, error) { return 0, o.ClipGradValue(0.7) },
	} {
		o16, g16 := build(true)
		o32, g32 := build(false)
		n16, err16 := clip(o16)
		n32, err32 := clip(o32)
		if err16 != nil || err32 != nil || math.Float64bits(n16) != math.Float64bits(n32) {
			t.Fatalf("norm %v, %v; as a float32 parameter's %v, %v", n16, err16, n32, err32)
		}
		if j := sameBits(g16, g32); j >= 0 {
			t.Fatalf("clipped grad[%d] = %v; as a float32 parameter's %v", j, g16[j], g32[j])
		}
		if g32[0] == float32(math.Cos(0))*3 {
			t.Fatal("the clip changed nothing: the test tests nothing")
		}
	}
}

// TestBF16Grad32Errors checks AddBF16's refusal of both gradients and of
// none, naming the parameter, and the SetGrad calls that fit a float32
// gradient and those that do not.
func TestBF16Grad32Errors(t *testing.T) {
	o, err := New(kernels.DefaultAdamW(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, own := make([]kernels.BF16, 4), make([]float32, 4)
	for _, c := range []struct {
		p    ParamBF16
		want string
	}{
		{ParamBF16{Name: "both", Data: d, Grad: make([]kernels.BF16, 4), Grad32: make([]float32, 4)}, `Add "both" to group 0: both Grad and Grad32 are set`},
		{ParamBF16{Name: "none", Data: d}, `Add "none" to group 0: Grad and Grad32 are nil`},
		{ParamBF16{Name: "short", Data: d, Grad32: make([]float32, 3)}, `Add "short" to group 0: len(Grad) = 3, want len(Data) = 4`},
		{ParamBF16{Name: "self", Data: sharing(own, 4), Grad32: own}, `Grad shares memory with Data`},
	} {
		if err := o.AddBF16(0, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", c.p.Name, err, c.want)
		}
	}
	if len(o.params) != 0 {
		t.Fatal("a refused AddBF16 registered a parameter")
	}
	g := make([]float32, 4)
	if err := o.AddBF16(0, ParamBF16{Name: "w", Data: d, Grad32: g}); err != nil {
		t.Fatal(err)
	}
	if err := o.AddBF16(0, bf16Param("b", 4)); err != nil {
		t.Fatal(err)
	}
	g2 := []float32{1, 2, 3, 4}
	if err := o.SetGrad32("w", g2); err != nil || o.byName["w"].bf.grad32[1] != 2 {
		t.Errorf("SetGrad32 of a Grad32 parameter: %v", err)
	}
	if err := o.SetGrad32("w", g2[:3]); err == nil || !strings.Contains(err.Error(), "len(grad) = 3") {
		t.Errorf("SetGrad32 of the wrong length: %v", err)
	}
	if err := o.SetGradBF16("w", make([]kernels.BF16, 4)); err == nil || !strings.Contains(err.Error(), "is BF16 with a gradient that is F32, not BF16") {
		t.Errorf("SetGradBF16 of a Grad32 parameter: %v", err)
	}
	if err := o.SetGrad32("b", g); err == nil || !strings.Contains(err.Error(), "is BF16, not F32") {
		t.Errorf("SetGrad32 of a Grad parameter: %v", err)
	}
	// SetGrad32 released g's memory and took g2's.
	if err := o.AddBF16(0, ParamBF16{Name: "x", Data: make([]kernels.BF16, 4), Grad32: g}); err != nil {
		t.Errorf("AddBF16 with the gradient SetGrad32 replaced: %v", err)
	}
	if err := o.AddBF16(0, ParamBF16{Name: "y", Data: make([]kernels.BF16, 4), Grad32: g2}); err == nil || !strings.Contains(err.Error(), "the gradient of w") {
		t.Errorf("AddBF16 with the gradient SetGrad32 set: %v", err)
	}
}

// sharing is a bfloat16 slice of n elements in the memory of g.
func sharing(g []float32, n int) []kernels.BF16 {
	return unsafe.Slice((*kernels.BF16)(unsafe.Pointer(unsafe.SliceData(g))), n)
}

// TestBF16Grad32Checkpoint checks that an optimizer with float32-gradient
// bfloat16 parameters saves and loads (gradients are not saved) and then
// steps on with the bits of one that never stopped.
func TestBF16Grad32Checkpoint(t *testing.T) {
	r := kernels.Rounding{Stochastic: true, Seed: 31}
	build := func(m *grad32Model) *Optimizer[kernels.SGD] {
		o, err := New(kernels.SGD{LR: 0.1, Momentum: 0.5}, nil, &Config{Rounding: r, SaveParams: true})
		if err != nil {
			t.Fatal(err)
		}
		m.register(t, o)
		return o
	}
	ma, mb := newGrad32Model(), newGrad32Model()
	a := build(ma)
	for k := 1; k <= 2; k++ {
		ma.fill(k)
		if err := a.Step(); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := a.Save(&buf); err != nil {
		t.Fatal(err)
	}
	b := build(mb)
	if err := b.Load(&buf); err != nil {
		t.Fatal(err)
	}
	for _, x := range []*grad32Model{ma, mb} {
		x.fill(3)
	}
	if err := a.Step(); err != nil {
		t.Fatal(err)
	}
	if err := b.Step(); err != nil {
		t.Fatal(err)
	}
	for i := range ma.data {
		if j := sameBits(mb.data[i], ma.data[i]); j >= 0 {
			t.Fatalf("w%d[%d] after Load and a step = %#04x, without the checkpoint %#04x", i, j, mb.data[i][j], ma.data[i][j])
		}
	}
}
