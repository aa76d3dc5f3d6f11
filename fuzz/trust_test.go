package fuzz

import (
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// Flag bits of FuzzLAMB's and FuzzLARS's flags byte.
const (
	trustFlagMaximize = 1 << iota
	trustFlagNesterov
	trustFlagNoTrustRatio
)

// FuzzLAMB32 runs LAMB.Step32 at every supported level on the same fuzzed
// input and demands the generic level's bits (NaNs equal whatever their
// payload), the trust ratio's norms included, no write outside the
// slices, and for an invalid input the same *ParamError everywhere with
// nothing changed.
func FuzzLAMB32(f *testing.F) {
	f.Add(uint16(100), uint8(1), int64(1), 1e-3, 0.9, 0.999, 1e-6, 0.01, 1.0, uint8(0), uint64(1), []byte{})
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, b1, b2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		lambCheck[float32](t, decodeLAMB(lr, b1, b2, eps, wd, gscale, flags), int(step), n, offset, seed, specials)
	})
}

// FuzzLAMB64 is FuzzLAMB32 for LAMB.Step64.
func FuzzLAMB64(f *testing.F) {
	f.Add(uint16(100), uint8(1), int64(1), 1e-3, 0.9, 0.999, 1e-6, 0.01, 1.0, uint8(0), uint64(1), []byte{})
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, b1, b2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		lambCheck[float64](t, decodeLAMB(lr, b1, b2, eps, wd, gscale, flags), int(step), n, offset, seed, specials)
	})
}

func decodeLAMB(lr, b1, b2, eps, wd, gscale float64, flags uint8) kernels.LAMB {
	return kernels.LAMB{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd, GradScale: gscale,
		Maximize: flags&trustFlagMaximize != 0}
}

var lambNames = []string{"param", "grad", "m", "v"}

func lambCheck[F testbuf.Float](t *testing.T, o kernels.LAMB, step int, n uint16, offset uint8, seed uint64, specials []byte) {
	base := rdInputs[F](4, n, seed, specials, func(rng *testbuf.Rand, s [][]F) {
		testbuf.Fill(rng, s[0], -6, 2)
		testbuf.Fill(rng, s[1], -14, 1)
		testbuf.Fill(rng, s[2], -14, -2)
		testbuf.FillNonNeg(rng, s[3], -28, -4)
	})
	rdCheckLevels(t, lambNames, base, int(offset%4), []bool{true, true, true, true}, false, func(s [][]F) error {
		switch s := any(s).(type) {
		case [][]float32:
			return o.Step32(step, s[0], s[1], s[2], s[3])
		case [][]float64:
			return o.Step64(step, s[0], s[1], s[2], s[3])
		}
		panic("unreachable")
	}, func() string { return fmt.Sprintf("n=%d offset=%d t=%d %+v", n, offset%4, step, o) })
}

// FuzzLARS32 is FuzzLAMB32 for LARS.Step32.
func FuzzLARS32(f *testing.F) {
	f.Add(uint16(100), uint8(1), int64(1), 1e-3, 0.001, 0.0, 0.9, 0.01, 1.0, uint8(0), uint64(1), []byte{})
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, tc, eps, mom, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		larsCheck[float32](t, decodeLARS(lr, tc, eps, mom, wd, gscale, flags), int(step), n, offset, seed, specials)
	})
}

// FuzzLARS64 is FuzzLAMB32 for LARS.Step64.
func FuzzLARS64(f *testing.F) {
	f.Add(uint16(100), uint8(1), int64(1), 1e-3, 0.001, 0.0, 0.9, 0.01, 1.0, uint8(0), uint64(1), []byte{})
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, tc, eps, mom, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		larsCheck[float64](t, decodeLARS(lr, tc, eps, mom, wd, gscale, flags), int(step), n, offset, seed, specials)
	})
}

func decodeLARS(lr, tc, eps, mom, wd, gscale float64, flags uint8) kernels.LARS {
	return kernels.LARS{LR: lr, TrustCoefficient: tc, Eps: eps, Momentum: mom, WeightDecay: wd, GradScale: gscale,
		Maximize: flags&trustFlagMaximize != 0, Nesterov: flags&trustFlagNesterov != 0,
		NoTrustRatio: flags&trustFlagNoTrustRatio != 0}
}

var larsNames = []string{"param", "grad", "buf"}

func larsCheck[F testbuf.Float](t *testing.T, o kernels.LARS, step int, n uint16, offset uint8, seed uint64, specials []byte) {
	base := rdInputs[F](3, n, seed, specials, func(rng *testbuf.Rand, s [][]F) {
		testbuf.Fill(rng, s[0], -6, 2)
		testbuf.Fill(rng, s[1], -14, 1)
		testbuf.Fill(rng, s[2], -12, -4)
	})
	rdCheckLevels(t, larsNames, base, int(offset%4), []bool{true, true, true}, false, func(s [][]F) error {
		switch s := any(s).(type) {
		case [][]float32:
			return o.Step32(step, s[0], s[1], s[2])
		case [][]float64:
			return o.Step64(step, s[0], s[1], s[2])
		}
		panic("unreachable")
	}, func() string { return fmt.Sprintf("n=%d offset=%d t=%d %+v", n, offset%4, step, o) })
}
