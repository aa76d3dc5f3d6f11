package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

// RAdamTensor32 is one float32 tensor of a model and its RAdam state, for
// RAdam.StepTensors32: the slices of one RAdam.Step32 call. M and V start
// as zeros.
type RAdamTensor32 struct {
	Param, Grad, M, V []float32
}

// RAdamTensor64 is RAdamTensor32 for float64.
type RAdamTensor64 struct {
	Param, Grad, M, V []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (o RAdam) StepParallel32(p *Pool, t int, param, grad, m, v []float32) error {
	sc, rect, err := o.scalars(t)
	if err != nil {
		return err
	}
	radamCheckLens("RAdam.StepParallel32", len(param), len(grad), len(m), len(v))
	checkDisjoint("RAdam.StepParallel32", &radamArgs, 0, param, grad, m, v)
	j, err := o.job32(sc, rect)
	if err != nil {
		return err
	}
	j.stepOne(p, RAdamTensor32{param, grad, m, v})
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o RAdam) StepParallel64(p *Pool, t int, param, grad, m, v []float64) error {
	sc, rect, err := o.scalars(t)
	if err != nil {
		return err
	}
	radamCheckLens("RAdam.StepParallel64", len(param), len(grad), len(m), len(v))
	checkDisjoint("RAdam.StepParallel64", &radamArgs, 0, param, grad, m, v)
	o.job64(sc, rect).stepOne(p, RAdamTensor64{param, grad, m, v})
	return nil
}

// StepTensors32 applies update number t to every tensor of ts, as
// Step32 on each would, in one call on the workers of pool p (nil for
// DefaultPool): it validates the hyperparameters and computes the step's
// scalars once, then splits large tensors into chunks and packs small ones
// together so that the workers get equal shares. The result is
// bit-identical to Step32 on each tensor. A bad hyperparameter or t < 1
// returns a *ParamError, and a tensor whose slices differ in
// length panics with its index and both lengths; both happen before any
// tensor changes. No two tensors may share memory (a tensor's Grad may be
// its Param): overlapping slices panic. After the first calls, it does not allocate.
func (o RAdam) StepTensors32(p *Pool, t int, ts []RAdamTensor32) error {
	sc, rect, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "RAdam.StepTensors32", ts, radamCheck32)
	j, err := o.job32(sc, rect)
	if err != nil {
		return err
	}
	j.step(p, ts)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o RAdam) StepTensors64(p *Pool, t int, ts []RAdamTensor64) error {
	sc, rect, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "RAdam.StepTensors64", ts, radamCheck64)
	o.job64(sc, rect).step(p, ts)
	return nil
}

// job32 rounds the step's scalars to float32 and checks them, exactly as
// Step32 does, and returns a recycled float32 job holding them and the
// kernel of the step's variant (rect: rectified).
func (o RAdam) job32(s [radamScalarCount]float64, rect bool) (*radamJob32, error) {
	var s32 [radamScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	return radamJobs32.job(current().radamF32[o.variant(rect)], s32), nil
}

// job64 is job32 for float64.
func (o RAdam) job64(s [radamScalarCount]float64, rect bool) *radamJob64 {
	return radamJobs64.job(current().radamF64[o.variant(rect)], s)
}

// radamJob32 and radamJob64 are the pool's jobs for RAdam steps, recycled
// through radamJobs32 and radamJobs64.
type (
	radamJob32 = tensorJob[RAdamTensor32, func(param, grad, m, v []float32, s [radamScalarCount]float32), [radamScalarCount]float32]
	radamJob64 = tensorJob[RAdamTensor64, func(param, grad, m, v []float64, s [radamScalarCount]float64), [radamScalarCount]float64]
)

var (
	radamJobs32 = newTensorKind(4, func(x *RAdamTensor32) int { return len(x.Param) },
		func(j *radamJob32, x *RAdamTensor32, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], j.s)
		})
	radamJobs64 = newTensorKind(8, func(x *RAdamTensor64) int { return len(x.Param) },
		func(j *radamJob64, x *RAdamTensor64, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], j.s)
		})
)

// radamCheck32 and radamCheck64 check a tensor's slice lengths for
// checkTensors.
func radamCheck32(_ RAdam, op string, x *RAdamTensor32) memspan.Span {
	radamCheckLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V))
	checkDisjoint(op, &radamArgs, 0, x.Param, x.Grad, x.M, x.V)
	return memspan.Of(x.Param)
}
func radamCheck64(_ RAdam, op string, x *RAdamTensor64) memspan.Span {
	radamCheckLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V))
	checkDisjoint(op, &radamArgs, 0, x.Param, x.Grad, x.M, x.V)
	return memspan.Of(x.Param)
}
