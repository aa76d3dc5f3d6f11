package kernels

import "fmt"

// AdadeltaTensor32 is one float32 tensor of a model and its Adadelta
// state, for Adadelta.StepTensors32: the slices of one Adadelta.Step32
// call. Sq and Acc start as zeros.
type AdadeltaTensor32 struct {
	Param, Grad, Sq, Acc []float32
}

// AdadeltaTensor64 is AdadeltaTensor32 for float64.
type AdadeltaTensor64 struct {
	Param, Grad, Sq, Acc []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (a Adadelta) StepParallel32(p *Pool, t int, param, grad, sq, acc []float32) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	a.checkLens("Adadelta.StepParallel32", len(param), len(grad), len(sq), len(acc))
	j, err := a.job32(s)
	if err != nil {
		return err
	}
	j.one[0] = AdadeltaTensor32{param, grad, sq, acc}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (a Adadelta) StepParallel64(p *Pool, t int, param, grad, sq, acc []float64) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	a.checkLens("Adadelta.StepParallel64", len(param), len(grad), len(sq), len(acc))
	j := a.job64(s)
	j.one[0] = AdadeltaTensor64{param, grad, sq, acc}
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
func (a Adadelta) StepTensors32(p *Pool, t int, ts []AdadeltaTensor32) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.Sq) != n || len(x.Acc) != n {
			a.checkLens(fmt.Sprintf("Adadelta.StepTensors32: tensor %d", i), n, len(x.Grad), len(x.Sq), len(x.Acc))
		}
	}
	j, err := a.job32(s)
	if err != nil {
		return err
	}
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (a Adadelta) StepTensors64(p *Pool, t int, ts []AdadeltaTensor64) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.Sq) != n || len(x.Acc) != n {
			a.checkLens(fmt.Sprintf("Adadelta.StepTensors64: tensor %d", i), n, len(x.Grad), len(x.Sq), len(x.Acc))
		}
	}
	j := a.job64(s)
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 8)
	return nil
}

// job32 rounds the step's scalars s to float32 and checks them, exactly
// as Step32 does, and returns a recycled float32 job holding them and the
// kernel. Validation runs in Step32's order, so that both fail alike.
func (a Adadelta) job32(s [adadeltaScalarCount]float64) (*adadeltaJob32, error) {
	var s32 [adadeltaScalarCount]float32
	round32(s32[:], s[:])
	if err := a.checkRounded32(s32); err != nil {
		return nil, err
	}
	j := adadeltaJobs32.get()
	j.kernel, j.s = current().adadeltaF32[a.variant()], s32
	return j, nil
}

// job64 is job32 for float64.
func (a Adadelta) job64(s [adadeltaScalarCount]float64) *adadeltaJob64 {
	j := adadeltaJobs64.get()
	j.kernel, j.s = current().adadeltaF64[a.variant()], s
	return j
}

// adadeltaJob32 adapts a float32 Adadelta step to the pool's job: its
// tensors, scalars and kernel. Jobs are recycled through adadeltaJobs32.
type adadeltaJob32 struct {
	ts     []AdadeltaTensor32
	one    [1]AdadeltaTensor32 // ts for a single-tensor step, without allocating
	kernel func(param, grad, sq, acc []float32, s [adadeltaScalarCount]float32)
	s      [adadeltaScalarCount]float32
}

var adadeltaJobs32 = newFreeList[adadeltaJob32]()

func (j *adadeltaJob32) tensors() int   { return len(j.ts) }
func (j *adadeltaJob32) size(i int) int { return len(j.ts[i].Param) }

func (j *adadeltaJob32) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sq[lo:hi], x.Acc[lo:hi], j.s)
}

// free recycles j, dropping its references to the caller's slices.
func (j *adadeltaJob32) free() {
	j.ts, j.one = nil, [1]AdadeltaTensor32{}
	adadeltaJobs32.put(j)
}

// adadeltaJob64 is adadeltaJob32 for float64.
type adadeltaJob64 struct {
	ts     []AdadeltaTensor64
	one    [1]AdadeltaTensor64
	kernel func(param, grad, sq, acc []float64, s [adadeltaScalarCount]float64)
	s      [adadeltaScalarCount]float64
}

var adadeltaJobs64 = newFreeList[adadeltaJob64]()

func (j *adadeltaJob64) tensors() int   { return len(j.ts) }
func (j *adadeltaJob64) size(i int) int { return len(j.ts[i].Param) }

func (j *adadeltaJob64) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sq[lo:hi], x.Acc[lo:hi], j.s)
}

func (j *adadeltaJob64) free() {
	j.ts, j.one = nil, [1]AdadeltaTensor64{}
	adadeltaJobs64.put(j)
}
