package main

import "github.com/fusedopt/fusedopt/kernels"

// nadamOptimizer is NAdam: param, grad, m, v. A step reads all four and
// writes param, m and v: 7 values per element, one square root and one
// division.
func nadamOptimizer() *optimizer {
	plain := kernels.DefaultNAdam()
	l2 := plain
	l2.WeightDecay = 1e-2
	l2.LR = 0 // coupled decay: see l2Note
	nadamw := plain
	nadamw.WeightDecay = 1e-2
	nadamw.Decoupled = true
	slices := []string{"param", "grad", "m", "v"}
	// kernels.NAdam.variant(): coupled (not decoupled) decay.
	return &optimizer{
		name:   "nadam",
		title:  "NAdam",
		slices: slices,
		variants: []variant{
			{name: "plain", index: 0, reads: 4, writes: 3, arith: true, t: stepT, hp: plain},
			{name: "l2", index: 1, reads: 4, writes: 3, arith: true, t: stepT, hp: l2},
			{name: "decoupled", index: 0, reads: 4, writes: 3, arith: true, t: stepT, hp: nadamw},
		},
		fill: fillState(slices, adamMoments),
		step32: func(v variant) func([][]float32) {
			o := v.hp.(kernels.NAdam)
			sch := o.ScheduleAt(v.t)
			return func(s [][]float32) { _ = o.Step32(sch, s[0], s[1], s[2], s[3]) }
		},
		step64: func(v variant) func([][]float64) {
			o := v.hp.(kernels.NAdam)
			sch := o.ScheduleAt(v.t)
			return func(s [][]float64) { _ = o.Step64(sch, s[0], s[1], s[2], s[3]) }
		},
	}
}

// adamMoments are Adam's moments a few steps in, as fillAdam sets them:
// m about half a gradient, v a hundredth of a squared one, kept away from 0.
var adamMoments = map[string]func(g, z float64) float64{
	"m": func(g, _ float64) float64 { return 0.5 * g },
	"v": func(g, _ float64) float64 { return 0.01*g*g + 1e-10 },
}
