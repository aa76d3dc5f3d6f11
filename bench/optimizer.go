package main

import (
	"math"
	"math/rand/v2"

	"github.com/fusedopt/fusedopt/internal/limits"
	"github.com/fusedopt/fusedopt/kernels"
)

// optimizer describes one optimizer to the benchmarks: its slices, its
// kernel variants, how to fill its inputs, and how to run one step of it
// at the active level and in C. Adding an optimizer means adding one of
// these to optimizers.
type optimizer struct {
	name     string
	slices   []string // the Step slice arguments, in order
	variants []variant

	// fill sets the initial value of slice k for a pattern of elements.
	fill func(k int, rng *rand.Rand, x []float64)

	// step32 returns a function that runs one step (number t) of variant v
	// on s at the active level.
	step32 func(v variant) func(t int, s [][]float32)
	step64 func(v variant) func(t int, s [][]float64)

	// c32 runs iters steps of the C baseline (nil: none for this optimizer).
	c32 func(fast bool, v variant, s [][]float32, iters int)
	c64 func(fast bool, v variant, s [][]float64, iters int)
}

// variant is one kernel of an optimizer: the options that select it and
// the number of slices it reads and writes per element.
type variant struct {
	name          string
	index         int // the variant number of the kernel tables and limits
	reads, writes int
	adam          kernels.Adam
}

// bytesPerElement is the memory traffic of one element of a step: every
// read and every write of one value of the given size.
func (v variant) bytesPerElement(elemSize int) int { return (v.reads + v.writes) * elemSize }

// streams is how many slices the variant touches, for its cache footprint.
func (v variant) streams() int { return v.reads }

// stepT is the step number the benchmarks use: bias corrections well away
// from 1, as after a few steps.
const stepT = 10

var optimizers = []*optimizer{adamOptimizer()}

func findOptimizer(name string) *optimizer {
	for _, o := range optimizers {
		if o.name == name {
			return o
		}
	}
	return nil
}

func (o *optimizer) findVariant(name string) (variant, bool) {
	for _, v := range o.variants {
		if v.name == name {
			return v, true
		}
	}
	return variant{}, false
}

func (o *optimizer) limits() limits.Entry {
	e, _ := limits.For(o.name)
	return e
}

// adamOptimizer is Adam: param, grad, m, v, vmax. Without AMSGrad a step
// reads param, grad, m, v and writes param, m, v (7 values per element);
// AMSGrad also reads and writes vmax (9).
func adamOptimizer() *optimizer {
	plain := kernels.DefaultAdam()
	l2 := plain
	l2.WeightDecay = 1e-2
	ams := plain
	ams.AMSGrad = true
	l2ams := l2
	l2ams.AMSGrad = true
	return &optimizer{
		name:   "adam",
		slices: []string{"param", "grad", "m", "v", "vmax"},
		variants: []variant{
			{name: "plain", index: 0, reads: 4, writes: 3, adam: plain},
			{name: "adamw", index: 0, reads: 4, writes: 3, adam: kernels.DefaultAdamW()},
			{name: "l2", index: 1, reads: 4, writes: 3, adam: l2},
			{name: "amsgrad", index: 2, reads: 5, writes: 4, adam: ams},
			{name: "l2-amsgrad", index: 3, reads: 5, writes: 4, adam: l2ams},
		},
		fill: fillAdam,
		step32: func(v variant) func(int, [][]float32) {
			a := v.adam
			return func(t int, s [][]float32) { _ = a.Step32(t, s[0], s[1], s[2], s[3], s[4]) }
		},
		step64: func(v variant) func(int, [][]float64) {
			a := v.adam
			return func(t int, s [][]float64) { _ = a.Step64(t, s[0], s[1], s[2], s[3], s[4]) }
		},
		c32: func(fast bool, v variant, s [][]float32, iters int) {
			var sc [10]float32
			for i, x := range adamScalars(v.adam, stepT) {
				sc[i] = float32(x)
			}
			cAdam32(fast, v.index, &sc, s[0], s[1], s[2], s[3], s[4], iters)
		},
		c64: func(fast bool, v variant, s [][]float64, iters int) {
			sc := adamScalars(v.adam, stepT)
			cAdam64(fast, v.index, &sc, s[0], s[1], s[2], s[3], s[4], iters)
		},
	}
}

// fillAdam gives Adam's slices the magnitudes of a network a few steps
// into training: no zeros and nothing near the denormal range, where some
// CPUs slow down and the benchmark would measure that instead.
func fillAdam(k int, rng *rand.Rand, x []float64) {
	for i := range x {
		g := 1e-3 * rng.NormFloat64() // a gradient of this element
		switch k {
		case 0: // param
			x[i] = 0.05 * rng.NormFloat64()
		case 1: // grad
			x[i] = g
		case 2: // m: (1-beta1^t) of a gradient, give or take
			x[i] = 0.5 * g
		case 3: // v: (1-beta2^t) of a squared gradient, kept away from 0
			x[i] = 0.01*g*g + 1e-10
		case 4: // vmax: at least v
			x[i] = 0.02*g*g + 2e-10
		}
	}
}

// adamScalars computes Adam's per-step scalars the way Adam.Step32 and
// Step64 do (in float64, in package kernels' order), for the C baseline.
func adamScalars(a kernels.Adam, t int) [10]float64 {
	bc1, bc2 := 1.0, 1.0
	if !a.NoBiasCorrection {
		bc1 = 1 - math.Pow(a.Beta1, float64(t))
		bc2 = 1 - math.Pow(a.Beta2, float64(t))
	}
	scale := a.GradScale
	if scale == 0 {
		scale = 1
	}
	if a.Maximize {
		scale = -scale
	}
	pdecay := 1.0
	if a.Decoupled {
		pdecay = 1 - a.LR*a.WeightDecay
	}
	return [10]float64{scale, a.WeightDecay, a.Beta1, 1 - a.Beta1, a.Beta2, 1 - a.Beta2,
		1 / math.Sqrt(bc2), a.Eps, a.LR / bc1, pdecay}
}
