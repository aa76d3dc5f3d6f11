package kernels

import (
	"errors"
	"math"
	"runtime"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// bf16Lengths are the lengths the level tests sweep: every length
// through several vectors of every level (AVX-512: 16 lanes, 4 unrolled;
// AVX2: 8, 2 unrolled; NEON: 4, 4 unrolled) and around larger blocks.
func bf16Lengths() []int {
	var ns []int
	for n := 0; n <= 136; n++ {
		ns = append(ns, n)
	}
	return append(ns, 191, 192, 193, 255, 256, 257)
}

// TestBF16LevelsMatchGeneric compares every level with the pure-Go
// kernel, bit for bit, for every variant, length and start offset, with
// special values mixed in, and checks that nothing outside the slices is
// written.
func TestBF16LevelsMatchGeneric(t *testing.T) {
	r := testbuf.NewRand(1)
	for _, l := range fastLevels(t) {
		for ci, c := range bf16Cases() {
			for _, n := range bf16Lengths() {
				if testing.Short() && ci%3 != 0 && n > 40 && n%7 != 0 {
					continue
				}
				in := randomBF16Inputs(r, n, 5)
				for offset := range 4 {
					if msg := compareBF16WithGeneric(t, l, c, in, offset); msg != "" {
						t.Fatalf("level %v: %s", l, msg)
					}
				}
			}
		}
	}
}

// TestBF16Specials steps every pair of special values (as param, m, v and
// grad alike) on every level and checks that NaN stays NaN, that the
// infinities stay infinite unless the arithmetic makes them NaN, and that
// the levels agree.
func TestBF16Specials(t *testing.T) {
	var sp []float32
	for _, s := range testbuf.Specials[float32]() {
		sp = append(sp, s)
	}
	// NaNs whose low 16 bits a rounding bias would carry out of (into
	// the sign, or out of the top), or truncate to Inf: a float32
	// gradient can hold them; a bfloat16 cannot.
	for _, b := range []uint32{0x7fffffff, 0xffffffff, 0x7f800001, 0xff80ffff} {
		sp = append(sp, math.Float32frombits(b))
	}
	n := len(sp) * len(sp)
	in := bf16Inputs{param: make([]BF16, n), m: make([]BF16, n), v: make([]BF16, n), grad16: make([]BF16, n), grad: make([]float32, n)}
	for i := range n {
		a, b := sp[i/len(sp)], sp[i%len(sp)]
		in.param[i], in.grad[i], in.grad16[i] = BF16From32(a), b, BF16From32(b)
		in.m[i], in.v[i] = BF16From32(b), BF16From32(float32(math.Abs(float64(a))))
	}
	for _, c := range bf16Cases() {
		for _, l := range fastLevels(t) {
			if msg := compareBF16WithGeneric(t, l, c, in, 1); msg != "" {
				t.Fatalf("level %v: %s", l, msg)
			}
		}
		want := step32Reference(t, c, in)
		out := in.clone()
		stepBF16At(t, Generic, c, out)
		for s, got := range [][]BF16{out.param, out.m, out.v} {
			if (c.sgd != nil || c.lion != nil) && s == 2 {
				break
			}
			for i := range n {
				w := want[s][i]
				if isNaN16(got[i]) != (w != w) || (math.IsInf(float64(w), 0) && got[i].Float32() != w) {
					t.Fatalf("stream %d [%d]: float32 %#08x stored as %#04x (%v)", s, i, math.Float32bits(w), got[i], c)
				}
			}
		}
	}
}

// TestBF16GuardPages places every slice against a PROT_NONE page: a
// kernel that reads or writes one element too far faults.
func TestBF16GuardPages(t *testing.T) {
	pages := make([]*testbuf.Pages, 5)
	for i := range pages {
		p, err := testbuf.NewPages(4096)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Free()
		pages[i] = p
	}
	if !pages[0].Protected {
		t.Log("no guard pages on this system: the test runs without them")
	}
	r := testbuf.NewRand(2)
	for _, l := range allLevels(t) {
		for _, c := range bf16Cases()[:8] {
			for n := 0; n <= 80; n++ {
				src := randomBF16Inputs(r, n, 0)
				in := bf16Inputs{param: testbuf.AtEnd[BF16](pages[0], n), m: testbuf.AtEnd[BF16](pages[1], n), v: testbuf.AtEnd[BF16](pages[2], n),
					grad16: testbuf.AtEnd[BF16](pages[3], n), grad: testbuf.AtEnd[float32](pages[4], n)}
				copy(in.param, src.param)
				copy(in.m, src.m)
				copy(in.v, src.v)
				copy(in.grad16, src.grad16)
				copy(in.grad, src.grad)
				if err := testbuf.CatchFault(func() { stepBF16At(t, l, c, in) }); err != nil {
					t.Fatalf("level %v n=%d %v: %v", l, n, c, err)
				}
			}
		}
	}
}

// TestBF16MatchesStep32ThenRounding checks the pure-Go kernel against an
// independent reference: Step32 on the widened values (the same float32
// arithmetic in the same order), then the documented rounding of each
// stored value, with the random bits recomputed from the documented hash.
func TestBF16MatchesStep32ThenRounding(t *testing.T) {
	withLevel(t, Generic)
	r := testbuf.NewRand(3)
	for _, c := range bf16Cases() {
		n := 300
		in := randomBF16Inputs(r, n, 7)
		want := step32Reference(t, c, in)
		out := in.clone()
		stepBF16(t, c, out)
		streams := []struct {
			name   string
			stream uint64
			want   []float32
			got    []BF16
		}{{"param", 0, want[0], out.param}, {"m", 1, want[1], out.m}, {"v", 2, want[2], out.v}}
		if c.sgd != nil || c.lion != nil {
			streams = streams[:2] // param and m (SGD's buf, which stays as it was without momentum)
		}
		for _, s := range streams {
			if c.sgd != nil && c.sgd.Momentum == 0 && s.name == "m" {
				if j := sameBF16(out.m, in.m); j >= 0 {
					t.Fatalf("SGD without momentum changed buf[%d]", j)
				}
				continue
			}
			key := refKey(c.r.Seed, c.t)
			for i := range n {
				bits := refStreamBits(refLowbias32(uint32(c.r.Offset)+uint32(i)+key), s.stream)
				want := refRound(s.want[i], c.r.Stochastic, bits)
				if sameBF16(s.got[i:i+1], []BF16{want}) >= 0 {
					t.Fatalf("%s[%d] = %#04x, want %#04x from float32 %#08x, bits %#04x (%v)",
						s.name, i, s.got[i], want, math.Float32bits(s.want[i]), bits, c)
				}
			}
		}
	}
}

// TestBF16Chunks checks that stepping [0:n] equals stepping [0:k] and
// [k:n] with Offset k: the random bits follow the global index.
func TestBF16Chunks(t *testing.T) {
	r := testbuf.NewRand(4)
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, k := range []int{0, 1, 7, 33, 64, 100, 199} {
			c := bf16Case{a: DefaultAdamW(), t: 9, r: Rounding{Stochastic: true, Seed: 5, Offset: 1000}}
			in := randomBF16Inputs(r, 200, 0)
			whole, parts := in.clone(), in.clone()
			c.a.StepBF16(c.t, c.r, whole.param, whole.grad, whole.m, whole.v)
			r0, r1 := c.r, c.r
			r1.Offset += uint64(k)
			c.a.StepBF16(c.t, r0, parts.param[:k], parts.grad[:k], parts.m[:k], parts.v[:k])
			c.a.StepBF16(c.t, r1, parts.param[k:], parts.grad[k:], parts.m[k:], parts.v[k:])
			for _, p := range [][2][]BF16{{whole.param, parts.param}, {whole.m, parts.m}, {whole.v, parts.v}} {
				if j := sameBF16(p[1], p[0]); j >= 0 {
					t.Fatalf("level %v split at %d: element %d = %#04x, whole step gives %#04x", l, k, j, p[1][j], p[0][j])
				}
			}
		}
	}
}

