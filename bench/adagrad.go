package main

import "github.com/fusedopt/fusedopt/kernels"

// adagradOptimizer is Adagrad: param, grad, sum. A step reads param, grad
// and sum and writes param and sum: 5 values per element, one square root
// and one division.
func adagradOptimizer() *optimizer {
	plain := kernels.DefaultAdagrad()
	l2 := plain
	l2.WeightDecay = 1e-4
	l2.LR = 0 // coupled decay: see l2Note
	in := plain
	in.EpsInSqrt = true
	l2in := l2
	l2in.EpsInSqrt = true
	slices := []string{"param", "grad", "sum"}
	// kernels.Adagrad.variant(): coupled decay + 2*EpsInSqrt.
	return &optimizer{
		name:   "adagrad",
		title:  "Adagrad",
		slices: slices,
		variants: []variant{
			{name: "plain", index: 0, reads: 3, writes: 2, arith: true, t: stepT, hp: plain},
			{name: "l2", index: 1, reads: 3, writes: 2, arith: true, t: stepT, hp: l2},
			{name: "eps-in-sqrt", index: 2, reads: 3, writes: 2, arith: true, t: stepT, hp: in},
			{name: "l2-eps-in-sqrt", index: 3, reads: 3, writes: 2, arith: true, t: stepT, hp: l2in},
		},
		fill: fillState(slices, map[string]func(g, z float64) float64{
			// The sum of ten squared gradients, kept away from 0.
			"sum": func(g, _ float64) float64 { return 10*g*g + 1e-10 },
		}),
		step32: func(v variant) func([][]float32) {
			o, t := v.hp.(kernels.Adagrad), v.t
			return func(s [][]float32) { _ = o.Step32(t, s[0], s[1], s[2]) }
		},
		step64: func(v variant) func([][]float64) {
			o, t := v.hp.(kernels.Adagrad), v.t
			return func(s [][]float64) { _ = o.Step64(t, s[0], s[1], s[2]) }
		},
	}
}
