package kernels

import (
	"math"
	"unsafe"
)

// BF16 is a bfloat16 number: the high 16 bits of a float32 (sign, the
// same 8-bit exponent, 7 bits of mantissa). Every float32 arithmetic
// result of a bfloat16 step is rounded to it as it is stored; see
// Rounding.
type BF16 uint16

// Float32 is b as a float32, exactly.
func (b BF16) Float32() float32 { return math.Float32frombits(uint32(b) << 16) }

// BF16From32 is x rounded to the nearest bfloat16, ties to even: the
// rounding of RoundNearestEven. ±Inf stays ±Inf, a finite x from the
// midpoint between the largest bfloat16 (0x1.fep127) and 2^128 on rounds
// to ±Inf, as IEEE rounding does, and NaN becomes a quiet NaN with x's
// sign and the high bits of its payload.
func BF16From32(x float32) BF16 {
	u := math.Float32bits(x)
	if x != x {
		return BF16(u>>16) | 0x40 // the quiet bit: a payload only in the low half would truncate to Inf
	}
	return BF16(roundBF16Bits(u, (u>>16)&1+0x7fff) >> 16)
}

// roundBF16Bits is the kernels' rounding of the float32 bits u with bias
// (in 0..65535), before the truncation to the high 16 bits: see Rounding.
// A NaN must have zero low 16 bits, as every NaN the kernels compute has.
func roundBF16Bits(u, bias uint32) uint32 { return u + bias }

// Rounding selects how a bfloat16 step rounds the float32 value of each
// element it stores (param, m, v; SGD's buf).
//
// The zero value rounds to nearest, ties to even. Small updates then
// vanish: an update below half a unit in the last place of the parameter
// (2^-8 relative) leaves it unchanged, every step, and training stalls.
//
// With Stochastic, x rounds up to the next bfloat16 with probability
// equal to its distance from the bfloat16 below, in units of the last
// place, and down otherwise, so that on average it is x itself: tiny
// updates accumulate in expectation (Zamirai et al., "Revisiting
// BFloat16 Training"; torchao's AdamW with bf16_stochastic_round). The
// kernels add 16 random bits to x's float32 bits and keep the high 16.
// The bits are a hash of (Seed, t, the element's global index) and the
// stream, not an RNG's draws, so they are the same on every machine,
// level, vector width, chunking and worker count. One hash per element
// gives the bits of all its streams:
//
//	key   = high 32 bits of splitmix64(Seed + 0x9e3779b97f4a7c15*t)
//	index = (Offset + i) mod 2^32 for element i of the slices
//	x     = lowbias32(index + key mod 2^32)
//	bits  = x >> 16                       for param
//	        x & 0xffff                    for m (Adam, Lion) or the momentum buffer (SGD)
//	        (x >> 16) ^ (x & 0xffff)      for v
//
// where splitmix64 is Steele et al.'s finalizer (z ^= z>>30; z *=
// 0xbf58476d1ce4e5b9; z ^= z>>27; z *= 0x94d049bb133111eb; z ^= z>>31)
// and lowbias32 Chris Wellons' 32-bit mixer (x ^= x>>16; x *= 0x7feb352d;
// x ^= x>>15; x *= 0x846ca68b; x ^= x>>16). Over the keys, x is uniform
// (lowbias32 is a bijection), so its two halves are independent and
// uniform, and so is their XOR, which is independent of each: the three
// streams' bits are uniform and pairwise independent. (One hash for
// three streams is a third of the work of one hash each.) A
// step over a chunk of a tensor passes the chunk's start as Offset, and
// so gets the bits the whole tensor's step would; different tensors
// should get different Seeds (or disjoint Offset ranges), else their
// roundings are correlated.
// Tensors beyond 2^32 elements repeat the index.
//
// In both modes ±Inf stays ±Inf and NaN stays NaN, with no test per
// store: a NaN widened from a bfloat16 or made by an invalid operation has
// zero low 16 bits, so the random bits cannot carry into its high half,
// and a float32 gradient's NaNs are made such NaNs as they are loaded.
// Which NaN comes out (its sign and payload) follows the machine's NaN
// propagation, as in the float32 kernels, and may differ between levels
// and machines. At the top
// of the finite range, a finite x above the largest bfloat16 (0x1.fep127,
// about 3.39e38) rounds to ±Inf: to nearest from the midpoint 0x1.ffp127
// on; stochastically with probability (|x| - 0x1.fep127)/2^120, as if
// 2^128 were the next bfloat16. (float32's largest finite, 0x1.fffffep127,
// becomes Inf with probability 65535/65536.)
type Rounding struct {
	Stochastic bool
	Seed       uint64
	// Offset is the global index of element 0 of the slices: 0 for a
	// whole tensor, the chunk's start for a chunk of one.
	Offset uint64
}

// RoundNearestEven is round-to-nearest-even, the zero Rounding.
var RoundNearestEven = Rounding{}

// key is the hash key of step t.
func (r Rounding) key(t int) uint32 {
	z := r.Seed + 0x9e3779b97f4a7c15*uint64(t)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return uint32((z ^ z>>31) >> 32)
}

// offScalar is the kernels' scalar off of step t: the hash's input at
// element 0 (the offset plus the key, mod 2^32), as a float32's bits.
func (r Rounding) offScalar(t int) float32 { return u32Scalar(uint32(r.Offset) + r.key(t)) }

// u32Scalar is the float32 holding the bits of x: how the kernels take their
// integer scalars, in their float32 scalar array.
func u32Scalar(x uint32) float32 { return math.Float32frombits(x) }

// bf16Bits is s's storage as the kernels' []uint16.
func bf16Bits(s []BF16) []uint16 { return unsafe.Slice((*uint16)(unsafe.SliceData(s)), len(s)) }

// SliceFrom32 rounds each element of src to the nearest bfloat16 (ties to
// even) into dst, which must be as long as src, or it panics naming both
// lengths.
func SliceFrom32(dst []BF16, src []float32) {
	if len(dst) != len(src) {
		lengthPanicOf("SliceFrom32", "dst", len(dst), "src", len(src))
	}
	for i, x := range src {
		dst[i] = BF16From32(x)
	}
}

// SliceTo32 widens each element of src into dst exactly; dst must be as
// long as src, or it panics naming both lengths.
func SliceTo32(dst []float32, src []BF16) {
	if len(dst) != len(src) {
		lengthPanicOf("SliceTo32", "dst", len(dst), "src", len(src))
	}
	for i, b := range src {
		dst[i] = b.Float32()
	}
}
