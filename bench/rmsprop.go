package main

import "github.com/fusedopt/fusedopt/kernels"

// rmspropOptimizer is RMSprop: param, grad, sq, gavg, buf. A plain step
// reads param, grad and sq and writes param and sq (5 values per
// element); Centered adds gavg and Momentum adds buf, each read and
// written (7, or 9 with both). One square root and one division.
func rmspropOptimizer() *optimizer {
	plain := kernels.DefaultRMSprop()
	l2 := plain
	l2.WeightDecay = 1e-4
	l2.LR = 0 // coupled decay: see l2Note
	cen := plain
	cen.Centered = true
	// Alpha 1 keeps sq and gavg as filled. On one fixed gradient they
	// would converge to g*g and g, whose variance estimate sq - gavg*gavg
	// is 0 and rounds negative: sqrt would give NaN, which the benchmark
	// would time (division and square root may take a different time on
	// special values). The kernels execute the same instructions.
	cen.Alpha = 1
	mom := plain
	mom.Momentum = 0.9
	cenmom := cen
	cenmom.Momentum = 0.9
	in := plain
	in.EpsInSqrt = true
	slices := []string{"param", "grad", "sq", "gavg", "buf"}
	// kernels.RMSprop.variant(): coupled decay + 2*Centered + 4*Momentum + 8*EpsInSqrt.
	return &optimizer{
		name:   "rmsprop",
		title:  "RMSprop",
		slices: slices,
		variants: []variant{
			{name: "plain", index: 0, reads: 3, writes: 2, arith: true, t: stepT, hp: plain},
			{name: "l2", index: 1, reads: 3, writes: 2, arith: true, t: stepT, hp: l2},
			{name: "centered", index: 2, reads: 4, writes: 3, arith: true, t: stepT, hp: cen},
			{name: "momentum", index: 4, reads: 4, writes: 3, arith: true, t: stepT, hp: mom},
			{name: "centered-momentum", index: 6, reads: 5, writes: 4, arith: true, t: stepT, hp: cenmom},
			{name: "eps-in-sqrt", index: 8, reads: 3, writes: 2, arith: true, t: stepT, hp: in},
		},
		fill: fillState(slices, map[string]func(g, z float64) float64{
			// Averages with alpha 0.99 after ten steps from zero: about a
			// tenth of g*g, and a small mean gradient.
			// gavg*gavg stays below sq's floor: the slices are filled
			// independently, and centered steps need sq - gavg*gavg > 0.
			"sq":   func(g, _ float64) float64 { return 0.1*g*g + 1e-10 },
			"gavg": func(_, z float64) float64 { return 1e-6 * z },
			// The momentum buffer sums normalized gradients g/sqrt(sq), of
			// order 1.
			"buf": func(_, z float64) float64 { return 3 * z },
		}),
		step32: func(v variant) func([][]float32) {
			o, t := v.hp.(kernels.RMSprop), v.t
			return func(s [][]float32) { _ = o.Step32(t, s[0], s[1], s[2], s[3], s[4]) }
		},
		step64: func(v variant) func([][]float64) {
			o, t := v.hp.(kernels.RMSprop), v.t
			return func(s [][]float64) { _ = o.Step64(t, s[0], s[1], s[2], s[3], s[4]) }
		},
	}
}
