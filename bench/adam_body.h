// The C baseline of Adam: the same update as fusedopt's kernels, written
// plainly with one division per element, so that what the compiler makes
// of it can be compared with the hand-vectorized levels. adam.c and
// adam_fast.c include this file with different compiler options.
//
// ADAM_PREFIX names the functions; s holds the per-step scalars in the
// order of package kernels (gradient scale, L2 decay, beta1, 1-beta1,
// beta2, 1-beta2, 1/sqrt(1-beta2^t), eps, lr/(1-beta1^t), 1-lr*decay).
// Each function runs iters steps, so that the cgo call is paid once per
// measurement rather than once per step. The empty asm with a memory
// clobber between steps keeps gcc from interchanging or fusing the step
// and element loops (legal with restrict, and done at -O3): without it
// gcc keeps an element in registers across steps and "beats" the memory
// roofline by not moving the bytes a real step moves.

#include <math.h>
#include <stddef.h>

#define ADAM_CAT2(a, b) a##b
#define ADAM_CAT(a, b) ADAM_CAT2(a, b)
#define ADAM_FN(name) ADAM_CAT(ADAM_PREFIX, name)

// ADAM_LOOP defines one specialized loop: T is float or double, SQRT the
// matching square root, COUPLED adds the L2 term, AMS keeps vmax.
#define ADAM_LOOP(name, T, SQRT, COUPLED, AMS)                                 \
	static void name(ptrdiff_t n, T *restrict p, const T *restrict g,            \
			 T *restrict m, T *restrict v, T *restrict vmax,             \
			 const T *s, long iters) {                                   \
		const T gscale = s[0], wd = s[1], b1 = s[2], omb1 = s[3];            \
		const T b2 = s[4], omb2 = s[5], ibc2 = s[6], eps = s[7];             \
		const T step = s[8], pdecay = s[9];                                  \
		for (long it = 0; it < iters; it++) {                                \
			for (ptrdiff_t i = 0; i < n; i++) {                          \
				T gi = g[i] * gscale;                                \
				if (COUPLED) gi += wd * p[i];                        \
				T mt = b1 * m[i] + omb1 * gi;                        \
				T vt = b2 * v[i] + omb2 * (gi * gi);                 \
				m[i] = mt;                                           \
				v[i] = vt;                                           \
				if (AMS) {                                           \
					vt = vmax[i] > vt ? vmax[i] : vt;            \
					vmax[i] = vt;                                \
				}                                                    \
				T denom = SQRT(vt) * ibc2 + eps;                     \
				p[i] = p[i] * pdecay - step * (mt / denom);          \
			}                                                            \
			__asm__ volatile("" ::: "memory");                           \
		}                                                                    \
	}

ADAM_LOOP(ADAM_FN(f32), float, sqrtf, 0, 0)
ADAM_LOOP(ADAM_FN(f32_coupled), float, sqrtf, 1, 0)
ADAM_LOOP(ADAM_FN(f32_ams), float, sqrtf, 0, 1)
ADAM_LOOP(ADAM_FN(f32_coupled_ams), float, sqrtf, 1, 1)
ADAM_LOOP(ADAM_FN(f64), double, sqrt, 0, 0)
ADAM_LOOP(ADAM_FN(f64_coupled), double, sqrt, 1, 0)
ADAM_LOOP(ADAM_FN(f64_ams), double, sqrt, 0, 1)
ADAM_LOOP(ADAM_FN(f64_coupled_ams), double, sqrt, 1, 1)

// The entry points take the variant as package kernels numbers it:
// coupled + 2*amsgrad.
void ADAM_FN(step32)(int variant, ptrdiff_t n, float *p, const float *g, float *m,
		     float *v, float *vmax, const float *s, long iters) {
	switch (variant) {
	case 0: ADAM_FN(f32)(n, p, g, m, v, vmax, s, iters); break;
	case 1: ADAM_FN(f32_coupled)(n, p, g, m, v, vmax, s, iters); break;
	case 2: ADAM_FN(f32_ams)(n, p, g, m, v, vmax, s, iters); break;
	case 3: ADAM_FN(f32_coupled_ams)(n, p, g, m, v, vmax, s, iters); break;
	}
}

void ADAM_FN(step64)(int variant, ptrdiff_t n, double *p, const double *g, double *m,
		     double *v, double *vmax, const double *s, long iters) {
	switch (variant) {
	case 0: ADAM_FN(f64)(n, p, g, m, v, vmax, s, iters); break;
	case 1: ADAM_FN(f64_coupled)(n, p, g, m, v, vmax, s, iters); break;
	case 2: ADAM_FN(f64_ams)(n, p, g, m, v, vmax, s, iters); break;
	case 3: ADAM_FN(f64_coupled_ams)(n, p, g, m, v, vmax, s, iters); break;
	}
}
