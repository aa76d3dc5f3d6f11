package kernels

import "fmt"

// RMSpropTensor32 is one float32 tensor of a model and its RMSprop state,
// for RMSprop.StepTensors32: the slices of one RMSprop.Step32 call. Sq,
// GAvg and Buf start as zeros; GAvg is used only when Centered and Buf
// only with Momentum > 0.
type RMSpropTensor32 struct {
	Param, Grad, Sq, GAvg, Buf []float32
}

// RMSpropTensor64 is RMSpropTensor32 for float64.
type RMSpropTensor64 struct {
	Param, Grad, Sq, GAvg, Buf []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (r RMSprop) StepParallel32(p *Pool, t int, param, grad, sq, gavg, buf []float32) error {
	s, err := r.scalars(t)
	if err != nil {
		return err
	}
	r.checkLens("RMSprop.StepParallel32", len(param), len(grad), len(sq), len(gavg), len(buf))
	j, err := r.job32(s)
	if err != nil {
		return err
	}
	j.one[0] = RMSpropTensor32{param, grad, sq, gavg, buf}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (r RMSprop) StepParallel64(p *Pool, t int, param, grad, sq, gavg, buf []float64) error {
	s, err := r.scalars(t)
	if err != nil {
		return err
	}
	r.checkLens("RMSprop.StepParallel64", len(param), len(grad), len(sq), len(gavg), len(buf))
	j := r.job64(s)
	j.one[0] = RMSpropTensor64{param, grad, sq, gavg, buf}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 8)
	return nil
}

// StepTensors32 applies update number t to every tensor of ts, as Step32
// on each would, in one call on the workers of pool p (nil for
// DefaultPool): it validates the hyperparameters and computes the step's
// scalars once, then splits large tensors into chunks and packs small ones
// together so that the workers get equal shares. The result is
// bit-identical to Step32 on each tensor. A bad hyperparameter or t < 1
// returns a *ParamError, and a tensor whose slices differ in length panics
// with its index and both lengths; both happen before any tensor changes.
// No two tensors may share memory (a tensor's Grad may be its Param).
// After the first calls, it does not allocate.
func (r RMSprop) StepTensors32(p *Pool, t int, ts []RMSpropTensor32) error {
	s, err := r.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		if r.lensDiffer(len(x.Param), len(x.Grad), len(x.Sq), len(x.GAvg), len(x.Buf)) {
			r.checkLens(fmt.Sprintf("RMSprop.StepTensors32: tensor %d", i), len(x.Param), len(x.Grad), len(x.Sq), len(x.GAvg), len(x.Buf))
		}
	}
	j, err := r.job32(s)
	if err != nil {
		return err
	}
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (r RMSprop) StepTensors64(p *Pool, t int, ts []RMSpropTensor64) error {
	s, err := r.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		if r.lensDiffer(len(x.Param), len(x.Grad), len(x.Sq), len(x.GAvg), len(x.Buf)) {
			r.checkLens(fmt.Sprintf("RMSprop.StepTensors64: tensor %d", i), len(x.Param), len(x.Grad), len(x.Sq), len(x.GAvg), len(x.Buf))
		}
	}
	j := r.job64(s)
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 8)
	return nil
}

// lensDiffer reports whether checkLens would panic, without formatting
// the operation's name (which allocates).
func (r RMSprop) lensDiffer(n, grad, sq, gavg, buf int) bool {
	return grad != n || sq != n || r.Centered && gavg != n || r.Momentum > 0 && buf != n
}

// job32 rounds the step's scalars s to float32 and checks them, exactly
// as Step32 does, and returns a recycled float32 job holding them and the
// kernel. Validation runs in Step32's order, so that both fail alike.
func (r RMSprop) job32(s [rmspropScalarCount]float64) (*rmspropJob32, error) {
	var s32 [rmspropScalarCount]float32
	round32(s32[:], s[:])
	if err := r.checkRounded32(s32); err != nil {
		return nil, err
	}
	j := rmspropJobs32.get()
	j.kernel, j.s = current().rmspropF32[r.variant()], s32
	j.centered, j.momentum = r.Centered, r.Momentum > 0
	return j, nil
}

// job64 is job32 for float64.
func (r RMSprop) job64(s [rmspropScalarCount]float64) *rmspropJob64 {
	j := rmspropJobs64.get()
	j.kernel, j.s = current().rmspropF64[r.variant()], s
	j.centered, j.momentum = r.Centered, r.Momentum > 0
	return j
}

// rmspropJob32 adapts a float32 RMSprop step to the pool's job: its
// tensors, scalars and kernel. Jobs are recycled through rmspropJobs32.
type rmspropJob32 struct {
	ts                 []RMSpropTensor32
	one                [1]RMSpropTensor32 // ts for a single-tensor step, without allocating
	kernel             func(param, grad, sq, gavg, buf []float32, s [rmspropScalarCount]float32)
	s                  [rmspropScalarCount]float32
	centered, momentum bool
}

var rmspropJobs32 = newFreeList[rmspropJob32]()

func (j *rmspropJob32) tensors() int   { return len(j.ts) }
func (j *rmspropJob32) size(i int) int { return len(j.ts[i].Param) }

func (j *rmspropJob32) run(i, lo, hi int) {
	x := &j.ts[i]
	var gavg, buf []float32 // read only by the variants that use them, which may be short otherwise
	if j.centered {
		gavg = x.GAvg[lo:hi]
	}
	if j.momentum {
		buf = x.Buf[lo:hi]
	}
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sq[lo:hi], gavg, buf, j.s)
}

// free recycles j, dropping its references to the caller's slices.
func (j *rmspropJob32) free() {
	j.ts, j.one = nil, [1]RMSpropTensor32{}
	rmspropJobs32.put(j)
}

// rmspropJob64 is rmspropJob32 for float64.
type rmspropJob64 struct {
	ts                 []RMSpropTensor64
	one                [1]RMSpropTensor64
	kernel             func(param, grad, sq, gavg, buf []float64, s [rmspropScalarCount]float64)
	s                  [rmspropScalarCount]float64
	centered, momentum bool
}

var rmspropJobs64 = newFreeList[rmspropJob64]()

func (j *rmspropJob64) tensors() int   { return len(j.ts) }
func (j *rmspropJob64) size(i int) int { return len(j.ts[i].Param) }

func (j *rmspropJob64) run(i, lo, hi int) {
	x := &j.ts[i]
	var gavg, buf []float64
	if j.centered {
		gavg = x.GAvg[lo:hi]
	}
	if j.momentum {
		buf = x.Buf[lo:hi]
	}
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sq[lo:hi], gavg, buf, j.s)
}

func (j *rmspropJob64) free() {
	j.ts, j.one = nil, [1]RMSpropTensor64{}
	rmspropJobs64.put(j)
}
