package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

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
	checkDisjoint("SGD.StepParallel32", &sgdArgs, o.skip(), param, grad, buf)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.stepOne(p, SGDTensor32{param, grad, buf})
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o SGD) StepParallel64(p *Pool, t int, param, grad, buf []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("SGD.StepParallel64", len(param), len(grad), len(buf))
	checkDisjoint("SGD.StepParallel64", &sgdArgs, o.skip(), param, grad, buf)
	o.job64(s).stepOne(p, SGDTensor64{param, grad, buf})
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
// No two tensors may share memory (a tensor's Grad may be its Param): a
// tensor's overlapping slices, or two tensors' overlapping Params, panic.
// After the first calls, it does not allocate.
func (o SGD) StepTensors32(p *Pool, t int, ts []SGDTensor32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "SGD.StepTensors32", ts, sgdCheck32)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.step(p, ts)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o SGD) StepTensors64(p *Pool, t int, ts []SGDTensor64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "SGD.StepTensors64", ts, sgdCheck64)
	o.job64(s).step(p, ts)
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
	return sgdJobs32.job(current().sgdF32[o.variant()], s32, o.mode() != 0), nil
}

// job64 is job32 for float64.
func (o SGD) job64(s [sgdScalarCount]float64) *sgdJob64 {
	return sgdJobs64.job(current().sgdF64[o.variant()], s, o.mode() != 0)
}

// sgdJob32 and sgdJob64 are the pool's jobs for SGD steps, recycled
// through sgdJobs32 and sgdJobs64. Only momentum uses Buf.
type (
	sgdJob32 = tensorJob[SGDTensor32, func(param, grad, buf []float32, s [sgdScalarCount]float32), [sgdScalarCount]float32]
	sgdJob64 = tensorJob[SGDTensor64, func(param, grad, buf []float64, s [sgdScalarCount]float64), [sgdScalarCount]float64]
)

var (
	sgdJobs32 = newTensorKind(4, func(x *SGDTensor32) int { return len(x.Param) },
		func(j *sgdJob32, x *SGDTensor32, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], optional(j.use[0], x.Buf, lo, hi), j.s)
		})
	sgdJobs64 = newTensorKind(8, func(x *SGDTensor64) int { return len(x.Param) },
		func(j *sgdJob64, x *SGDTensor64, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], optional(j.use[0], x.Buf, lo, hi), j.s)
		})
)

// sgdCheck32 and sgdCheck64 check a tensor's slice lengths for
// checkTensors.
func sgdCheck32(o SGD, op string, x *SGDTensor32) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.Buf))
	checkDisjoint(op, &sgdArgs, o.skip(), x.Param, x.Grad, x.Buf)
	return memspan.Of(x.Param)
}
func sgdCheck64(o SGD, op string, x *SGDTensor64) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.Buf))
	checkDisjoint(op, &sgdArgs, o.skip(), x.Param, x.Grad, x.Buf)
	return memspan.Of(x.Param)
}