// TestStochasticRoundingExactlyUnbiased runs the kernels' rounding over
// all 65536 values of the random bits: the number that round up must be
// exactly the value's distance from the bfloat16 below, in units of
// 2^-16 of its last place, so that the mean of the roundings is the value
// itself, exactly.
func TestStochasticRoundingExactlyUnbiased(t *testing.T) {
	r := testbuf.NewRand(6)
	xs := []float32{1 + 0x1p-10, -3.14159, 0x1p-130, 0x1.fep127 + 0x1p110, 1e-3}
	for range 200 {
		xs = append(xs, r.Float32(-126, 127))
	}
	for _, x := range xs {
		u := math.Float32bits(x)
		ups := uint32(0)
		for bias := range uint32(1 << 16) {
			if got := BF16(roundBF16Bits(u, bias) >> 16); got != BF16(u>>16) {
				ups++
			}
		}
		if ups != u&0xffff {
			t.Errorf("%g: %d of 65536 round up, want %d", x, ups, u&0xffff)
		}
	}
}

// TestStochasticRoundingMean steps m with Beta1 = 0 (so m = grad exactly
// before rounding) over many elements and steps, all with the same
// gradient x, and checks that the mean of the stored m is x within 6
// standard deviations of a mean of independent Bernoulli roundings:
// ulp*sqrt(p(1-p)/N), p the fraction of an ulp x lies above the
// bfloat16 below.
func TestStochasticRoundingMean(t *testing.T) {
	const n, steps = 1 << 14, 8
	for _, x := range []float32{1 + 1.0/3*0x1p-7, 0.1, -7.77e-5} {
		grad := make([]float32, n)
		for i := range grad {
			grad[i] = x
		}
		a := Adam{LR: 1e-3, Beta1: 0, Beta2: 0.5, Eps: 1e-8}
		var sum float64
		for step := 1; step <= steps; step++ {
			p, m, v := make([]BF16, n), make([]BF16, n), make([]BF16, n)
			if err := a.StepBF16(step, Rounding{Stochastic: true, Seed: 11}, p, grad, m, v); err != nil {
				t.Fatal(err)
			}
			for _, b := range m {
				sum += float64(b.Float32())
			}
		}
		mean := sum / (n * steps)
		down := float64(BF16(math.Float32bits(x) >> 16).Float32())
		ulp := float64((BF16(math.Float32bits(x)>>16) + 1).Float32()) - down
		p := (float64(x) - down) / ulp
		sigma := math.Abs(ulp) * math.Sqrt(p*(1-p)/(n*steps))
		if d := math.Abs(mean - float64(x)); d > 6*sigma {
			t.Errorf("x=%g: mean of %d roundings %g, off by %.3g = %.1f sigma", x, n*steps, mean, d, d/sigma)
		}
	}
}

