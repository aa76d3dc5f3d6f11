package main

import "math"

// problems is the tour: each problem with its racers and what its
// picture shows. Every problem's racers follow one rule, race(lr, eta).
func problems() []*problem {
	return []*problem{
		{
			name: "saddle", title: "saddle f = x² − y², from (1.4, 0.0001)",
			f: saddle, grad: saddleGrad,
			x0: 1.4, y0: 1e-4,
			xmin: -1.5, xmax: 1.5, ymin: -1, ymax: 2,
			minX: 0, minY: 0,
			steps:     120,
			levels:    linspace(-1.875, 1.875, 16), // not 0: f = 0 on grid points
			lossLabel: "f(x, y)",
			racers:    race(0.05, 0.1),
			caption:   saddleCaption,
		},
		{
			name: "valley", title: "ill-conditioned quadratic f = (x² + 20y²)/2, from (−4.5, 1)",
			f: valley, grad: valleyGrad,
			x0: -4.5, y0: 1,
			xmin: -5, xmax: 5, ymin: -1.5, ymax: 1.5,
			minX: 0, minY: 0,
			steps:     150,
			levels:    geomspace(0.05, 200, 14),
			lossLabel: "f(x, y)", logLoss: true,
			racers:  race(0.04, 0.5),
			caption: valleyCaption,
		},
		{
			name: "noisy", title: "the same quadratic, gradients with noise of σ 2",
			f: valley, grad: valleyGrad,
			noise: 2, seed: 11,
			x0: -4.5, y0: 1,
			xmin: -5, xmax: 5, ymin: -1.5, ymax: 1.5,
			minX: 0, minY: 0,
			steps:     150,
			levels:    geomspace(0.05, 200, 14),
			lossLabel: "f, mean of 10 steps", logLoss: true, smooth: 10,
			racers:  race(0.04, 0.5),
			caption: noisyCaption,
		},
		{
			name: "rosenbrock", title: "Rosenbrock's valley, from (−1.2, 1)",
			f: rosenbrock, grad: rosenbrockGrad,
			x0: -1.2, y0: 1,
			xmin: -1.5, xmax: 1.5, ymin: -0.5, ymax: 1.5,
			minX: 1, minY: 1,
			steps:     1000,
			levels:    geomspace(0.01, 100, 13),
			lossLabel: "f(x, y)", logLoss: true,
			racers:  race(5e-4, 0.1),
			caption: rosenbrockCaption,
		},
		{
			name: "beale", title: "Beale's function, from (1, 1.5)",
			f: beale, grad: bealeGrad,
			x0: 1, y0: 1.5,
			xmin: -1, xmax: 4.5, ymin: -2, ymax: 2.5,
			minX: 3, minY: 0.5,
			steps:     400,
			levels:    geomspace(0.01, 1000, 16),
			lossLabel: "f(x, y)", logLoss: true,
			racers:  race(1e-3, 0.1),
			caption: bealeCaption,
		},
	}
}

// linspace is n evenly spaced values from a to b.
func linspace(a, b float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	return out
}

// geomspace is n values from a to b in geometric progression: contour
// levels for a function that spans decades.
func geomspace(a, b float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = a * math.Pow(b/a, float64(i)/float64(n-1))
	}
	return out
}
