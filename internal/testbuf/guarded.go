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
	S []F
	fence[F]
}

var guardSalt atomic.Uint64

// NewGuarded returns n elements (zero) whose first element lies offset
// elements past a 64-byte boundary, fenced by guard bands.
func NewGuarded[F Float](n, offset int) *Guarded[F] {
	f, s := newFence(n, offset, floatSigil[F])
	return &Guarded[F]{S: s, fence: f}
}

// GuardedCopy is NewGuarded holding a copy of src.
func GuardedCopy[F Float](src []F, offset int) *Guarded[F] {
	g := NewGuarded[F](len(src), offset)
	copy(g.S, src)
	return g
}

// floatSigil is the sigil of hash h: a normal number in [1, 2) (or its
// negative) with a mantissa from h.
func floatSigil[F Float](h uint64) F {
	if isFloat32[F]() {
		return FromBits[F](h>>32&(1<<31) | 0x3f800000 | h&(1<<23-1))
	}
	return FromBits[F](h&(1<<63) | 0x3ff0000000000000 | h&(1<<52-1))
}

// Check reports the first guard element that no longer holds its sigil,
// or nil. name labels the buffer in the error.
func (g *Guarded[F]) Check(name string) error {
	return g.check(name, len(g.S), floatSigil[F], Bits[F], Hex[F])
}

// fence is the buffer behind a guarded slice of n elements: the slice at
// full[lo:lo+n], and in the bands around it, each element the sigil of a
// hash of the buffer's salt and the element's position.
type fence[E Elem] struct {
	full []E
	lo   int // index of S[0] in full
	salt uint64
}

// newFence lays out n elements (zero) that start offset elements past a
// 64-byte boundary between two bands of sigils, and returns the fence and
// the slice.
func newFence[E Elem](n, offset int, sigil func(h uint64) E) (fence[E], []E) {
	size := Size[E]()
	full := make([]E, Band+align/size+offset+n+Band)
	// Start the front band where S[0] lands offset elements past an
	// aligned address: skip elements so that full[skip+Band] is aligned.
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(full))) + uintptr(Band*size)
	skip := int((align-addr%align)%align) / size
	f := fence[E]{full: full[skip : skip+Band+offset+n+Band], lo: Band + offset, salt: guardSalt.Add(1)}
	for i := range f.full {
		if i < f.lo || i >= f.lo+n {
			f.full[i] = sigil(f.hash(i))
		}
	}
	return f, f.full[f.lo : f.lo+n : f.lo+n]
}

// hash is the hash behind the sigil guarding full[i].
func (f *fence[E]) hash(i int) uint64 {
	h := (f.salt*0x9e3779b97f4a7c15 + uint64(i)) * 0xbf58476d1ce4e5b9
	return h ^ h>>31
}

// check reports the first band element whose bits are no longer its
// sigil's, or nil; name labels the slice of n elements, hex formats an
// element.
func (f *fence[E]) check(name string, n int, sigil func(uint64) E, bits func(E) uint64, hex func(E) string) error {
	for i, x := range f.full {
		if i >= f.lo && i < f.lo+n {
			continue
		}
		if want := sigil(f.hash(i)); bits(x) != bits(want) {
			where := fmt.Sprintf("%d elements before %s[0]", f.lo-i, name)
			if i >= f.lo+n {
				where = fmt.Sprintf("%s[%d], %d past the end (len %d)", name, i-f.lo, i-f.lo-n, n)
			}
			return fmt.Errorf("guard band overwritten at %s: got %s, want sigil %s", where, hex(x), hex(want))
		}
	}
	return nil
}
