//go:build cgo

// The -ffast-math C baseline: the package's CFLAGS as they are. gcc may
// replace sqrt and division by reciprocal estimates plus a Newton step
// (vrsqrtps, vrcpps), so its results differ from fusedopt's in the last
// bits; it shows what giving up exactness buys.
#define ADAM_PREFIX cadam_fast_
#include "adam_body.h"
