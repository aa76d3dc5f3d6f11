package optim

import (
	"slices"
	"unsafe"
)

// memRange is the bytes [lo, hi) of a slice's backing array.
type memRange struct{ lo, hi uintptr }

func rangeOf[E any](s []E, size int) memRange {
	if len(s) == 0 {
		return memRange{}
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return memRange{lo, lo + uintptr(len(s)*size)}
}

func (r memRange) empty() bool { return r.lo == r.hi }

func (r memRange) overlaps(q memRange) bool {
	return !r.empty() && !q.empty() && r.lo < q.hi && q.lo < r.hi
}

// memRanges is the memory of every registered slice, sorted by address,
// with what each is; registration checks new slices against it in
// O(log n), so that no two registered slices overlap.
type memRanges struct {
	rs    []memRange
	names []string
}

// find returns the name of a registered range that overlaps r, or "".
func (m *memRanges) find(r memRange) string {
	if r.empty() {
		return ""
	}
	// The ranges do not overlap each other, so their ends ascend too: the
	// first range ending after r.lo is the only candidate.
	i, _ := slices.BinarySearchFunc(m.rs, r.lo, func(q memRange, lo uintptr) int {
		if q.hi <= lo {
			return -1
		}
		return 1
	})
	if i < len(m.rs) && m.rs[i].overlaps(r) {
		return m.names[i]
	}
	return ""
}

// insert adds r, which overlaps no registered range.
func (m *memRanges) insert(r memRange, name string) {
	if r.empty() {
		return
	}
	i, _ := slices.BinarySearchFunc(m.rs, r.lo, func(q memRange, lo uintptr) int {
		if q.lo < lo {
			return -1
		}
		return 1
	})
	m.rs = slices.Insert(m.rs, i, r)
	m.names = slices.Insert(m.names, i, name)
}

// remove drops the registered range r, if it is one.
func (m *memRanges) remove(r memRange) {
	i, found := slices.BinarySearchFunc(m.rs, r.lo, func(q memRange, lo uintptr) int {
		switch {
		case q.lo < lo:
			return -1
		case q.lo > lo:
			return 1
		}
		return 0
	})
	if found && m.rs[i] == r {
		m.rs = slices.Delete(m.rs, i, i+1)
		m.names = slices.Delete(m.names, i, i+1)
	}
}
