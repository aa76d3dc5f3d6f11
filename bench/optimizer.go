package main

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/fusedopt/fusedopt/internal/limits"
	"github.com/fusedopt/fusedopt/kernels"
)

// optimizer describes one optimizer to the benchmarks: its slices, its
// kernel variants, how to fill its inputs, and how to run one step of it
// at the active level and in C. Adding an optimizer means adding one of
// these to optimizers (one file per optimizer: sgd.go, adagrad.go, ...).
type optimizer struct {
	name     string   // the -optimizer name and limits.For key: "adam", "sgd", ...
	title    string   // the Go benchmark name: "Adam", "SGD", "RMSprop", ...
	slices   []string // the Step slice arguments, in order
	variants []variant

	// fill sets the initial value of slice k for a pattern of elements.
	fill func(k int, rng *rand.Rand, x []float64)

	// step32 returns a function that runs one step of variant v (number
	// v.t) on s at the active level.
	step32 func(v variant) func(s [][]float32)
	step64 func(v variant) func(s [][]float64)

	// stepBF16 returns a function that runs one bfloat16 step of form f
	// of variant v at the active level, or nil if the kernels have no
	// such step; a nil stepBF16 means none for any variant.
	stepBF16 func(v variant, f bf16Form) func(d bf16Data)
	// formsBF16 are the forms of its bfloat16 rows; nil: bf16Forms, the
	// roundings and gradient types of an update.
	formsBF16 []bf16Form

	// c32 runs iters steps of the C baseline (nil: none for this optimizer).
	c32 func(fast bool, v variant, s [][]float32, iters int)
	c64 func(fast bool, v variant, s [][]float64, iters int)
}

// variant is one kernel of an optimizer: the options that select it and
// the number of slices it reads and writes per element. The first variant
// of an optimizer is its default.
type variant struct {
	name  string
	index int // the variant number of the kernel tables and limits (the kernels' variant())

	// reads and writes count the slices the variant's kernel loads and
	// stores per element: the bytes a step really moves.
	reads, writes int

	// arith says whether the variant's kernel has square roots or
	// divisions, and so an arithmetic bound. Without them (SGD, Lion,
	// RAdam's unrectified steps) the Arith kernel only copies a stream:
	// the kernel is memory-bound at every size and only the roofline
	// applies.
	arith bool

	// footprint is the number of distinct slices the variant touches,
	// where a two-pass step (LAMB, LARS) reads some twice; 0 means reads.
	footprint int

	t  int // the step number: stepT unless the variant depends on it
	hp any // the hyperparameters: a kernels.Adam, kernels.SGD, ...
}

// bytesPerElement is the memory traffic of one element of a step: every
// read and every write of one value of the given size.
func (v variant) bytesPerElement(elemSize int) int { return (v.reads + v.writes) * elemSize }

// streams is how many slices the variant touches, for its cache footprint
// (every kernel reads each slice it writes).
func (v variant) streams() int {
	if v.footprint > 0 {
		return v.footprint
	}
	return v.reads
}

// stepT is the step number the benchmarks use: bias corrections well away
// from 1, as after a few steps.
const stepT = 10

var optimizers = []*optimizer{
	adamOptimizer(), sgdOptimizer(), adagradOptimizer(), rmspropOptimizer(), adadeltaOptimizer(),
	nadamOptimizer(), radamOptimizer(), adamaxOptimizer(), lionOptimizer(), sumsqOptimizer(),
	lambOptimizer(), larsOptimizer(),
}

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

func (o *optimizer) variantNames() string {
	var names []string
	for _, v := range o.variants {
		names = append(names, v.name)
	}
	return strings.Join(names, ", ")
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
	l2.LR = 0 // coupled decay: see l2Note
	ams := plain
	ams.AMSGrad = true
	l2ams := l2
	l2ams.AMSGrad = true
	return &optimizer{
		name:   "adam",
		title:  "Adam",
		slices: []string{"param", "grad", "m", "v", "vmax"},
		variants: []variant{
			{name: "plain", index: 0, reads: 4, writes: 3, arith: true, t: stepT, hp: plain},
			{name: "adamw", index: 0, reads: 4, writes: 3, arith: true, t: stepT, hp: kernels.DefaultAdamW()},
			{name: "l2", index: 1, reads: 4, writes: 3, arith: true, t: stepT, hp: l2},
			{name: "amsgrad", index: 2, reads: 5, writes: 4, arith: true, t: stepT, hp: ams},
			{name: "l2-amsgrad", index: 3, reads: 5, writes: 4, arith: true, t: stepT, hp: l2ams},
		},
		fill: fillAdam,
		step32: func(v variant) func([][]float32) {
			a, t := v.hp.(kernels.Adam), v.t
			return func(s [][]float32) { _ = a.Step32(t, s[0], s[1], s[2], s[3], s[4]) }
		},
		step64: func(v variant) func([][]float64) {
			a, t := v.hp.(kernels.Adam), v.t
			return func(s [][]float64) { _ = a.Step64(t, s[0], s[1], s[2], s[3], s[4]) }
		},
		stepBF16: func(v variant, f bf16Form) func(bf16Data) {
			a, t := v.hp.(kernels.Adam), v.t
			switch {
			case a.AMSGrad:
				return nil
			case f.gradBF16:
				return func(d bf16Data) { _ = a.StepBF16Grad(t, f.rounding(d.offset), d.s[0], d.s[1], d.s[2], d.s[3]) }
			}
			return func(d bf16Data) { _ = a.StepBF16(t, f.rounding(d.offset), d.s[0], d.grad32, d.s[2], d.s[3]) }
		},
		c32: func(fast bool, v variant, s [][]float32, iters int) {
			var sc [10]float32
			for i, x := range adamScalars(v.hp.(kernels.Adam), v.t) {
				sc[i] = float32(x)
			}
			cAdam32(fast, v.index, &sc, s[0], s[1], s[2], s[3], s[4], iters)
		},
		c64: func(fast bool, v variant, s [][]float64, iters int) {
			sc := adamScalars(v.hp.(kernels.Adam), v.t)
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

// l2Note: the variants with coupled (L2) weight decay step with LR 0.
// The benchmarks take millions of steps on one fixed gradient, and with
// a learning rate the parameters would converge to the minimum of that
// linear loss plus the decay term, where the decayed gradient, and with
// it the state, underflows to denormals (Adam's m after 2000 steps at
// LR 1e-3, weight decay 1e-2): the benchmark would time those. With LR 0
// the kernels execute the same instructions, and the decayed gradient
// stays where the inputs put it.
const l2Note = "coupled decay steps with LR 0"

// fillState returns a fill function from one formula per slice name, each
// given a gradient g of the element (about 1e-3) and a standard normal
// draw z: the magnitudes of a network a few steps into training, with no
// zeros and nothing near the denormal range. param and grad are the same
// for every optimizer.
func fillState(slices []string, state map[string]func(g, z float64) float64) func(int, *rand.Rand, []float64) {
	return func(k int, rng *rand.Rand, x []float64) {
		f := state[slices[k]]
		switch slices[k] {
		case "param":
			f = func(_, z float64) float64 { return 0.05 * z }
		case "grad":
			f = func(g, _ float64) float64 { return g }
		}
		for i := range x {
			g := 1e-3 * rng.NormFloat64()
			x[i] = f(g, rng.NormFloat64())
		}
	}
}
