package main

import "github.com/fusedopt/fusedopt/kernels"

// lionOptimizer is Lion: param, grad, m. A step reads all three and writes
// param and m: 5 values per element. Its update is a sign, with no square
// root or division: no arithmetic bound. It has one kernel (decoupled
// weight decay is a per-step scalar) and no step number, except in the
// bfloat16 steps, whose rounding hashes it.
func lionOptimizer() *optimizer {
	slices := []string{"param", "grad", "m"}
	return &optimizer{
		name:   "lion",
		title:  "Lion",
		slices: slices,
		variants: []variant{
			{name: "plain", index: 0, reads: 3, writes: 2, t: stepT, hp: kernels.DefaultLion()},
		},
		fill: fillState(slices, map[string]func(g, z float64) float64{
			// beta2 0.99 after ten steps from zero: a tenth of a gradient.
			"m": func(g, _ float64) float64 { return 0.1 * g },
		}),
		step32: func(v variant) func([][]float32) {
			o := v.hp.(kernels.Lion)
			return func(s [][]float32) { _ = o.Step32(s[0], s[1], s[2]) }
		},
		step64: func(v variant) func([][]float64) {
			o := v.hp.(kernels.Lion)
			return func(s [][]float64) { _ = o.Step64(s[0], s[1], s[2]) }
		},
		stepBF16: func(v variant, f bf16Form) func(bf16Data) {
			o, t := v.hp.(kernels.Lion), v.t
			if f.gradBF16 {
				return func(d bf16Data) { _ = o.StepBF16Grad(t, f.rounding(d.offset), d.s[0], d.s[1], d.s[2]) }
			}
			return func(d bf16Data) { _ = o.StepBF16(t, f.rounding(d.offset), d.s[0], d.grad32, d.s[2]) }
		},
	}
}
