package main

import "github.com/fusedopt/fusedopt/kernels"

// adadeltaOptimizer is Adadelta: param, grad, sq, acc. A step reads all
// four and writes param, sq and acc: 7 values per element, three square
// roots and one division.
func adadeltaOptimizer() *optimizer {
	plain := kernels.DefaultAdadelta()
	l2 := plain
	l2.WeightDecay = 1e-4
	l2.LR = 0 // coupled decay: see l2Note
	slices := []string{"param", "grad", "sq", "acc"}
	// kernels.Adadelta.variant(): coupled decay.
	return &optimizer{
		name:   "adadelta",
		title:  "Adadelta",
		slices: slices,
		variants: []variant{
			{name: "plain", index: 0, reads: 4, writes: 3, arith: true, t: stepT, hp: plain},
			{name: "l2", index: 1, reads: 4, writes: 3, arith: true, t: stepT, hp: l2},
		},
		fill: fillState(slices, map[string]func(g, z float64) float64{
			// Averages with rho 0.9 after ten steps from zero: about two
			// thirds of g*g, and of delta*delta with delta near g (Eps 1e-6
			// is of the order of g*g).
			"sq":  func(g, _ float64) float64 { return 0.6*g*g + 1e-10 },
			"acc": func(g, _ float64) float64 { return 0.4*g*g + 1e-10 },
		}),
		step32: func(v variant) func([][]float32) {
			o, t := v.hp.(kernels.Adadelta), v.t
			return func(s [][]float32) { _ = o.Step32(t, s[0], s[1], s[2], s[3]) }
		},
		step64: func(v variant) func([][]float64) {
			o, t := v.hp.(kernels.Adadelta), v.t
			return func(s [][]float64) { _ = o.Step64(t, s[0], s[1], s[2], s[3]) }
		},
	}
}
