// Package memspan tells whether slices share memory, by the addresses of
// their elements. Package kernels checks that a step's slices do not
// overlap, and package optim that registered parameters do not; both use
// this one definition of a slice's memory.
package memspan

import "unsafe"

// Span is the bytes [Lo, Hi) of a slice's backing array that the slice's
// elements occupy; the zero Span, empty, for an empty slice.
type Span struct{ Lo, Hi uintptr }

// Of is the span of s's elements.
func Of[E any](s []E) Span {
	if len(s) == 0 {
		return Span{}
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return Span{lo, lo + uintptr(len(s))*unsafe.Sizeof(s[0])}
}

// Empty reports whether s holds no bytes.
func (s Span) Empty() bool { return s.Lo == s.Hi }

// Overlaps reports whether s and t share a byte; an empty span overlaps
// nothing.
func (s Span) Overlaps(t Span) bool {
	return !s.Empty() && !t.Empty() && s.Lo < t.Hi && t.Lo < s.Hi
}
