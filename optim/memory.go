package optim

import (
	"slices"

	"github.com/fusedopt/fusedopt/internal/memspan"
)

// memRanges is the memory of every registered slice, sorted by address,
// with what each is; registration checks new slices against it in
// O(log n), so that no two registered slices overlap.
type memRanges struct {
	rs    []memspan.Span
	names []string
}

// find returns the name of a registered range that overlaps r, or "".
func (m *memRanges) find(r memspan.Span) string {
	if r.Empty() {
		return ""
	}
	// The ranges do not overlap each other, so their ends ascend too: the
	// first range ending after r.Lo is the only candidate.
	i, _ := slices.BinarySearchFunc(m.rs, r.Lo, func(q memspan.Span, lo uintptr) int {
		if q.Hi <= lo {
			return -1
		}
		return 1
	})
	if i < len(m.rs) && m.rs[i].Overlaps(r) {
		return m.names[i]
	}
	return ""
}

// insert adds r, which overlaps no registered range.
func (m *memRanges) insert(r memspan.Span, name string) {
	if r.Empty() {
		return
	}
	i, _ := slices.BinarySearchFunc(m.rs, r.Lo, func(q memspan.Span, lo uintptr) int {
		if q.Lo < lo {
			return -1
		}
		return 1
	})
	m.rs = slices.Insert(m.rs, i, r)
	m.names = slices.Insert(m.names, i, name)
}

// remove drops the registered range r, if it is one.
func (m *memRanges) remove(r memspan.Span) {
	i, found := slices.BinarySearchFunc(m.rs, r.Lo, func(q memspan.Span, lo uintptr) int {
		switch {
		case q.Lo < lo:
			return -1
		case q.Lo > lo:
			return 1
		}
		return 0
	})
	if found && m.rs[i] == r {
		m.rs = slices.Delete(m.rs, i, i+1)
		m.names = slices.Delete(m.names, i, i+1)
	}
}
