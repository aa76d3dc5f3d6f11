// Package famtest holds the family-wide tests of fusedopt's generated
// kernels: every variant of every kernel family, at every supported level,
// must give the generic level's bits for any inputs and any scalars,
// must touch nothing outside its slices, and must reproduce the golden
// digests on every architecture. Package kernels runs them on the
// optimizers and internal/limits on the benchmarks' limit kernels, each
// on the list of families the generator describes for it
// (families_test.go).
//
// No test here knows what a kernel computes: a family added to the
// generator is covered without a change here. Like internal/testbuf, it
// is an ordinary package so that both packages' tests share it; nothing
// in it is meant for production code.
package famtest

import (
	"fmt"
	"hash/fnv"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// Family is one family of generated kernels (an optimizer's, or a limit
// kernel's), described for tests that treat every family alike.
type Family struct {
	Name     string
	Streams  []string // slice arguments, in order
	Written  []bool   // which streams the kernels store to
	Scalars  []string // per-step scalars, in array order
	Variants []string // variant names by table index ("" is the plain one)
	// Run32 and Run64 call variant v at a level (an internal/cpulevel
	// level, which must be supported) on slices sl with scalars s.
	Run32 func(level uint8, v int, sl [][]float32, s []float32)
	Run64 func(level uint8, v int, sl [][]float64, s []float64)
}

// FastLevels is every supported level other than Generic, the levels that
// must match Generic. It logs each level it leaves out, so that a run on a
// machine without AVX-512 says so instead of passing quietly.
func FastLevels(t *testing.T) []uint8 {
	t.Helper()
	var ls []uint8
	for l := uint8(0); cpulevel.Name(l) != ""; l++ {
		switch {
		case l == cpulevel.Generic:
		case cpulevel.Supported(l):
			ls = append(ls, l)
		default:
			t.Logf("level %s: skipped, not supported by this CPU and build (supported: %v)", cpulevel.Name(l), levelNames(cpulevel.Detect()))
		}
	}
	if len(ls) == 0 {
		t.Logf("only the generic level runs here: nothing to compare it with")
	}
	return ls
}

// AllLevels is every supported level, Generic included, logging the rest.
func AllLevels(t *testing.T) []uint8 {
	t.Helper()
	return append(FastLevels(t), cpulevel.Generic)
}

func levelNames(ls []uint8) []string {
	var names []string
	for _, l := range ls {
		names = append(names, cpulevel.Name(l))
	}
	return names
}

// prec names F's precision: "float32" or "float64".
func prec[F testbuf.Float]() string {
	if testbuf.Size[F]() == 4 {
		return "float32"
	}
	return "float64"
}

// variantName names variant v of f in test names and messages; the plain
// variant (named "") is "plain".
func variantName(f *Family, v int) string {
	if f.Variants[v] == "" {
		return "plain"
	}
	return f.Variants[v]
}

// run calls variant v of f at level l, in F.
func run[F testbuf.Float](f *Family, l uint8, v int, sl [][]F, s []F) {
	switch sl := any(sl).(type) {
	case [][]float32:
		f.Run32(l, v, sl, any(s).([]float32))
	case [][]float64:
		f.Run64(l, v, sl, any(s).([]float64))
	}
}

// seed is a seed derived from names, so that a family's inputs do not
// change when families are added, removed or reordered.
func seed(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// random is a random normal value of F with a binary exponent in
// [minExp, maxExp] and a random sign.
func random[F testbuf.Float](r *testbuf.Rand, minExp, maxExp int) F {
	if testbuf.Size[F]() == 4 {
		return F(r.Float32(minExp, maxExp))
	}
	return F(r.Float64(minExp, maxExp))
}

// abs clears the sign bit (without float arithmetic, so NaNs keep their
// payload and the result is portable).
func abs[F testbuf.Float](x F) F {
	sign := uint64(1) << 63
	if testbuf.Size[F]() == 4 {
		sign = 1 << 31
	}
	return testbuf.FromBits[F](testbuf.Bits(x) &^ sign)
}

// fill fills s with values of mixed magnitudes: mostly moderate (2^-12
// to 2^4), one in eight tiny (2^-40 to 2^-13) and one in eight large (2^5
// to 2^40), with random signs, or all non-negative if nonneg.
func fill[F testbuf.Float](r *testbuf.Rand, s []F, nonneg bool) {
	for i := range s {
		var x F
		switch r.Intn(8) {
		case 0:
			x = random[F](r, -40, -13)
		case 1:
			x = random[F](r, 5, 40)
		default:
			x = random[F](r, -12, 4)
		}
		if nonneg {
			x = abs(x)
		}
		s[i] = x
	}
}

// inputs are n elements of every stream of f: mixed magnitudes, random
// signs (every stream non-negative if nonneg, so that square roots of
// state see valid values too) and, if every > 0, special values sprinkled
// at a rate of 1/every into every stream.
func inputs[F testbuf.Float](r *testbuf.Rand, f *Family, n, every int, nonneg bool) [][]F {
	in := make([][]F, len(f.Streams))
	for i := range in {
		in[i] = make([]F, n)
		fill(r, in[i], nonneg)
		if every > 0 {
			testbuf.Sprinkle(r, in[i], every)
		}
	}
	return in
}

// clone copies every stream.
func clone[F testbuf.Float](in [][]F) [][]F {
	c := make([][]F, len(in))
	for i, s := range in {
		c[i] = append([]F(nil), s...)
	}
	return c
}

// scalarSet is a named set of per-step scalars for one family.
type scalarSet[F testbuf.Float] struct {
	name string
	s    []F
}

// plausible is a set of scalars like an optimizer's: every magnitude in
// [2^-13, 1), about [1.2e-4, 1), so decay factors land in [0, 1); negative
// ones too if signed.
func plausible[F testbuf.Float](r *testbuf.Rand, n int, signed bool) []F {
	s := make([]F, n)
	for i := range s {
		x := random[F](r, -13, -1)
		if !signed {
			x = abs(x)
		}
		s[i] = x
	}
	return s
}

// scalarSets are the scalar sets every kernel of f runs with: random
// plausible ones first (the length sweep uses the first), then edge sets.
// The kernels must match the generic level whatever the scalars, so the
// edge sets need not make sense as hyperparameters.
func scalarSets[F testbuf.Float](f *Family) []scalarSet[F] {
	n := len(f.Scalars)
	r := testbuf.NewRand(seed("scalars", f.Name, prec[F]()))
	all := func(x F) []F {
		s := make([]F, n)
		for i := range s {
			s[i] = x
		}
		return s
	}
	special := func(name string) F {
		for _, sp := range testbuf.SpecialTable {
			if sp.Name == name {
				return testbuf.SpecialValue[F](sp)
			}
		}
		panic("no special value " + name)
	}
	sets := []scalarSet[F]{
		{"plausible", plausible[F](r, n, false)},
		{"plausible2", plausible[F](r, n, false)},
		{"signed", plausible[F](r, n, true)},
		{"zeros", all(0)},
		{"ones", all(1)},
		{"huge", all(special("+huge"))},
		{"tiny", all(special("+min-subnormal"))},
		{"negative", all(special("-0.75"))},
	}
	// Each scalar drawn from edge values and plausible ones, twice, and
	// each scalar a random special value (infinities, NaNs, signed zeros).
	pool := []F{0, 1, special("-0"), special("+huge"), special("+min-subnormal"), special("-min-normal"), special("-0.75")}
	for k := range 2 {
		s := plausible[F](r, n, true)
		for i := range s {
			if r.Intn(2) == 0 {
				s[i] = pool[r.Intn(len(pool))]
			}
		}
		sets = append(sets, scalarSet[F]{fmt.Sprintf("edge-mix%d", k), s})
	}
	sp := testbuf.Specials[F]()
	s := make([]F, n)
	for i := range s {
		s[i] = sp[r.Intn(len(sp))]
	}
	sets = append(sets, scalarSet[F]{"specials", s})
	return sets
}

// describeElem lists every stream's input at index j, by name, in hex.
func describeElem[F testbuf.Float](f *Family, in [][]F, j int) string {
	var b strings.Builder
	for i, s := range in {
		if j < len(s) {
			fmt.Fprintf(&b, "%s=%s ", f.Streams[i], testbuf.Hex(s[j]))
		}
	}
	return strings.TrimSpace(b.String())
}

// describeScalars lists the scalars by name, in hex.
func describeScalars[F testbuf.Float](f *Family, s scalarSet[F]) string {
	var parts []string
	for i, x := range s.s {
		name := fmt.Sprint(i)
		if i < len(f.Scalars) {
			name = f.Scalars[i]
		}
		parts = append(parts, name+"="+testbuf.Hex(x))
	}
	return fmt.Sprintf("scalars %q: %s", s.name, strings.Join(parts, " "))
}

// what is the head of a failure message: which kernel, where.
func what[F testbuf.Float](f *Family, v int, l uint8, n, offset int) string {
	return fmt.Sprintf("family %s, variant %s, level %s, %s, n=%d, offset=%d",
		f.Name, variantName(f, v), cpulevel.Name(l), prec[F](), n, offset)
}

// firstDiff compares got with want stream by stream (NaN == NaN) and
// describes the first difference, or returns "".
func firstDiff[F testbuf.Float](f *Family, got, want, in [][]F) string {
	for i := range got {
		if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
			return fmt.Sprintf("stream %s: first difference at index %d: got %s, generic gives %s\ninputs at %d: %s",
				f.Streams[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]), j, describeElem(f, in, j))
		}
	}
	return ""
}

// checkMeta fails unless f's description is consistent: one written flag
// per stream, a stream that is written, a plain variant or named ones.
func checkMeta(t *testing.T, f *Family) {
	t.Helper()
	if len(f.Written) != len(f.Streams) || len(f.Streams) == 0 || len(f.Variants) == 0 || f.Run32 == nil || f.Run64 == nil {
		t.Fatalf("family %s is described inconsistently: %d streams, %d written flags, %d variants",
			f.Name, len(f.Streams), len(f.Written), len(f.Variants))
	}
}

// unwritten reports the first stream the generic kernel changed although
// f says it only reads it ("" if none): the description must be right for
// the digests and comparisons to mean what they say.
func unwritten[F testbuf.Float](f *Family, after, before [][]F) string {
	for i, w := range f.Written {
		if w {
			continue
		}
		if j := testbuf.FirstDiff(after[i], before[i]); j >= 0 {
			return fmt.Sprintf("the generic kernel wrote stream %s, which the family lists as read-only: %s[%d] %s -> %s",
				f.Streams[i], f.Streams[i], j, testbuf.Hex(before[i][j]), testbuf.Hex(after[i][j]))
		}
	}
	return ""
}
