package fuzz

import (
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
	"github.com/fusedopt/fusedopt/kernels"
)

// Flag bits of FuzzAdadelta's flags byte.
const (
	adadeltaFlagMaximize = 1 << iota
)

// FuzzAdadelta32 runs Adadelta.Step32 at every supported level on the
// same fuzzed input and demands the generic level's bits (NaNs equal
// whatever their payload), no write outside the slices, and for an
// invalid input the same *ParamError everywhere with nothing changed.
// WeightDecay != 0 selects the coupled-decay kernel, as in the API.
func FuzzAdadelta32(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, rho, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		adadeltaCheck[float32](t, decodeAdadelta(lr, rho, eps, wd, gscale, flags), int(step), n, offset, seed, specials)
	})
}

// FuzzAdadelta64 is FuzzAdadelta32 for Adadelta.Step64.
func FuzzAdadelta64(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, rho, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		adadeltaCheck[float64](t, decodeAdadelta(lr, rho, eps, wd, gscale, flags), int(step), n, offset, seed, specials)
	})
}

func decodeAdadelta(lr, rho, eps, wd, gscale float64, flags uint8) kernels.Adadelta {
	return kernels.Adadelta{
		LR: lr, Rho: rho, Eps: eps, WeightDecay: wd, GradScale: gscale,
		Maximize: flags&adadeltaFlagMaximize != 0,
	}
}

var adadeltaNames = []string{"param", "grad", "sq", "acc"}

func adadeltaCheck[F testbuf.Float](t *testing.T, a kernels.Adadelta, step int, n uint16, offset uint8, seed uint64, specials []byte) {
	base := rdInputs[F](4, n, seed, specials, func(rng *testbuf.Rand, s [][]F) {
		testbuf.Fill(rng, s[0], -4, 3)
		testbuf.Fill(rng, s[1], -12, 2)
		testbuf.FillNonNeg(rng, s[2], -24, 0)
		testbuf.FillNonNeg(rng, s[3], -30, -4)
	})
	rdCheckLevels(t, adadeltaNames, base, int(offset%4), []bool{true, true, true, true}, false, func(s [][]F) error {
		switch s := any(s).(type) {
		case [][]float32:
			return a.Step32(step, s[0], s[1], s[2], s[3])
		case [][]float64:
			return a.Step64(step, s[0], s[1], s[2], s[3])
		}
		panic("unreachable")
	}, func() string { return fmt.Sprintf("n=%d offset=%d t=%d %+v", n, offset%4, step, a) })
}