// TestHashBitBalance checks each of the 48 random bits (16 per stream)
// over 2^20 consecutive indexes: set about half the time, within 6
// standard deviations (sqrt(N)/2) of N/2; and the pairs of streams: the
// top bits of two streams agree about half the time, also within 6
// standard deviations.
func TestHashBitBalance(t *testing.T) {
	const n = 1 << 20
	key := refKey(1, 1)
	var counts [3][16]int
	var agree [3]int
	for i := range uint32(n) {
		x := refLowbias32(i + key)
		var bits [3]uint32
		for s := range bits {
			bits[s] = refStreamBits(x, uint64(s))
			for b := range 16 {
				counts[s][b] += int(bits[s] >> b & 1)
			}
		}
		for s := range agree {
			agree[s] += int(^(bits[s]^bits[(s+1)%3])>>15) & 1
		}
	}
	tooFar := func(c int) bool { return math.Abs(float64(c)-n/2) > 6*math.Sqrt(n)/2 }
	for s := range counts {
		for b, c := range counts[s] {
			if tooFar(c) {
				t.Errorf("stream %d: bit %d set %d times of %d", s, b, c, n)
			}
		}
		if tooFar(agree[s]) {
			t.Errorf("streams %d and %d: top bits agree %d times of %d", s, (s+1)%3, agree[s], n)
		}
	}
}

// TestBF16RoundingEdges pins the documented behaviour at the edges, in
// both modes: a NaN with zero low bits (all the kernels compute) stays that
// NaN, ±Inf stays ±Inf, the largest bfloat16 stays, and float32's largest
// finite rounds to Inf (nearest: it is above the midpoint; stochastic:
// unless all 16 random bits are 0); and BF16From32's NaNs.
func TestBF16RoundingEdges(t *testing.T) {
	for _, c := range []struct {
		bits uint32
		bias uint32
		want BF16
	}{
		{0x7fc00000, 0xffff, 0x7fc0}, {0xffc00000, 0xffff, 0xffc0}, {0x7f810000, 0xffff, 0x7f81}, {0xffff0000, 0xffff, 0xffff},
		{0x7f800000, 0xffff, 0x7f80}, {0xff800000, 0xffff, 0xff80},
		{0x7f7f0000, 0xffff, 0x7f7f}, {0x7f7fffff, 1, 0x7f80}, {0x7f7fffff, 0, 0x7f7f},
		{0xff7fffff, 1, 0xff80}, {0x00000001, 0xffff, 0x0001}, {0x00000001, 0xfffe, 0x0000},
	} {
		if got := BF16(roundBF16Bits(c.bits, c.bias) >> 16); got != c.want {
			t.Errorf("%#08x + %#04x: %#04x, want %#04x", c.bits, c.bias, got, c.want)
		}
	}
	for _, c := range []struct {
		x    uint32
		want BF16
	}{{0x7f7fffff, 0x7f80}, {0x7f7f7fff, 0x7f7f}, {0x7f7f8000, 0x7f80}, {0x3f808000, 0x3f80}, {0x3f818000, 0x3f82},
		{0x7fa00001, 0x7fe0}, {0x7f800001, 0x7fc0}, {0xffffffff, 0xffff}, {0xff80ffff, 0xffc0}} {
		if got := BF16From32(math.Float32frombits(c.x)); got != c.want {
			t.Errorf("BF16From32(%#08x) = %#04x, want %#04x", c.x, got, c.want)
		}
	}
}

