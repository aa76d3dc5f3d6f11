package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

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
func (o Adadelta) StepParallel32(p *Pool, t int, param, grad, sq, acc []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adadelta.StepParallel32", len(param), len(grad), len(sq), len(acc))
	checkDisjoint("Adadelta.StepParallel32", &adadeltaArgs, 0, param, grad, sq, acc)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.stepOne(p, AdadeltaTensor32{param, grad, sq, acc})
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o Adadelta) StepParallel64(p *Pool, t int, param, grad, sq, acc []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adadelta.StepParallel64", len(param), len(grad), len(sq), len(acc))
	checkDisjoint("Adadelta.StepParallel64", &adadeltaArgs, 0, param, grad, sq, acc)
	o.job64(s).stepOne(p, AdadeltaTensor64{param, grad, sq, acc})
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
func (o Adadelta) StepTensors32(p *Pool, t int, ts []AdadeltaTensor32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "Adadelta.StepTensors32", ts, adadeltaCheck32)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.step(p, ts)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o Adadelta) StepTensors64(p *Pool, t int, ts []AdadeltaTensor64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "Adadelta.StepTensors64", ts, adadeltaCheck64)
	o.job64(s).step(p, ts)
	return nil
}

// job32 rounds the step's scalars s to float32 and checks them, exactly
// as Step32 does, and returns a recycled float32 job holding them and the
// kernel. Validation runs in Step32's order, so that both fail alike.
func (o Adadelta) job32(s [adadeltaScalarCount]float64) (*adadeltaJob32, error) {
	var s32 [adadeltaScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	return adadeltaJobs32.job(current().adadeltaF32[o.variant()], s32), nil
}

// job64 is job32 for float64.
func (o Adadelta) job64(s [adadeltaScalarCount]float64) *adadeltaJob64 {
	return adadeltaJobs64.job(current().adadeltaF64[o.variant()], s)
}

// adadeltaJob32 and adadeltaJob64 are the pool's jobs for Adadelta steps,
// recycled through adadeltaJobs32 and adadeltaJobs64.
type (
	adadeltaJob32 = tensorJob[AdadeltaTensor32, func(param, grad, sq, acc []float32, s [adadeltaScalarCount]float32), [adadeltaScalarCount]float32]
	adadeltaJob64 = tensorJob[AdadeltaTensor64, func(param, grad, sq, acc []float64, s [adadeltaScalarCount]float64), [adadeltaScalarCount]float64]
)

var (
	adadeltaJobs32 = newTensorKind(4, func(x *AdadeltaTensor32) int { return len(x.Param) },
		func(j *adadeltaJob32, x *AdadeltaTensor32, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sq[lo:hi], x.Acc[lo:hi], j.s)
		})
	adadeltaJobs64 = newTensorKind(8, func(x *AdadeltaTensor64) int { return len(x.Param) },
		func(j *adadeltaJob64, x *AdadeltaTensor64, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sq[lo:hi], x.Acc[lo:hi], j.s)
		})
)

// adadeltaCheck32 and adadeltaCheck64 check a tensor's slice lengths for
// checkTensors.
func adadeltaCheck32(a Adadelta, op string, x *AdadeltaTensor32) memspan.Span {
	a.checkLens(op, len(x.Param), len(x.Grad), len(x.Sq), len(x.Acc))
	checkDisjoint(op, &adadeltaArgs, 0, x.Param, x.Grad, x.Sq, x.Acc)
	return memspan.Of(x.Param)
}
func adadeltaCheck64(a Adadelta, op string, x *AdadeltaTensor64) memspan.Span {
	a.checkLens(op, len(x.Param), len(x.Grad), len(x.Sq), len(x.Acc))
	checkDisjoint(op, &adadeltaArgs, 0, x.Param, x.Grad, x.Sq, x.Acc)
	return memspan.Of(x.Param)
}
