package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

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
func (o Adam) StepParallel32(p *Pool, t int, param, grad, m, v, vmax []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adam.StepParallel32", len(param), len(grad), len(m), len(v), len(vmax))
	checkDisjoint("Adam.StepParallel32", &adamArgs, o.skip(), param, grad, m, v, vmax)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.stepOne(p, AdamTensor32{param, grad, m, v, vmax})
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o Adam) StepParallel64(p *Pool, t int, param, grad, m, v, vmax []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adam.StepParallel64", len(param), len(grad), len(m), len(v), len(vmax))
	checkDisjoint("Adam.StepParallel64", &adamArgs, o.skip(), param, grad, m, v, vmax)
	o.job64(s).stepOne(p, AdamTensor64{param, grad, m, v, vmax})
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
func (o Adam) StepTensors32(p *Pool, t int, ts []AdamTensor32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "Adam.StepTensors32", ts, adamCheck32)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.step(p, ts)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o Adam) StepTensors64(p *Pool, t int, ts []AdamTensor64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "Adam.StepTensors64", ts, adamCheck64)
	o.job64(s).step(p, ts)
	return nil
}

// job32 rounds the step's scalars s to float32 and checks them, exactly
// as Step32 does, and returns a recycled float32 job holding them and the
// kernel. Validation runs in Step32's order, so that both fail alike.
func (o Adam) job32(s [adamScalarCount]float64) (*adamJob32, error) {
	var s32 [adamScalarCount]float32
	for i, x := range s {
		s32[i] = float32(x)
	}
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	return adamJobs32.job(current().adamF32[o.variant()], s32, o.AMSGrad), nil
}

// job64 is job32 for float64.
func (o Adam) job64(s [adamScalarCount]float64) *adamJob64 {
	return adamJobs64.job(current().adamF64[o.variant()], s, o.AMSGrad)
}

// adamJob32 and adamJob64 are the pool's jobs for Adam steps, recycled
// through adamJobs32 and adamJobs64. Only AMSGrad uses VMax.
type (
	adamJob32 = tensorJob[AdamTensor32, func(param, grad, m, v, vmax []float32, s [adamScalarCount]float32), [adamScalarCount]float32]
	adamJob64 = tensorJob[AdamTensor64, func(param, grad, m, v, vmax []float64, s [adamScalarCount]float64), [adamScalarCount]float64]
)

var (
	adamJobs32 = newTensorKind(4, func(x *AdamTensor32) int { return len(x.Param) },
		func(j *adamJob32, x *AdamTensor32, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], optional(j.use[0], x.VMax, lo, hi), j.s)
		})
	adamJobs64 = newTensorKind(8, func(x *AdamTensor64) int { return len(x.Param) },
		func(j *adamJob64, x *AdamTensor64, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], optional(j.use[0], x.VMax, lo, hi), j.s)
		})
)

// adamCheck32 and adamCheck64 check a tensor's slice lengths for
// checkTensors.
func adamCheck32(a Adam, op string, x *AdamTensor32) memspan.Span {
	a.checkLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V), len(x.VMax))
	checkDisjoint(op, &adamArgs, a.skip(), x.Param, x.Grad, x.M, x.V, x.VMax)
	return memspan.Of(x.Param)
}
func adamCheck64(a Adam, op string, x *AdamTensor64) memspan.Span {
	a.checkLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V), len(x.VMax))
	checkDisjoint(op, &adamArgs, a.skip(), x.Param, x.Grad, x.M, x.V, x.VMax)
	return memspan.Of(x.Param)
}
