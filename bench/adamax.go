package main

import "github.com/fusedopt/fusedopt/kernels"

// adamaxOptimizer is Adamax: param, grad, m, u. A step reads all four and
// writes param, m and u: 7 values per element, one division and no
// square root.
func adamaxOptimizer() *optimizer {
	plain := kernels.DefaultAdamax()
	l2 := plain
	l2.WeightDecay = 1e-2
	l2.LR = 0 // coupled decay: see l2Note
	slices := []string{"param", "grad", "m", "u"}
	// kernels.Adamax.variant(): coupled decay.
	return &optimizer{
		name:   "adamax",
		title:  "Adamax",
		slices: slices,
		variants: []variant{
			{name: "plain", index: 0, reads: 4, writes: 3, arith: true, t: stepT, hp: plain},
			{name: "l2", index: 1, reads: 4, writes: 3, arith: true, t: stepT, hp: l2},
		},
		fill: fillState(slices, map[string]func(g, z float64) float64{
			"m": func(g, _ float64) float64 { return 0.5 * g },
			// The infinity norm: at least |g| + Eps, a recent larger
			// gradient slowly decaying.
			"u": func(g, _ float64) float64 { return 1.5*abs(g) + 1e-8 },
		}),
		step32: func(v variant) func([][]float32) {
			o, t := v.hp.(kernels.Adamax), v.t
			return func(s [][]float32) { _ = o.Step32(t, s[0], s[1], s[2], s[3]) }
		},
		step64: func(v variant) func([][]float64) {
			o, t := v.hp.(kernels.Adamax), v.t
			return func(s [][]float64) { _ = o.Step64(t, s[0], s[1], s[2], s[3]) }
		},
	}
}
