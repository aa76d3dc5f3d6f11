package kernels

import "fmt"

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
	j, err := o.job32(s)
	if err != nil {
		return err
	}
	j.one[0] = LionTensor32{param, grad, m}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o Lion) StepParallel64(p *Pool, param, grad, m []float64) error {
	s, err := o.scalars()
	if err != nil {
		return err
	}
	o.checkLens("Lion.StepParallel64", len(param), len(grad), len(m))
	j := o.job64(s)
	j.one[0] = LionTensor64{param, grad, m}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 8)
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
// share memory (a tensor's Grad may be its Param). After the first calls,
// it does not allocate.
func (o Lion) StepTensors32(p *Pool, ts []LionTensor32) error {
	s, err := o.scalars()
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n {
			o.checkLens(fmt.Sprintf("Lion.StepTensors32: tensor %d", i), n, len(x.Grad), len(x.M))
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
func (o Lion) StepTensors64(p *Pool, ts []LionTensor64) error {
	s, err := o.scalars()
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n {
			o.checkLens(fmt.Sprintf("Lion.StepTensors64: tensor %d", i), n, len(x.Grad), len(x.M))
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
func (o Lion) job32(s [lionScalarCount]float64) (*lionJob32, error) {
	var s32 [lionScalarCount]float32
	round32(s32[:], s[:])
	if err := o.checkRounded32(s32); err != nil {
		return nil, err
	}
	j := lionJobs32.get()
	j.kernel, j.s = current().lionF32[0], s32
	return j, nil
}

// job64 is job32 for float64.
func (o Lion) job64(s [lionScalarCount]float64) *lionJob64 {
	j := lionJobs64.get()
	j.kernel, j.s = current().lionF64[0], s
	return j
}

// lionJob32 adapts a float32 Lion step to the pool's job: its tensors,
// scalars and kernel. Jobs are recycled through lionJobs32.
type lionJob32 struct {
	ts     []LionTensor32
	one    [1]LionTensor32 // ts for a single-tensor step, without allocating
	kernel func(param, grad, m []float32, s [lionScalarCount]float32)
	s      [lionScalarCount]float32
}

var lionJobs32 = newFreeList[lionJob32]()

func (j *lionJob32) tensors() int   { return len(j.ts) }
func (j *lionJob32) size(i int) int { return len(j.ts[i].Param) }

func (j *lionJob32) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], j.s)
}

// free recycles j, dropping its references to the caller's slices.
func (j *lionJob32) free() {
	j.ts, j.one = nil, [1]LionTensor32{}
	lionJobs32.put(j)
}

// lionJob64 is lionJob32 for float64.
type lionJob64 struct {
	ts     []LionTensor64
	one    [1]LionTensor64
	kernel func(param, grad, m []float64, s [lionScalarCount]float64)
	s      [lionScalarCount]float64
}

var lionJobs64 = newFreeList[lionJob64]()

func (j *lionJob64) tensors() int   { return len(j.ts) }
func (j *lionJob64) size(i int) int { return len(j.ts[i].Param) }

func (j *lionJob64) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], j.s)
}

func (j *lionJob64) free() {
	j.ts, j.one = nil, [1]LionTensor64{}
	lionJobs64.put(j)
}
