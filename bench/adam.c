//go:build cgo

// The plain C baseline, meant as gcc -O3 -march=native -fno-math-errno:
// exact sqrt and division, no errno (so sqrtf is one instruction and the
// loop vectorizes). cgo does not allow -fno-math-errno in #cgo CFLAGS but
// does allow -ffast-math, and gcc fixes errno handling for the whole
// translation unit from the command line, so the package compiles with
// -ffast-math and this file switches the value-changing parts of it back
// off. With gcc 12 the result is instruction for instruction what
// -O3 -march=native -fno-math-errno gives.
#pragma GCC optimize("no-unsafe-math-optimizations", "no-finite-math-only", "signed-zeros", \
		     "trapping-math", "no-associative-math", "no-reciprocal-math")
#define ADAM_PREFIX cadam_
#include "adam_body.h"
