package main

import (
	"math/rand/v2"
	"unsafe"
)

// float is the element type of a precision.
type float interface{ float32 | float64 }

// patternLen is the period of the input pattern. Filling a 16M-element
// buffer from a random generator would take longer than benchmarking it;
// repeating a 64K-element pattern costs a copy, and the kernels' speed
// does not depend on the values as long as they are normal numbers.
const patternLen = 1 << 16

// stagger is the distance in bytes between the page offsets at which
// consecutive slices start: nine cache lines, so that slices stay
// cache-line aligned but no two start at the same offset in a 4 KiB page.
// Large allocations are page-aligned; slices of equal length would then
// put element i of every stream at the same page offset, and loads that
// follow stores 4 KiB apart are falsely held back as if they overlapped
// ("4K aliasing"). Measured here, that made the pure-Go float64 kernel
// about 3x slower at sizes that fit in L1; the benchmark measures the
// kernels, not that hazard.
const stagger = 9 * 64

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
		s[k] = staggered[T](n, k)
		for i := range pat {
			s[k][i] = T(pat[i])
		}
		for i := len(pat); i < n; i *= 2 { // doubling copies
			copy(s[k][i:], s[k][:i])
		}
	}
	return s
}

// staggered allocates n elements starting k*stagger bytes past a page
// boundary (when the allocation is page-aligned, as large ones are).
func staggered[T float](n, k int) []T {
	var z T
	off := (k * stagger % 4096) / int(unsafe.Sizeof(z))
	return make([]T, n+off)[off : off+n : off+n]
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
func chunk[T any](s [][]T, lo, hi int) [][]T {
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
		s[k] = staggered[T](n, k)
		for i := range s[k] {
			s[k][i] = T(0.5 + 1.5*rng.Float64())
		}
	}
	return s
}
