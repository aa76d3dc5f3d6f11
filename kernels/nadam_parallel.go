package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

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
func (o NAdam) StepParallel32(p *Pool, s NAdamSchedule, param, grad, m, v []float32) error {
	sc, err := o.scalars(s)
	if err != nil {
		return err
	}
	nadamCheckLens("NAdam.StepParallel32", len(param), len(grad), len(m), len(v))
	checkDisjoint("NAdam.StepParallel32", &nadamArgs, 0, param, grad, m, v)
	j, err := o.job32(sc)
	if err != nil {
		return err
	}
	j.stepOne(p, NAdamTensor32{param, grad, m, v})
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o NAdam) StepParallel64(p *Pool, s NAdamSchedule, param, grad, m, v []float64) error {
	sc, err := o.scalars(s)
	if err != nil {
		return err
	}
	nadamCheckLens("NAdam.StepParallel64", len(param), len(grad), len(m), len(v))
	checkDisjoint("NAdam.StepParallel64", &nadamArgs, 0, param, grad, m, v)
	o.job64(sc).stepOne(p, NAdamTensor64{param, grad, m, v})
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
// its Param): overlapping slices panic. After the first calls, it does not allocate.
func (o NAdam) StepTensors32(p *Pool, s NAdamSchedule, ts []NAdamTensor32) error {
	sc, err := o.scalars(s)
	if err != nil {
		return err
	}
	checkTensors(o, "NAdam.StepTensors32", ts, nadamCheck32)
	j, err := o.job32(sc)
	if err != nil {
		return err
	}
	j.step(p, ts)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o NAdam) StepTensors64(p *Pool, s NAdamSchedule, ts []NAdamTensor64) error {
	sc, err := o.scalars(s)
	if err != nil {
		return err
	}
	checkTensors(o, "NAdam.StepTensors64", ts, nadamCheck64)
	o.job64(sc).step(p, ts)
	return nil
}

// job32 rounds the step's scalars to float32 and checks them, exactly as
// Step32 does, and returns a recycled float32 job holding them and the
// kernel.
func (o NAdam) job32(s [nadamScalarCount]float64) (*nadamJob32, error) {
	var s32 [nadamScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	return nadamJobs32.job(current().nadamF32[o.variant()], s32), nil
}

// job64 is job32 for float64.
func (o NAdam) job64(s [nadamScalarCount]float64) *nadamJob64 {
	return nadamJobs64.job(current().nadamF64[o.variant()], s)
}

// nadamJob32 and nadamJob64 are the pool's jobs for NAdam steps, recycled
// through nadamJobs32 and nadamJobs64.
type (
	nadamJob32 = tensorJob[NAdamTensor32, func(param, grad, m, v []float32, s [nadamScalarCount]float32), [nadamScalarCount]float32]
	nadamJob64 = tensorJob[NAdamTensor64, func(param, grad, m, v []float64, s [nadamScalarCount]float64), [nadamScalarCount]float64]
)

var (
	nadamJobs32 = newTensorKind(4, func(x *NAdamTensor32) int { return len(x.Param) },
		func(j *nadamJob32, x *NAdamTensor32, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], j.s)
		})
	nadamJobs64 = newTensorKind(8, func(x *NAdamTensor64) int { return len(x.Param) },
		func(j *nadamJob64, x *NAdamTensor64, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], j.s)
		})
)

// nadamCheck32 and nadamCheck64 check a tensor's slice lengths for
// checkTensors.
func nadamCheck32(_ NAdam, op string, x *NAdamTensor32) memspan.Span {
	nadamCheckLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V))
	checkDisjoint(op, &nadamArgs, 0, x.Param, x.Grad, x.M, x.V)
	return memspan.Of(x.Param)
}
func nadamCheck64(_ NAdam, op string, x *NAdamTensor64) memspan.Span {
	nadamCheckLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V))
	checkDisjoint(op, &nadamArgs, 0, x.Param, x.Grad, x.M, x.V)
	return memspan.Of(x.Param)
}
