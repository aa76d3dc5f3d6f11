package kernels

import "fmt"

// AdamTensor32 is one float32 tensor of a model and its Adam state, for
// Adam.StepTensors32: the slices of one Adam.Step32 call. M and V start
// as zeros; VMax is used only with AMSGrad.
type AdamTensor32 struct {
	Param, Grad, M, V, VMax []float32
}

// AdamTensor64 is AdamTensor32 for float64.
type AdamTensor64 struct {
	Param, Grad, M, V, VMax []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (a Adam) StepParallel32(p *Pool, t int, param, grad, m, v, vmax []float32) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	a.checkLens("Adam.StepParallel32", len(param), len(grad), len(m), len(v), len(vmax))
	j, err := a.job32(s)
	if err != nil {
		return err
	}
	j.one[0] = AdamTensor32{param, grad, m, v, vmax}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (a Adam) StepParallel64(p *Pool, t int, param, grad, m, v, vmax []float64) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	a.checkLens("Adam.StepParallel64", len(param), len(grad), len(m), len(v), len(vmax))
	j, err := a.job64(s)
	if err != nil {
		return err
	}
	j.one[0] = AdamTensor64{param, grad, m, v, vmax}
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
func (a Adam) StepTensors32(p *Pool, t int, ts []AdamTensor32) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n || len(x.V) != n || a.AMSGrad && len(x.VMax) != n {
			a.checkLens(fmt.Sprintf("Adam.StepTensors32: tensor %d", i), n, len(x.Grad), len(x.M), len(x.V), len(x.VMax))
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
func (a Adam) StepTensors64(p *Pool, t int, ts []AdamTensor64) error {
	s, err := a.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n || len(x.V) != n || a.AMSGrad && len(x.VMax) != n {
			a.checkLens(fmt.Sprintf("Adam.StepTensors64: tensor %d", i), n, len(x.Grad), len(x.M), len(x.V), len(x.VMax))
		}
	}
	j, err := a.job64(s)
	if err != nil {
		return err
	}
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 8)
	return nil
}

// job32 rounds the step's scalars s to float32 and checks them, exactly
// as Step32 does, and returns a recycled float32 job holding them and the
// kernel. Validation runs in Step32's order, so that both fail alike.
func (a Adam) job32(s [adamScalarCount]float64) (*adamJob32, error) {
	var s32 [adamScalarCount]float32
	for i, x := range s {
		s32[i] = float32(x)
	}
	if err := a.checkRounded32(s32); err != nil {
		return nil, err
	}
	j := adamJobs32.get()
	j.kernel, j.s, j.amsgrad = current().adamF32[a.variant()], s32, a.AMSGrad
	return j, nil
}

// job64 is job32 for float64.
func (a Adam) job64(s [adamScalarCount]float64) (*adamJob64, error) {
	j := adamJobs64.get()
	j.kernel, j.s, j.amsgrad = current().adamF64[a.variant()], s, a.AMSGrad
	return j, nil
}

// adamJob32 adapts a float32 Adam step to the pool's job: its tensors,
// scalars and kernel. Jobs are recycled through adamJobs32.
type adamJob32 struct {
	ts      []AdamTensor32
	one     [1]AdamTensor32 // ts for a single-tensor step, without allocating
	kernel  func(param, grad, m, v, vmax []float32, s [adamScalarCount]float32)
	s       [adamScalarCount]float32
	amsgrad bool
}

var adamJobs32 = newFreeList[adamJob32]()

func (j *adamJob32) tensors() int   { return len(j.ts) }
func (j *adamJob32) size(i int) int { return len(j.ts[i].Param) }

func (j *adamJob32) run(i, lo, hi int) {
	x := &j.ts[i]
	var vmax []float32 // only AMSGrad reads vmax, which may be short otherwise
	if j.amsgrad {
		vmax = x.VMax[lo:hi]
	}
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], vmax, j.s)
}

// free recycles j, dropping its references to the caller's slices.
func (j *adamJob32) free() {
	j.ts, j.one = nil, [1]AdamTensor32{}
	adamJobs32.put(j)
}

// adamJob64 is adamJob32 for float64.
type adamJob64 struct {
	ts      []AdamTensor64
	one     [1]AdamTensor64
	kernel  func(param, grad, m, v, vmax []float64, s [adamScalarCount]float64)
	s       [adamScalarCount]float64
	amsgrad bool
}

var adamJobs64 = newFreeList[adamJob64]()

func (j *adamJob64) tensors() int   { return len(j.ts) }
func (j *adamJob64) size(i int) int { return len(j.ts[i].Param) }

func (j *adamJob64) run(i, lo, hi int) {
	x := &j.ts[i]
	var vmax []float64
	if j.amsgrad {
		vmax = x.VMax[lo:hi]
	}
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], vmax, j.s)
}

func (j *adamJob64) free() {
	j.ts, j.one = nil, [1]AdamTensor64{}
	adamJobs64.put(j)
}
