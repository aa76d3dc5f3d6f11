package kernels

import (
	"fmt"
	"math"
)

// NormChunk is the number of elements of one chunk of the reductions:
// SumSquares32 and SumSquares64 sum each NormChunk elements of a slice
// (counted from its start) on their own, then add the chunks' sums in
// index order. The chunk boundaries depend on the element index only,
// so that the multi-tensor forms give the same bits on any number of
// workers.
const NormChunk = 1 << 16

// normPartials is the number of interleaved partial sums in a chunk
// (gen/ir's Partials).
const normPartials = 16

// SumSquares32 returns the sum of the squares of x's elements, Σ x[i]²,
// in float64: the square of the 2-norm (math.Sqrt of it is the norm).
// Every level gives the same bits, in the fixed order of the package
// documentation's "Reductions" section; that section also gives its error
// bound. NaN in x gives NaN, ±Inf (and no NaN) +Inf; the sum cannot
// overflow (a float32's square is below 1.2e77). It does not allocate.
func SumSquares32(x []float32) float64 {
	return sumSquares(ActiveLevel(), x)
}

// SumSquares64 is SumSquares32 for float64 slices. The squares are
// rounded to float64, so the bound of SumSquares32 grows by one rounding.
// A square overflows to +Inf where |x[i]| > 1.3e154 (the sum is then
// +Inf, as PyTorch's norm is), and one below 1.5e-154 loses bits to
// underflow (below 1e-162 it is 0); the documentation's bound assumes
// neither happens.
func SumSquares64(x []float64) float64 {
	return sumSquares(ActiveLevel(), x)
}

// SumSquaresBF16 is SumSquares32 for bfloat16 slices: each element is
// widened exactly to float32, so the result is SumSquares32 of the
// widened values (SliceTo32), bit for bit, at every level, with its
// error bound. It reads half the bytes. NaN in x gives NaN, ±Inf (and no
// NaN) +Inf; the sum cannot overflow. It does not allocate.
func SumSquaresBF16(x []BF16) float64 {
	return sumSquares(ActiveLevel(), x)
}

// normElem is the element types of the reductions.
type normElem interface{ float32 | float64 | BF16 }

// sumSquares is the fixed order: chunks of NormChunk elements, each
// reduced by chunkSumSquares, added in index order starting from +0.
func sumSquares[E normElem](l Level, x []E) float64 {
	var total float64
	for lo := 0; lo < len(x); lo += NormChunk {
		total += chunkSumSquares(l, x[lo:min(lo+NormChunk, len(x))])
	}
	return total
}

// chunkSumSquares reduces one chunk: element j of the chunk is added to
// partial j mod 16, in element order (the level's kernel takes the whole
// blocks of 16, this function the tail), then the partials are combined
// by the fixed tree of combinePartials. A bfloat16 chunk is reduced as
// the float32 chunk of its widened values.
func chunkSumSquares[E normElem](l Level, x []E) float64 {
	var acc [normPartials]float64
	n := len(x) &^ (normPartials - 1)
	// The generated functions call level l's kernel directly: through a
	// func value, acc would escape to the heap.
	switch x := any(x).(type) {
	case []float32:
		sumsqF32At(l, x, &acc)
		addSquares(&acc, x[n:])
	case []float64:
		sumsqF64At(l, x, &acc)
		addSquares(&acc, x[n:])
	case []BF16:
		sumsqBF16At(l, bf16Bits(x), &acc)
		var buf [normPartials]float32
		tail := buf[:len(x)-n]
		SliceTo32(tail, x[n:])
		addSquares(&acc, tail)
	}
	return combinePartials(&acc)
}

// addSquares adds the square of tail[j] to acc[j]: a chunk's tail, after
// the kernel's whole blocks.
func addSquares[F float32 | float64](acc *[normPartials]float64, tail []F) {
	for j, v := range tail {
		// The conversion rounds the square (exact for float32) before the
		// sum, as the kernels do: Go could otherwise fuse them (FMA).
		acc[j] += float64(float64(v) * float64(v))
	}
}

// combinePartials adds the 16 partials pairwise: p[j] += p[j+8] for j <
// 8, then p[j] += p[j+4] for j < 4, then +2, then +1, and returns p[0].
func combinePartials(p *[normPartials]float64) float64 {
	for w := normPartials / 2; w >= 1; w /= 2 {
		for j := range w {
			p[j] += p[j+w]
		}
	}
	return p[0]
}

// MaxAbs32 returns the largest |x[i]| as a float64 (0 for an empty
// slice), NaN if any element is NaN: the infinity norm. A maximum is
// exact, so its order does not matter; it is pure Go at every level.
func MaxAbs32(x []float32) float64 { return maxAbs(x) }

// MaxAbs64 is MaxAbs32 for float64 slices.
func MaxAbs64(x []float64) float64 { return maxAbs(x) }

func maxAbs[E float32 | float64](x []E) float64 {
	var m float64
	for _, v := range x {
		a := math.Abs(float64(v))
		if a > m {
			m = a
		} else if a != a {
			return math.NaN()
		}
	}
	return m
}

