package kernels

import "math"

// Checks shared by the optimizers' Validate methods. NaN fails them all.

// finiteNonNegative reports v >= 0 and finite.
func finiteNonNegative(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }

// finitePositive reports v > 0 and finite.
func finitePositive(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

// inUnitInterval reports 0 <= v < 1.
func inUnitInterval(v float64) bool { return v >= 0 && v < 1 }

// signedGradScale is the gradient scale the kernels multiply by: 0 means
// 1, and maximizing negates it (exactly, so it is the same as negating the
// gradient).
func signedGradScale(scale float64, maximize bool) float64 {
	if scale == 0 {
		scale = 1
	}
	if maximize {
		scale = -scale
	}
	return scale
}

// round32 rounds per-step scalars computed in float64 to float32, once,
// the same for every level.
func round32(dst []float32, src []float64) {
	for i, x := range src {
		dst[i] = float32(x)
	}
}

// finite32 reports whether v survives rounding to float32 without
// overflowing.
func finite32(v float32) bool { return !math.IsInf(float64(v), 0) }
