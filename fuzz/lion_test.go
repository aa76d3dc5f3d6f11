package fuzz

import (
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// FuzzLion32 runs Lion.Step32 at every supported level on the same fuzzed
// input and demands the generic level's bits (NaNs equal whatever their
// payload), no write outside the slices, and for an invalid input the
// same *ParamError everywhere with nothing changed. Lion takes no step
// number.
func FuzzLion32(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, lr, beta1, beta2, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		o := decodeLion(lr, beta1, beta2, wd, gscale, flags)
		base := axInputs[float32](n, seed, specials, []bool{false, false, false})
		axCheckLevels(t, lionNames, base, int(offset%4), func(s [][]float32) error {
			return o.Step32(s[0], s[1], s[2])
		}, fmt.Sprintf("%+v", o))
	})
}

// FuzzLion64 is FuzzLion32 for Lion.Step64.
func FuzzLion64(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, lr, beta1, beta2, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		o := decodeLion(lr, beta1, beta2, wd, gscale, flags)
		base := axInputs[float64](n, seed, specials, []bool{false, false, false})
		axCheckLevels(t, lionNames, base, int(offset%4), func(s [][]float64) error {
			return o.Step64(s[0], s[1], s[2])
		}, fmt.Sprintf("%+v", o))
	})
}

func decodeLion(lr, beta1, beta2, wd, gscale float64, flags uint8) kernels.Lion {
	return kernels.Lion{
		LR: lr, Beta1: beta1, Beta2: beta2, WeightDecay: wd, GradScale: gscale,
		Maximize: flags&axFlagMaximize != 0,
	}
}

var lionNames = []string{"param", "grad", "m"}
