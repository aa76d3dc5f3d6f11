package adaptertest

import (
	"math"
	"math/rand/v2"
)

// The classification task of the training tests: three interleaved
// spirals in the plane, 100 points each (2.4 KB of float32 features),
// which no linear model separates. The data is generated from a fixed
// seed, so every run trains on the same points.
const (
	NPoints  = 300 // points in all
	NClasses = 3   // spirals, one class each
	NHidden  = 32  // the hidden layer's width in the tests' MLPs
)

// Spirals returns the points as an NPoints×2 row-major matrix and their
// classes one-hot as NPoints×NClasses.
func Spirals() (x, onehot []float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	x = make([]float64, 0, 2*NPoints)
	onehot = make([]float64, NPoints*NClasses)
	per := NPoints / NClasses
	for c := range NClasses {
		for i := range per {
			r := float64(i) / float64(per)
			a := float64(c)*4 + 4*r + 0.2*rng.NormFloat64()
			x = append(x, r*math.Sin(a), r*math.Cos(a))
			onehot[(c*per+i)*NClasses+c] = 1
		}
	}
	return x, onehot
}

// Initial returns n weights drawn uniformly from ±sqrt(6/(in+out))
// (Glorot), from a seed of its own.
func Initial(seed uint64, n, in, out int) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	lim := math.Sqrt(6 / float64(in+out))
	w := make([]float64, n)
	for i := range w {
		w[i] = lim * (2*rng.Float64() - 1)
	}
	return w
}
