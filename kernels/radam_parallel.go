package kernels

import "fmt"

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
func (a RAdam) StepParallel32(p *Pool, t int, param, grad, m, v []float32) error {
	sc, rect, err := a.scalars(t)
	if err != nil {
		return err
	}
	radamCheckLens("RAdam.StepParallel32", len(param), len(grad), len(m), len(v))
	j, err := a.job32(sc, rect)
	if err != nil {
		return err
	}
	j.one[0] = RAdamTensor32{param, grad, m, v}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (a RAdam) StepParallel64(p *Pool, t int, param, grad, m, v []float64) error {
	sc, rect, err := a.scalars(t)
	if err != nil {
		return err
	}
	radamCheckLens("RAdam.StepParallel64", len(param), len(grad), len(m), len(v))
	j := a.job64(sc, rect)
	j.one[0] = RAdamTensor64{param, grad, m, v}
	j.ts = j.one[:]
	defer j.free()
	p.orDefault().do(j, 8)
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
// its Param). After the first calls, it does not allocate.
func (a RAdam) StepTensors32(p *Pool, t int, ts []RAdamTensor32) error {
	sc, rect, err := a.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n || len(x.V) != n {
			radamCheckLens(fmt.Sprintf("RAdam.StepTensors32: tensor %d", i), n, len(x.Grad), len(x.M), len(x.V))
		}
	}
	j, err := a.job32(sc, rect)
	if err != nil {
		return err
	}
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 4)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (a RAdam) StepTensors64(p *Pool, t int, ts []RAdamTensor64) error {
	sc, rect, err := a.scalars(t)
	if err != nil {
		return err
	}
	for i := range ts {
		x := &ts[i]
		n := len(x.Param)
		if len(x.Grad) != n || len(x.M) != n || len(x.V) != n {
			radamCheckLens(fmt.Sprintf("RAdam.StepTensors64: tensor %d", i), n, len(x.Grad), len(x.M), len(x.V))
		}
	}
	j := a.job64(sc, rect)
	j.ts = ts
	defer j.free()
	p.orDefault().do(j, 8)
	return nil
}

// job32 rounds the step's scalars to float32 and checks them, exactly as
// Step32 does, and returns a recycled float32 job holding them and the
// kernel of the step's variant (rect: rectified).
func (a RAdam) job32(s [radamScalarCount]float64, rect bool) (*radamJob32, error) {
	var s32 [radamScalarCount]float32
	round32(s32[:], s[:])
	if err := a.checkRounded32(s32); err != nil {
		return nil, err
	}
	j := radamJobs32.get()
	j.kernel, j.s = current().radamF32[a.variant(rect)], s32
	return j, nil
}

// job64 is job32 for float64.
func (a RAdam) job64(s [radamScalarCount]float64, rect bool) *radamJob64 {
	j := radamJobs64.get()
	j.kernel, j.s = current().radamF64[a.variant(rect)], s
	return j
}

// radamJob32 adapts a float32 RAdam step to the pool's job: its tensors,
// scalars and kernel. Jobs are recycled through radamJobs32.
type radamJob32 struct {
	ts     []RAdamTensor32
	one    [1]RAdamTensor32 // ts for a single-tensor step, without allocating
	kernel func(param, grad, m, v []float32, s [radamScalarCount]float32)
	s      [radamScalarCount]float32
}

var radamJobs32 = newFreeList[radamJob32]()

func (j *radamJob32) tensors() int   { return len(j.ts) }
func (j *radamJob32) size(i int) int { return len(j.ts[i].Param) }

func (j *radamJob32) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], j.s)
}

// free recycles j, dropping its references to the caller's slices.
func (j *radamJob32) free() {
	j.ts, j.one = nil, [1]RAdamTensor32{}
	radamJobs32.put(j)
}

// radamJob64 is radamJob32 for float64.
type radamJob64 struct {
	ts     []RAdamTensor64
	one    [1]RAdamTensor64
	kernel func(param, grad, m, v []float64, s [radamScalarCount]float64)
	s      [radamScalarCount]float64
}

var radamJobs64 = newFreeList[radamJob64]()

func (j *radamJob64) tensors() int   { return len(j.ts) }
func (j *radamJob64) size(i int) int { return len(j.ts[i].Param) }

func (j *radamJob64) run(i, lo, hi int) {
	x := &j.ts[i]
	j.kernel(x.Param[lo:hi], x.Grad[lo:hi], x.M[lo:hi], x.V[lo:hi], j.s)
}

func (j *radamJob64) free() {
	j.ts, j.one = nil, [1]RAdamTensor64{}
	radamJobs64.put(j)
}
