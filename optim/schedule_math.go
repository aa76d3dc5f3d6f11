package optim

import "math"

// The two functions here replace math.Cos and math.Pow in the schedules.
// Those give different bits on different architectures (s390x has its own
// assembly; on arm64, ppc64le, s390x and riscv64 the compiler fuses their
// pure-Go products into FMAs), and a schedule must not. Every operation
// below is exact, correctly rounded (+, -, *, / of float64 values,
// math.FMA), or a product rounded by an explicit float64 conversion before
// it is added, which the Go spec forbids the compiler to fuse.

// schedCosPi is cos(πq) for 0 <= q <= 1, within one ulp of the true value:
// TestSchedCosPi measures at most 0.69 ulp against a 256-bit reference
// over 200,000 random points (0.52 in the cosine polynomial's half, 0.69
// in the sine's).
//
// The argument is never multiplied by π in float64: that product's
// rounding, up to 2.2e-16, would cost many ulps of a result near 0 (q near
// 1/2). Instead the symmetries
// cos(π(1-q)) = -cos(πq) and cos(πq) = sin(π(1/2-q)), whose subtractions
// are exact by Sterbenz's lemma, bring q into [0, 1/4], where Taylor
// polynomials of cos(πr) and sin(πu) converge to below 2^-59 of the result.
func schedCosPi(q float64) float64 {
	neg := q > 0.5
	if neg {
		q = 1 - q // exact: 1/2 < q <= 1
	}
	var c float64
	if q <= 0.25 {
		c = schedCosPiPoly(q)
	} else {
		c = schedSinPiPoly(0.5 - q) // exact: 1/4 < q <= 1/2
	}
	if neg {
		c = -c
	}
	return c
}

// schedCosPiPoly is cos(πr) for 0 <= r <= 1/4, as 1 - h + w²·(c4 + w·(c6
// + ...)) with w = r² and h = (π²/2)·w, the way fdlibm's kernel cosine
// keeps within an ulp: w and h are carried as double-doubles (π²/2 as
// halfPi2Hi + halfPi2Lo), so that only the last addition rounds at the
// result's scale; the rounding error of 1 - h is recovered exactly
// (Fast2Sum) and added back. The first omitted term, (π/4)^20/20!, is
// below 2^-67.
func schedCosPiPoly(r float64) float64 {
	wh := float64(r * r)
	wl := math.FMA(r, r, -wh) // r² = wh + wl exactly
	hh := float64(halfPi2Hi * wh)
	hl := math.FMA(halfPi2Hi, wh, -hh) + (float64(halfPi2Hi*wl) + float64(halfPi2Lo*wh))

	p := math.FMA(cosPi18, wh, cosPi16)
	p = math.FMA(p, wh, cosPi14)
	p = math.FMA(p, wh, cosPi12)
	p = math.FMA(p, wh, cosPi10)
	p = math.FMA(p, wh, cosPi8)
	p = math.FMA(p, wh, cosPi6)
	p = math.FMA(p, wh, cosPi4)
	tail := float64(float64(wh*wh) * p) // below 0.016

	a := 1 - hh
	e := (1 - a) - hh // 1 - hh = a + e exactly: h <= 0.31, so 1 - a is exact
	return a + (e + (tail - hl))
}

// schedSinPiPoly is sin(πu) for 0 <= u <= 1/4: u·π + u·w·(s3 + w·(s5 + ...))
// with w = u². π enters as the pair schedPiHi + schedPiLo, so that its rounding
// (half an ulp of the result) does not reach the result; the first omitted
// term, (π/4)^21/21!, is below 2^-72.
func schedSinPiPoly(u float64) float64 {
	w := float64(u * u)
	p := math.FMA(sinPi19, w, sinPi17)
	p = math.FMA(p, w, sinPi15)
	p = math.FMA(p, w, sinPi13)
	p = math.FMA(p, w, sinPi11)
	p = math.FMA(p, w, sinPi9)
	p = math.FMA(p, w, sinPi7)
	p = math.FMA(p, w, sinPi5)
	p = math.FMA(p, w, sinPi3)
	tail := math.FMA(p, w, schedPiLo) // schedPiLo + w·(s3 + ...)
	return math.FMA(u, schedPiHi, float64(u*tail))
}

