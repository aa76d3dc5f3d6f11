package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

// AdagradTensor32 is one float32 tensor of a model and its Adagrad state,
// for Adagrad.StepTensors32: the slices of one Adagrad.Step32 call. Sum
// starts as InitialAccumulatorValue (see Adagrad.InitSum32).
type AdagradTensor32 struct {
	Param, Grad, Sum []float32
}

// AdagradTensor64 is AdagradTensor32 for float64.
type AdagradTensor64 struct {
	Param, Grad, Sum []float64
}

// StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool):
// it splits a large step into chunks that run in parallel, and runs a
// small one on the calling goroutine. The result is bit-identical to
// Step32's whatever the number of workers. Errors and panics are Step32's,
// raised before any element changes; a panic inside a worker is re-raised
// in the caller. After the first calls, it does not allocate.
func (o Adagrad) StepParallel32(p *Pool, t int, param, grad, sum []float32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adagrad.StepParallel32", len(param), len(grad), len(sum))
	checkDisjoint("Adagrad.StepParallel32", &adagradArgs, 0, param, grad, sum)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.stepOne(p, AdagradTensor32{param, grad, sum})
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o Adagrad) StepParallel64(p *Pool, t int, param, grad, sum []float64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	o.checkLens("Adagrad.StepParallel64", len(param), len(grad), len(sum))
	checkDisjoint("Adagrad.StepParallel64", &adagradArgs, 0, param, grad, sum)
	o.job64(s).stepOne(p, AdagradTensor64{param, grad, sum})
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
func (o Adagrad) StepTensors32(p *Pool, t int, ts []AdagradTensor32) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "Adagrad.StepTensors32", ts, adagradCheck32)
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.step(p, ts)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o Adagrad) StepTensors64(p *Pool, t int, ts []AdagradTensor64) error {
	s, err := o.scalars(t)
	if err != nil {
		return err
	}
	checkTensors(o, "Adagrad.StepTensors64", ts, adagradCheck64)
	o.job64(s).step(p, ts)
	return nil
}

// job32 rounds the step's scalars s to float32 and checks them, exactly
// as Step32 does, and returns a recycled float32 job holding them and the
// kernel.
func (o Adagrad) job32(s [adagradScalarCount]float64) (*adagradJob32, error) {
	var s32 [adagradScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	return adagradJobs32.job(current().adagradF32[o.variant()], s32), nil
}

// job64 is job32 for float64.
func (o Adagrad) job64(s [adagradScalarCount]float64) *adagradJob64 {
	return adagradJobs64.job(current().adagradF64[o.variant()], s)
}

// adagradJob32 and adagradJob64 are the pool's jobs for Adagrad steps,
// recycled through adagradJobs32 and adagradJobs64.
type (
	adagradJob32 = tensorJob[AdagradTensor32, func(param, grad, sum []float32, s [adagradScalarCount]float32), [adagradScalarCount]float32]
	adagradJob64 = tensorJob[AdagradTensor64, func(param, grad, sum []float64, s [adagradScalarCount]float64), [adagradScalarCount]float64]
)

var (
	adagradJobs32 = newTensorKind(4, func(x *AdagradTensor32) int { return len(x.Param) },
		func(j *adagradJob32, x *AdagradTensor32, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sum[lo:hi], j.s)
		})
	adagradJobs64 = newTensorKind(8, func(x *AdagradTensor64) int { return len(x.Param) },
		func(j *adagradJob64, x *AdagradTensor64, lo, hi int) {
			j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.Sum[lo:hi], j.s)
		})
)

// adagradCheck32 and adagradCheck64 check a tensor's slice lengths for
// checkTensors.
func adagradCheck32(a Adagrad, op string, x *AdagradTensor32) memspan.Span {
	a.checkLens(op, len(x.Param), len(x.Grad), len(x.Sum))
	checkDisjoint(op, &adagradArgs, 0, x.Param, x.Grad, x.Sum)
	return memspan.Of(x.Param)
}
func adagradCheck64(a Adagrad, op string, x *AdagradTensor64) memspan.Span {
	a.checkLens(op, len(x.Param), len(x.Grad), len(x.Sum))
	checkDisjoint(op, &adagradArgs, 0, x.Param, x.Grad, x.Sum)
	return memspan.Of(x.Param)
}
