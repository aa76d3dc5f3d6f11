package kernels

// job is one parallel step as the pool sees it: a list of tensors and an
// element-wise update of any index range of any of them. tensorJob
// implements it for every optimizer, each of which adds a small adapter
// (see tensorjob.go and adam_parallel.go); splitting, packing, workers
// and panics are shared.
type job interface {
	tensors() int      // how many tensors the step updates
	size(i int) int    // the number of elements of tensor i
	run(i, lo, hi int) // update elements [lo, hi) of tensor i
}

// The split parameters, for float32 Adam on the 2-core AMD EPYC (AVX2)
// development VM; BenchmarkParallelThreshold and BenchmarkParallelChunk in
// parallel_bench_test.go hold the commands and the figures.
const (
	// parallelMinBytes is the smallest step, in bytes of one slice (4 per
	// float32 element, 8 per float64), that is split across workers;
	// smaller steps run on the calling goroutine. Measured: splitting
	// costs about 2.5 µs (waking a helper and joining it), and Adam runs
	// at about 0.45 ns per float32 element in cache, so from 64K elements
	// (256 KiB) on that cost is under a tenth of the step even when the
	// helper gets no CPU in time, while a helper that does can halve it.
	parallelMinBytes = 256 << 10

	// chunkBytes is the target chunk size in bytes of one slice (32K
	// float32 elements; with Adam's four or five slices, a working set of
	// about the 512 KiB L2 of a core): large enough that claiming a chunk
	// (one atomic add) and the kernel call are negligible, small enough
	// that the chunks of a step outnumber the workers and balance well.
	// At DRAM sizes the measured speed does not depend on it between 16
	// KiB and 4 MiB.
	chunkBytes = 128 << 10

	// minChunkBytes is the smallest chunk chunkLen makes to have more
	// chunks than workers.
	minChunkBytes = 16 << 10

	// chunkAlign is the granularity of a split inside a tensor, in
	// elements: a multiple of the widest vector (16 float32 in AVX-512)
	// and of a 64-byte cache line, so that no two workers write the same
	// line of a tensor and every piece but a tensor's last has no scalar
	// tail.
	chunkAlign = 64
)

// piece is a range of one tensor.
type piece struct{ tensor, lo, hi int }

// plan splits a step's tensors into chunks of about equal size: large
// tensors into several chunks, small ones packed together, in order.
// Chunk c is pieces[bounds[c]:bounds[c+1]].
type plan struct {
	pieces []piece
	bounds []int
}

func (pl *plan) chunks() int         { return len(pl.bounds) - 1 }
func (pl *plan) chunk(c int) []piece { return pl.pieces[pl.bounds[c]:pl.bounds[c+1]] }

// chunkLen is the chunk size, in elements, for total elements on the
// given number of workers: about chunkBytes per slice, but small enough
// for four chunks per worker (down to minChunkBytes), and always a
// multiple of chunkAlign. Several chunks per worker matter because a
// parked helper can take tens of microseconds to wake on a VM: with one
// chunk each, the caller would finish its half and then wait for the
// helper's; with small chunks it simply takes more of them.
func chunkLen(total, elemBytes, chunkBytes, workers int) int {
	target := max(chunkBytes/elemBytes, chunkAlign)
	n := (total + target - 1) / target
	if n < 4*workers {
		n = max(min(4*workers, total*elemBytes/minChunkBytes), 1)
	}
	per := (total + n - 1) / n
	return (per + chunkAlign - 1) / chunkAlign * chunkAlign
}

// build fills pl with chunks of about size elements of j's tensors.
// Splits fall on multiples of chunkAlign from a tensor's start; empty
// tensors get no piece.
func (pl *plan) build(j job, size int) {
	pl.pieces, pl.bounds = pl.pieces[:0], append(pl.bounds[:0], 0)
	fill := 0
	closeChunk := func() {
		pl.bounds = append(pl.bounds, len(pl.pieces))
		fill = 0
	}
	for i := range j.tensors() {
		n := j.size(i)
		for lo := 0; lo < n; {
			take := n - lo
			if room := size - fill; take > room {
				take = room / chunkAlign * chunkAlign
				if take == 0 { // too little room to split into: next chunk
					closeChunk()
					continue
				}
			}
			pl.pieces = append(pl.pieces, piece{i, lo, lo + take})
			lo += take
			if fill += take; fill >= size {
				closeChunk()
			}
		}
	}
	if fill > 0 {
		closeChunk()
	}
}

// do runs j: on the calling goroutine for a small step or a one-worker
// pool, otherwise split into chunks across p's workers. It returns when
// all of j has run, re-raising a panic of any piece.
func (p *Pool) do(j job, elemBytes int) {
	p.split(j, elemBytes, parallelMinBytes, chunkBytes)
}

// split is do with the threshold and the target chunk size as arguments,
// for the benchmarks that measure them.
func (p *Pool) split(j job, elemBytes, minBytes, chunkBytes int) {
	total := 0
	for i := range j.tensors() {
		total += j.size(i)
	}
	if p.workers <= 1 || total*elemBytes < minBytes || p.closed.Load() { // <= 1: the zero Pool has 0
		for i := range j.tensors() {
			if n := j.size(i); n > 0 {
				j.run(i, 0, n)
			}
		}
		return
	}
	b := p.getBatch()
	b.plan.build(j, chunkLen(total, elemBytes, chunkBytes, p.workers))
	p.run(b, j)
}