// The Taylor coefficients (-1)^k π^n/n! of cos(πr) and sin(πu). They are
// untyped constants: Go evaluates them exactly (math.Pi has 63 digits) and
// rounds each once to float64 where it is used. TestSchedCosPiConstants
// checks them against a 256-bit π.
const (
	schedPiHi = 0x1.921fb54442d18p+1 // float64(math.Pi)
	schedPiLo = math.Pi - schedPiHi  // π - schedPiHi, about 1.2e-16
	schedPi2  = math.Pi * math.Pi

	halfPi2Hi = 0x1.3bd3cc9be45dep+02  // float64(π²/2)
	halfPi2Lo = schedPi2/2 - halfPi2Hi // π²/2 - halfPi2Hi, about 3.1e-16

	cosPi2  = -schedPi2 / 2
	cosPi4  = -cosPi2 * schedPi2 / (3 * 4)
	cosPi6  = -cosPi4 * schedPi2 / (5 * 6)
	cosPi8  = -cosPi6 * schedPi2 / (7 * 8)
	cosPi10 = -cosPi8 * schedPi2 / (9 * 10)
	cosPi12 = -cosPi10 * schedPi2 / (11 * 12)
	cosPi14 = -cosPi12 * schedPi2 / (13 * 14)
	cosPi16 = -cosPi14 * schedPi2 / (15 * 16)
	cosPi18 = -cosPi16 * schedPi2 / (17 * 18)

	sinPi3  = -math.Pi * schedPi2 / (2 * 3)
	sinPi5  = -sinPi3 * schedPi2 / (4 * 5)
	sinPi7  = -sinPi5 * schedPi2 / (6 * 7)
	sinPi9  = -sinPi7 * schedPi2 / (8 * 9)
	sinPi11 = -sinPi9 * schedPi2 / (10 * 11)
	sinPi13 = -sinPi11 * schedPi2 / (12 * 13)
	sinPi15 = -sinPi13 * schedPi2 / (14 * 15)
	sinPi17 = -sinPi15 * schedPi2 / (16 * 17)
	sinPi19 = -sinPi17 * schedPi2 / (18 * 19)
)

// schedPowInt is x^n for x > 0 and n >= 0, within one ulp of the true
// value for n < 2^40 (TestSchedPowInt measures it against a 256-bit
// reference); Python's x ** n (the C library's pow) is within about half
// an ulp, so the two agree to an ulp, where a float64 product chain would
// lose up to n/2 ulps.
//
// The method is binary exponentiation in double-double arithmetic: the
// squares x^(2^i) are formed from the lowest bit of n up, and multiplied
// into the result where n's bit i is set, each product carried as an
// unevaluated sum hi + lo with about 106 bits. The relative error of the
// pair grows like n·2^-104, far below an ulp for any n a schedule
// reaches before the result under- or overflows.
func schedPowInt(x float64, n uint64) float64 {
	rh, rl := 1.0, 0.0 // the result so far
	bh, bl := x, 0.0   // x^(2^i)
	for {
		if n&1 != 0 {
			rh, rl = schedMulDD(rh, rl, bh, bl)
		}
		n >>= 1
		if n == 0 {
			return rh + rl
		}
		bh, bl = schedMulDD(bh, bl, bh, bl)
	}
}

// schedMulDD is the double-double product (ah + al)·(bh + bl): the exact
// product of the high parts (math.FMA gives its rounding error), plus the
// cross terms; al·bl is below 2^-106 of the result and left out. Once the
// product is 0 or infinite it stays so, with a zero low part: the FMA
// would otherwise turn ±Inf into NaN.
func schedMulDD(ah, al, bh, bl float64) (hi, lo float64) {
	p := float64(ah * bh)
	if p == 0 || math.IsInf(p, 0) {
		return p, 0
	}
	e := math.FMA(ah, bh, -p)
	e += float64(ah*bl) + float64(al*bh)
	hi = p + e
	if math.IsInf(hi, 0) {
		return hi, 0
	}
	return hi, e - (hi - p) // Fast2Sum: |e| is below an ulp of p
}
