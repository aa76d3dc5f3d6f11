package testbuf

import (
	"fmt"
	"sync/atomic"
	"unsafe"
)

// Band is the number of guard elements on each side of a Guarded slice:
// 32 float64s are 256 bytes, more than two AVX-512 vectors, so a kernel
// that stores a whole unrolled iteration past either end hits the band.
const Band = 32

// align is the boundary Guarded slices are placed against: a cache line
// and the widest vector.
const align = 64

// Guarded is a slice with guard bands of sigil values before and after it.
// Check reports any sigil a kernel overwrote. The sigils are finite,
// distinct per buffer and per position, so that a kernel which reads past
// the end and writes back what it computed from them (a full-vector store
// over a tail) changes them; a NaN sigil could come back unchanged, since
// arithmetic propagates a NaN's payload.
type Guarded[F Float] struct {
	// S is the slice under test: len n, cap n, so append cannot reach the
	// band either.
	S    []F
	full []F
	lo   int // index of S[0] in full
	salt uint64
}

var guardSalt atomic.Uint64

// NewGuarded returns n elements (zero) whose first element lies offset
// elements past a 64-byte boundary, fenced by guard bands.
func NewGuarded[F Float](n, offset int) *Guarded[F] {
	size := Size[F]()
	slack := align / size
	full := make([]F, Band+slack+offset+n+Band)
	// Start the front band where S[0] lands offset elements past an
	// aligned address: skip elements so that full[skip+Band] is aligned.
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(full))) + uintptr(Band*size)
	skip := int((align-addr%align)%align) / size
	g := &Guarded[F]{full: full[skip : skip+Band+offset+n+Band], lo: Band + offset, salt: guardSalt.Add(1)}
	g.S = g.full[g.lo : g.lo+n : g.lo+n]
	for i := range g.full {
		if i < g.lo || i >= g.lo+n {
			g.full[i] = g.sigil(i)
		}
	}
	return g
}

// GuardedCopy is NewGuarded holding a copy of src.
func GuardedCopy[F Float](src []F, offset int) *Guarded[F] {
	g := NewGuarded[F](len(src), offset)
	copy(g.S, src)
	return g
}

// sigil is the value guarding full[i]: a normal number in [1, 2) (or its
// negative) with a mantissa hashed from the buffer and the position.
func (g *Guarded[F]) sigil(i int) F {
	h := (g.salt*0x9e3779b97f4a7c15 + uint64(i)) * 0xbf58476d1ce4e5b9
	h ^= h >> 31
	if isFloat32[F]() {
		return FromBits[F](h>>32&(1<<31) | 0x3f800000 | h&(1<<23-1))
	}
	return FromBits[F](h&(1<<63) | 0x3ff0000000000000 | h&(1<<52-1))
}

// Check reports the first guard element that no longer holds its sigil,
// or nil. name labels the buffer in the error.
func (g *Guarded[F]) Check(name string) error {
	n := len(g.S)
	for i, x := range g.full {
		if i >= g.lo && i < g.lo+n {
			continue
		}
		if want := g.sigil(i); Bits(x) != Bits(want) {
			where := fmt.Sprintf("%d elements before %s[0]", g.lo-i, name)
			if i >= g.lo+n {
				where = fmt.Sprintf("%s[%d], %d past the end (len %d)", name, i-g.lo, i-g.lo-n, n)
			}
			return fmt.Errorf("guard band overwritten at %s: got %s, want sigil %s", where, Hex(x), Hex(want))
		}
	}
	return nil
}
