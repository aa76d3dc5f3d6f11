package fuzz

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// Flag bits of FuzzAdamax's and FuzzLion's flags byte.
const axFlagMaximize = 1

// FuzzAdamax32 runs Adamax.Step32 at every supported level on the same
// fuzzed input and demands the generic level's bits (NaNs equal whatever
// their payload), no write outside the slices, and for an invalid input
// the same *ParamError everywhere with nothing changed. u starts
// non-negative, as Adamax's state is, unless the fuzzer places a special
// value there.
func FuzzAdamax32(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, beta1, beta2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		o := decodeAdamax(lr, beta1, beta2, eps, wd, gscale, flags)
		base := axInputs[float32](n, seed, specials, []bool{false, false, false, true})
		axCheckLevels(t, adamaxNames, base, int(offset%4), func(s [][]float32) error {
			return o.Step32(int(step), s[0], s[1], s[2], s[3])
		}, fmt.Sprintf("t=%d %+v", step, o))
	})
}

// FuzzAdamax64 is FuzzAdamax32 for Adamax.Step64.
func FuzzAdamax64(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, beta1, beta2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		o := decodeAdamax(lr, beta1, beta2, eps, wd, gscale, flags)
		base := axInputs[float64](n, seed, specials, []bool{false, false, false, true})
		axCheckLevels(t, adamaxNames, base, int(offset%4), func(s [][]float64) error {
			return o.Step64(int(step), s[0], s[1], s[2], s[3])
		}, fmt.Sprintf("t=%d %+v", step, o))
	})
}

func decodeAdamax(lr, beta1, beta2, eps, wd, gscale float64, flags uint8) kernels.Adamax {
	return kernels.Adamax{
		LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: wd, GradScale: gscale,
		Maximize: flags&axFlagMaximize != 0,
	}
}

var adamaxNames = []string{"param", "grad", "m", "u"}

// axInputs builds len(nonNeg) slices of n%(maxLen+1) elements: seeded
// random values (of magnitude below 2^3 for param, 2^2 for grad, 1 for
// state; non-negative where nonNeg says), then the special values the
// fuzzer placed: each 4 bytes of specials pick a slice, a 16-bit index
// and an entry of testbuf.SpecialTable.
func axInputs[F testbuf.Float](n uint16, seed uint64, specials []byte, nonNeg []bool) [][]F {
	size := int(n) % (maxLen + 1)
	r := testbuf.NewRand(seed)
	s := make([][]F, len(nonNeg))
	for i := range s {
		s[i] = make([]F, size)
		hi := 0
		switch i {
		case 0:
			hi = 3
		case 1:
			hi = 2
		}
		if nonNeg[i] {
			testbuf.FillNonNeg(r, s[i], -12, hi)
		} else {
			testbuf.Fill(r, s[i], -12, hi)
		}
	}
	if size == 0 {
		return s
	}
	sp := testbuf.SpecialTable
	for k := 0; k+3 < len(specials); k += 4 {
		b := specials[k : k+4]
		slot, idx := int(b[0])%len(s), (int(b[1])|int(b[2])<<8)%size
		s[slot][idx] = testbuf.SpecialValue[F](sp[int(b[3])%len(sp)])
	}
	return s
}

// axCheckLevels runs step on a copy of base at the generic level, then at
// every other supported level on guarded copies starting offset elements
// past a 64-byte boundary, and demands the same error (as text), no write
// outside the slices, and either the generic bits or, after an error,
// every slice unchanged (exactly, NaN payloads included). The generic
// error must be nil or a *kernels.ParamError. desc describes the call.
func axCheckLevels[F testbuf.Float](t *testing.T, names []string, base [][]F, offset int, step func([][]F) error, desc string) {
	t.Helper()
	orig := kernels.ActiveLevel()
	defer kernels.SetLevel(orig)
	if _, err := kernels.SetLevel(kernels.Generic); err != nil {
		t.Fatal(err)
	}
	want := make([][]F, len(base))
	for i := range base {
		want[i] = append([]F(nil), base[i]...)
	}
	wantErr := step(want)
	if wantErr != nil {
		var pe *kernels.ParamError
		if !errors.As(wantErr, &pe) {
			t.Fatalf("generic: error %v is a %T, want a *kernels.ParamError", wantErr, wantErr)
		}
		axUnchanged(t, kernels.Generic, names, want, base)
	}
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
			g[i] = testbuf.GuardedCopy(base[i], offset)
			got[i] = g[i].S
		}
		err := step(got)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("level %v: error %v, generic gives %v (%s)", l, err, wantErr, desc)
		}
		for i := range g {
			if err := g[i].Check(names[i]); err != nil {
				t.Fatalf("level %v, n=%d offset=%d: %v (%s)", l, len(base[0]), offset, err, desc)
			}
		}
		if wantErr != nil {
			axUnchanged(t, l, names, got, base)
			continue
		}
		for i := range got {
			if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
				in := ""
				for k := range base {
					in += fmt.Sprintf("%s=%s ", names[k], testbuf.Hex(base[k][j]))
				}
				t.Fatalf("level %v: %s[%d] = %s, generic gives %s\ninputs at %d: %s\nn=%d offset=%d %s",
					l, names[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]), j, in, len(base[0]), offset, desc)
			}
		}
	}
}

// axUnchanged: a rejected step must not have written anything, not even a
// NaN with another payload, so the comparison is of exact bits.
func axUnchanged[F testbuf.Float](t *testing.T, l kernels.Level, names []string, got, base [][]F) {
	t.Helper()
	for i := range got {
		for j := range got[i] {
			if testbuf.Bits(got[i][j]) != testbuf.Bits(base[i][j]) {
				t.Fatalf("level %v: the step was rejected but %s[%d] changed from %s to %s",
					l, names[i], j, testbuf.Hex(base[i][j]), testbuf.Hex(got[i][j]))
			}
		}
	}
}
