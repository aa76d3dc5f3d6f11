package fuzz

import (
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// Flag bits of FuzzAdagrad's flags byte.
const (
	adagradFlagEpsInSqrt = 1 << iota
	adagradFlagMaximize
)

// FuzzAdagrad32 runs Adagrad.Step32 at every supported level on the same
// fuzzed input and demands the generic level's bits (NaNs equal whatever
// their payload), no write outside the slices, and for an invalid input
// the same *ParamError everywhere with nothing changed. The sum starts
// non-negative, as Adagrad's state is, unless the fuzzer places a special
// value there.
func FuzzAdagrad32(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, lrDecay, wd, eps, gscale float64, flags uint8, seed uint64, specials []byte) {
		a := decodeAdagrad(lr, lrDecay, wd, eps, gscale, flags)
		checkTriLevels(t, triInputs[float32](n, seed, specials, true), int(offset%4), false, kernels.Adagrad.Step32, a, step)
	})
}

// FuzzAdagrad64 is FuzzAdagrad32 for Adagrad.Step64.
func FuzzAdagrad64(f *testing.F) {
	f.Fuzz(func(t *testing.T, n uint16, offset uint8, step int64, lr, lrDecay, wd, eps, gscale float64, flags uint8, seed uint64, specials []byte) {
		a := decodeAdagrad(lr, lrDecay, wd, eps, gscale, flags)
		checkTriLevels(t, triInputs[float64](n, seed, specials, true), int(offset%4), false, kernels.Adagrad.Step64, a, step)
	})
}

func decodeAdagrad(lr, lrDecay, wd, eps, gscale float64, flags uint8) kernels.Adagrad {
	return kernels.Adagrad{
		LR: lr, LRDecay: lrDecay, WeightDecay: wd, Eps: eps, GradScale: gscale,
		EpsInSqrt: flags&adagradFlagEpsInSqrt != 0,
		Maximize:  flags&adagradFlagMaximize != 0,
	}
}
