package fuzz

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// Flag bits of FuzzRMSprop's flags byte.
const (
	rmsFlagCentered = 1 << iota
	rmsFlagEpsInSqrt
	rmsFlagMaximize
	rmsFlagNilUnused // pass nil for the slices the variant does not use
)

// FuzzRMSprop32 runs RMSprop.Step32 at every supported level on the same
// fuzzed input and demands the generic level's bits (NaNs equal whatever
// their payload), no write outside the slices nor to the slices the
// variant does not use, and for an invalid input the same *ParamError
// everywhere with nothing changed. Momentum > 0 selects momentum and
// WeightDecay != 0 the coupled decay, as in the API.
func FuzzRMSprop32(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, alpha, eps, wd, mom, gscale float64, flags uint8, seed uint64, specials []byte) {
		r, nilUnused := decodeRMSprop(lr, alpha, eps, wd, mom, gscale, flags)
		rmsCheck[float32](t, r, int(step), n, offset, seed, specials, nilUnused)
	})
}

// FuzzRMSprop64 is FuzzRMSprop32 for RMSprop.Step64.
func FuzzRMSprop64(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, alpha, eps, wd, mom, gscale float64, flags uint8, seed uint64, specials []byte) {
		r, nilUnused := decodeRMSprop(lr, alpha, eps, wd, mom, gscale, flags)
		rmsCheck[float64](t, r, int(step), n, offset, seed, specials, nilUnused)
	})
}

func decodeRMSprop(lr, alpha, eps, wd, mom, gscale float64, flags uint8) (kernels.RMSprop, bool) {
	return kernels.RMSprop{
		LR: lr, Alpha: alpha, Eps: eps, WeightDecay: wd, Momentum: mom, GradScale: gscale,
		Centered:  flags&rmsFlagCentered != 0,
		EpsInSqrt: flags&rmsFlagEpsInSqrt != 0,
		Maximize:  flags&rmsFlagMaximize != 0,
	}, flags&rmsFlagNilUnused != 0
}

var rmsNames = []string{"param", "grad", "sq", "gavg", "buf"}

func rmsCheck[F testbuf.Float](t *testing.T, r kernels.RMSprop, step int, n uint16, offset uint8, seed uint64, specials []byte, nilUnused bool) {
	base := rdInputs[F](5, n, seed, specials, func(rng *testbuf.Rand, s [][]F) {
		testbuf.Fill(rng, s[0], -4, 3)
		testbuf.Fill(rng, s[1], -12, 2)
		testbuf.FillNonNeg(rng, s[2], -10, 0) // mostly above gavg^2: few NaNs when centered
		testbuf.Fill(rng, s[3], -20, -6)
		testbuf.Fill(rng, s[4], -4, 2)
	})
	used := []bool{true, true, true, r.Centered, r.Momentum > 0}
	rdCheckLevels(t, rmsNames, base, int(offset%4), used, nilUnused, func(s [][]F) error {
		switch s := any(s).(type) {
		case [][]float32:
			return r.Step32(step, s[0], s[1], s[2], s[3], s[4])
		case [][]float64:
			return r.Step64(step, s[0], s[1], s[2], s[3], s[4])
		}
		panic("unreachable")
	}, func() string { return fmt.Sprintf("n=%d offset=%d t=%d %+v", n, offset%4, step, r) })
}

// rdInputs builds k slices of n%(maxLen+1) elements: seeded random values
// from fill, then the special values the fuzzer placed: each 4 bytes of
// specials pick a slice, a 16-bit index and an entry of
// testbuf.SpecialTable.
func rdInputs[F testbuf.Float](k int, n uint16, seed uint64, specials []byte, fill func(*testbuf.Rand, [][]F)) [][]F {
	size := int(n) % (maxLen + 1)
	s := make([][]F, k)
	for i := range s {
		s[i] = make([]F, size)
	}
	fill(testbuf.NewRand(seed), s)
	if size == 0 {
		return s
	}
	sp := testbuf.SpecialTable
	for j := 0; j+3 < len(specials); j += 4 {
		b := specials[j : j+4]
		slot, idx := int(b[0])%k, (int(b[1])|int(b[2])<<8)%size
		s[slot][idx] = testbuf.SpecialValue[F](sp[int(b[3])%len(sp)])
	}
	return s
}

