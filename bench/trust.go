package main

import "github.com/fusedopt/fusedopt/kernels"

// lambOptimizer is LAMB: param, grad, m, v, in two passes. The first reads
// param, grad, m and v and writes m and v; the second reads param, m and
// v again and writes param: 10 values per element against Adam's 7. With
// the square root and division in both passes, it has no single limit
// kernel: the rows show no roofline or arithmetic bound. With -threads,
// each thread steps its own slice of the tensor, with its own trust ratio.
func lambOptimizer() *optimizer {
	slices := []string{"param", "grad", "m", "v"}
	wd := kernels.DefaultLAMB()
	wd.WeightDecay = 0.01
	return &optimizer{
		name:   "lamb",
		title:  "LAMB",
		slices: slices,
		variants: []variant{
			{name: "plain", reads: 7, writes: 3, footprint: 4, t: stepT, hp: kernels.DefaultLAMB()},
			{name: "decay", reads: 7, writes: 3, footprint: 4, t: stepT, hp: wd},
		},
		fill: fillState(slices, map[string]func(g, z float64) float64{
			"m": func(g, _ float64) float64 { return 0.5 * g },
			"v": func(g, _ float64) float64 { return 0.01 * g * g },
		}),
		step32: func(v variant) func([][]float32) {
			o, t := v.hp.(kernels.LAMB), v.t
			return func(s [][]float32) { _ = o.Step32(t, s[0], s[1], s[2], s[3]) }
		},
		step64: func(v variant) func([][]float64) {
			o, t := v.hp.(kernels.LAMB), v.t
			return func(s [][]float64) { _ = o.Step64(t, s[0], s[1], s[2], s[3]) }
		},
	}
}

// larsOptimizer is LARS: param, grad, buf, in two passes. The first reads
// param and grad; the second reads param, grad and buf and writes param
// and buf: 7 values per element against SGD with momentum's 5. Like
// LAMB's, its rows have no limit kernels.
func larsOptimizer() *optimizer {
	slices := []string{"param", "grad", "buf"}
	nest := kernels.DefaultLARS()
	nest.Nesterov, nest.WeightDecay = true, 1e-4
	return &optimizer{
		name:   "lars",
		title:  "LARS",
		slices: slices,
		variants: []variant{
			{name: "momentum", reads: 5, writes: 2, footprint: 3, t: stepT, hp: kernels.DefaultLARS()},
			{name: "nesterov", reads: 5, writes: 2, footprint: 3, t: stepT, hp: nest},
		},
		fill: fillState(slices, map[string]func(g, z float64) float64{
			"buf": func(g, _ float64) float64 { return 3e-6 * g },
		}),
		step32: func(v variant) func([][]float32) {
			o, t := v.hp.(kernels.LARS), v.t
			return func(s [][]float32) { _ = o.Step32(t, s[0], s[1], s[2]) }
		},
		step64: func(v variant) func([][]float64) {
			o, t := v.hp.(kernels.LARS), v.t
			return func(s [][]float64) { _ = o.Step64(t, s[0], s[1], s[2]) }
		},
	}
}
