package kernels

import "math"

// This file is the two-pass structure LAMB and LARS share: a first pass
// over each tensor that sums the squares of the update and of the
// parameter (LAMB also updates its moments in it), the trust ratio from
// the two norms, and a second pass that applies the scaled update.
//
// The sums follow the reductions' fixed order (see norm.go): chunks of
// NormChunk elements counted from the tensor's start, 16 interleaved
// float64 partials within a chunk combined by combinePartials, and the
// chunks' sums added in index order from +0. So ‖param‖² is exactly
// SumSquares32(param), and a step gives the same bits at every level and
// on any number of workers: a worker always reduces whole chunks.

// trustPasses is one optimizer in one precision, with its step's scalars
// and level, as the shared driver sees it; T is its tensor type.
type trustPasses[T any] interface {
	// elems is the number of elements of x.
	elems(x T) int
	// norms runs the first pass over elements [lo, hi) of x, one chunk,
	// and returns the chunk's sums of the squares of the update and of
	// the parameter. It is not called when the ratio is fixed (see
	// ratio).
	norms(x T, lo, hi int) (uu, pp float64)
	// ratio is the trust ratio from the two sums of squares, or with
	// fixed the ratio without them (then the first pass is skipped).
	ratio(uu, pp float64) (r float64, fixed bool)
	// apply runs the second pass over elements [lo, hi) of x.
	apply(x T, lo, hi int, ratio float64)
}

// The tensors go to the passes by value and the partial sums stay inside
// norms: a pointer argument to a method of a type parameter escapes, and
// would cost an allocation per call.

// trustRatio is the trust ratio of Optax's scale_by_trust_ratio: tc·‖p‖
// / (‖u‖ + eps) from the sums of squares pp and uu, and 1 where either
// norm is 0 (a new or pruned parameter, a zero update). A NaN sum gives
// NaN, as in Optax.
func trustRatio(uu, pp, tc, eps float64) float64 {
	pn, un := math.Sqrt(pp), math.Sqrt(uu)
	if pn == 0 || un == 0 {
		return 1
	}
	return tc * pn / (un + eps)
}

// trustStep runs both passes over the single tensor x on the calling
// goroutine.
func trustStep[T any, P trustPasses[T]](ps P, x T) {
	n := ps.elems(x)
	r, fixed := ps.ratio(0, 0)
	if !fixed {
		var uu, pp float64
		for lo := 0; lo < n; lo += NormChunk {
			cu, cp := ps.norms(x, lo, min(lo+NormChunk, n))
			uu += cu
			pp += cp
		}
		r, _ = ps.ratio(uu, pp)
	}
	ps.apply(x, 0, n, r)
}

// trustJob is the pool's job for a parallel LAMB or LARS step, in two
// phases: norms, whose elements are each tensor's NormChunk chunks (see
// chunkJob), then apply, over elements with each tensor's ratio.
type trustJob[T any, P trustPasses[T]] struct {
	ps     P
	ts     []T
	one    [1]T
	first  []int        // index in sums of each tensor's chunk 0
	sums   [][2]float64 // each chunk's sums of squares: update, parameter
	ratios []float64    // each tensor's trust ratio
	apply  bool         // the second phase
}

func (j *trustJob[T, P]) tensors() int       { return len(j.ts) }
func (j *trustJob[T, P]) elements(i int) int { return j.ps.elems(j.ts[i]) }
func (j *trustJob[T, P]) size(i int) int {
	if j.apply {
		return j.elements(i)
	}
	return chunksOf(j.elements(i))
}

func (j *trustJob[T, P]) run(i, lo, hi int) {
	x := j.ts[i]
	if j.apply {
		j.ps.apply(x, lo, hi, j.ratios[i])
		return
	}
	n := j.elements(i)
	for c := lo; c < hi; c++ {
		uu, pp := j.ps.norms(x, c*NormChunk, min((c+1)*NormChunk, n))
		j.sums[j.first[i]+c] = [2]float64{uu, pp}
	}
}

// trustTensors runs a step of ps over every tensor of ts on the workers
// of pool p (nil for DefaultPool), bit-identical to trustStep on each.
// With one set, ts is ignored and the step runs on *one alone.
func trustTensors[T any, P trustPasses[T]](p *Pool, ps P, ts []T, one *T, elemBytes int, jobs *freeList[trustJob[T, P]]) {
	p = p.orDefault()
	j := jobs.get()
	defer func() {
		var zero trustJob[T, P]
		j.ps, j.ts, j.one = zero.ps, nil, zero.one // drop the caller's slices
		jobs.put(j)
	}()
	j.ps, j.ts, j.apply = ps, ts, false
	if one != nil {
		j.one[0] = *one
		j.ts = j.one[:]
	}
	if cap(j.ratios) < len(j.ts) {
		j.ratios = make([]float64, len(j.ts))
	}
	j.ratios = j.ratios[:len(j.ts)]
	r, fixed := ps.ratio(0, 0)
	if fixed {
		for i := range j.ratios {
			j.ratios[i] = r
		}
	} else {
		j.first, j.sums = firstChunks(j, j.first, j.sums)
		p.runChunks(j, elemBytes)
		for i := range j.ts {
			var uu, pp float64
			for _, s := range j.sums[j.first[i] : j.first[i]+chunksOf(j.elements(i))] {
				uu += s[0]
				pp += s[1]
			}
			j.ratios[i], _ = ps.ratio(uu, pp)
		}
	}
	j.apply = true
	p.do(j, elemBytes)
}
