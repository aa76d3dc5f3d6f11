package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

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
func (o RMSprop) StepParallel32(p *Pool, t int, param, grad, sq, gavg, buf []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("RMSprop.StepParallel32", len(param), len(grad), len(sq), len(gavg), len(buf))
	checkDisjoint("RMSprop.StepParallel32", &rmspropArgs, o.skip(), param, grad, sq, gavg, buf)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.stepOne(p, RMSpropTensor32{param, grad, sq, gavg, buf})
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o RMSprop) StepParallel64(p *Pool, t int, param, grad, sq, gavg, buf []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("RMSprop.StepParallel64", len(param), len(grad), len(sq), len(gavg), len(buf))
	checkDisjoint("RMSprop.StepParallel64", &rmspropArgs, o.skip(), param, grad, sq, gavg, buf)
	o.job64(s).stepOne(p, RMSpropTensor64{param, grad, sq, gavg, buf})
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
func (o RMSprop) StepTensors32(p *Pool, t int, ts []RMSpropTensor32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "RMSprop.StepTensors32", ts, rmspropCheck32)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.step(p, ts)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o RMSprop) StepTensors64(p *Pool, t int, ts []RMSpropTensor64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "RMSprop.StepTensors64", ts, rmspropCheck64)
	o.job64(s).step(p, ts)
	return nil
}

// job32 rounds the step's scalars s to float32 and checks them, exactly
// as Step32 does, and returns a recycled float32 job holding them and the
// kernel. Validation runs in Step32's order, so that both fail alike.
func (o RMSprop) job32(s [rmspropScalarCount]float64) (*rmspropJob32, error) {
	var s32 [rmspropScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	return rmspropJobs32.job(current().rmspropF32[o.variant()], s32, o.Centered, o.Momentum > 0), nil
}

// job64 is job32 for float64.
func (o RMSprop) job64(s [rmspropScalarCount]float64) *rmspropJob64 {
	return rmspropJobs64.job(current().rmspropF64[o.variant()], s, o.Centered, o.Momentum > 0)
}

// rmspropJob32 and rmspropJob64 are the pool's jobs for RMSprop steps,
// recycled through rmspropJobs32 and rmspropJobs64. GAvg is used only when
// Centered, Buf only with momentum.
type (
	rmspropJob32 = tensorJob[RMSpropTensor32, func(param, grad, sq, gavg, buf []float32, s [rmspropScalarCount]float32), [rmspropScalarCount]float32]
	rmspropJob64 = tensorJob[RMSpropTensor64, func(param, grad, sq, gavg, buf []float64, s [rmspropScalarCount]float64), [rmspropScalarCount]float64]
)

var (
	rmspropJobs32 = newTensorKind(4, func(x *RMSpropTensor32) int { return len(x.Param) },
		func(j *rmspropJob32, x *RMSpropTensor32, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sq[lo:hi], optional(j.use[0], x.GAvg, lo, hi), optional(j.use[1], x.Buf, lo, hi), j.s)
		})
	rmspropJobs64 = newTensorKind(8, func(x *RMSpropTensor64) int { return len(x.Param) },
		func(j *rmspropJob64, x *RMSpropTensor64, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sq[lo:hi], optional(j.use[0], x.GAvg, lo, hi), optional(j.use[1], x.Buf, lo, hi), j.s)
		})
)

// rmspropCheck32 and rmspropCheck64 check a tensor's slice lengths for
// checkTensors.
func rmspropCheck32(r RMSprop, op string, x *RMSpropTensor32) memspan.Span {
	r.checkLens(op, len(x.Param), len(x.Grad), len(x.Sq), len(x.GAvg), len(x.Buf))
	checkDisjoint(op, &rmspropArgs, r.skip(), x.Param, x.Grad, x.Sq, x.GAvg, x.Buf)
	return memspan.Of(x.Param)
}
func rmspropCheck64(r RMSprop, op string, x *RMSpropTensor64) memspan.Span {
	r.checkLens(op, len(x.Param), len(x.Grad), len(x.Sq), len(x.GAvg), len(x.Buf))
	checkDisjoint(op, &rmspropArgs, r.skip(), x.Param, x.Grad, x.Sq, x.GAvg, x.Buf)
	return memspan.Of(x.Param)
}
