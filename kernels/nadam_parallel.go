package kernels

import "fmt"

// NAdamTensor32 is one float32 tensor of a model and its NAdam state, for
// NAdam.StepTensors32: the slices of one NAdam.Step32 call. M and V start
// as zeros.
type NAdamTensor32 struct {
	Param, Grad, M, V []float32
}

// NAdamTensor64 is NAdamTensor32 for float64.
type NAdamTensor64 struct {
	Param, Grad, M, V []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (a NAdam) StepParallel32(p *Pool, s NAdamSchedule, param, grad, m, v []float32) error {
	sc, err := a.scalars(s)
	if err != nil {
		return err
	}
	nadamCheckLens("NAdam.StepParallel32", len(param), len(grad), len(m), len(v))
	j, err := a.job32(sc)
	if err != nil {
		return err
	}
	j.one[0] = NAdamTensor32{param, grad, m, v}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (a NAdam) StepParallel64(p *Pool, s NAdamSchedule, param, grad, m, v []float64) error {
	sc, err := a.scalars(s)
	if err != nil {
		return err
	}
	nadamCheckLens("NAdam.StepParallel64", len(param), len(grad), len(m), len(v))
	j := a.job64(sc)
	j.one[0] = NAdamTensor64{param, grad, m, v}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 8)
	return nil
}

// StepTensors32 applies the update of step s.T to every tensor of ts, as
// Step32 on each would, in one call on the workers of pool p (nil for
// DefaultPool): it validates the hyperparameters and computes the step's
// scalars once, then splits large tensors into chunks and packs small ones
// together so that the workers get equal shares. The result is
// bit-identical to Step32 on each tensor. A bad hyperparameter or
// schedule returns a *ParamError, and a tensor whose slices differ in
// length panics with its index and both lengths; both happen before any
// tensor changes. No two tensors may share memory (a tensor's Grad may be
// its Param). After the first calls, it does not allocate.
func (a NAdam) StepTensors32(p *Pool, s NAdamSchedule, ts []NAdamTensor32) error {
	sc, err := a.scalars(s)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n || len(x.V) != n {
			nadamCheckLens(fmt.Sprintf("NAdam.StepTensors32: tensor %d", i), n, len(x.Grad), len(x.M), len(x.V))
		}
	}
	j, err := a.job32(sc)
	if err != nil {
		return err
	}
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (a NAdam) StepTensors64(p *Pool, s NAdamSchedule, ts []NAdamTensor64) error {
	sc, err := a.scalars(s)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n || len(x.V) != n {
			nadamCheckLens(fmt.Sprintf("NAdam.StepTensors64: tensor %d", i), n, len(x.Grad), len(x.M), len(x.V))
		}
	}
	j := a.job64(sc)
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 8)
	return nil
}

// job32 rounds the step's scalars to float32 and checks them, exactly as
// Step32 does, and returns a recycled float32 job holding them and the
// kernel.
func (a NAdam) job32(s [nadamScalarCount]float64) (*nadamJob32, error) {
	var s32 [nadamScalarCount]float32
	round32(s32[:], s[:])
	if err := a.checkRounded32(s32); err != nil {
		return nil, err
	}
	j := nadamJobs32.get()
	j.kernel, j.s = current().nadamF32[a.variant()], s32
	return j, nil
}

// job64 is job32 for float64.
func (a NAdam) job64(s [nadamScalarCount]float64) *nadamJob64 {
	j := nadamJobs64.get()
	j.kernel, j.s = current().nadamF64[a.variant()], s
	return j
}

// nadamJob32 adapts a float32 NAdam step to the pool's job: its tensors,
// scalars and kernel. Jobs are recycled through nadamJobs32.
type nadamJob32 struct {
	ts     []NAdamTensor32
	one    [1]NAdamTensor32 // ts for a single-tensor step, without allocating
	kernel func(param, grad, m, v []float32, s [nadamScalarCount]float32)
	s      [nadamScalarCount]float32
}

var nadamJobs32 = newFreeList[nadamJob32]()

func (j *nadamJob32) tensors() int   { return len(j.ts) }
func (j *nadamJob32) size(i int) int { return len(j.ts[i].Param) }

func (j *nadamJob32) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], j.s)
}

// free recycles j, dropping its references to the caller's slices.
func (j *nadamJob32) free() {
	j.ts, j.one = nil, [1]NAdamTensor32{}
	nadamJobs32.put(j)
}

// nadamJob64 is nadamJob32 for float64.
type nadamJob64 struct {
	ts     []NAdamTensor64
	one    [1]NAdamTensor64
	kernel func(param, grad, m, v []float64, s [nadamScalarCount]float64)
	s      [nadamScalarCount]float64
}

var nadamJobs64 = newFreeList[nadamJob64]()

func (j *nadamJob64) tensors() int   { return len(j.ts) }
func (j *nadamJob64) size(i int) int { return len(j.ts[i].Param) }

func (j *nadamJob64) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], j.s)
}

func (j *nadamJob64) free() {
	j.ts, j.one = nil, [1]NAdamTensor64{}
	nadamJobs64.put(j)
}
