package testbuf

import "unsafe"

// Pages is a block of readable and writable memory between two
// inaccessible guard pages, on Linux (see Protected). Slices placed with
// AtEnd and AtStart touch a guard page, so a kernel that reads or writes
// even one byte outside its slice faults; CatchFault turns the fault into
// an error.
type Pages struct {
	// Data is the accessible memory, a whole number of pages.
	Data []byte
	// Protected reports whether the guard pages exist. It is false on the
	// portable fallback (other systems, or if mmap fails), where Data is
	// ordinary memory and stray accesses go unnoticed.
	Protected bool
	mapping   []byte // the whole mapping, guard pages included; nil on the fallback
}

// NewPages returns at least size accessible bytes between guard pages.
// Release them with Free.
func NewPages(size int) (*Pages, error) {
	return newPages(max(size, 1))
}

// Free unmaps the memory; slices into it must not be used afterwards.
func (p *Pages) Free() error { return p.free() }

// AtEnd returns n elements of p whose last element ends exactly where the
// trailing guard page begins: any access past the end faults. The start's
// alignment then varies with n, so a sweep of lengths also sweeps start
// misalignments.
func AtEnd[F Elem](p *Pages, n int) []F {
	size := Size[F]()
	if n*size > len(p.Data) {
		panic("testbuf: AtEnd: the slice does not fit in the pages")
	}
	return view[F](p, len(p.Data)-n*size, n)
}

// AtStart returns n elements of p that start offset elements after the
// leading guard page: any access before offset elements ahead of the start
// faults. An offset of 0 puts the first element on the guard page's edge;
// 1 to 3 give misaligned starts.
func AtStart[F Elem](p *Pages, n, offset int) []F {
	size := Size[F]()
	if (offset+n)*size > len(p.Data) {
		panic("testbuf: AtStart: the slice does not fit in the pages")
	}
	return view[F](p, offset*size, n)
}

func view[F Elem](p *Pages, byteOff, n int) []F {
	base := unsafe.Pointer(unsafe.SliceData(p.Data))
	return unsafe.Slice((*F)(unsafe.Add(base, byteOff)), n)[:n:n]
}
