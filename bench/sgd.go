package main

import "github.com/fusedopt/fusedopt/kernels"

// sgdOptimizer is SGD: param, grad, buf. Without momentum a step reads
// param and grad and writes param (3 values per element); with momentum
// (or Nesterov) it also reads and writes buf (5). L2 decay reads param,
// which the step reads anyway. No square root or division: no arithmetic
// bound.
func sgdOptimizer() *optimizer {
	mom := kernels.DefaultSGD()
	mom.Momentum = 0.9
	nest := mom
	nest.Nesterov = true
	plain := kernels.DefaultSGD()
	l2 := func(o kernels.SGD) kernels.SGD { o.WeightDecay, o.LR = 1e-4, 0; return o } // see l2Note
	// kernels.SGD.variant(): coupled decay + 2*mode (0 none, 1 momentum, 2 Nesterov).
	return &optimizer{
		name:   "sgd",
		title:  "SGD",
		slices: []string{"param", "grad", "buf"},
		variants: []variant{
			{name: "momentum", index: 2, reads: 3, writes: 2, t: stepT, hp: mom},
			{name: "plain", index: 0, reads: 2, writes: 1, t: stepT, hp: plain},
			{name: "l2", index: 1, reads: 2, writes: 1, t: stepT, hp: l2(plain)},
			{name: "l2-momentum", index: 3, reads: 3, writes: 2, t: stepT, hp: l2(mom)},
			{name: "nesterov", index: 4, reads: 3, writes: 2, t: stepT, hp: nest},
			{name: "l2-nesterov", index: 5, reads: 3, writes: 2, t: stepT, hp: l2(nest)},
		},
		fill: fillState([]string{"param", "grad", "buf"}, map[string]func(g, z float64) float64{
			// A momentum-0.9 buffer after a few steps: a sum of some
			// gradients.
			"buf": func(g, _ float64) float64 { return 3 * g },
		}),
		step32: func(v variant) func([][]float32) {
			o, t := v.hp.(kernels.SGD), v.t
			return func(s [][]float32) { _ = o.Step32(t, s[0], s[1], s[2]) }
		},
		step64: func(v variant) func([][]float64) {
			o, t := v.hp.(kernels.SGD), v.t
			return func(s [][]float64) { _ = o.Step64(t, s[0], s[1], s[2]) }
		},
		stepBF16: func(v variant, f bf16Form) func(bf16Data) {
			o, t := v.hp.(kernels.SGD), v.t
			if f.gradBF16 {
				return func(d bf16Data) { _ = o.StepBF16Grad(t, f.rounding(d.offset), d.s[0], d.s[1], d.s[2]) }
			}
			return func(d bf16Data) { _ = o.StepBF16(t, f.rounding(d.offset), d.s[0], d.grad32, d.s[2]) }
		},
	}
}
