package fuzz

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// maxLen bounds the fuzzed length: long enough for several unrolled
// iterations of the widest level plus every tail, short enough that each
// input runs in microseconds.
const maxLen = 600

// Flag bits of the fuzzed flags byte.
const (
	flagDecoupled = 1 << iota
	flagAMSGrad
	flagMaximize
	flagNoBiasCorrection
)

// adamInput is one decoded fuzz input.
type adamInput struct {
	n, offset int
	step      int
	a         kernels.Adam
	seed      uint64
	specials  []byte
}

func decode(n uint16, offset uint8, step int64, lr, beta1, beta2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) adamInput {
	return adamInput{
		n:      int(n) % (maxLen + 1),
		offset: int(offset % 4),
		step:   int(step),
		a: kernels.Adam{
			LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: wd, GradScale: gscale,
			Decoupled:        flags&flagDecoupled != 0,
			AMSGrad:          flags&flagAMSGrad != 0,
			Maximize:         flags&flagMaximize != 0,
			NoBiasCorrection: flags&flagNoBiasCorrection != 0,
		},
		seed:     seed,
		specials: specials,
	}
}

// FuzzAdam32 runs Adam.Step32 at every supported level on the same fuzzed
// input and demands the generic level's bits (NaNs equal whatever their
// payload), no write outside the slices, and for an invalid input the same
// *ParamError everywhere with nothing changed.
func FuzzAdam32(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, beta1, beta2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		checkLevels[float32](t, decode(n, offset, step, lr, beta1, beta2, eps, wd, gscale, flags, seed, specials))
	})
}

// FuzzAdam64 is FuzzAdam32 for Adam.Step64.
func FuzzAdam64(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, beta1, beta2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		checkLevels[float64](t, decode(n, offset, step, lr, beta1, beta2, eps, wd, gscale, flags, seed, specials))
	})
}

// slots are the five slices of a step, in argument order.
type slots[F testbuf.Float] [5][]F

var slotNames = [5]string{"param", "grad", "m", "v", "vmax"}

// inputs builds the slices: seeded random values (non-negative second
// moments), then the special values the fuzzer placed: each 4 bytes of
// specials pick a slice, a 16-bit index and an entry of
// testbuf.SpecialTable.
func inputs[F testbuf.Float](in adamInput) slots[F] {
	r := testbuf.NewRand(in.seed)
	var s slots[F]
	for i := range s {
		s[i] = make([]F, in.n)
	}
	testbuf.Fill(r, s[0], -4, 3)
	testbuf.Fill(r, s[1], -12, 2)
	testbuf.Fill(r, s[2], -12, 0)
	testbuf.FillNonNeg(r, s[3], -24, 0)
	testbuf.FillNonNeg(r, s[4], -24, 0)
	if in.n == 0 {
		return s
	}
	sp := testbuf.SpecialTable
	for k := 0; k+3 < len(in.specials); k += 4 {
		b := in.specials[k : k+4]
		slot, idx := int(b[0])%5, (int(b[1])|int(b[2])<<8)%in.n
		s[slot][idx] = testbuf.SpecialValue[F](sp[int(b[3])%len(sp)])
	}
	return s
}

// step is Step32 or Step64, whichever F asks for, at the active level.
func step[F testbuf.Float](a kernels.Adam, t int, s slots[F]) error {
	switch s := any(s).(type) {
	case slots[float32]:
		return a.Step32(t, s[0], s[1], s[2], s[3], s[4])
	case slots[float64]:
		return a.Step64(t, s[0], s[1], s[2], s[3], s[4])
	}
	panic("unreachable")
}

func checkLevels[F testbuf.Float](t *testing.T, in adamInput) {
	orig := kernels.ActiveLevel()
	defer kernels.SetLevel(orig)

	base := inputs[F](in)
	if _, err := kernels.SetLevel(kernels.Generic); err != nil {
		t.Fatal(err)
	}
	want := clone(base)
	wantErr := step(in.a, in.step, want)
	if wantErr != nil {
		var pe *kernels.ParamError
		if !errors.As(wantErr, &pe) {
			t.Fatalf("generic: error %v is a %T, want a *kernels.ParamError", wantErr, wantErr)
		}
		checkUnchanged(t, kernels.Generic, want, base)
	}

	for _, l := range kernels.Levels() {
		if l == kernels.Generic {
			continue
		}
		if _, err := kernels.SetLevel(l); err != nil {
			t.Fatal(err)
		}
		var g [5]*testbuf.Guarded[F]
		var got slots[F]
		for i := range g {
			g[i] = testbuf.GuardedCopy(base[i], in.offset)
			got[i] = g[i].S
		}
		err := step(in.a, in.step, got)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("level %v: error %v, generic gives %v", l, err, wantErr)
		}
		for i := range g {
			if err := g[i].Check(slotNames[i]); err != nil {
				t.Fatalf("level %v, n=%d offset=%d: %v", l, in.n, in.offset, err)
			}
		}
		if wantErr != nil {
			checkUnchanged(t, l, got, base)
			continue
		}
		for i := range got {
			if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
				t.Fatalf("level %v: %s[%d] = %s, generic gives %s\ninputs at %d: %s\nn=%d offset=%d t=%d %+v",
					l, slotNames[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]), j, describe(base, j),
					in.n, in.offset, in.step, in.a)
			}
		}
	}
}

func clone[F testbuf.Float](s slots[F]) slots[F] {
	var c slots[F]
	for i := range s {
		c[i] = append([]F(nil), s[i]...)
	}
	return c
}

// checkUnchanged: a rejected step must not have written anything, not even
// a NaN with another payload, so the comparison is of exact bits.
func checkUnchanged[F testbuf.Float](t *testing.T, l kernels.Level, got, base slots[F]) {
	t.Helper()
	for i := range got {
		for j := range got[i] {
			if testbuf.Bits(got[i][j]) != testbuf.Bits(base[i][j]) {
				t.Fatalf("level %v: the step was rejected but %s[%d] changed from %s to %s",
					l, slotNames[i], j, testbuf.Hex(base[i][j]), testbuf.Hex(got[i][j]))
			}
		}
	}
}

func describe[F testbuf.Float](s slots[F], j int) string {
	out := ""
	for i := range s {
		out += fmt.Sprintf("%s=%s ", slotNames[i], testbuf.Hex(s[i][j]))
	}
	return out
}
