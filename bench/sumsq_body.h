// The C baseline of the sum of squares: the loop a C programmer writes,
// accumulating in double as fusedopt does. sumsq.c and sumsq_fast.c
// include this file with different compiler options: without
// -ffast-math gcc may not reorder the additions, so the loop is one chain
// of dependent adds; with it gcc vectorizes into partial sums of its own
// choosing (an order that changes with the compiler and flags, which is
// why fusedopt fixes its own). The fast loop reads the slice as fast as
// gcc can: with the kernels' Traffic loops it sets the roofline.
//
// SUMSQ_PREFIX names the functions. Each runs iters sums so that the cgo
// call is paid once per measurement; the empty asm with a memory clobber
// between sums keeps gcc from computing the (loop-invariant) sum once.

#include <stddef.h>

#define SUMSQ_CAT2(a, b) a##b
#define SUMSQ_CAT(a, b) SUMSQ_CAT2(a, b)
#define SUMSQ_FN(name) SUMSQ_CAT(SUMSQ_PREFIX, name)

#define SUMSQ_LOOP(name, T)                                          \
	double SUMSQ_FN(name)(ptrdiff_t n, const T *restrict x, long iters) { \
		double last = 0;                                             \
		for (long it = 0; it < iters; it++) {                        \
			double s = 0;                                        \
			for (ptrdiff_t i = 0; i < n; i++) {                  \
				double d = (double)x[i];                     \
				s += d * d;                                  \
			}                                                    \
			last = s;                                            \
			__asm__ volatile("" : : "g"(last) : "memory");      \
		}                                                            \
		return last;                                                 \
	}

SUMSQ_LOOP(f32, float)
SUMSQ_LOOP(f64, double)
