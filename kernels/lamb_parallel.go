package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

// LAMBTensor32 is one float32 tensor of a model and its LAMB state, for
// LAMB.StepTensors32: the slices of one LAMB.Step32 call, whose trust
// ratio is this tensor's own. M and V start as zeros.
type LAMBTensor32 struct {
	Param, Grad, M, V []float32
}

// LAMBTensor64 is LAMBTensor32 for float64.
type LAMBTensor64 struct {
	Param, Grad, M, V []float64
}

func lambSlices32(x LAMBTensor32) (p, g, m, v []float32) { return x.Param, x.Grad, x.M, x.V }
func lambSlices64(x LAMBTensor64) (p, g, m, v []float64) { return x.Param, x.Grad, x.M, x.V }

// StepParallel32 is Step32 on the workers of pool p (nil for
// DefaultPool): both passes split the tensor into chunks that run in
// parallel (a small step runs on the calling goroutine). The result is
// bit-identical to Step32's whatever the number of workers. Errors and
// panics are Step32's, raised before any element changes; a panic inside
// a worker is re-raised in the caller. After the first calls, it does
// not allocate.
func (o LAMB) StepParallel32(p *Pool, t int, param, grad, m, v []float32) error {
	ps, err := o.passes32(t)
	if err != nil {
		return err
	}
	x := LAMBTensor32{param, grad, m, v}
	lambCheck32(o, "LAMB.StepParallel32", &x)
	trustTensors(p, ps, nil, &x, 4, &lambJobs32)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o LAMB) StepParallel64(p *Pool, t int, param, grad, m, v []float64) error {
	ps, err := o.passes64(t)
	if err != nil {
		return err
	}
	x := LAMBTensor64{param, grad, m, v}
	lambCheck64(o, "LAMB.StepParallel64", &x)
	trustTensors(p, ps, nil, &x, 8, &lambJobs64)
	return nil
}

// StepTensors32 applies update number t to every tensor of ts, as Step32
// on each would (each with its own trust ratio), in one call on the
// workers of pool p (nil for DefaultPool): the first pass of every tensor
// runs in chunks of NormChunk elements, then the second in chunks of any
// size. The result is bit-identical to Step32 on each tensor. A bad
// hyperparameter or t < 1 returns a *ParamError, and a tensor whose
// slices differ in length panics with its index and both lengths; both
// happen before any tensor changes. No two tensors may share memory (a
// tensor's Grad may be its Param). After the first calls, it does not
// allocate.
func (o LAMB) StepTensors32(p *Pool, t int, ts []LAMBTensor32) error {
	ps, err := o.passes32(t)
	if err != nil {
		return err
	}
	checkTensors(o, "LAMB.StepTensors32", ts, lambCheck32)
	trustTensors(p, ps, ts, nil, 4, &lambJobs32)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o LAMB) StepTensors64(p *Pool, t int, ts []LAMBTensor64) error {
	ps, err := o.passes64(t)
	if err != nil {
		return err
	}
	checkTensors(o, "LAMB.StepTensors64", ts, lambCheck64)
	trustTensors(p, ps, ts, nil, 8, &lambJobs64)
	return nil
}

var (
	lambJobs32 = newFreeList[trustJob[LAMBTensor32, lambPasses[LAMBTensor32, float32]]]()
	lambJobs64 = newFreeList[trustJob[LAMBTensor64, lambPasses[LAMBTensor64, float64]]]()
)

// lambCheck32 and lambCheck64 check a tensor's slice lengths and overlaps.
func lambCheck32(o LAMB, op string, x *LAMBTensor32) memspan.Span {
	lambCheckLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V))
	checkDisjoint(op, &lambArgs, 0, x.Param, x.Grad, x.M, x.V)
	return memspan.Of(x.Param)
}

func lambCheck64(o LAMB, op string, x *LAMBTensor64) memspan.Span {
	lambCheckLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V))
	checkDisjoint(op, &lambArgs, 0, x.Param, x.Grad, x.M, x.V)
	return memspan.Of(x.Param)
}

func lambCheckLens(op string, n, grad, m, v int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case m != n:
		lengthPanic(op, "m", m, n)
	case v != n:
		lengthPanic(op, "v", v, n)
	}
}

var lambArgs = argNames{"param", "grad", "m", "v"}
