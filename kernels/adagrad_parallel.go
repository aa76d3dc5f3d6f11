package kernels

import "fmt"

// AdagradTensor32 is one float32 tensor of a model and its Adagrad state,
// for Adagrad.StepTensors32: the slices of one Adagrad.Step32 call. Sum
// starts as InitialAccumulatorValue (see Adagrad.InitSum32).
type AdagradTensor32 struct {
	Param, Grad, Sum []float32
}

// AdagradTensor64 is AdagradTensor32 for float64.
type AdagradTensor64 struct {
	Param, Grad, Sum []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (a Adagrad) StepParallel32(p *Pool, t int, param, grad, sum []float32) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	a.checkLens("Adagrad.StepParallel32", len(param), len(grad), len(sum))
	j, err := a.job32(s)
	if err != nil {
		return err
	}
	j.one[0] = AdagradTensor32{param, grad, sum}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (a Adagrad) StepParallel64(p *Pool, t int, param, grad, sum []float64) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	a.checkLens("Adagrad.StepParallel64", len(param), len(grad), len(sum))
	j := a.job64(s)
	j.one[0] = AdagradTensor64{param, grad, sum}
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
func (a Adagrad) StepTensors32(p *Pool, t int, ts []AdagradTensor32) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		if n := len(x.Param); len(x.Grad) != n || len(x.Sum) != n {
			a.checkLens(fmt.Sprintf("Adagrad.StepTensors32: tensor %d", i), n, len(x.Grad), len(x.Sum))
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
func (a Adagrad) StepTensors64(p *Pool, t int, ts []AdagradTensor64) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		if n := len(x.Param); len(x.Grad) != n || len(x.Sum) != n {
			a.checkLens(fmt.Sprintf("Adagrad.StepTensors64: tensor %d", i), n, len(x.Grad), len(x.Sum))
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
// kernel.
func (a Adagrad) job32(s [adagradScalarCount]float64) (*adagradJob32, error) {
	var s32 [adagradScalarCount]float32
	round32(s32[:], s[:])
	if err := a.checkRounded32(s32); err != nil {
		return nil, err
	}
	j := adagradJobs32.get()
	j.kernel, j.s = current().adagradF32[a.variant()], s32
	return j, nil
}

// job64 is job32 for float64.
func (a Adagrad) job64(s [adagradScalarCount]float64) *adagradJob64 {
	j := adagradJobs64.get()
	j.kernel, j.s = current().adagradF64[a.variant()], s
	return j
}

// adagradJob32 adapts a float32 Adagrad step to the pool's job: its
// tensors, scalars and kernel. Jobs are recycled through adagradJobs32.
type adagradJob32 struct {
	ts     []AdagradTensor32
	one    [1]AdagradTensor32 // ts for a single-tensor step, without allocating
	kernel func(param, grad, sum []float32, s [adagradScalarCount]float32)
	s      [adagradScalarCount]float32
}

var adagradJobs32 = newFreeList[adagradJob32]()

func (j *adagradJob32) tensors() int   { return len(j.ts) }
func (j *adagradJob32) size(i int) int { return len(j.ts[i].Param) }

func (j *adagradJob32) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sum[lo:hi], j.s)
}

// free recycles j, dropping its references to the caller's slices.
func (j *adagradJob32) free() {
	j.ts, j.one = nil, [1]AdagradTensor32{}
	adagradJobs32.put(j)
}

// adagradJob64 is adagradJob32 for float64.
type adagradJob64 struct {
	ts     []AdagradTensor64
	one    [1]AdagradTensor64
	kernel func(param, grad, sum []float64, s [adagradScalarCount]float64)
	s      [adagradScalarCount]float64
}

var adagradJobs64 = newFreeList[adagradJob64]()

func (j *adagradJob64) tensors() int   { return len(j.ts) }
func (j *adagradJob64) size(i int) int { return len(j.ts[i].Param) }

func (j *adagradJob64) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sum[lo:hi], j.s)
}

func (j *adagradJob64) free() {
	j.ts, j.one = nil, [1]AdagradTensor64{}
	adagradJobs64.put(j)
}
