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

// nonzero32 reports whether a positive value survives rounding to float32
// without overflowing or underflowing to 0: the rule for every scalar
// whose zero or infinity would change the update's meaning (an Eps, a
// gradient scale), the same for every optimizer.
func nonzero32(v float32) bool { return v != 0 && finite32(v) }

// powInt is b^t for t >= 0, correctly rounded save for the rarest
// near-halfway cases: binary powering in double-double arithmetic (the
// exact product by math.FMA, which every architecture computes alike),
// whose relative error before the final rounding stays near
// 2*log2(t)*2^-104. PyTorch's `beta**step` is C's pow, which glibc rounds
// correctly to within 0.52 ulp; math.Pow, by repeated squaring in float64,
// is off by several ulps for many integer powers (0.999^6 among them),
// which RAdam's rho_t = rho_inf - 2t*beta2^t/(1-beta2^t) amplifies by
// rho_inf/rho_t, hundreds of times in the first rectified steps.
func powInt(b float64, t int) float64 {
	bt, _ := powInt2(b, b, t)
	return bt
}

// powInt2 is (powInt(b, t), powInt(c, t)), the two powers computed side
// by side: each chain of double-double products waits on its previous
// product, so interleaving two chains takes about the time of one, a
// third of an Adam step's fixed cost at t in the hundreds.
func powInt2(b, c float64, t int) (bt, ct float64) {
	rh, rl, sh, sl := 1.0, 0.0, 1.0, 0.0
	xh, xl, yh, yl := b, 0.0, c, 0.0
	for ; t > 0; t >>= 1 {
		if t&1 != 0 {
			rh, rl = ddMul(rh, rl, xh, xl)
			sh, sl = ddMul(sh, sl, yh, yl)
		}
		if t > 1 {
			xh, xl = ddMul(xh, xl, xh, xl)
			yh, yl = ddMul(yh, yl, yh, yl)
		}
	}
	return rh + rl, sh + sl
}

// ddMul is the double-double product (ah+al)*(bh+bl), normalized. The
// conversions keep the compiler from fusing a product into a later sum
// (arm64 would fuse p into h = p + e, which breaks the exact two-sum), so
// that the result is the same on every architecture.
func ddMul(ah, al, bh, bl float64) (h, l float64) {
	p := float64(ah * bh)
	e := math.FMA(ah, bh, -p)
	e += float64(ah*bl) + float64(al*bh)
	h = p + e
	return h, e - (h - p)
}
