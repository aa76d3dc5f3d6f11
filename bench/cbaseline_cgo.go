//go:build cgo

package main

// -march=native is on cgo's list of allowed flags (it matches
// -m(arch|cpu|fpu|tune)=...), so the baseline gets whatever vector
// extensions the build machine has, as a C user's build would.
// -fno-math-errno is not on that list but -ffast-math is: the package
// compiles with -ffast-math and adam.c turns its inexact parts back off
// (see there), leaving the plain baseline with just -fno-math-errno.

/*
#cgo CFLAGS: -O3 -march=native -ffast-math
#include <stddef.h>
void cadam_step32(int, ptrdiff_t, float*, const float*, float*, float*, float*, const float*, long);
void cadam_step64(int, ptrdiff_t, double*, const double*, double*, double*, double*, const double*, long);
void cadam_fast_step32(int, ptrdiff_t, float*, const float*, float*, float*, float*, const float*, long);
void cadam_fast_step64(int, ptrdiff_t, double*, const double*, double*, double*, double*, const double*, long);
double csumsq_f32(ptrdiff_t, const float*, long);
double csumsq_f64(ptrdiff_t, const double*, long);
double csumsq_fast_f32(ptrdiff_t, const float*, long);
double csumsq_fast_f64(ptrdiff_t, const double*, long);
*/
import "C"

import "unsafe"

// cBaselineAvailable reports whether this binary has the C baselines.
const cBaselineAvailable = true

// cOptFlags are the options the plain baseline is compiled with.
const cOptFlags = "-O3 -march=native -fno-math-errno"

// cAdam32 runs iters float32 Adam steps of the C baseline (fast selects
// the -ffast-math build) over slices of equal length n > 0; vmax may be
// nil unless the variant keeps it.
func cAdam32(fast bool, variant int, s *[10]float32, p, g, m, v, vmax []float32, iters int) {
	n := C.ptrdiff_t(len(p))
	var vm *C.float
	if variant >= 2 {
		vm = (*C.float)(unsafe.Pointer(&vmax[0]))
	}
	args := [...]*C.float{
		(*C.float)(unsafe.Pointer(&p[0])), (*C.float)(unsafe.Pointer(&g[0])),
		(*C.float)(unsafe.Pointer(&m[0])), (*C.float)(unsafe.Pointer(&v[0])),
	}
	sc := (*C.float)(unsafe.Pointer(&s[0]))
	if fast {
		C.cadam_fast_step32(C.int(variant), n, args[0], args[1], args[2], args[3], vm, sc, C.long(iters))
	} else {
		C.cadam_step32(C.int(variant), n, args[0], args[1], args[2], args[3], vm, sc, C.long(iters))
	}
}

// cAdam64 is cAdam32 for float64.
func cAdam64(fast bool, variant int, s *[10]float64, p, g, m, v, vmax []float64, iters int) {
	n := C.ptrdiff_t(len(p))
	var vm *C.double
	if variant >= 2 {
		vm = (*C.double)(unsafe.Pointer(&vmax[0]))
	}
	args := [...]*C.double{
		(*C.double)(unsafe.Pointer(&p[0])), (*C.double)(unsafe.Pointer(&g[0])),
		(*C.double)(unsafe.Pointer(&m[0])), (*C.double)(unsafe.Pointer(&v[0])),
	}
	sc := (*C.double)(unsafe.Pointer(&s[0]))
	if fast {
		C.cadam_fast_step64(C.int(variant), n, args[0], args[1], args[2], args[3], vm, sc, C.long(iters))
	} else {
		C.cadam_step64(C.int(variant), n, args[0], args[1], args[2], args[3], vm, sc, C.long(iters))
	}
}

// cSumSquares32 runs iters sums of squares of x (len(x) > 0) in the C
// baseline (fast: the -ffast-math build) and returns the last.
func cSumSquares32(fast bool, x []float32, iters int) float64 {
	n, p := C.ptrdiff_t(len(x)), (*C.float)(unsafe.Pointer(&x[0]))
	if fast {
		return float64(C.csumsq_fast_f32(n, p, C.long(iters)))
	}
	return float64(C.csumsq_f32(n, p, C.long(iters)))
}

// cSumSquares64 is cSumSquares32 for float64.
func cSumSquares64(fast bool, x []float64, iters int) float64 {
	n, p := C.ptrdiff_t(len(x)), (*C.double)(unsafe.Pointer(&x[0]))
	if fast {
		return float64(C.csumsq_fast_f64(n, p, C.long(iters)))
	}
	return float64(C.csumsq_f64(n, p, C.long(iters)))
}