// SumSquaresTensors32 sets sums[i] to SumSquares32(xs[i]) for every
// tensor, bit for bit, computing the NormChunk chunks of all of them on
// the workers of pool p (nil for DefaultPool); below 256 KiB in all it
// stays on the calling goroutine. The results do not depend on the number
// of workers: each chunk is reduced whole by one worker, and each
// tensor's chunk sums are added in index order afterwards. The total
// squared norm of a list of tensors is then the sum of sums in order,
// which package optim computes for ClipGradNorm. It panics if sums and
// xs differ in length. After warm-up it does not allocate.
func SumSquaresTensors32(p *Pool, xs [][]float32, sums []float64) {
	sumSquaresTensors(p, xs, sums, 4, &normJobs32)
}

// SumSquaresTensors64 is SumSquaresTensors32 for float64 slices.
func SumSquaresTensors64(p *Pool, xs [][]float64, sums []float64) {
	sumSquaresTensors(p, xs, sums, 8, &normJobs64)
}

// SumSquaresTensorsBF16 is SumSquaresTensors32 for bfloat16 slices: it
// sets sums[i] to SumSquaresBF16(xs[i]), which is SumSquares32 of the
// widened values, bit for bit, on any number of workers.
func SumSquaresTensorsBF16(p *Pool, xs [][]BF16, sums []float64) {
	sumSquaresTensors(p, xs, sums, 2, &normJobsBF16)
}

var (
	normJobs32   = newFreeList[normJob[float32]]()
	normJobs64   = newFreeList[normJob[float64]]()
	normJobsBF16 = newFreeList[normJob[BF16]]()
)

// normJob is the pool's job for SumSquaresTensors: its "elements" are
// chunks of NormChunk elements, so that a piece of the pool's plan is a
// range of whole chunks of one tensor.
type normJob[E normElem] struct {
	xs     [][]E
	level  Level
	first  []int     // index in chunks of each tensor's chunk 0
	chunks []float64 // every chunk's sum
}

func (j *normJob[E]) tensors() int       { return len(j.xs) }
func (j *normJob[E]) size(i int) int     { return chunksOf(len(j.xs[i])) }
func (j *normJob[E]) elements(i int) int { return len(j.xs[i]) }
func (j *normJob[E]) run(i, lo, hi int) {
	x := j.xs[i]
	for c := lo; c < hi; c++ {
		j.chunks[j.first[i]+c] = chunkSumSquares(j.level, x[c*NormChunk:min((c+1)*NormChunk, len(x))])
	}
}

func chunksOf(n int) int { return (n + NormChunk - 1) / NormChunk }

func sumSquaresTensors[E normElem](p *Pool, xs [][]E, sums []float64, elemBytes int, jobs *freeList[normJob[E]]) {
	if len(sums) != len(xs) {
		panic(fmt.Sprintf("fusedopt: SumSquaresTensors: %d sums for %d tensors", len(sums), len(xs)))
	}
	j := jobs.get()
	defer func() {
		j.xs = nil
		jobs.put(j)
	}()
	j.xs, j.level = xs, ActiveLevel()
	j.first, j.chunks = firstChunks(j, j.first, j.chunks)
	p.orDefault().runChunks(j, elemBytes)

	for i := range xs {
		var s float64
		for _, c := range j.chunks[j.first[i] : j.first[i]+chunksOf(len(xs[i]))] {
			s += c
		}
		sums[i] = s
	}
}

// chunkJob is a job whose "elements" are the NormChunk chunks of its
// tensors (size(i) is chunksOf(elements(i))), so that a piece of the
// pool's plan is a range of whole chunks of one tensor and a chunk's
// sums never depend on the number of workers.
type chunkJob interface {
	job
	elements(i int) int // the number of elements of tensor i
}

// firstChunks sets first[i] to the index, in the list of every tensor's
// chunks, of tensor i's chunk 0, and sizes chunks to that list; both
// keep their capacity.
func firstChunks[T any](j chunkJob, first []int, chunks []T) ([]int, []T) {
	first = first[:0]
	n := 0
	for i := range j.tensors() {
		first = append(first, n)
		n += j.size(i)
	}
	if cap(chunks) < n {
		chunks = make([]T, n)
	}
	return first, chunks[:n]
}

// runChunks runs every chunk of j on p's workers: pool chunks of about
// NormChunk elements, each one or more whole reduction chunks (small
// tensors packed together). Below 256 KiB in all, or without helpers,
// it runs them on the calling goroutine.
func (p *Pool) runChunks(j chunkJob, elemBytes int) {
	total := 0
	for i := range j.tensors() {
		total += j.elements(i)
	}
	if p.workers <= 1 || total*elemBytes < parallelMinBytes || p.closed.Load() {
		for i := range j.tensors() {
			j.run(i, 0, j.size(i))
		}
		return
	}
	b := p.getBatch()
	pl := &b.plan
	pl.pieces, pl.bounds = pl.pieces[:0], append(pl.bounds[:0], 0)
	fill := 0
	for i := range j.tensors() {
		n := j.elements(i)
		for c := range j.size(i) {
			pl.pieces = append(pl.pieces, piece{i, c, c + 1})
			if fill += min(NormChunk, n-c*NormChunk); fill >= NormChunk {
				pl.bounds = append(pl.bounds, len(pl.pieces))
				fill = 0
			}
		}
	}
	if fill > 0 {
		pl.bounds = append(pl.bounds, len(pl.pieces))
	}
	p.run(b, j)
}
