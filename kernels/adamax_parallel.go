package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

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
	checkDisjoint("Adamax.StepParallel32", &adamaxArgs, 0, param, grad, m, u)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.stepOne(p, AdamaxTensor32{param, grad, m, u})
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o Adamax) StepParallel64(p *Pool, t int, param, grad, m, u []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adamax.StepParallel64", len(param), len(grad), len(m), len(u))
	checkDisjoint("Adamax.StepParallel64", &adamaxArgs, 0, param, grad, m, u)
	o.job64(s).stepOne(p, AdamaxTensor64{param, grad, m, u})
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
func (o Adamax) StepTensors32(p *Pool, t int, ts []AdamaxTensor32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "Adamax.StepTensors32", ts, adamaxCheck32)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.step(p, ts)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o Adamax) StepTensors64(p *Pool, t int, ts []AdamaxTensor64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "Adamax.StepTensors64", ts, adamaxCheck64)
	o.job64(s).step(p, ts)
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
	return adamaxJobs32.job(current().adamaxF32[o.variant()], s32), nil
}

// job64 is job32 for float64.
func (o Adamax) job64(s [adamaxScalarCount]float64) *adamaxJob64 {
	return adamaxJobs64.job(current().adamaxF64[o.variant()], s)
}

// adamaxJob32 and adamaxJob64 are the pool's jobs for Adamax steps,
// recycled through adamaxJobs32 and adamaxJobs64.
type (
	adamaxJob32 = tensorJob[AdamaxTensor32, func(param, grad, m, u []float32, s [adamaxScalarCount]float32), [adamaxScalarCount]float32]
	adamaxJob64 = tensorJob[AdamaxTensor64, func(param, grad, m, u []float64, s [adamaxScalarCount]float64), [adamaxScalarCount]float64]
)

var (
	adamaxJobs32 = newTensorKind(4, func(x *AdamaxTensor32) int { return len(x.Param) },
		func(j *adamaxJob32, x *AdamaxTensor32, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.U[lo:hi], j.s)
		})
	adamaxJobs64 = newTensorKind(8, func(x *AdamaxTensor64) int { return len(x.Param) },
		func(j *adamaxJob64, x *AdamaxTensor64, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.U[lo:hi], j.s)
		})
)

// adamaxCheck32 and adamaxCheck64 check a tensor's slice lengths for
// checkTensors.
func adamaxCheck32(o Adamax, op string, x *AdamaxTensor32) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.U))
	checkDisjoint(op, &adamaxArgs, 0, x.Param, x.Grad, x.M, x.U)
	return memspan.Of(x.Param)
}
func adamaxCheck64(o Adamax, op string, x *AdamaxTensor64) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.U))
	checkDisjoint(op, &adamaxArgs, 0, x.Param, x.Grad, x.M, x.U)
	return memspan.Of(x.Param)
}
