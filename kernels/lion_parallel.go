package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

// LionTensor32 is one float32 tensor of a model and its Lion state, for
// Lion.StepTensors32: the slices of one Lion.Step32 call. M starts as
// zeros.
type LionTensor32 struct {
	Param, Grad, M []float32
}

// LionTensor64 is LionTensor32 for float64.
type LionTensor64 struct {
	Param, Grad, M []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (o Lion) StepParallel32(p *Pool, param, grad, m []float32) error {
	s, err := o.scalars()
	if err != nil {
		return err
	}
	o.checkLens("Lion.StepParallel32", len(param), len(grad), len(m))
	checkDisjoint("Lion.StepParallel32", &lionArgs, 0, param, grad, m)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.stepOne(p, LionTensor32{param, grad, m})
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o Lion) StepParallel64(p *Pool, param, grad, m []float64) error {
	s, err := o.scalars()
	if err != nil {
		return err
	}
	o.checkLens("Lion.StepParallel64", len(param), len(grad), len(m))
	checkDisjoint("Lion.StepParallel64", &lionArgs, 0, param, grad, m)
	o.job64(s).stepOne(p, LionTensor64{param, grad, m})
	return nil
}

// StepTensors32 applies one update to every tensor of ts, as Step32 on
// each would, in one call on the workers of pool p (nil for DefaultPool):
// it validates the hyperparameters and computes the step's scalars once,
// then splits large tensors into chunks and packs small ones together so
// that the workers get equal shares. The result is bit-identical to
// Step32 on each tensor. A bad hyperparameter returns a *ParamError, and
// a tensor whose slices differ in length panics with its index and both
// lengths; both happen before any tensor changes. No two tensors may
// share memory (a tensor's Grad may be its Param): overlapping slices panic. After the first calls,
// it does not allocate.
func (o Lion) StepTensors32(p *Pool, ts []LionTensor32) error {
	s, err := o.scalars()
	if err != nil {
		return err
	}
	checkTensors(o, "Lion.StepTensors32", ts, lionCheck32)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.step(p, ts)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o Lion) StepTensors64(p *Pool, ts []LionTensor64) error {
	s, err := o.scalars()
	if err != nil {
		return err
	}
	checkTensors(o, "Lion.StepTensors64", ts, lionCheck64)
	o.job64(s).step(p, ts)
	return nil
}

// job32 rounds the step's scalars s to float32 and checks them, exactly
// as Step32 does, and returns a recycled float32 job holding them and the
// kernel.
func (o Lion) job32(s [lionScalarCount]float64) (*lionJob32, error) {
	var s32 [lionScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	return lionJobs32.job(current().lionF32[0], s32), nil
}

// job64 is job32 for float64.
func (o Lion) job64(s [lionScalarCount]float64) *lionJob64 {
	return lionJobs64.job(current().lionF64[0], s)
}

// lionJob32 and lionJob64 are the pool's jobs for Lion steps, recycled
// through lionJobs32 and lionJobs64.
type (
	lionJob32 = tensorJob[LionTensor32, func(param, grad, m []float32, s [lionScalarCount]float32), [lionScalarCount]float32]
	lionJob64 = tensorJob[LionTensor64, func(param, grad, m []float64, s [lionScalarCount]float64), [lionScalarCount]float64]
)

var (
	lionJobs32 = newTensorKind(4, func(x *LionTensor32) int { return len(x.Param) },
		func(j *lionJob32, x *LionTensor32, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], j.s)
		})
	lionJobs64 = newTensorKind(8, func(x *LionTensor64) int { return len(x.Param) },
		func(j *lionJob64, x *LionTensor64, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], j.s)
		})
)

// lionCheck32 and lionCheck64 check a tensor's slice lengths for
// checkTensors.
func lionCheck32(o Lion, op string, x *LionTensor32) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.M))
	checkDisjoint(op, &lionArgs, 0, x.Param, x.Grad, x.M)
	return memspan.Of(x.Param)
}
func lionCheck64(o Lion, op string, x *LionTensor64) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.M))
	checkDisjoint(op, &lionArgs, 0, x.Param, x.Grad, x.M)
	return memspan.Of(x.Param)
}
