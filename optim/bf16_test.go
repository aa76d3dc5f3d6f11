package optim

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// bf16Param is a bfloat16 parameter of n elements with a gradient.
func bf16Param(name string, n int) ParamBF16 {
	return ParamBF16{Name: name, Data: make([]kernels.BF16, n), Grad: make([]kernels.BF16, n)}
}

// TestAddBF16Rejects checks that algorithms without bfloat16 kernels, and
// Adam with AMSGrad, refuse bfloat16 parameters with an error naming why,
// registering nothing, and that SetHyper cannot turn AMSGrad on under one.
func TestAddBF16Rejects(t *testing.T) {
	ada, err := New(kernels.DefaultAdagrad(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = ada.AddBF16(0, bf16Param("w", 4))
	if err == nil || !strings.Contains(err.Error(), "Adagrad has no bfloat16 kernels") {
		t.Errorf("Adagrad AddBF16: %v", err)
	}
	if len(ada.params) != 0 {
		t.Error("a refused AddBF16 registered the parameter")
	}

	ams := kernels.DefaultAdamW()
	ams.AMSGrad = true
	o, err := New(ams, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.AddBF16(0, bf16Param("w", 4)); err == nil || !strings.Contains(err.Error(), "AMSGrad") {
		t.Errorf("AddBF16 with AMSGrad: %v", err)
	}

	o, err = New(kernels.DefaultAdamW(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.AddBF16(0, bf16Param("w", 4)); err != nil {
		t.Fatal(err)
	}
	if err := o.SetHyper(0, ams); err == nil || !strings.Contains(err.Error(), "AMSGrad") {
		t.Errorf("SetHyper to AMSGrad over a bfloat16 parameter: %v", err)
	}
	if o.Hyper(0).AMSGrad || o.params[0].bf.state[2] != nil {
		t.Error("a refused SetHyper changed the group")
	}
	if _, err := New(kernels.DefaultAdamW(), nil, &Config{Rounding: kernels.Rounding{Offset: 3}}); err == nil || !strings.Contains(err.Error(), "Rounding.Offset") {
		t.Errorf("New with a Rounding.Offset: %v", err)
	}
	if err := o.SetGradBF16("w", make([]kernels.BF16, 3)); err == nil || !strings.Contains(err.Error(), "len(grad) = 3") {
		t.Errorf("SetGradBF16 of the wrong length: %v", err)
	}
	if err := o.SetGrad32("w", make([]float32, 4)); err == nil || !strings.Contains(err.Error(), "is BF16, not F32") {
		t.Errorf("SetGrad32 of a bfloat16 parameter: %v", err)
	}
}

// TestBF16Streams checks the stream rule: two equal tensors with equal
// gradients round alike to nearest, and differently with stochastic
// rounding, whose random bits follow each element's place in the
// registration order.
func TestBF16Streams(t *testing.T) {
	for _, stochastic := range []bool{false, true} {
		o, err := New(kernels.DefaultAdamW(), nil, &Config{Rounding: kernels.Rounding{Stochastic: stochastic, Seed: 9}})
		if err != nil {
			t.Fatal(err)
		}
		a, b := bf16Param("a", 256), bf16Param("b", 256)
		for i := range a.Data {
			a.Data[i] = kernels.BF16From32(1 + float32(i)/256)
			a.Grad[i] = kernels.BF16From32(float32(i%7) - 3)
		}
		copy(b.Data, a.Data)
		copy(b.Grad, a.Grad)
		if err := o.AddBF16(0, a); err != nil {
			t.Fatal(err)
		}
		if err := o.AddBF16(0, b); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := o.Step(); err != nil {
				t.Fatal(err)
			}
		}
		if same := slices.Equal(a.Data, b.Data); same == stochastic {
			t.Errorf("stochastic %v: the two tensors are equal: %v", stochastic, same)
		}
	}
}

// TestLoadBF16Mismatch checks that Load refuses a checkpoint of bfloat16
// parameters saved with another rounding mode or seed, or without one, a
// corrupt or mislabelled BF16 tensor, or one for a parameter of another
// dtype, and changes nothing.
func TestLoadBF16Mismatch(t *testing.T) {
	c := adamBF16Case(kernels.Rounding{Stochastic: true, Seed: 0x5eed})
	saved := c.build(t, c.model(7))
	for k := int64(1); k <= 3; k++ {
		saved.Step()
	}
	var buf bytes.Buffer
	if err := saved.Save(&buf); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	withRounding := func(r kernels.Rounding) func(*model) *Optimizer[kernels.Adam] {
		return func(m *model) *Optimizer[kernels.Adam] {
			o, err := New(c.h, wavy{}, &Config{Rounding: r, SaveParams: true})
			if err != nil {
				t.Fatal(err)
			}
			register(t, o, m, c.h2)
			return o
		}
	}
	cases := []struct {
		name  string
		file  []byte
		build func(m *model) *Optimizer[kernels.Adam]
		want  string
	}{
		{"another seed", file, withRounding(kernels.Rounding{Stochastic: true, Seed: 1}), "rounding is stochastic with seed 24301, this optimizer's (Config.Rounding) stochastic with seed 1"},
		{"nearest", file, withRounding(kernels.Rounding{}), "this optimizer's (Config.Rounding) round to nearest even"},
		{"no rounding recorded", rewriteHeader(t, file, func(h map[string]any) {
			delete(h["__metadata__"].(map[string]any), metaRounding)
		}), func(m *model) *Optimizer[kernels.Adam] { return c.build(t, m) }, `no "bf16_rounding"`},
		{"a flipped byte in a BF16 tensor", flipIn(t, file, "state.emb.exp_avg_sq", 7), func(m *model) *Optimizer[kernels.Adam] { return c.build(t, m) },
			`tensor "state.emb.exp_avg_sq" is corrupt`},
		{"a BF16 tensor recorded as F32", rewriteHeader(t, file, func(h map[string]any) {
			h["state.norm.exp_avg"].(map[string]any)["dtype"] = "F32"
		}), func(m *model) *Optimizer[kernels.Adam] { return c.build(t, m) }, "shape [9] of F32 needs 36"},
		{"another dtype", file, func(m *model) *Optimizer[kernels.Adam] {
			m.d32[2], m.g32[2] = make([]float32, len(m.dbf[2])), make([]float32, len(m.dbf[2]))
			m.dbf[2], m.gbf[2] = nil, nil
			return c.build(t, m)
		}, `"emb" is BF16 in the checkpoint, F32 here`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := c.model(8)
			o := tc.build(m)
			before := m.clone()
			err := o.Load(bytes.NewReader(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: %v, want an error mentioning %q", err, tc.want)
			}
			t.Log(err)
			equalModels(t, "after a refused Load", m, before)
			if o.Steps(0) != 0 {
				t.Error("a refused Load restored the step count")
			}
		})
	}
}

// flipIn is file with one bit flipped in byte i of the named tensor's data.
func flipIn(t *testing.T, file []byte, name string, i int) []byte {
	t.Helper()
	n := binary.LittleEndian.Uint64(file)
	var h map[string]json.RawMessage
	if err := json.Unmarshal(file[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	var info struct {
		Offsets [2]int `json:"data_offsets"`
	}
	if err := json.Unmarshal(h[name], &info); err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(file)
	b[8+int(n)+info.Offsets[0]+i] ^= 0x10
	return b
}

// TestClipBF16 checks clipping of bfloat16 gradients: the 2-norm is the
// exact one rounded once or twice (the squares are exact), the infinity
// norm exact, and the scaled and clamped gradients are PyTorch's, rounded
// to nearest.
func TestClipBF16(t *testing.T) {
	o, err := New(kernels.DefaultAdamW(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := bf16Param("w", 1000)
	for i := range p.Grad {
		p.Grad[i] = kernels.BF16From32(float32(i%13) - 6.5)
	}
	if err := o.AddBF16(0, p); err != nil {
		t.Fatal(err)
	}
	var exact float64 // each square is exact, and so is their sum here
	for _, g := range p.Grad {
		exact += float64(g.Float32()) * float64(g.Float32())
	}
	orig := slices.Clone(p.Grad)
	norm, err := o.ClipGradNorm(1, nil)
	if err != nil || norm != math.Sqrt(exact) {
		t.Fatalf("ClipGradNorm = %v, %v; want %v", norm, err, math.Sqrt(exact))
	}
	c := float32(1 / (norm + normEps))
	for i, g := range p.Grad {
		if want := kernels.BF16From32(orig[i].Float32() * c); g != want {
			t.Fatalf("clipped grad[%d] = %#04x, want %#04x", i, g, want)
		}
	}
	copy(p.Grad, orig)
	if inf, _ := o.ClipGradNorm(100, &ClipOptions{NormType: math.Inf(1)}); inf != 6.5 {
		t.Errorf("infinity norm %v, want 6.5", inf)
	}
	if err := o.ClipGradValue(1.001); err != nil {
		t.Fatal(err)
	}
	for i, g := range p.Grad {
		want := orig[i]
		if x := want.Float32(); x > 1.001 {
			want = kernels.BF16From32(1.001)
		} else if x < -1.001 {
			want = kernels.BF16From32(-1.001)
		}
		if g != want {
			t.Fatalf("clamped grad[%d] = %#04x, want %#04x", i, g, want)
		}
	}
}

// TestBF16Workers checks that an optimizer of bfloat16 parameters, some
// large enough that their steps split into chunks, gives the same bits on
// pools of several sizes as on the calling goroutine alone: for Adam,
// Lion, and SGD with and without Nesterov momentum, rounding
// stochastically.
func TestBF16Workers(t *testing.T) {
	sizes := []int{300_001, 17, 140_000, 1}
	r := kernels.Rounding{Stochastic: true, Seed: 12}
	run := func(t *testing.T, build func(cfg *Config) stepper3, pool *kernels.Pool) [][]kernels.BF16 {
		o := build(&Config{Pool: pool, Rounding: r})
		var out [][]kernels.BF16
		for i, n := range sizes {
			p := bf16Param(fmt.Sprint("w", i), n)
			for j := range p.Data {
				p.Data[j] = kernels.BF16From32(float32(j%101)/50 - 1)
			}
			if err := o.addBF16(p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p.Data, p.Grad)
		}
		for k := range 3 {
			for i := 0; i < len(out); i += 2 {
				for j := range out[i+1] {
					out[i+1][j] = kernels.BF16From32(float32((j*7+k)%13) - 6)
				}
			}
			if err := o.step(); err != nil {
				t.Fatal(err)
			}
		}
		return append(out, o.states()...)
	}
	for name, build := range map[string]func(cfg *Config) stepper3{
		"AdamW": func(cfg *Config) stepper3 { return mustNew(t, kernels.DefaultAdamW(), cfg) },
		"SGD":   func(cfg *Config) stepper3 { return mustNew(t, kernels.SGD{LR: 0.1}, cfg) },
		"Lion":  func(cfg *Config) stepper3 { return mustNew(t, kernels.DefaultLion(), cfg) },
		"SGDMomentum": func(cfg *Config) stepper3 {
			return mustNew(t, kernels.SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 0.01}, cfg)
		},
		"SGDNesterov": func(cfg *Config) stepper3 {
			return mustNew(t, kernels.SGD{LR: 0.1, Momentum: 0.9, Nesterov: true}, cfg)
		},
	} {
		t.Run(name, func(t *testing.T) {
			want := run(t, build, nil)
			for _, workers := range []int{1, 2, 3} {
				pool := kernels.NewPool(workers)
				got := run(t, build, pool)
				pool.Close()
				for i := range want {
					if j := sameBits(got[i], want[i]); j >= 0 {
						t.Fatalf("%d workers: slice %d, element %d = %#04x, on the caller %#04x", workers, i, j, got[i][j], want[i][j])
					}
				}
			}
		})
	}
}

// stepper3 is what TestBF16Workers needs of an Optimizer of any algorithm.
type stepper3 interface {
	addBF16(p ParamBF16) error
	step() error
	states() [][]kernels.BF16
}

type bf16Optimizer[H Algorithm] struct{ *Optimizer[H] }

func (o bf16Optimizer[H]) addBF16(p ParamBF16) error { return o.AddBF16(0, p) }
func (o bf16Optimizer[H]) step() error               { return o.Step() }

// states is every bfloat16 parameter's state slots, in order.
func (o bf16Optimizer[H]) states() [][]kernels.BF16 {
	var s [][]kernels.BF16
	for _, p := range o.params {
		for _, x := range p.bf.state {
			if x != nil {
				s = append(s, x)
			}
		}
	}
	return s
}

func mustNew[H Algorithm](t *testing.T, h H, cfg *Config) stepper3 {
	o, err := New(h, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return bf16Optimizer[H]{o}
}
