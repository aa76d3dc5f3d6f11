package optim

import (
	"errors"
	"math"
	"math/big"
	"slices"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// clipModel is a small model of float32 and float64 parameters in two
// groups, some large enough to be split across workers, with seeded
// gradients.
type clipModel struct {
	opt  *Optimizer[kernels.Adam]
	g32  [][]float32
	g64  [][]float64
	d32  [][]float32
	d64  [][]float64
	kind []bool // registration order: true for float32
}

var clipSizes = []int{3, 70000, 17, 200000, 1, 1000}

func newClipModel(t *testing.T, cfg *Config, seed uint64, exp int) *clipModel {
	t.Helper()
	opt, err := New(kernels.DefaultAdamW(), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	g, err := opt.AddGroup(kernels.DefaultAdam(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := &clipModel{opt: opt}
	r := testbuf.NewRand(seed)
	for i, n := range clipSizes {
		name := string(rune('a' + i))
		if i%2 == 0 {
			d, gr := make([]float32, n), make([]float32, n)
			testbuf.Fill(r, d, -3, 0)
			testbuf.Fill(r, gr, -exp, exp)
			if err := opt.Add32(i%3%2*g, Param32{Name: name, Data: d, Grad: gr}); err != nil {
				t.Fatal(err)
			}
			m.g32, m.d32, m.kind = append(m.g32, gr), append(m.d32, d), append(m.kind, true)
		} else {
			d, gr := make([]float64, n), make([]float64, n)
			testbuf.Fill(r, d, -3, 0)
			testbuf.Fill(r, gr, -exp, exp)
			if err := opt.Add64(i%3%2*g, Param64{Name: name, Data: d, Grad: gr}); err != nil {
				t.Fatal(err)
			}
			m.g64, m.d64, m.kind = append(m.g64, gr), append(m.d64, d), append(m.kind, false)
		}
	}
	return m
}

// exactNorm is the 2-norm of every gradient, from an exact big.Float sum
// of squares.
func (m *clipModel) exactNorm() float64 {
	s := new(big.Float).SetPrec(2000)
	v := new(big.Float).SetPrec(2000)
	add := func(x float64) {
		v.SetFloat64(x)
		v.Mul(v, v)
		s.Add(s, v)
	}
	for _, g := range m.g32 {
		for _, x := range g {
			add(float64(x))
		}
	}
	for _, g := range m.g64 {
		for _, x := range g {
			add(x)
		}
	}
	f, _ := s.Sqrt(s).Float64()
	return f
}

// TestClipGradNormPyTorch checks a hand-computed case: gradients (3, 4)
// and (0) have the norm 5, and with maxNorm 1 become g·float32(1/(5+1e-6)).
func TestClipGradNormPyTorch(t *testing.T) {
	opt, _ := New(kernels.DefaultSGD(), nil, nil)
	g1, g2 := []float32{3, 4}, []float64{0}
	opt.Add32(0, Param32{Name: "w", Data: make([]float32, 2), Grad: g1})
	opt.Add64(0, Param64{Name: "b", Data: make([]float64, 1), Grad: g2})
	norm, err := opt.ClipGradNorm(1, nil)
	if err != nil || norm != 5 {
		t.Fatalf("norm %v, %v; want 5", norm, err)
	}
	c := float32(1 / (5 + 1e-6))
	if g1[0] != 3*c || g1[1] != 4*c || g2[0] != 0 {
		t.Errorf("clipped gradients %v %v, want %v", g1, g2, []float32{3 * c, 4 * c})
	}
	// Below the limit nothing changes.
	before := slices.Clone(g1)
	if norm, _ := opt.ClipGradNorm(2, nil); math.Abs(norm-1) > 1e-6 || !slices.Equal(g1, before) {
		t.Errorf("norm %v, gradients %v: want about 1 and unchanged", norm, g1)
	}
	if n, _ := opt.ClipGradNorm(100, &ClipOptions{NormType: math.Inf(1)}); n != float64(before[1]) {
		t.Errorf("inf-norm %v, want %v", n, before[1])
	}
}

// TestClipGradNormExact compares the norm with the exact one (within the
// documented bound, loosely) and the scaled gradients with g·c, for
// gradients of moderate and wide ranges.
func TestClipGradNormExact(t *testing.T) {
	for _, exp := range []int{0, 30} {
		m := newClipModel(t, nil, 1, exp)
		exact := m.exactNorm()
		want32 := cloneAll(m.g32)
		want64 := cloneAll(m.g64)
		norm, err := m.opt.ClipGradNorm(0.5, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(norm-exact) > 1e-12*exact {
			t.Errorf("exp %d: norm %v, exact %v", exp, norm, exact)
		}
		c := 0.5 / (norm + 1e-6)
		for i, g := range want32 {
			for j := range g {
				if w := g[j] * float32(c); !testbuf.Same(m.g32[i][j], w) {
					t.Fatalf("float32 gradient %d[%d] = %v, want %v", i, j, m.g32[i][j], w)
				}
			}
		}
		for i, g := range want64 {
			for j := range g {
				if w := g[j] * c; !testbuf.Same(m.g64[i][j], w) {
					t.Fatalf("float64 gradient %d[%d] = %v, want %v", i, j, m.g64[i][j], w)
				}
			}
		}
	}
}

// TestClipGradNormSameEverywhere requires the same norm bits for every
// level, worker count and shard.
func TestClipGradNormSameEverywhere(t *testing.T) {
	ref := newClipModel(t, nil, 2, 10)
	want, _ := ref.opt.ClipGradNorm(1e30, nil)
	check := func(name string, cfg *Config) {
		t.Helper()
		m := newClipModel(t, cfg, 2, 10)
		if got, _ := m.opt.ClipGradNorm(1e30, nil); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%s: norm %x, want %x", name, math.Float64bits(got), math.Float64bits(want))
		}
	}
	for _, w := range []int{1, 2, 3, 8} {
		p := kernels.NewPool(w)
		check("pool of "+string(rune('0'+w)), &Config{Pool: p})
		p.Close()
	}
	check("shard [100, 250000)", &Config{Shard: &Shard{Lo: 100, Hi: 250000}})
	check("shard [250000, end)", &Config{Shard: &Shard{Lo: 250000, Hi: 1 << 40}})
	for _, l := range kernels.Levels() {
		old, err := kernels.SetLevel(l)
		if err != nil {
			t.Fatal(err)
		}
		check("level "+l.String(), nil)
		kernels.SetLevel(old)
	}
}

// TestClipGradNormFused checks that a fused clip leaves the gradients,
// reports the coefficient, and steps exactly as a step whose GradScale
// was multiplied by it.
func TestClipGradNormFused(t *testing.T) {
	a := newClipModel(t, nil, 3, 5)
	b := newClipModel(t, nil, 3, 5)
	before := cloneAll(a.g32)
	norm, err := a.opt.ClipGradNorm(0.25, &ClipOptions{Fused: true})
	if err != nil {
		t.Fatal(err)
	}
	c := 0.25 / (norm + 1e-6)
	if got := a.opt.PendingGradScale(); got != c {
		t.Fatalf("PendingGradScale %v, want %v", got, c)
	}
	for i := range before {
		if !slices.Equal(before[i], a.g32[i]) {
			t.Fatal("a fused clip changed the gradients")
		}
	}
	for g := range 2 {
		h := b.opt.Hyper(g)
		h.GradScale = c // 0 means 1
		if err := b.opt.SetHyper(g, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.opt.Step(); err != nil {
		t.Fatal(err)
	}
	if err := b.opt.Step(); err != nil {
		t.Fatal(err)
	}
	for i := range a.d32 {
		if j := testbuf.FirstDiff(a.d32[i], b.d32[i]); j >= 0 {
			t.Fatalf("float32 parameter %d differs at %d", i, j)
		}
	}
	for i := range a.d64 {
		if j := testbuf.FirstDiff(a.d64[i], b.d64[i]); j >= 0 {
			t.Fatalf("float64 parameter %d differs at %d", i, j)
		}
	}
	if got := a.opt.PendingGradScale(); got != 1 {
		t.Errorf("after Step PendingGradScale is %v, want 1", got)
	}
	if a.opt.Hyper(0).GradScale != 0 {
		t.Errorf("the fused clip changed the group's GradScale for good")
	}
	a.opt.ClipGradNorm(0.25, &ClipOptions{Fused: true})
	a.opt.ZeroGrad()
	if got := a.opt.PendingGradScale(); got != 1 {
		t.Errorf("after ZeroGrad PendingGradScale is %v, want 1", got)
	}
}

// TestClipGradNormNonfinite: an infinite or NaN gradient gives an
// infinite or NaN norm; with ErrorIfNonfinite that is an error and nothing
// changes, without it the gradients are scaled by 0 or NaN, as in PyTorch.
func TestClipGradNormNonfinite(t *testing.T) {
	for _, bad := range []float32{float32(math.Inf(-1)), float32(math.NaN())} {
		opt, _ := New(kernels.DefaultSGD(), nil, nil)
		g := []float32{1, bad, 2}
		opt.Add32(0, Param32{Name: "w", Data: make([]float32, 3), Grad: g})
		norm, err := opt.ClipGradNorm(1, &ClipOptions{ErrorIfNonfinite: true, Fused: true})
		if !errors.Is(err, ErrNonfiniteNorm) || !(math.IsInf(norm, 1) || math.IsNaN(norm)) {
			t.Errorf("%v: norm %v, error %v", bad, norm, err)
		}
		if g[0] != 1 || g[2] != 2 || opt.PendingGradScale() != 1 {
			t.Errorf("%v: an error changed the gradients or left a coefficient", bad)
		}
		if _, err := opt.ClipGradNorm(1, &ClipOptions{Fused: true}); err != nil {
			t.Fatal(err)
		}
		if !math.IsNaN(float64(g[1])) || (math.IsInf(float64(bad), 0) && g[0] != 0) || (math.IsNaN(float64(bad)) && !math.IsNaN(float64(g[0]))) {
			t.Errorf("%v: gradients %v after clipping", bad, g)
		}
	}
}

func TestClipGradNormErrors(t *testing.T) {
	opt, _ := New(kernels.DefaultSGD(), nil, nil)
	g := []float32{1, 2}
	opt.Add32(0, Param32{Name: "w", Data: make([]float32, 2), Grad: g})
	for _, c := range []struct {
		max  float64
		opts *ClipOptions
	}{{-1, nil}, {math.NaN(), nil}, {1, &ClipOptions{NormType: 1}}, {1, &ClipOptions{NormType: math.Inf(-1)}}} {
		if _, err := opt.ClipGradNorm(c.max, c.opts); err == nil || g[0] != 1 {
			t.Errorf("ClipGradNorm(%v, %+v): error %v, gradients %v", c.max, c.opts, err, g)
		}
	}
	for _, c := range []float64{-1, math.NaN()} {
		if err := opt.ClipGradValue(c); err == nil {
			t.Errorf("ClipGradValue(%v): no error", c)
		}
	}
}

func TestClipGradValue(t *testing.T) {
	opt, _ := New(kernels.DefaultSGD(), nil, &Config{Shard: &Shard{Lo: 0, Hi: 1}})
	nan := float32(math.NaN())
	g := []float32{-5, 0.05, 0.3, float32(math.Inf(1)), nan, -0.1}
	h := []float64{-5, 0.05, 0.3, math.Inf(1), math.NaN(), -0.1}
	opt.Add32(0, Param32{Name: "w", Data: make([]float32, len(g)), Grad: g})
	opt.Add64(0, Param64{Name: "b", Data: make([]float64, len(h)), Grad: h})
	if err := opt.ClipGradValue(0.1); err != nil {
		t.Fatal(err)
	}
	c := float32(0.1)
	want := []float32{-c, 0.05, c, c, nan, -c}
	if testbuf.FirstDiff(g, want) >= 0 {
		t.Errorf("float32 gradients %v, want %v", g, want)
	}
	want64 := []float64{-0.1, 0.05, 0.1, 0.1, math.NaN(), -0.1}
	if testbuf.FirstDiff(h, want64) >= 0 {
		t.Errorf("float64 gradients %v, want %v", h, want64)
	}
}

func TestClipGradNormNoAllocs(t *testing.T) {
	m := newClipModel(t, nil, 4, 0) // (a pool may allocate a batch while a helper still holds one)
	m.opt.ClipGradNorm(1e30, nil)
	if n := testing.AllocsPerRun(10, func() { m.opt.ClipGradNorm(1e30, &ClipOptions{Fused: true}) }); n != 0 {
		t.Errorf("%v allocations per ClipGradNorm", n)
	}
}
