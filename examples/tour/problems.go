package main

import (
	"math"
	"math/rand/v2"
)

// A problem is one 2-D objective of the tour: the function, its gradient,
// the window drawn, where the race starts, how long it runs and who runs.
type problem struct {
	name  string // file stem: docs/tour-<name>.gif
	title string // the plot's title
	f     func(x, y float64) float64
	grad  func(x, y float64) (gx, gy float64)

	x0, y0                 float64 // the start
	xmin, xmax, ymin, ymax float64 // the window drawn
	minX, minY             float64 // the minimum (the saddle point, on the saddle), marked with a cross
	steps                  int     // steps per racer
	levels                 []float64

	// noise is the standard deviation of the noise added to each gradient
	// component (0: exact gradients); seed seeds its stream.
	noise float64
	seed  uint64

	lossLabel string // the loss plot's y axis
	logLoss   bool   // plot the loss on a log scale (it has a minimum of 0)
	smooth    int    // plot the mean loss of the last smooth steps (noisy problems)

	racers []racer

	// caption says what to see, in lines that fit the picture's width,
	// with the numbers measured on the race.
	caption func(r results) []string
}

// noiseAt returns the gradient noise of steps 1..n: the same stream for
// every racer, as if each drew the same minibatches. Each component is
// the sum of four uniforms, centred and scaled to unit variance: integer
// arithmetic and exact sums, with no math.Log or math.Exp (whose results
// differ between architectures), so the stream is the same everywhere.
func (p *problem) noiseAt(n int) [][2]float64 {
	out := make([][2]float64, n+1) // out[0] is unused: steps count from 1
	if p.noise == 0 {
		return out
	}
	r := rand.New(rand.NewPCG(p.seed, 0x7a1e))
	unit := func() float64 {
		s := r.Float64() + r.Float64() + r.Float64() + r.Float64() - 2
		return mul(s, math.Sqrt(3)) // the sum's variance is 4/12
	}
	for t := 1; t <= n; t++ {
		out[t] = [2]float64{mul(p.noise, unit()), mul(p.noise, unit())}
	}
	return out
}

// mul is x*y rounded on its own. Go may fuse a product into a following
// sum (it does on arm64); the explicit conversion forbids that, so the
// gradients, and with them the paths, have the same bits on every machine.
func mul(x, y float64) float64 { return float64(x * y) }

// saddle is f = x² - y², the lecture's saddle point.
func saddle(x, y float64) float64 {
	return mul(x, x) - mul(y, y)
}

func saddleGrad(x, y float64) (float64, float64) {
	return 2 * x, -2 * y
}

// beale is Beale's function, minimum 0 at (3, 0.5).
func beale(x, y float64) float64 {
	a, b, c := bealeTerms(x, y)
	return mul(a, a) + mul(b, b) + mul(c, c)
}

func bealeTerms(x, y float64) (a, b, c float64) {
	y2 := mul(y, y)
	y3 := mul(y2, y)
	a = 1.5 - x + mul(x, y)
	b = 2.25 - x + mul(x, y2)
	c = 2.625 - x + mul(x, y3)
	return a, b, c
}

func bealeGrad(x, y float64) (float64, float64) {
	a, b, c := bealeTerms(x, y)
	y2 := mul(y, y)
	y3 := mul(y2, y)
	gx := mul(2*a, y-1) + mul(2*b, y2-1) + mul(2*c, y3-1)
	gy := mul(2*a, x) + mul(2*b, mul(2*x, y)) + mul(2*c, mul(3*x, y2))
	return gx, gy
}

// rosenbrock is Rosenbrock's valley, minimum 0 at (1, 1).
func rosenbrock(x, y float64) float64 {
	d := y - mul(x, x)
	return mul(1-x, 1-x) + mul(100, mul(d, d))
}

func rosenbrockGrad(x, y float64) (float64, float64) {
	d := y - mul(x, x)
	return -2*(1-x) - mul(400*x, d), 200 * d
}

// valleyA and valleyB are the curvatures of the ill-conditioned quadratic
// f = (valleyA·x² + valleyB·y²)/2: condition number valleyB/valleyA.
const valleyA, valleyB = 1, 20

func valley(x, y float64) float64 {
	return mul(valleyA*x, x)/2 + mul(valleyB*y, y)/2
}

func valleyGrad(x, y float64) (float64, float64) {
	return valleyA * x, valleyB * y
}
