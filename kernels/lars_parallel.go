package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

// LARSTensor32 is one float32 tensor of a model and its LARS momentum buffer, for
// LARS.StepTensors32: the slices of one LARS.Step32 call, whose trust
// ratio is this tensor's own. Buf starts as zeros.
type LARSTensor32 struct {
	Param, Grad, Buf []float32
}

// LARSTensor64 is LARSTensor32 for float64.
type LARSTensor64 struct {
	Param, Grad, Buf []float64
}

func larsSlices32(x LARSTensor32) (p, g, buf []float32) { return x.Param, x.Grad, x.Buf }
func larsSlices64(x LARSTensor64) (p, g, buf []float64) { return x.Param, x.Grad, x.Buf }

// StepParallel32 is Step32 on the workers of pool p (nil for
// DefaultPool): both passes split the tensor into chunks that run in
// parallel (a small step runs on the calling goroutine). The result is
// bit-identical to Step32's whatever the number of workers. Errors and
// panics are Step32's, raised before any element changes; a panic inside
// a worker is re-raised in the caller. After the first calls, it does
// not allocate.
func (o LARS) StepParallel32(p *Pool, t int, param, grad, buf []float32) error {
	ps, err := o.passes32(t)
	if err != nil {
		return err
	}
	x := LARSTensor32{param, grad, buf}
	larsCheck32(o, "LARS.StepParallel32", &x)
	trustTensors(p, ps, nil, &x, 4, &larsJobs32)
	return nil
}

// StepParallel64 is StepParallel32 for float64 slices.
func (o LARS) StepParallel64(p *Pool, t int, param, grad, buf []float64) error {
	ps, err := o.passes64(t)
	if err != nil {
		return err
	}
	x := LARSTensor64{param, grad, buf}
	larsCheck64(o, "LARS.StepParallel64", &x)
	trustTensors(p, ps, nil, &x, 8, &larsJobs64)
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
func (o LARS) StepTensors32(p *Pool, t int, ts []LARSTensor32) error {
	ps, err := o.passes32(t)
	if err != nil {
		return err
	}
	checkTensors(o, "LARS.StepTensors32", ts, larsCheck32)
	trustTensors(p, ps, ts, nil, 4, &larsJobs32)
	return nil
}

// StepTensors64 is StepTensors32 for float64 tensors.
func (o LARS) StepTensors64(p *Pool, t int, ts []LARSTensor64) error {
	ps, err := o.passes64(t)
	if err != nil {
		return err
	}
	checkTensors(o, "LARS.StepTensors64", ts, larsCheck64)
	trustTensors(p, ps, ts, nil, 8, &larsJobs64)
	return nil
}

var (
	larsJobs32 = newFreeList[trustJob[LARSTensor32, larsPasses[LARSTensor32, float32]]]()
	larsJobs64 = newFreeList[trustJob[LARSTensor64, larsPasses[LARSTensor64, float64]]]()
)

// larsCheck32 and larsCheck64 check a tensor's slice lengths and overlaps.
func larsCheck32(o LARS, op string, x *LARSTensor32) memspan.Span {
	larsCheckLens(op, len(x.Param), len(x.Grad), len(x.Buf))
	checkDisjoint(op, &larsArgs, 0, x.Param, x.Grad, x.Buf)
	return memspan.Of(x.Param)
}

func larsCheck64(o LARS, op string, x *LARSTensor64) memspan.Span {
	larsCheckLens(op, len(x.Param), len(x.Grad), len(x.Buf))
	checkDisjoint(op, &larsArgs, 0, x.Param, x.Grad, x.Buf)
	return memspan.Of(x.Param)
}

func larsCheckLens(op string, n, grad, buf int) {
	switch {
	case grad != n:
		lengthPanic(op, "grad", grad, n)
	case buf != n:
		lengthPanic(op, "buf", buf, n)
	}
}

var larsArgs = argNames{"param", "grad", "buf"}
