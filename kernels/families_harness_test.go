package kernels

import (
	"fmt"
	"hash/fnv"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// This file holds what the family-wide tests (families_levels_test.go,
// families_guardpage_test.go, families_golden_test.go) share. They treat
// every kernel of every family in families (families_test.go, generated)
// alike, through its run32 and run64 adapters: no test here knows what an
// optimizer computes, only that every level must give the generic level's
// bits for any inputs and any scalars. A family added to the generator is
// covered without a change here.

// famPrec names F's precision: "float32" or "float64".
func famPrec[F testbuf.Float]() string {
	if testbuf.Size[F]() == 4 {
		return "float32"
	}
	return "float64"
}

// famVariant names variant v of f in test names and messages; the plain
// variant (named "") is "plain".
func famVariant(f *family, v int) string {
	if f.variants[v] == "" {
		return "plain"
	}
	return f.variants[v]
}

// famRun calls variant v of f from the kernel set ks, in F.
func famRun[F testbuf.Float](f *family, ks *kernelSet, v int, sl [][]F, s []F) {
	switch sl := any(sl).(type) {
	case [][]float32:
		f.run32(ks, v, sl, any(s).([]float32))
	case [][]float64:
		f.run64(ks, v, sl, any(s).([]float64))
	}
}

// famSeed is a seed derived from names, so that a family's inputs do not
// change when families are added, removed or reordered.
func famSeed(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// famRand is a random normal value of F with a binary exponent in
// [minExp, maxExp] and a random sign.
func famRand[F testbuf.Float](r *testbuf.Rand, minExp, maxExp int) F {
	if testbuf.Size[F]() == 4 {
		return F(r.Float32(minExp, maxExp))
	}
	return F(r.Float64(minExp, maxExp))
}

// famAbs clears the sign bit (without float arithmetic, so NaNs keep
// their payload and the result is portable).
func famAbs[F testbuf.Float](x F) F {
	sign := uint64(1) << 63
	if testbuf.Size[F]() == 4 {
		sign = 1 << 31
	}
	return testbuf.FromBits[F](testbuf.Bits(x) &^ sign)
}

// famFill fills s with values of mixed magnitudes: mostly moderate (2^-12
// to 2^4), one in eight tiny (2^-40 to 2^-13) and one in eight large (2^5
// to 2^40), with random signs, or all non-negative if nonneg.
func famFill[F testbuf.Float](r *testbuf.Rand, s []F, nonneg bool) {
	for i := range s {
		var x F
		switch r.Intn(8) {
		case 0:
			x = famRand[F](r, -40, -13)
		case 1:
			x = famRand[F](r, 5, 40)
		default:
			x = famRand[F](r, -12, 4)
		}
		if nonneg {
			x = famAbs(x)
		}
		s[i] = x
	}
}

// famInputs are n elements of every stream of f: mixed magnitudes, random
// signs (every stream non-negative if nonneg, so that square roots of
// state see valid values too) and, if every > 0, special values sprinkled
// at a rate of 1/every into every stream.
func famInputs[F testbuf.Float](r *testbuf.Rand, f *family, n, every int, nonneg bool) [][]F {
	in := make([][]F, len(f.streams))
	for i := range in {
		in[i] = make([]F, n)
		famFill(r, in[i], nonneg)
		if every > 0 {
			testbuf.Sprinkle(r, in[i], every)
		}
	}
	return in
}

// famClone copies every stream.
func famClone[F testbuf.Float](in [][]F) [][]F {
	c := make([][]F, len(in))
	for i, s := range in {
		c[i] = append([]F(nil), s...)
	}
	return c
}

// famScalars is a named set of per-step scalars for one family.
type famScalars[F testbuf.Float] struct {
	name string
	s    []F
}

// famPlausible is a set of scalars like an optimizer's: every magnitude in
// [2^-13, 1), about [1.2e-4, 1), so decay factors land in [0, 1); negative
// ones too if signed.
func famPlausible[F testbuf.Float](r *testbuf.Rand, n int, signed bool) []F {
	s := make([]F, n)
	for i := range s {
		x := famRand[F](r, -13, -1)
		if !signed {
			x = famAbs(x)
		}
		s[i] = x
	}
	return s
}

// famScalarSets are the scalar sets every kernel of f runs with: random
// plausible ones first (the length sweep uses the first), then edge sets.
// The kernels must match the generic level whatever the scalars, so the
// edge sets need not make sense as hyperparameters.
func famScalarSets[F testbuf.Float](f *family) []famScalars[F] {
	n := len(f.scalars)
	r := testbuf.NewRand(famSeed("scalars", f.name, famPrec[F]()))
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
	sets := []famScalars[F]{
		{"plausible", famPlausible[F](r, n, false)},
		{"plausible2", famPlausible[F](r, n, false)},
		{"signed", famPlausible[F](r, n, true)},
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
		s := famPlausible[F](r, n, true)
		for i := range s {
			if r.Intn(2) == 0 {
				s[i] = pool[r.Intn(len(pool))]
			}
		}
		sets = append(sets, famScalars[F]{fmt.Sprintf("edge-mix%d", k), s})
	}
	sp := testbuf.Specials[F]()
	s := make([]F, n)
	for i := range s {
		s[i] = sp[r.Intn(len(sp))]
	}
	sets = append(sets, famScalars[F]{"specials", s})
	return sets
}

// famDescribeElem lists every stream's input at index j, by name, in hex.
func famDescribeElem[F testbuf.Float](f *family, in [][]F, j int) string {
	var b strings.Builder
	for i, s := range in {
		if j < len(s) {
			fmt.Fprintf(&b, "%s=%s ", f.streams[i], testbuf.Hex(s[j]))
		}
	}
	return strings.TrimSpace(b.String())
}

// famDescribeScalars lists the scalars by name, in hex.
func famDescribeScalars[F testbuf.Float](f *family, s famScalars[F]) string {
	var parts []string
	for i, x := range s.s {
		name := fmt.Sprint(i)
		if i < len(f.scalars) {
			name = f.scalars[i]
		}
		parts = append(parts, name+"="+testbuf.Hex(x))
	}
	return fmt.Sprintf("scalars %q: %s", s.name, strings.Join(parts, " "))
}

// famWhat is the head of a failure message: which kernel, where.
func famWhat[F testbuf.Float](f *family, v int, l Level, n, offset int) string {
	return fmt.Sprintf("family %s, variant %s, level %v, %s, n=%d, offset=%d",
		f.name, famVariant(f, v), l, famPrec[F](), n, offset)
}

// famFirstDiff compares got with want stream by stream (NaN == NaN) and
// describes the first difference, or returns "".
func famFirstDiff[F testbuf.Float](f *family, got, want, in [][]F) string {
	for i := range got {
		if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
			return fmt.Sprintf("stream %s: first difference at index %d: got %s, generic gives %s\ninputs at %d: %s",
				f.streams[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]), j, famDescribeElem(f, in, j))
		}
	}
	return ""
}

// famCheckMeta fails unless f's description is consistent: one written
// flag per stream, a stream that is written, a plain variant or named ones.
func famCheckMeta(t *testing.T, f *family) {
	t.Helper()
	if len(f.written) != len(f.streams) || len(f.streams) == 0 || len(f.variants) == 0 || f.run32 == nil || f.run64 == nil {
		t.Fatalf("family %s is described inconsistently: %d streams, %d written flags, %d variants",
			f.name, len(f.streams), len(f.written), len(f.variants))
	}
}

// famUnwritten reports the first stream the generic kernel changed although
// f says it only reads it ("" if none): the description must be right for
// the digests and comparisons to mean what they say.
func famUnwritten[F testbuf.Float](f *family, after, before [][]F) string {
	for i, w := range f.written {
		if w {
			continue
		}
		if j := testbuf.FirstDiff(after[i], before[i]); j >= 0 {
			return fmt.Sprintf("the generic kernel wrote stream %s, which the family lists as read-only: %s[%d] %s -> %s",
				f.streams[i], f.streams[i], j, testbuf.Hex(before[i][j]), testbuf.Hex(after[i][j]))
		}
	}
	return ""
}