// rdCheckLevels runs step on copies of base at every level: Generic on
// plain copies, the others on guarded copies starting offset elements
// past a 64-byte boundary (nil for the slices not used, with nilUnused).
// Every level must return Generic's error and, without one, Generic's
// bits; a rejected step, and any step for the unused slices, must leave
// them bit for bit unchanged.
func rdCheckLevels[F testbuf.Float](t *testing.T, names []string, base [][]F, offset int, used []bool, nilUnused bool,
	step func([][]F) error, describe func() string) {
	orig := kernels.ActiveLevel()
	defer kernels.SetLevel(orig)

	if _, err := kernels.SetLevel(kernels.Generic); err != nil {
		t.Fatal(err)
	}
	want := rdCopy(base, used, nilUnused)
	wantErr := step(want)
	if wantErr != nil {
		var pe *kernels.ParamError
		if !errors.As(wantErr, &pe) {
			t.Fatalf("generic: error %v is a %T, want a *kernels.ParamError", wantErr, wantErr)
		}
	}
	rdUnchanged(t, kernels.Generic, names, want, base, used, wantErr != nil)

	for _, l := range kernels.Levels() {
		if l == kernels.Generic {
			continue
		}
		if _, err := kernels.SetLevel(l); err != nil {
			t.Fatal(err)
		}
		g := make([]*testbuf.Guarded[F], len(base))
		got := make([][]F, len(base))
		for i := range base {
			if used[i] || !nilUnused {
				g[i] = testbuf.GuardedCopy(base[i], offset)
				got[i] = g[i].S
			}
		}
		err := step(got)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("level %v: error %v, generic gives %v (%s)", l, err, wantErr, describe())
		}
		for i := range g {
			if g[i] == nil {
				continue
			}
			if err := g[i].Check(names[i]); err != nil {
				t.Fatalf("level %v, %s: %v", l, describe(), err)
			}
		}
		rdUnchanged(t, l, names, got, base, used, err != nil)
		if err != nil {
			continue
		}
		for i := range got {
			if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
				t.Fatalf("level %v: %s[%d] = %s, generic gives %s\ninputs at %d: %s\n%s",
					l, names[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]), j, rdDescribe(names, base, j), describe())
			}
		}
	}
}

func rdCopy[F testbuf.Float](base [][]F, used []bool, nilUnused bool) [][]F {
	c := make([][]F, len(base))
	for i, s := range base {
		if used[i] || !nilUnused {
			c[i] = append([]F(nil), s...)
		}
	}
	return c
}

// rdUnchanged: a rejected step must not have written anything (all is
// true), and no step may write to a slice it does not use; not even a NaN
// with another payload, so the comparison is of exact bits.
func rdUnchanged[F testbuf.Float](t *testing.T, l kernels.Level, names []string, got, base [][]F, used []bool, all bool) {
	t.Helper()
	for i := range got {
		if got[i] == nil || used[i] && !all {
			continue
		}
		for j := range got[i] {
			if testbuf.Bits(got[i][j]) != testbuf.Bits(base[i][j]) {
				t.Fatalf("level %v: %s[%d] changed from %s to %s, but the step was rejected or does not use it (all=%v)",
					l, names[i], j, testbuf.Hex(base[i][j]), testbuf.Hex(got[i][j]), all)
			}
		}
	}
}

func rdDescribe[F testbuf.Float](names []string, s [][]F, j int) string {
	out := ""
	for i := range s {
		out += fmt.Sprintf("%s=%s ", names[i], testbuf.Hex(s[i][j]))
	}
	return out
}
