package fuzz

import (
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// FuzzRAdam32 runs RAdam.Step32 at every supported level on the same
// fuzzed input and demands the generic level's bits (NaNs equal whatever
// their payload), no write outside the slices, and for an invalid input
// (a bad field, t < 1) the same *ParamError everywhere with nothing
// changed. The step number picks the rectified or the plain kernels.
func FuzzRAdam32(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, beta1, beta2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		a := decodeRAdam(lr, beta1, beta2, eps, wd, gscale, flags)
		checkQuadLevels(t, quadInputs[float32](n, seed, specials), int(offset%4), func(x [4][]float32) error {
			return a.Step32(int(step), x[0], x[1], x[2], x[3])
		}, fmt.Sprintf("t=%d %+v", step, a))
	})
}

// FuzzRAdam64 is FuzzRAdam32 for RAdam.Step64.
func FuzzRAdam64(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, beta1, beta2, eps, wd, gscale float64, flags uint8, seed uint64, specials []byte) {
		a := decodeRAdam(lr, beta1, beta2, eps, wd, gscale, flags)
		checkQuadLevels(t, quadInputs[float64](n, seed, specials), int(offset%4), func(x [4][]float64) error {
			return a.Step64(int(step), x[0], x[1], x[2], x[3])
		}, fmt.Sprintf("t=%d %+v", step, a))
	})
}

func decodeRAdam(lr, beta1, beta2, eps, wd, gscale float64, flags uint8) kernels.RAdam {
	return kernels.RAdam{
		LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: wd, GradScale: gscale,
		Decoupled: flags&quadFlagDecoupled != 0,
		Maximize:  flags&quadFlagMaximize != 0,
	}
}
