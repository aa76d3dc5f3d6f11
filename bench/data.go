package main

import "math/rand/v2"

// float is the element type of a precision.
type float interface{ float32 | float64 }

// patternLen is the period of the input pattern. Filling a 16M-element
// buffer from a random generator would take longer than benchmarking it;
// repeating a 64K-element pattern costs a copy, and the kernels' speed
// does not depend on the values as long as they are normal numbers.
const patternLen = 1 << 16

// newSlices allocates an optimizer's slices with n elements each and
// fills them with its initial values (touching every page, so that page
// faults happen here and not while timing). The same seed gives the same
// values, so repeated runs and the C baseline see the same data.
func newSlices[T float](o *optimizer, n int, seed uint64) [][]T {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	pat := make([]float64, min(n, patternLen))
	s := make([][]T, len(o.slices))
	for k := range s {
		o.fill(k, rng, pat)
		s[k] = make([]T, n)
		for i := range pat {
			s[k][i] = T(pat[i])
		}
		for i := len(pat); i < n; i *= 2 { // doubling copies
			copy(s[k][i:], s[k][:i])
		}
	}
	return s
}

// prefix is the first n elements of each slice.
func prefix[T float](s [][]T, n int) [][]T {
	p := make([][]T, len(s))
	for k := range s {
		p[k] = s[k][:n:n]
	}
	return p
}

// chunk is elements [lo, hi) of each slice.
func chunk[T float](s [][]T, lo, hi int) [][]T {
	p := make([][]T, len(s))
	for k := range s {
		p[k] = s[k][lo:hi:hi]
	}
	return p
}

// positiveSlices are inputs for the arithmetic-bound kernel: square roots
// and divisions of values in [0.5, 2), which no CPU treats specially.
func positiveSlices[T float](slices, n int, seed uint64) [][]T {
	rng := rand.New(rand.NewPCG(seed, 0xa417))
	s := make([][]T, slices)
	for k := range s {
		s[k] = make([]T, n)
		for i := range s[k] {
			s[k][i] = T(0.5 + 1.5*rng.Float64())
		}
	}
	return s
}
