package testbuf

import "math/rand/v2"

// Rand is a seeded generator whose every output is the same on every
// platform and Go release: it reads only the PCG stream's Uint64 (a fixed
// algorithm) and builds floats from bits, without float arithmetic. The
// derived methods of math/rand/v2 (Float64, NormFloat64, IntN) carry no
// such promise, and a golden digest depends on it.
type Rand struct{ pcg *rand.PCG }

// NewRand returns a generator seeded with seed.
func NewRand(seed uint64) *Rand {
	return &Rand{pcg: rand.NewPCG(seed, 0x9e3779b97f4a7c15^seed)}
}

// Uint64 is the next 64 random bits.
func (r *Rand) Uint64() uint64 { return r.pcg.Uint64() }

// Intn is a random int in [0, n); n must be positive. The modulo bias is
// negligible for the small n tests use, and it is deterministic.
func (r *Rand) Intn(n int) int {
	if n <= 0 {
		panic("testbuf: Intn of a non-positive bound")
	}
	return int(r.Uint64() % uint64(n))
}

// Float64 is a random normal (neither zero, subnormal nor special) float64
// whose binary exponent is uniform in [minExp, maxExp] (so the magnitude
// is in [2^minExp, 2^(maxExp+1))), with a uniform mantissa and a random
// sign. The exponents must lie in [-1022, 1023].
func (r *Rand) Float64(minExp, maxExp int) float64 {
	u := r.Uint64()
	e := uint64(minExp + r.Intn(maxExp-minExp+1) + 1023)
	return FromBits[float64](u&(1<<63) | e<<52 | u&(1<<52-1))
}

// Float32 is Float64 for float32; the exponents must lie in [-126, 127].
func (r *Rand) Float32(minExp, maxExp int) float32 {
	u := r.Uint64()
	e := uint64(minExp + r.Intn(maxExp-minExp+1) + 127)
	return FromBits[float32](u>>32&(1<<31) | e<<23 | u&(1<<23-1))
}

// Fill sets every element of s to a random normal value with an exponent
// in [minExp, maxExp] and a random sign (see Float64 and Float32).
func Fill[F Float](r *Rand, s []F, minExp, maxExp int) {
	for i := range s {
		if isFloat32[F]() {
			s[i] = F(r.Float32(minExp, maxExp))
		} else {
			s[i] = F(r.Float64(minExp, maxExp))
		}
	}
}

// FillNonNeg is Fill with every sign cleared, for state that is never
// negative (Adam's second moments).
func FillNonNeg[F Float](r *Rand, s []F, minExp, maxExp int) {
	Fill(r, s, minExp, maxExp)
	for i := range s {
		s[i] = abs(s[i])
	}
}

// Sprinkle replaces each element of s, with probability 1/every, by a
// special value chosen at random from Specials.
func Sprinkle[F Float](r *Rand, s []F, every int) {
	sp := Specials[F]()
	for i := range s {
		if r.Intn(every) == 0 {
			s[i] = sp[r.Intn(len(sp))]
		}
	}
}

// abs clears the sign bit (also of -0 and NaN), without float arithmetic.
func abs[F Float](x F) F {
	if isFloat32[F]() {
		return FromBits[F](Bits(x) &^ (1 << 31))
	}
	return FromBits[F](Bits(x) &^ (1 << 63))
}
