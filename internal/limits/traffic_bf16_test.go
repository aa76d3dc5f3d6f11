package limits

import (
	"fmt"
	"hash/fnv"
	"math"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
	"github.com/fusedopt/fusedopt/internal/famtest"
	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// The Traffic kernels of the bfloat16 steps (Entry.TrafficBF16 and
// TrafficBF16Grad) take bfloat16 slices, which internal/famtest does not:
// the tests here hold them to what famtest holds the others to (every
// level gives the generic kernel's bits, inside its slices), and the
// generic kernel to the computation it stands for.

// bf16Step is an optimizer's bfloat16 step as the kernels package
// documents it, written here rather than taken from the generator: the
// slices its Step takes (the float32 step's, Adam's vmax too; the
// gradient at gradSlice), its kernel tables' variants, and the slices
// variant v reads and writes. It reads the gradient too and leaves every
// other slice alone.
type bf16Step struct {
	name     string
	slices   int
	variants int
	written  func(v int) []int
}

const gradSlice = 1

var bf16Steps = []bf16Step{
	// Coupled decay × stochastic rounding: param, m and v.
	{name: "adam", slices: 5, variants: 4, written: func(int) []int { return []int{0, 2, 3} }},
	// Coupled decay × (plain, Momentum, Nesterov) × stochastic rounding:
	// param, and the buffer with momentum.
	{name: "sgd", slices: 3, variants: 12, written: func(v int) []int {
		if v/2%3 == 0 {
			return []int{0}
		}
		return []int{0, 2}
	}},
	// Stochastic rounding or not: param and m.
	{name: "lion", slices: 3, variants: 2, written: func(int) []int { return []int{0, 2} }},
}

// bf16Form is one of a step's two Traffic kernels: of the step with a
// bfloat16 gradient (TrafficBF16Grad) or a float32 one (TrafficBF16).
type bf16Form struct {
	name   string
	grad16 bool
}

var bf16Forms = []bf16Form{{"f32grad", false}, {"bf16grad", true}}

func (f bf16Form) kernel(e Entry) KernelBF16 {
	if f.grad16 {
		return e.TrafficBF16Grad
	}
	return e.TrafficBF16
}

// trafficField is the name of the kernelSet field holding the Traffic
// kernels of form f of an optimizer's bfloat16 step.
func (f bf16Form) trafficField(optimizer string) string {
	if f.grad16 {
		return optimizer + "BF16GradTrafficF32"
	}
	return optimizer + "BF16TrafficF32"
}

// bf16In is one call's slices: every slice of the step as bfloat16 bits
// (the gradient too, which the bfloat16-gradient form reads) and the
// float32 gradient.
type bf16In struct {
	s      [][]uint16
	grad32 []float32
}

func (in bf16In) clone() bf16In {
	c := bf16In{grad32: slices.Clone(in.grad32)}
	for _, s := range in.s {
		c.s = append(c.s, slices.Clone(s))
	}
	return c
}

// bf16Specials are bfloat16 inputs that truncating a float32 special
// does not give: NaNs with payloads (signaling ones among them, which the
// addition quiets), the largest finite values, subnormals.
var bf16Specials = []uint16{0x7f81, 0xff81, 0x7fc1, 0xffff, 0x7f7f, 0xff7f, 0x0001, 0x807f, 0x0080, 0x8000}

// randomBF16In is n elements of every slice: values of mixed magnitudes,
// whose sums have low bits to truncate, and, if every > 0, special values
// at a rate of 1/every (float32 specials truncated, and bf16Specials).
func randomBF16In(r *testbuf.Rand, slices, n, every int) bf16In {
	f := make([]float32, n)
	in := bf16In{grad32: make([]float32, n)}
	for range slices {
		testbuf.Fill(r, f, -12, 4)
		if every > 0 {
			testbuf.Sprinkle(r, f, every)
		}
		s := make([]uint16, n)
		for i, x := range f {
			s[i] = uint16(math.Float32bits(x) >> 16)
			if every > 0 && r.Intn(every) == 0 {
				s[i] = bf16Specials[r.Intn(len(bf16Specials))]
			}
		}
		in.s = append(in.s, s)
	}
	testbuf.Fill(r, in.grad32, -12, 4)
	if every > 0 {
		testbuf.Sprinkle(r, in.grad32, every)
	}
	return in
}

// trafficBF16Want is what form f of variant v of st computes, directly:
// each element of a written slice widened, plus the gradient's (float32,
// or bfloat16 widened), truncated to its high half; nothing else changes.
func trafficBF16Want(st bf16Step, f bf16Form, v int, in bf16In) bf16In {
	want := in.clone()
	for _, k := range st.written(v) {
		for i, b := range in.s[k] {
			g := in.grad32[i]
			if f.grad16 {
				g = testbuf.WidenBF16(in.s[gradSlice][i])
			}
			want.s[k][i] = uint16(math.Float32bits(testbuf.WidenBF16(b)+g) >> 16)
		}
	}
	return want
}

func isNaN16(b uint16) bool { return b&0x7fff > 0x7f80 }

// diffBF16 describes the first element at which got differs from want
// (bit for bit, any NaN equal to any NaN), with the inputs there, or "".
func diffBF16(got, want, in bf16In) string {
	for k := range want.s {
		for i, w := range want.s[k] {
			if g := got.s[k][i]; g != w && !(isNaN16(g) && isNaN16(w)) {
				return fmt.Sprintf("slice %d [%d] = %s, want %s; inputs there: %s, gradient %s (bfloat16), %s (float32)", k, i,
					testbuf.HexBF16(g), testbuf.HexBF16(w), testbuf.HexBF16(in.s[k][i]), testbuf.HexBF16(in.s[gradSlice][i]), testbuf.Hex(in.grad32[i]))
			}
		}
	}
	if i := testbuf.FirstDiff(got.grad32, want.grad32); i >= 0 {
		return fmt.Sprintf("grad32[%d] = %s, want %s (read-only)", i, testbuf.Hex(got.grad32[i]), testbuf.Hex(want.grad32[i]))
	}
	return ""
}

// runBF16 runs form f of variant v of st at level l on in, in place.
func runBF16(st bf16Step, f bf16Form, l uint8, v int, in bf16In) {
	e, _ := For(st.name)
	f.kernel(e)(l, v, in.s, in.grad32)
}

// seedOf is a seed derived from a test's name, so that each subtest has
// inputs of its own, whichever others run.
func seedOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// eachBF16Kernel calls run with every step of bf16Steps, form and
// variant, in a subtest of its own, and a random source of its own.
func eachBF16Kernel(t *testing.T, run func(t *testing.T, r *testbuf.Rand, st bf16Step, f bf16Form, v int)) {
	for _, st := range bf16Steps {
		for _, f := range bf16Forms {
			for v := range st.variants {
				t.Run(fmt.Sprintf("%s/%s/%d", st.name, f.name, v), func(t *testing.T) {
					run(t, testbuf.NewRand(seedOf(t.Name())), st, f, v)
				})
			}
		}
	}
}

// sweepBF16 calls check with every kernel of eachBF16Kernel, on inputs
// of every length of famtest.SweepLens with special values at a rate of
// 1/every, and the generic kernel's results.
func sweepBF16(t *testing.T, every int, check func(t *testing.T, st bf16Step, f bf16Form, v int, in, generic bf16In)) {
	eachBF16Kernel(t, func(t *testing.T, r *testbuf.Rand, st bf16Step, f bf16Form, v int) {
		for _, n := range famtest.SweepLens() {
			in := randomBF16In(r, st.slices, n, every)
			generic := in.clone()
			runBF16(st, f, cpulevel.Generic, v, generic)
			check(t, st, f, v, in, generic)
		}
	})
}

// TestTrafficBF16Described: bf16Steps describes every optimizer that has
// bfloat16 Traffic kernels, with both forms and as many variants as the
// kernel tables hold, and nothing else; else the tests below would
// leave some out.
func TestTrafficBF16Described(t *testing.T) {
	tables := map[string]int{}
	fields := reflect.TypeFor[kernelSet]()
	for i := range fields.NumField() {
		if f := fields.Field(i); regexp.MustCompile(`BF16(Grad)?TrafficF32$`).MatchString(f.Name) {
			tables[f.Name] = f.Type.Len()
		}
	}
	n := 0
	for _, st := range bf16Steps {
		e, ok := For(st.name)
		for _, f := range bf16Forms {
			if !ok || f.kernel(e) == nil {
				t.Errorf("For(%q) has no %s Traffic kernel", st.name, f.name)
			}
			if got := tables[f.trafficField(st.name)]; got != st.variants {
				t.Errorf("%s %s: the kernel tables have %d variants, bf16Steps says %d", st.name, f.name, got, st.variants)
			}
			n++
		}
	}
	if n != len(tables) {
		t.Errorf("the kernel tables hold %d bfloat16 Traffic families (%v), bf16Steps describes %d", len(tables), tables, n)
	}
	for name, e := range entries {
		if (e.TrafficBF16 != nil || e.TrafficBF16Grad != nil) &&
			!slices.ContainsFunc(bf16Steps, func(st bf16Step) bool { return st.name == name }) {
			t.Errorf("For(%q) has bfloat16 Traffic kernels that bf16Steps does not describe", name)
		}
	}
}

// TestTrafficBF16MatchesDirect: the generic kernel of every form and
// variant computes, bit for bit, what trafficBF16Want computes directly,
// with special values in every slice.
func TestTrafficBF16MatchesDirect(t *testing.T) {
	sweepBF16(t, 4, func(t *testing.T, st bf16Step, f bf16Form, v int, in, generic bf16In) {
		if msg := diffBF16(generic, trafficBF16Want(st, f, v, in), in); msg != "" {
			t.Fatalf("n=%d: %s", len(in.grad32), msg)
		}
	})
}

// TestTrafficBF16LevelsMatchGeneric: every level gives the generic
// kernel's bits for every form, variant and length, with special values,
// on slices that start 0 to 3 elements past a 64-byte boundary between
// guard bands, which must stay as they were.
func TestTrafficBF16LevelsMatchGeneric(t *testing.T) {
	levels := famtest.FastLevels(t)
	sweepBF16(t, 8, func(t *testing.T, st bf16Step, f bf16Form, v int, in, generic bf16In) {
		for _, l := range levels {
			for offset := range 4 {
				head := fmt.Sprintf("level %s, n=%d, offset=%d", cpulevel.Name(l), len(in.grad32), offset)
				var got bf16In
				var bands []*testbuf.GuardedBF16[uint16]
				for _, s := range in.s {
					g := testbuf.GuardedCopyBF16(s, offset)
					bands = append(bands, g)
					got.s = append(got.s, g.S)
				}
				grad := testbuf.GuardedCopy(in.grad32, offset)
				got.grad32 = grad.S
				runBF16(st, f, l, v, got)
				for k, g := range bands {
					if err := g.Check(fmt.Sprintf("slice %d", k)); err != nil {
						t.Fatalf("%s: %v", head, err)
					}
				}
				if err := grad.Check("grad32"); err != nil {
					t.Fatalf("%s: %v", head, err)
				}
				if msg := diffBF16(got, generic, in); msg != "" {
					t.Fatalf("%s differs from generic: %s", head, msg)
				}
			}
		}
	})
}

// TestTrafficBF16GuardPages: at every level, generic included, no kernel
// reads or writes an element outside its slices: every slice ends where
// an inaccessible page begins, or starts 0 to 3 elements after one ends,
// on pages of its own, and the kernel still computes what it should.
func TestTrafficBF16GuardPages(t *testing.T) {
	lens := famtest.PageLens()
	maxSlices := 0
	for _, st := range bf16Steps {
		maxSlices = max(maxSlices, st.slices)
	}
	pages := famtest.Pages(t, maxSlices+1, (lens[len(lens)-1]+3)*4) // the last for grad32
	levels := famtest.AllLevels(t)
	eachBF16Kernel(t, func(t *testing.T, r *testbuf.Rand, st bf16Step, f bf16Form, v int) {
		for _, l := range levels {
			for _, pl := range famtest.Placements {
				for _, n := range lens {
					in := randomBF16In(r, st.slices, n, 0)
					var got bf16In
					for k, s := range in.s {
						got.s = append(got.s, famtest.Place[uint16](pages[k], n, pl))
						copy(got.s[k], s)
					}
					got.grad32 = famtest.Place[float32](pages[maxSlices], n, pl)
					copy(got.grad32, in.grad32)
					head := fmt.Sprintf("level %s, n=%d, every slice at the %s of its pages", cpulevel.Name(l), n, pl.Name)
					if err := testbuf.CatchFault(func() { runBF16(st, f, l, v, got) }); err != nil {
						t.Fatalf("%s: %v (%s)", head, err, whereBF16(err, got))
					}
					if msg := diffBF16(got, trafficBF16Want(st, f, v, in), in); msg != "" {
						t.Fatalf("%s: %s", head, msg)
					}
				}
			}
		}
	})
}

// whereBF16 places a fault's address relative to every slice.
func whereBF16(err error, in bf16In) string {
	fe, ok := err.(*testbuf.FaultError)
	if !ok {
		return "not a fault"
	}
	var parts []string
	for k, s := range in.s {
		parts = append(parts, fmt.Sprintf("slice %d: %s", k, testbuf.Where(fe.Addr, s)))
	}
	return fmt.Sprint(append(parts, "grad32: "+testbuf.Where(fe.Addr, in.grad32)))
}
