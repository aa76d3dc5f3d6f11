package fuzz

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// Flag bits of FuzzNAdam's and FuzzRAdam's flags byte.
const (
	quadFlagDecoupled = 1 << iota
	quadFlagMaximize
	quadFlagSchedule // NAdam: the schedule of ScheduleAt(step), not the fuzzed MuProduct
)

// FuzzNAdam32 runs NAdam.Step32 at every supported level on the same
// fuzzed input and demands the generic level's bits (NaNs equal whatever
// their payload), no write outside the slices, and for an invalid input
// (a bad field, T < 1, a MuProduct outside [0, 1)) the same *ParamError
// everywhere with nothing changed.
func FuzzNAdam32(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, muProduct, lr, beta1, beta2, eps, wd, psi, gscale float64, flags uint8, seed uint64, specials []byte) {
		a, s := decodeNAdam(step, muProduct, lr, beta1, beta2, eps, wd, psi, gscale, flags)
		checkQuadLevels(t, quadInputs[float32](n, seed, specials), int(offset%4), func(x [4][]float32) error {
			return a.Step32(s, x[0], x[1], x[2], x[3])
		}, fmt.Sprintf("%+v %+v", a, s))
	})
}

// FuzzNAdam64 is FuzzNAdam32 for NAdam.Step64.
func FuzzNAdam64(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, muProduct, lr, beta1, beta2, eps, wd, psi, gscale float64, flags uint8, seed uint64, specials []byte) {
		a, s := decodeNAdam(step, muProduct, lr, beta1, beta2, eps, wd, psi, gscale, flags)
		checkQuadLevels(t, quadInputs[float64](n, seed, specials), int(offset%4), func(x [4][]float64) error {
			return a.Step64(s, x[0], x[1], x[2], x[3])
		}, fmt.Sprintf("%+v %+v", a, s))
	})
}

func decodeNAdam(step int64, muProduct, lr, beta1, beta2, eps, wd, psi, gscale float64, flags uint8) (kernels.NAdam, kernels.NAdamSchedule) {
	a := kernels.NAdam{
		LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: wd, MomentumDecay: psi, GradScale: gscale,
		Decoupled: flags&quadFlagDecoupled != 0,
		Maximize:  flags&quadFlagMaximize != 0,
	}
	s := kernels.NAdamSchedule{T: int(step), MuProduct: muProduct}
	if flags&quadFlagSchedule != 0 && step > 0 && step <= 5000 {
		s = a.ScheduleAt(int(step))
	}
	return a, s
}

// quadNames names the slices of a NAdam or RAdam step.
var quadNames = [4]string{"param", "grad", "m", "v"}

// quadInputs builds the four slices of a NAdam or RAdam step: seeded
// random values (v non-negative), then the special values the fuzzer
// placed: each 4 bytes of specials pick a slice, a 16-bit index and an
// entry of testbuf.SpecialTable.
func quadInputs[F testbuf.Float](n uint16, seed uint64, specials []byte) [4][]F {
	r := testbuf.NewRand(seed)
	var s [4][]F
	m := int(n) % (maxLen + 1)
	for i := range s {
		s[i] = make([]F, m)
	}
	testbuf.Fill(r, s[0], -4, 3)
	testbuf.Fill(r, s[1], -12, 2)
	testbuf.Fill(r, s[2], -12, 0)
	testbuf.FillNonNeg(r, s[3], -24, 0)
	if m == 0 {
		return s
	}
	sp := testbuf.SpecialTable
	for k := 0; k+3 < len(specials); k += 4 {
		b := specials[k : k+4]
		slot, idx := int(b[0])%4, (int(b[1])|int(b[2])<<8)%m
		s[slot][idx] = testbuf.SpecialValue[F](sp[int(b[3])%len(sp)])
	}
	return s
}

// checkQuadLevels runs step on copies of base at Generic, then at every
// other supported level on guarded copies starting offset elements past
// a 64-byte boundary, and compares errors, guards and every element.
func checkQuadLevels[F testbuf.Float](t *testing.T, base [4][]F, offset int, step func([4][]F) error, desc string) {
	orig := kernels.ActiveLevel()
	defer kernels.SetLevel(orig)

	if _, err := kernels.SetLevel(kernels.Generic); err != nil {
		t.Fatal(err)
	}
	var want [4][]F
	for i := range base {
		want[i] = append([]F(nil), base[i]...)
	}
	wantErr := step(want)
	if wantErr != nil {
		var pe *kernels.ParamError
		if !errors.As(wantErr, &pe) {
			t.Fatalf("generic: error %v is a %T, want a *kernels.ParamError", wantErr, wantErr)
		}
		quadUnchanged(t, kernels.Generic, want, base)
	}
	for _, l := range kernels.Levels() {
		if l == kernels.Generic {
			continue
		}
		if _, err := kernels.SetLevel(l); err != nil {
			t.Fatal(err)
		}
		var g [4]*testbuf.Guarded[F]
		var got [4][]F
		for i := range g {
			g[i] = testbuf.GuardedCopy(base[i], offset)
			got[i] = g[i].S
		}
		err := step(got)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("level %v: error %v, generic gives %v", l, err, wantErr)
		}
		for i := range g {
			if err := g[i].Check(quadNames[i]); err != nil {
				t.Fatalf("level %v, n=%d offset=%d: %v", l, len(base[0]), offset, err)
			}
		}
		if wantErr != nil {
			quadUnchanged(t, l, got, base)
			continue
		}
		for i := range got {
			if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
				in := ""
				for k := range base {
					in += fmt.Sprintf("%s=%s ", quadNames[k], testbuf.Hex(base[k][j]))
				}
				t.Fatalf("level %v: %s[%d] = %s, generic gives %s\ninputs at %d: %s\nn=%d offset=%d %s",
					l, quadNames[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]), j, in, len(base[0]), offset, desc)
			}
		}
	}
}

// quadUnchanged: a rejected step must not have written anything, not even
// a NaN with another payload.
func quadUnchanged[F testbuf.Float](t *testing.T, l kernels.Level, got, base [4][]F) {
	t.Helper()
	for i := range got {
		for j := range got[i] {
			if testbuf.Bits(got[i][j]) != testbuf.Bits(base[i][j]) {
				t.Fatalf("level %v: the step was rejected but %s[%d] changed from %s to %s",
					l, quadNames[i], j, testbuf.Hex(base[i][j]), testbuf.Hex(got[i][j]))
			}
		}
	}
}
