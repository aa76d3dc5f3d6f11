//go:build cgo

// The plain C baseline of the sum of squares; adam.c says why the pragma
// turns -ffast-math's value-changing parts off again.
#pragma GCC optimize("no-unsafe-math-optimizations", "no-finite-math-only", "signed-zeros", \
		     "trapping-math", "no-associative-math", "no-reciprocal-math")
#define SUMSQ_PREFIX csumsq_
#include "sumsq_body.h"
