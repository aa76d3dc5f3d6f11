package main

import "github.com/fusedopt/fusedopt/kernels"

// radamOptimizer is RAdam: param, grad, m, v. A step reads all four and
// writes param, m and v (7 values per element) whether rectified or not;
// a rectified step (rho_t > 5: from step 6 with Beta2 0.999) adds one
// square root and one division, an early step has neither.
func radamOptimizer() *optimizer {
	plain := kernels.DefaultRAdam()
	l2 := plain
	l2.WeightDecay = 1e-2
	l2.LR = 0 // coupled decay: see l2Note
	radamw := plain
	radamw.WeightDecay = 1e-2
	radamw.Decoupled = true
	slices := []string{"param", "grad", "m", "v"}
	// kernels.RAdam.variant(): coupled (not decoupled) decay + 2*rectified.
	return &optimizer{
		name:   "radam",
		title:  "RAdam",
		slices: slices,
		variants: []variant{
			{name: "plain", index: 2, reads: 4, writes: 3, arith: true, t: stepT, hp: plain},
			{name: "l2", index: 3, reads: 4, writes: 3, arith: true, t: stepT, hp: l2},
			{name: "decoupled", index: 2, reads: 4, writes: 3, arith: true, t: stepT, hp: radamw},
			// Step 3: not rectified, the momentum step alone.
			{name: "warmup", index: 0, reads: 4, writes: 3, t: radamWarmupT, hp: plain},
		},
		fill: fillState(slices, adamMoments),
		step32: func(v variant) func([][]float32) {
			o, t := v.hp.(kernels.RAdam), v.t
			return func(s [][]float32) { _ = o.Step32(t, s[0], s[1], s[2], s[3]) }
		},
		step64: func(v variant) func([][]float64) {
			o, t := v.hp.(kernels.RAdam), v.t
			return func(s [][]float64) { _ = o.Step64(t, s[0], s[1], s[2], s[3]) }
		},
	}
}

// radamWarmupT is a step RAdam does not rectify with the default Beta2.
const radamWarmupT = 3
