package testbuf

import (
	"fmt"
	"math"
)

// BF16 is the element type of a slice of bfloat16 numbers held as their
// bits: uint16, or a type defined on it (kernels.BF16). Slices of it take
// guard bands (GuardedBF16) and guard pages (AtEnd, AtStart) like the
// float ones.
type BF16 interface{ ~uint16 }

// Elem is the element type of any slice a kernel takes: a float, or a
// bfloat16 held as its bits.
type Elem interface{ Float | BF16 }

// GuardedBF16 is Guarded for bfloat16 elements: a slice with guard bands
// of Band sigils on each side, finite for the reason Guarded gives.
type GuardedBF16[E BF16] struct {
	// S is the slice under test: len n, cap n.
	S []E
	fence[E]
}

// GuardedCopyBF16 returns a copy of src whose first element lies offset
// elements past a 64-byte boundary, fenced by guard bands.
func GuardedCopyBF16[E BF16](src []E, offset int) *GuardedBF16[E] {
	f, s := newFence(len(src), offset, bf16Sigil[E])
	copy(s, src)
	return &GuardedBF16[E]{S: s, fence: f}
}

// bf16Sigil is the sigil of hash h: a normal bfloat16 in [1, 2) (or its
// negative) with a mantissa from h.
func bf16Sigil[E BF16](h uint64) E { return E(h>>48&0x8000 | 0x3f80 | h&0x7f) }

// Check reports the first guard element that no longer holds its sigil,
// or nil. name labels the buffer in the error.
func (g *GuardedBF16[E]) Check(name string) error {
	return g.check(name, len(g.S), bf16Sigil[E], func(x E) uint64 { return uint64(x) }, HexBF16[E])
}

// WidenBF16 is the float32 value of bfloat16 bits b: exact, b in the
// high half of the float32's bits.
func WidenBF16[E BF16](b E) float32 { return math.Float32frombits(uint32(b) << 16) }

// HexBF16 formats bfloat16 bits b as Hex does a float: the bits in
// hex, then the value, e.g. "0x3f80 (1)".
func HexBF16[E BF16](b E) string { return fmt.Sprintf("%#04x (%v)", uint16(b), WidenBF16(b)) }
