package kernels

import "fmt"

// SGDTensor32 is one float32 tensor of a model and its SGD state, for
// SGD.StepTensors32: the slices of one SGD.Step32 call. Buf starts as
// zeros and is used only with momentum (it may be nil without).
type SGDTensor32 struct {
	Param, Grad, Buf []float32
}

// SGDTensor64 is SGDTensor32 for float64.
type SGDTensor64 struct {
	Param, Grad, Buf []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (o SGD) StepParallel32(p *Pool, t int, param, grad, buf []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("SGD.StepParallel32", len(param), len(grad), len(buf))
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.one[0] = SGDTensor32{param, grad, buf}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o SGD) StepParallel64(p *Pool, t int, param, grad, buf []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("SGD.StepParallel64", len(param), len(grad), len(buf))
	j := o.job64(s)
	j.one[0] = SGDTensor64{param, grad, buf}
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
func (o SGD) StepTensors32(p *Pool, t int, ts []SGDTensor32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || o.mode() != 0 && len(x.Buf) != n {
			o.checkLens(fmt.Sprintf("SGD.StepTensors32: tensor %d", i), n, len(x.Grad), len(x.Buf))
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
func (o SGD) StepTensors64(p *Pool, t int, ts []SGDTensor64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || o.mode() != 0 && len(x.Buf) != n {
			o.checkLens(fmt.Sprintf("SGD.StepTensors64: tensor %d", i), n, len(x.Grad), len(x.Buf))
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
func (o SGD) job32(s [sgdScalarCount]float64) (*sgdJob32, error) {
	var s32 [sgdScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	j := sgdJobs32.get()
	j.kernel, j.s, j.buf = current().sgdF32[o.variant()], s32, o.mode() != 0
	return j, nil
}

// job64 is job32 for float64.
func (o SGD) job64(s [sgdScalarCount]float64) *sgdJob64 {
	j := sgdJobs64.get()
	j.kernel, j.s, j.buf = current().sgdF64[o.variant()], s, o.mode() != 0
	return j
}

// sgdJob32 adapts a float32 SGD step to the pool's job: its tensors,
// scalars and kernel. Jobs are recycled through sgdJobs32.
type sgdJob32 struct {
	ts     []SGDTensor32
	one    [1]SGDTensor32 // ts for a single-tensor step, without allocating
	kernel func(param, grad, buf []float32, s [sgdScalarCount]float32)
	s      [sgdScalarCount]float32
	buf    bool // the kernel reads and writes Buf
}

var sgdJobs32 = newFreeList[sgdJob32]()

func (j *sgdJob32) tensors() int   { return len(j.ts) }
func (j *sgdJob32) size(i int) int { return len(j.ts[i].Param) }

func (j *sgdJob32) run(i, lo, hi int) {
	x := &j.ts[i]
	var buf []float32 // only momentum reads buf, which may be short otherwise
	if j.buf {
		buf = x.Buf[lo:hi]
	}
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], buf, j.s)
}

// free recycles j, dropping its references to the caller's slices.
func (j *sgdJob32) free() {
	j.ts, j.one = nil, [1]SGDTensor32{}
	sgdJobs32.put(j)
}

// sgdJob64 is sgdJob32 for float64.
type sgdJob64 struct {
	ts     []SGDTensor64
	one    [1]SGDTensor64
	kernel func(param, grad, buf []float64, s [sgdScalarCount]float64)
	s      [sgdScalarCount]float64
	buf    bool
}

var sgdJobs64 = newFreeList[sgdJob64]()

func (j *sgdJob64) tensors() int   { return len(j.ts) }
func (j *sgdJob64) size(i int) int { return len(j.ts[i].Param) }

func (j *sgdJob64) run(i, lo, hi int) {
	x := &j.ts[i]
	var buf []float64
	if j.buf {
		buf = x.Buf[lo:hi]
	}
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], buf, j.s)
}

func (j *sgdJob64) free() {
	j.ts, j.one = nil, [1]SGDTensor64{}
	sgdJobs64.put(j)
}
