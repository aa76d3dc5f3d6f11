package kernels

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// This file holds what the level tests share: which levels to test, the
// hyperparameter mixes and variants, and a comparison of one kernel call
// against the generic kernel that reports the first differing element.

// knownLevels is every level the package names, supported here or not.
func knownLevels() []Level {
	var ls []Level
	for l := Level(0); !strings.HasPrefix(l.String(), "Level("); l++ {
		ls = append(ls, l)
	}
	return ls
}

// fastLevels is every supported level other than Generic, the levels that
// must match Generic. It logs each level it leaves out, so that a run on a
// machine without AVX-512 says so instead of passing quietly.
func fastLevels(t *testing.T) []Level {
	t.Helper()
	var ls []Level
	for _, l := range knownLevels() {
		switch {
		case l == Generic:
		case Supported(l):
			ls = append(ls, l)
		default:
			t.Logf("level %v: skipped, not supported by this CPU and build (supported: %v)", l, Levels())
		}
	}
	if len(ls) == 0 {
		t.Logf("only the generic level runs here: nothing to compare it with")
	}
	return ls
}

// allLevels is every supported level, Generic included, logging the rest.
func allLevels(t *testing.T) []Level {
	t.Helper()
	return append(fastLevels(t), Generic)
}

// withLevel makes l the active level for the rest of the test.
func withLevel(t *testing.T, l Level) {
	t.Helper()
	old, err := SetLevel(l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SetLevel(old) })
}

// adamCase is a hyperparameter mix and the step number it runs at.
type adamCase struct {
	name string
	a    Adam
	t    int
}

// adamCases mix every option of Adam; each runs in every variant (see
// variantOf), so decoupled decay, maximize, gradient scaling and the bias
// corrections each meet coupled decay and AMSGrad both on and off.
func adamCases() []adamCase {
	tuned := Adam{LR: 0.1, Beta1: 0.8, Beta2: 0.95, Eps: 1e-6, NoBiasCorrection: true}
	edge := Adam{LR: 3e-4, Beta1: 0, Beta2: 0, Eps: 1e-3, GradScale: 1e-30}
	return []adamCase{
		{"default/t1", DefaultAdam(), 1},
		{"adamw/t7", DefaultAdamW(), 7},
		{"maximize-gradscale/t100", Adam{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Maximize: true, GradScale: 1.0 / 128, WeightDecay: 0.3}, 100},
		{"no-bias-correction/t2", tuned, 2},
		{"zero-betas-tiny-scale/t1000000", edge, 1_000_000},
		{"big-decay/t3", Adam{LR: 0.5, Beta1: 0.99, Beta2: 0.9999, Eps: 1e-8, WeightDecay: 1.5, Decoupled: true}, 3},
	}
}

// variantOf is a with coupled decay and AMSGrad as asked: coupled takes
// the case's weight decay (or 0.05) as an L2 term; otherwise any weight
// decay is decoupled (AdamW).
func variantOf(a Adam, coupled, amsgrad bool) Adam {
	a.AMSGrad = amsgrad
	if coupled {
		a.Decoupled = false
		if a.WeightDecay == 0 {
			a.WeightDecay = 0.05
		}
	} else if a.WeightDecay != 0 {
		a.Decoupled = true
	}
	return a
}

// variants lists the four (coupled, amsgrad) combinations by name.
var variants = []struct {
	name             string
	coupled, amsgrad bool
}{
	{"plain", false, false},
	{"coupled", true, false},
	{"amsgrad", false, true},
	{"coupled+amsgrad", true, true},
}

// kernelFunc is the signature of every Adam kernel.
type kernelFunc[F testbuf.Float] func(param, grad, m, v, vmax []F, s [10]F)

// adamKernel is the kernel of level l for a's variant, in F.
func adamKernel[F testbuf.Float](l Level, a Adam) kernelFunc[F] {
	ks := kernelsFor(l)
	if testbuf.Size[F]() == 4 {
		return any(kernelFunc[float32](ks.adamF32[a.variant()])).(kernelFunc[F])
	}
	return any(kernelFunc[float64](ks.adamF64[a.variant()])).(kernelFunc[F])
}

