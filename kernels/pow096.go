package kernels

import "math"

// pow096 is 0.96^y for y >= 0, the momentum decay factor of NAdam's mu_t
// (PyTorch's 0.96 ** (step * momentum_decay)), within one ulp and the
// same on every architecture.
//
// math.Pow will not do: its result for a fractional power differs between
// amd64, arm64 and s390x (s390x has its own assembly, and on arm64 the
// compiler fuses the pure-Go code's products into FMAs), so NAdam's
// scalars, and with them every parameter it updates, would depend on the
// machine. Here every operation is exact, an explicit math.FMA, or a
// product rounded by a float64 conversion before it is used, so no
// compiler can reassociate or fuse it.
//
// The method: z = y*ln(0.96) in double-double; z = k*ln2 + r with k an
// integer and |r| <= ln2/2 (Cody and Waite's reduction: k*ln2Hi is exact
// for the |k| < 1100 that matter, and so is z - k*ln2Hi); e^r by its
// Taylor polynomial to degree 13, whose remainder is below 2^-57 for
// |r| <= 0.35, evaluated by Horner's rule in FMAs; and 0.96^y = 2^k*e^r.
// TestPow096 measures the error against a 256-bit reference.
func pow096(y float64) float64 {
	switch {
	case y == 0:
		return 1
	case math.IsNaN(y):
		return y
	}
	zh := float64(y * ln096Hi)
	zl := math.FMA(y, ln096Hi, -zh) + float64(y*ln096Lo)
	if zh < -746 { // 0.96^y < 2^-1076: rounds to zero
		return 0
	}
	k := math.Round(zh / math.Ln2)
	hi := zh - float64(k*ln2Hi) // exact, both terms being near multiples of ln2
	r := hi + (zl - float64(k*ln2Lo))

	p := expTaylor[len(expTaylor)-1]
	for i := len(expTaylor) - 2; i >= 0; i-- {
		p = math.FMA(p, r, expTaylor[i])
	}
	return math.Ldexp(p, int(k))
}

const (
	// ln(0.96) as the double-double ln096Hi + ln096Lo.
	ln096Hi = -0x1.4e69ed6d80eaep-5
	ln096Lo = 0x1.a42d55df10262p-60

	// ln(2) split for Cody and Waite's reduction: ln2Hi has its low 20
	// bits zero, so k*ln2Hi is exact for |k| < 2^20.
	ln2Hi = 0x1.62e42feep-1
	ln2Lo = 1.9082149292705877e-10
)

// expTaylor are the coefficients 1/i! of e^r's Taylor polynomial, i = 0..13.
var expTaylor = [...]float64{
	1, 1, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
	1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800,
	1.0 / 479001600, 1.0 / 6227020800,
}
