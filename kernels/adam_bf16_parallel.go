package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

// AdamTensorBF16 is one bfloat16 tensor of a model and its Adam state, for
// Adam.StepTensorsBF16: the slices of one Adam.StepBF16 call, and Offset,
// the global index of Param[0] in the stochastic rounding's hash (see
// Rounding). Give every tensor of a model its own range of indexes (the
// running sum of the lengths before it, say), so that no two tensors'
// roundings share random bits.
type AdamTensorBF16 struct {
	Param  []BF16
	Grad   []float32
	M, V   []BF16
	Offset uint64
}

// AdamTensorBF16Grad is AdamTensorBF16 with a bfloat16 gradient, for
// Adam.StepTensorsBF16Grad.
type AdamTensorBF16Grad struct {
	Param, Grad, M, V []BF16
	Offset            uint64
}

// StepParallelBF16 is StepBF16 on the workers of pool p (nil for
// DefaultPool), as StepParallel32 is Step32: each chunk passes its start
// as the offset of the rounding's hash, so the result is bit-identical to
// StepBF16's whatever the number of workers.
func (o Adam) StepParallelBF16(p *Pool, t int, r Rounding, param []BF16, grad []float32, m, v []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	adamCheckBF16(o, "Adam.StepParallelBF16", &AdamTensorBF16{param, grad, m, v, 0})
	if late != nil {
		return late
	}
	adamJobsBF16.job(current().adamBF16F32[o.variantBF16(r)], s).stepOne(p, AdamTensorBF16{param, grad, m, v, 0})
	return nil
}

// StepParallelBF16Grad is StepParallelBF16 with a bfloat16 gradient.
func (o Adam) StepParallelBF16Grad(p *Pool, t int, r Rounding, param, grad, m, v []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	adamCheckBF16Grad(o, "Adam.StepParallelBF16Grad", &AdamTensorBF16Grad{param, grad, m, v, 0})
	if late != nil {
		return late
	}
	adamJobsBF16Grad.job(current().adamBF16GradF32[o.variantBF16(r)], s).stepOne(p, AdamTensorBF16Grad{param, grad, m, v, 0})
	return nil
}

// StepTensorsBF16 is StepBF16 on every tensor of ts, as StepTensors32 is
// Step32: element k of tensor x rounds with index r.Offset + x.Offset + k.
func (o Adam) StepTensorsBF16(p *Pool, t int, r Rounding, ts []AdamTensorBF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	checkTensors(o, "Adam.StepTensorsBF16", ts, adamCheckBF16)
	if late != nil {
		return late
	}
	adamJobsBF16.job(current().adamBF16F32[o.variantBF16(r)], s).step(p, ts)
	return nil
}

// StepTensorsBF16Grad is StepTensorsBF16 with bfloat16 gradients.
func (o Adam) StepTensorsBF16Grad(p *Pool, t int, r Rounding, ts []AdamTensorBF16Grad) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	checkTensors(o, "Adam.StepTensorsBF16Grad", ts, adamCheckBF16Grad)
	if late != nil {
		return late
	}
	adamJobsBF16Grad.job(current().adamBF16GradF32[o.variantBF16(r)], s).step(p, ts)
	return nil
}

type (
	adamJobBF16     = tensorJob[AdamTensorBF16, func(param []uint16, grad []float32, m, v []uint16, s [adamBF16ScalarCount]float32), [adamBF16ScalarCount]float32]
	adamJobBF16Grad = tensorJob[AdamTensorBF16Grad, func(param, grad, m, v []uint16, s [adamBF16GradScalarCount]float32), [adamBF16GradScalarCount]float32]
)

var (
	adamJobsBF16 = newTensorKind(2, func(x *AdamTensorBF16) int { return len(x.Param) },
		func(j *adamJobBF16, x *AdamTensorBF16, lo, hi int) {
			s := j.s
			atChunk(s[:], adamBF16Off, x.Offset, lo)
			j.kernel(bf16Bits(x.Param[lo:hi]), x.Grad[lo:hi], bf16Bits(x.M[lo:hi]), bf16Bits(x.V[lo:hi]), s)
		})
	adamJobsBF16Grad = newTensorKind(2, func(x *AdamTensorBF16Grad) int { return len(x.Param) },
		func(j *adamJobBF16Grad, x *AdamTensorBF16Grad, lo, hi int) {
			s := j.s
			atChunk(s[:], adamBF16GradOff, x.Offset, lo)
			j.kernel(bf16Bits(x.Param[lo:hi]), bf16Bits(x.Grad[lo:hi]), bf16Bits(x.M[lo:hi]), bf16Bits(x.V[lo:hi]), s)
		})
)

// adamCheckBF16 and adamCheckBF16Grad check a tensor's slice lengths and
// overlaps for checkTensors and the steps.
func adamCheckBF16(a Adam, op string, x *AdamTensorBF16) memspan.Span {
	a.checkLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V), 0)
	return checkSpansBF16(op, &adamArgs, memspan.Of(x.Param), memspan.Of(x.Grad), memspan.Of(x.M), memspan.Of(x.V))
}

func adamCheckBF16Grad(a Adam, op string, x *AdamTensorBF16Grad) memspan.Span {
	a.checkLens(op, len(x.Param), len(x.Grad), len(x.M), len(x.V), 0)
	return checkSpansBF16(op, &adamArgs, memspan.Of(x.Param), memspan.Of(x.Grad), memspan.Of(x.M), memspan.Of(x.V))
}
