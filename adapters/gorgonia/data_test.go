package fusedgorgonia_test

import (
	"math"
	"math/rand/v2"
)

// The classification task of the training tests: three interleaved
// spirals in the plane, 100 points each (2.4 KB of float32 features),
// which no linear model separates. The data is generated from a fixed
// seed, so every run trains on the same points.
const (
	nPoints  = 300
	nClasses = 3
	nHidden  = 32
)

// spirals returns the points as an nPoints×2 row-major matrix and their
// classes one-hot as nPoints×nClasses.
func spirals() (x, onehot []float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	x = make([]float64, 0, 2*nPoints)
	onehot = make([]float64, nPoints*nClasses)
	per := nPoints / nClasses
	for c := range nClasses {
		for i := range per {
			r := float64(i) / float64(per)
			a := float64(c)*4 + 4*r + 0.2*rng.NormFloat64()
			x = append(x, r*math.Sin(a), r*math.Cos(a))
			onehot[(c*per+i)*nClasses+c] = 1
		}
	}
	return x, onehot
}

// initial returns n weights drawn uniformly from ±sqrt(6/(in+out))
// (Glorot), from a seed of its own.
func initial(seed uint64, n, in, out int) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	lim := math.Sqrt(6 / float64(in+out))
	w := make([]float64, n)
	for i := range w {
		w[i] = lim * (2*rng.Float64() - 1)
	}
	return w
}
