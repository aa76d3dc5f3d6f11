package fuzz

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// Flag bits of FuzzSGD's flags byte.
const (
	sgdFlagNesterov = 1 << iota
	sgdFlagMaximize
	sgdFlagNilBuf // pass a nil buf when there is no momentum (ignored otherwise)
)

// FuzzSGD32 runs SGD.Step32 at every supported level on the same fuzzed
// input and demands the generic level's bits (NaNs equal whatever their
// payload), no write outside the slices, and for an invalid input (a bad
// field, t < 1, Nesterov without momentum or with dampening) the same
// *ParamError everywhere with nothing changed.
func FuzzSGD32(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, momentum, dampening, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		o, nilBuf := decodeSGD(lr, momentum, dampening, wd, gscale, flags)
		checkTriLevels(t, triInputs[float32](n, seed, specials, false), int(offset%4), nilBuf, kernels.SGD.Step32, o, step)
	})
}

// FuzzSGD64 is FuzzSGD32 for SGD.Step64.
func FuzzSGD64(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, momentum, dampening, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		o, nilBuf := decodeSGD(lr, momentum, dampening, wd, gscale, flags)
		checkTriLevels(t, triInputs[float64](n, seed, specials, false), int(offset%4), nilBuf, kernels.SGD.Step64, o, step)
	})
}

func decodeSGD(lr, momentum, dampening, wd, gscale float64, flags uint8) (kernels.SGD, bool) {
	o := kernels.SGD{
		LR: lr, Momentum: momentum, Dampening: dampening, WeightDecay: wd, GradScale: gscale,
		Nesterov: flags&sgdFlagNesterov != 0,
		Maximize: flags&sgdFlagMaximize != 0,
	}
	return o, flags&sgdFlagNilBuf != 0 && momentum == 0
}

// triNames names the slices of an SGD or Adagrad step.
var triNames = [3]string{"param", "grad", "state"}

// triInputs builds the three slices of an SGD or Adagrad step: seeded
// random values (the state non-negative if nonNeg), then the special
// values the fuzzer placed: each 4 bytes of specials pick a slice, a
// 16-bit index and an entry of testbuf.SpecialTable.
func triInputs[F testbuf.Float](n uint16, seed uint64, specials []byte, nonNeg bool) [3][]F {
	r := testbuf.NewRand(seed)
	var s [3][]F
	m := int(n) % (maxLen + 1)
	for i := range s {
		s[i] = make([]F, m)
	}
	testbuf.Fill(r, s[0], -4, 3)
	testbuf.Fill(r, s[1], -12, 2)
	if nonNeg {
		testbuf.FillNonNeg(r, s[2], -24, 2)
	} else {
		testbuf.Fill(r, s[2], -12, 1)
	}
	if m == 0 {
		return s
	}
	sp := testbuf.SpecialTable
	for k := 0; k+3 < len(specials); k += 4 {
		b := specials[k : k+4]
		slot, idx := int(b[0])%3, (int(b[1])|int(b[2])<<8)%m
		s[slot][idx] = testbuf.SpecialValue[F](sp[int(b[3])%len(sp)])
	}
	return s
}

// checkTriLevels runs step (an optimizer's Step32 or Step64 method
// expression) at the generic level and then at every other supported level
// on guarded copies of base, offset elements past a 64-byte boundary, and
// demands the same error and the same bits; a rejected step must be a
// *ParamError that changed nothing. With nilState the state slice is nil.
func checkTriLevels[O any, F testbuf.Float](t *testing.T, base [3][]F, offset int, nilState bool,
	step func(O, int, []F, []F, []F) error, o O, tstep int64) {
	orig := kernels.ActiveLevel()
	defer kernels.SetLevel(orig)
	if nilState {
		base[2] = nil
	}
	if _, err := kernels.SetLevel(kernels.Generic); err != nil {
		t.Fatal(err)
	}
	var want [3][]F
	for i := range base {
		if base[i] != nil {
			want[i] = append([]F(nil), base[i]...)
		}
	}
	wantErr := step(o, int(tstep), want[0], want[1], want[2])
	if wantErr != nil {
		var pe *kernels.ParamError
		if !errors.As(wantErr, &pe) {
			t.Fatalf("generic: error %v is a %T, want a *kernels.ParamError", wantErr, wantErr)
		}
		triUnchanged(t, kernels.Generic, want, base)
	}
	for _, l := range kernels.Levels() {
		if l == kernels.Generic {
			continue
		}
		if _, err := kernels.SetLevel(l); err != nil {
			t.Fatal(err)
		}
		var g [3]*testbuf.Guarded[F]
		var got [3][]F
		for i := range g {
			if base[i] != nil {
				g[i] = testbuf.GuardedCopy(base[i], offset)
				got[i] = g[i].S
			}
		}
		err := step(o, int(tstep), got[0], got[1], got[2])
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("level %v: error %v, generic gives %v", l, err, wantErr)
		}
		for i := range g {
			if g[i] == nil {
				continue
			}
			if err := g[i].Check(triNames[i]); err != nil {
				t.Fatalf("level %v, n=%d offset=%d: %v", l, len(base[0]), offset, err)
			}
		}
		if wantErr != nil {
			triUnchanged(t, l, got, base)
			continue
		}
		for i := range got {
			if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
				t.Fatalf("level %v: %s[%d] = %s, generic gives %s\ninputs at %d: %s\nn=%d offset=%d t=%d %+v",
					l, triNames[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]), j, triDescribe(base, j),
					len(base[0]), offset, tstep, o)
			}
		}
	}
}

// triUnchanged: a rejected step must not have written anything, not even
// a NaN with another payload.
func triUnchanged[F testbuf.Float](t *testing.T, l kernels.Level, got, base [3][]F) {
	t.Helper()
	for i := range got {
		for j := range got[i] {
			if testbuf.Bits(got[i][j]) != testbuf.Bits(base[i][j]) {
				t.Fatalf("level %v: the step was rejected but %s[%d] changed from %s to %s",
					l, triNames[i], j, testbuf.Hex(base[i][j]), testbuf.Hex(got[i][j]))
			}
		}
	}
}

func triDescribe[F testbuf.Float](s [3][]F, j int) string {
	out := ""
	for i := range s {
		if j < len(s[i]) {
			out += fmt.Sprintf("%s=%s ", triNames[i], testbuf.Hex(s[i][j]))
		}
	}
	return out
}