// TestBF16Errors checks AMSGrad's rejection, the hyperparameter errors
// (nothing changes), the length panics and the overlap panics.
func TestBF16Errors(t *testing.T) {
	p, m, v := []BF16{1, 2}, []BF16{3, 4}, []BF16{5, 6}
	g := []float32{1, 2}
	a := DefaultAdam()
	a.AMSGrad = true
	var pe *ParamError
	if err := a.StepBF16(1, RoundNearestEven, p, g, m, v); !errors.As(err, &pe) || pe.Field != "AMSGrad" {
		t.Errorf("AMSGrad: %v", err)
	}
	a = DefaultAdam()
	a.Beta1 = 2
	if err := a.StepBF16Grad(1, RoundNearestEven, p, p, m, v); !errors.As(err, &pe) || pe.Field != "Beta1" {
		t.Errorf("Beta1 = 2: %v", err)
	}
	if err := DefaultAdam().StepBF16(0, RoundNearestEven, p, g, m, v); !errors.As(err, &pe) || pe.Field != "t" {
		t.Errorf("t = 0: %v", err)
	}
	if p[0] != 1 || m[0] != 3 || v[0] != 5 {
		t.Error("a rejected step changed the slices")
	}
	mustPanic(t, "len(m) = 1, want len(param) = 2", func() { DefaultAdam().StepBF16(1, RoundNearestEven, p, g, m[:1], v) }, "len(m) = 1, want len(param) = 2")
	mustPanic(t, "len(grad) = 1, want len(param) = 2", func() { DefaultAdam().StepBF16Grad(1, RoundNearestEven, p, p[:1], m, v) }, "len(grad) = 1, want len(param) = 2")
	mustPanic(t, "m and v share memory", func() { DefaultAdam().StepBF16(1, RoundNearestEven, p, g, m, m) }, "m and v share memory")
	buf := make([]BF16, 3)
	mustPanic(t, "param and grad share memory", func() { DefaultAdam().StepBF16Grad(1, RoundNearestEven, buf[:2], buf[1:], m, v) }, "param and grad share memory")
	if err := DefaultAdam().StepBF16Grad(1, RoundNearestEven, p, p, m, v); err != nil {
		t.Errorf("grad = param: %v", err)
	}
}

// TestSliceConversionLengths checks that SliceFrom32 and SliceTo32 panic
// naming both lengths, as the steps' length panics do.
func TestSliceConversionLengths(t *testing.T) {
	mustPanic(t, "SliceFrom32", func() { SliceFrom32(make([]BF16, 3), make([]float32, 5)) },
		"SliceFrom32", "len(dst) = 3, want len(src) = 5")
	mustPanic(t, "SliceTo32", func() { SliceTo32(make([]float32, 6), make([]BF16, 2)) },
		"SliceTo32", "len(dst) = 6, want len(src) = 2")
}

// TestBF16NoAllocs checks that the bfloat16 steps do not allocate (the
// parallel ones after their first calls).
func TestBF16NoAllocs(t *testing.T) {
	p, m, v, g16 := make([]BF16, 100), make([]BF16, 100), make([]BF16, 100), make([]BF16, 100)
	g := make([]float32, 100)
	a, r := DefaultAdamW(), Rounding{Stochastic: true, Seed: 1}
	step := 1
	ts := []AdamTensorBF16{{p, g, m, v, 0}}
	sgd := SGD{LR: 0.1, Momentum: 0.9}
	sts := []SGDTensorBF16Grad{{p, g16, m, 0}}
	lion, lts := DefaultLion(), []LionTensorBF16{{p, g, m, 0}}
	if n := testing.AllocsPerRun(50, func() {
		a.StepBF16(step, r, p, g, m, v)
		a.StepBF16Grad(step, r, p, g16, m, v)
		a.StepParallelBF16(nil, step, r, p, g, m, v)
		a.StepTensorsBF16(nil, step, r, ts)
		sgd.StepBF16(step, r, p, g, m)
		sgd.StepParallelBF16Grad(nil, step, r, p, g16, m)
		sgd.StepTensorsBF16Grad(nil, step, r, sts)
		lion.StepBF16Grad(step, r, p, g16, m)
		lion.StepParallelBF16(nil, step, r, p, g, m)
		lion.StepTensorsBF16(nil, step, r, lts)
		step++
	}); n != 0 && runtime.GOARCH != "wasm" {
		t.Errorf("%v allocations per call", n)
	}
}
