package kernels

import (
	"fmt"

	"github.com/fusedopt/fusedopt/internal/memspan"
)

// tensorJob is the pool's job for a parallel step of any optimizer: T is
// the optimizer's tensor type (AdamTensor32, ...), K the func type of its
// kernels and S their scalars. What is particular to the optimizer is in
// its tensorKind; each <opt>_parallel.go declares one per precision.
type tensorJob[T, K, S any] struct {
	kind   *tensorKind[T, K, S]
	ts     []T
	one    [1]T // ts for a single-tensor step, without allocating
	kernel K
	s      S
	use    [2]bool // which optional slices kernel uses (see tensorKind.run)
}

// tensorKind is one optimizer in one precision as tensorJob sees it, and
// the free list through which its jobs are recycled, so that steps do not
// allocate.
type tensorKind[T, K, S any] struct {
	elemBytes int            // 4 for float32, 8 for float64
	size      func(x *T) int // len(x.Param)

	// run calls j.kernel on elements [lo, hi) of x. An optional slice
	// (Adam's VMax, ...) goes in as nil unless j.use says that the
	// variant's kernel reads it, as the caller may leave it short or nil
	// otherwise (see optional).
	run func(j *tensorJob[T, K, S], x *T, lo, hi int)

	jobs freeList[tensorJob[T, K, S]]
}

func newTensorKind[T, K, S any](elemBytes int, size func(x *T) int, run func(j *tensorJob[T, K, S], x *T, lo, hi int)) *tensorKind[T, K, S] {
	return &tensorKind[T, K, S]{elemBytes: elemBytes, size: size, run: run, jobs: newFreeList[tensorJob[T, K, S]]()}
}

// job returns a recycled job of kind k that runs kernel with scalars s;
// use lists which of the tensors' optional slices kernel uses, in the
// order of run's.
func (k *tensorKind[T, K, S]) job(kernel K, s S, use ...bool) *tensorJob[T, K, S] {
	j := k.jobs.get()
	j.kind, j.kernel, j.s = k, kernel, s
	copy(j.use[:], use)
	return j
}

func (j *tensorJob[T, K, S]) tensors() int      { return len(j.ts) }
func (j *tensorJob[T, K, S]) size(i int) int    { return j.kind.size(&j.ts[i]) }
func (j *tensorJob[T, K, S]) run(i, lo, hi int) { j.kind.run(j, &j.ts[i], lo, hi) }

// step runs j on the tensors ts on the workers of pool p (nil for
// DefaultPool), then recycles j, also if a worker panicked.
func (j *tensorJob[T, K, S]) step(p *Pool, ts []T) {
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, j.kind.elemBytes)
}

// stepOne is step on the single tensor x.
func (j *tensorJob[T, K, S]) stepOne(p *Pool, x T) {
	j.one[0] = x
	j.step(p, j.one[:])
}

// free recycles j, dropping its references to the caller's slices.
func (j *tensorJob[T, K, S]) free() {
	k := j.kind
	*j = tensorJob[T, K, S]{}
	k.jobs.put(j)
}

// optional is x[lo:hi] if use, else nil: an optional slice as run passes
// it to the kernel.
func optional[E any](use bool, x []E, lo, hi int) []E {
	if !use {
		return nil
	}
	return x[lo:hi]
}

// checkTensors checks every tensor of ts, in order: check(o, op, x) must
// panic, naming op, if the lengths of x's slices do not fit optimizer o or
// two of them overlap, and return the span of x's Param. Then no two
// tensors' Params may overlap. When tensor i fails, it is checked again
// with op "<op>: tensor <i>", to panic with its index: formatting that
// name only on failure, under one deferred recover for the whole list,
// keeps the checks cheap and free of allocations.
func checkTensors[O, T any](o O, op string, ts []T, check func(o O, op string, x *T) memspan.Span) {
	params := spanLists.get()
	defer spanLists.put(params)
	params.s = params.s[:0]
	failed := -1
	defer func() {
		if r := recover(); r != nil {
			if failed >= 0 {
				check(o, fmt.Sprintf("%s: tensor %d", op, failed), &ts[failed])
			}
			panic(r) // the tensors' overlap, or not reached: check is a function of the slices
		}
	}()
	for i := range ts {
		failed = i
		params.s = append(params.s, check(o, op, &ts[i]))
	}
	failed = -1
	checkParamsDisjoint(op, params.s)
}
