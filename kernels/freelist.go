package kernels

// freeList recycles values of one type so that steps do not allocate
// after warm-up. Unlike a sync.Pool it is not emptied by the garbage
// collector, so a collection cannot make a step allocate again.
type freeList[T any] struct{ c chan *T }

// freeListCap bounds how many idle values a free list keeps: more than
// the concurrent steps of any reasonable program; beyond it, values are
// allocated and dropped.
const freeListCap = 64

func newFreeList[T any]() freeList[T] { return freeList[T]{make(chan *T, freeListCap)} }

// get returns an idle value, or a new zero one.
func (f freeList[T]) get() *T {
	select {
	case x := <-f.c:
		return x
	default:
		return new(T)
	}
}

// put makes x available to get again; the caller must not use it after.
func (f freeList[T]) put(x *T) {
	select {
	case f.c <- x:
	default:
	}
}
