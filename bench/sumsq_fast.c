//go:build cgo

// The -ffast-math C baseline of the sum of squares: gcc reassociates the
// additions into vector partial sums of its own order.
#define SUMSQ_PREFIX csumsq_fast_
#include "sumsq_body.h"
