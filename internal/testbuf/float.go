package testbuf

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// Float is the element type of every kernel: float32 or float64.
type Float interface{ ~float32 | ~float64 }

// Bits is the IEEE 754 encoding of x, widened to uint64 for float32.
func Bits[F Float](x F) uint64 {
	if isFloat32[F]() {
		return uint64(math.Float32bits(float32(x)))
	}
	return math.Float64bits(float64(x))
}

// FromBits is the value of F whose encoding is b (truncated to 32 bits for
// a float32 type).
func FromBits[F Float](b uint64) F {
	if isFloat32[F]() {
		return F(math.Float32frombits(uint32(b)))
	}
	return F(math.Float64frombits(b))
}

// isFloat32 reports whether F is 4 bytes wide.
func isFloat32[F Float]() bool { return unsafe.Sizeof(F(0)) == 4 }

// Size is the width of E in bytes: 2 (bfloat16), 4 or 8.
func Size[E Elem]() int { return int(unsafe.Sizeof(*new(E))) }

// Same reports whether a and b have identical bits, or are both NaN. The
// kernels promise bit-identical results "NaN payloads aside": the sign and
// payload of a NaN differ between architectures (x86 produces a negative
// default NaN, arm64 a positive one).
func Same[F Float](a, b F) bool {
	if a != a {
		return b != b
	}
	return Bits(a) == Bits(b)
}

// FirstDiff is the first index at which got and want are not Same, or -1
// if there is none. Slices of different lengths differ at the shorter
// length.
func FirstDiff[F Float](got, want []F) int {
	n := min(len(got), len(want))
	for i := range n {
		if !Same(got[i], want[i]) {
			return i
		}
	}
	if len(got) != len(want) {
		return n
	}
	return -1
}

// Hex formats x as its bits in hex followed by its value, e.g.
// "0x3f800000 (1)", so that failures show the exact encoding (signed
// zeros, NaN payloads, the last ulp) and a readable number.
func Hex[F Float](x F) string {
	if isFloat32[F]() {
		return fmt.Sprintf("%#08x (%v)", Bits(x), float32(x))
	}
	return fmt.Sprintf("%#016x (%v)", Bits(x), float64(x))
}

// AppendLE appends s as little-endian IEEE bytes, whatever the host's byte
// order, with every NaN written as the canonical quiet NaN: the bytes the
// golden digests hash, the same on every architecture.
func AppendLE[F Float](b []byte, s []F) []byte {
	for _, x := range s {
		bits := Bits(x)
		if isFloat32[F]() {
			if x != x {
				bits = 0x7fc00000
			}
			b = binary.LittleEndian.AppendUint32(b, uint32(bits))
		} else {
			if x != x {
				bits = 0x7ff8000000000000
			}
			b = binary.LittleEndian.AppendUint64(b, bits)
		}
	}
	return b
}