// stepScalars are the per-step scalars Step32 or Step64 would pass the
// kernel for a at step t.
func stepScalars[F testbuf.Float](tb testing.TB, a Adam, t int) [10]F {
	tb.Helper()
	s, err := a.scalars(t)
	if err != nil {
		tb.Fatal(err)
	}
	var out [10]F
	for i, x := range s {
		out[i] = F(x)
	}
	if testbuf.Size[F]() == 4 {
		if err := a.checkRounded32(any(out).([10]float32)); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// slotNames names the kernel arguments in failure messages.
var slotNames = [5]string{"param", "grad", "m", "v", "vmax"}

// adamInputs are the five slices of one kernel call.
type adamInputs[F testbuf.Float] [5][]F

// clone copies every slice.
func (in adamInputs[F]) clone() adamInputs[F] {
	var c adamInputs[F]
	for i, s := range in {
		c[i] = append([]F(nil), s...)
	}
	return c
}

// randomInputs fills n elements of each slice with moderate random values
// (the moments as after a few steps: v and vmax non-negative) and, if
// every > 0, sprinkles special values at a rate of 1/every.
func randomInputs[F testbuf.Float](r *testbuf.Rand, n, every int) adamInputs[F] {
	var in adamInputs[F]
	for i := range in {
		in[i] = make([]F, n)
	}
	testbuf.Fill(r, in[0], -4, 3)
	testbuf.Fill(r, in[1], -12, 2)
	testbuf.Fill(r, in[2], -12, 0)
	testbuf.FillNonNeg(r, in[3], -24, 0)
	testbuf.FillNonNeg(r, in[4], -24, 0)
	if every > 0 {
		for _, s := range in {
			testbuf.Sprinkle(r, s, every)
		}
	}
	return in
}

// compareWithGeneric runs level l's kernel on guarded copies of in (each
// starting offset elements past a 64-byte boundary) and the generic kernel
// on plain copies, then compares every slice element by element (NaNs
// compare equal whatever their payload) and checks every guard band. It
// returns a description of the first difference, or "".
func compareWithGeneric[F testbuf.Float](l Level, a Adam, s [10]F, in adamInputs[F], offset int) string {
	want := in.clone()
	adamKernel[F](Generic, a)(want[0], want[1], want[2], want[3], want[4], s)

	var g [5]*testbuf.Guarded[F]
	for i := range g {
		g[i] = testbuf.GuardedCopy(in[i], offset)
	}
	adamKernel[F](l, a)(g[0].S, g[1].S, g[2].S, g[3].S, g[4].S, s)

	for i := range g {
		if err := g[i].Check(slotNames[i]); err != nil {
			return fmt.Sprintf("%v\n%s", err, describeCall(a, s, len(in[0]), offset))
		}
		if j := testbuf.FirstDiff(g[i].S, want[i]); j >= 0 {
			return fmt.Sprintf("%s[%d] = %s, generic gives %s\ninputs at %d: %s\n%s",
				slotNames[i], j, testbuf.Hex(g[i].S[j]), testbuf.Hex(want[i][j]), j, describeElem(in, j),
				describeCall(a, s, len(in[0]), offset))
		}
	}
	return ""
}

// describeElem lists the five inputs at index j, in hex.
func describeElem[F testbuf.Float](in adamInputs[F], j int) string {
	var b strings.Builder
	for i, s := range in {
		if j < len(s) {
			fmt.Fprintf(&b, "%s=%s ", slotNames[i], testbuf.Hex(s[j]))
		}
	}
	return b.String()
}

// describeCall is the rest of a failing call: length, offset, variant,
// hyperparameters and scalars.
func describeCall[F testbuf.Float](a Adam, s [10]F, n, offset int) string {
	var hex []string
	for _, x := range s {
		hex = append(hex, testbuf.Hex(x))
	}
	return fmt.Sprintf("n=%d offset=%d variant=%d %+v\nscalars=[%s]", n, offset, a.variant(), a, strings.Join(hex, " "))
}
