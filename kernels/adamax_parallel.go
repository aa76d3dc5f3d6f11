package kernels

import "fmt"

// AdamaxTensor32 is one float32 tensor of a model and its Adamax state,
// for Adamax.StepTensors32: the slices of one Adamax.Step32 call. M and U
// start as zeros.
type AdamaxTensor32 struct {
	Param, Grad, M, U []float32
}

// AdamaxTensor64 is AdamaxTensor32 for float64.
type AdamaxTensor64 struct {
	Param, Grad, M, U []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (o Adamax) StepParallel32(p *Pool, t int, param, grad, m, u []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adamax.StepParallel32", len(param), len(grad), len(m), len(u))
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.one[0] = AdamaxTensor32{param, grad, m, u}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o Adamax) StepParallel64(p *Pool, t int, param, grad, m, u []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adamax.StepParallel64", len(param), len(grad), len(m), len(u))
	j := o.job64(s)
	j.one[0] = AdamaxTensor64{param, grad, m, u}
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
func (o Adamax) StepTensors32(p *Pool, t int, ts []AdamaxTensor32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n || len(x.U) != n {
			o.checkLens(fmt.Sprintf("Adamax.StepTensors32: tensor %d", i), n, len(x.Grad), len(x.M), len(x.U))
		}
	}
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o Adamax) StepTensors64(p *Pool, t int, ts []AdamaxTensor64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n || len(x.U) != n {
			o.checkLens(fmt.Sprintf("Adamax.StepTensors64: tensor %d", i), n, len(x.Grad), len(x.M), len(x.U))
		}
	}
	j := o.job64(s)
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 8)
	return nil
}

// job32 rounds the step's scalars s to float32 and checks them, exactly
// as Step32 does, and returns a recycled float32 job holding them and the
// kernel.
func (o Adamax) job32(s [adamaxScalarCount]float64) (*adamaxJob32, error) {
	var s32 [adamaxScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	j := adamaxJobs32.get()
	j.kernel, j.s = current().adamaxF32[o.variant()], s32
	return j, nil
}

// job64 is job32 for float64.
func (o Adamax) job64(s [adamaxScalarCount]float64) *adamaxJob64 {
	j := adamaxJobs64.get()
	j.kernel, j.s = current().adamaxF64[o.variant()], s
	return j
}

// adamaxJob32 adapts a float32 Adamax step to the pool's job: its
// tensors, scalars and kernel. Jobs are recycled through adamaxJobs32.
type adamaxJob32 struct {
	ts     []AdamaxTensor32
	one    [1]AdamaxTensor32 // ts for a single-tensor step, without allocating
	kernel func(param, grad, m, u []float32, s [adamaxScalarCount]float32)
	s      [adamaxScalarCount]float32
}

var adamaxJobs32 = newFreeList[adamaxJob32]()

func (j *adamaxJob32) tensors() int   { return len(j.ts) }
func (j *adamaxJob32) size(i int) int { return len(j.ts[i].Param) }

func (j *adamaxJob32) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.U[lo:hi], j.s)
}

// free recycles j, dropping its references to the caller's slices.
func (j *adamaxJob32) free() {
	j.ts, j.one = nil, [1]AdamaxTensor32{}
	adamaxJobs32.put(j)
}

// adamaxJob64 is adamaxJob32 for float64.
type adamaxJob64 struct {
	ts     []AdamaxTensor64
	one    [1]AdamaxTensor64
	kernel func(param, grad, m, u []float64, s [adamaxScalarCount]float64)
	s      [adamaxScalarCount]float64
}

var adamaxJobs64 = newFreeList[adamaxJob64]()

func (j *adamaxJob64) tensors() int   { return len(j.ts) }
func (j *adamaxJob64) size(i int) int { return len(j.ts[i].Param) }

func (j *adamaxJob64) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.U[lo:hi], j.s)
}

func (j *adamaxJob64) free() {
	j.ts, j.one = nil, [1]AdamaxTensor64{}
	adamaxJobs64.put(j)
}
