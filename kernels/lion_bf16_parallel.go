package kernels

// LionTensorBF16 is one bfloat16 tensor of a model and its Lion state,
// for Lion.StepTensorsBF16: the slices of one Lion.StepBF16 call, and
// Offset, the global index of Param[0] in the stochastic rounding's hash,
// as in AdamTensorBF16. M starts as zeros.
type LionTensorBF16 struct {
	Param  []BF16
	Grad   []float32
	M      []BF16
	Offset uint64
}

// LionTensorBF16Grad is LionTensorBF16 with a bfloat16 gradient, for
// Lion.StepTensorsBF16Grad.
type LionTensorBF16Grad struct {
	Param, Grad, M []BF16
	Offset         uint64
}

// StepParallelBF16 is StepBF16 on the workers of pool p (nil for
// DefaultPool), as StepParallel32 is Step32: each chunk passes its start
// as the offset of the rounding's hash, so the result is bit-identical to
// StepBF16's whatever the number of workers.
func (o Lion) StepParallelBF16(p *Pool, t int, r Rounding, param []BF16, grad []float32, m []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	lionCheckBF16(o, "Lion.StepParallelBF16", &LionTensorBF16{param, grad, m, 0})
	if late != nil {
		return late
	}
	lionJobsBF16.job(current().lionBF16F32[variantBF16(r)], s).stepOne(p, LionTensorBF16{param, grad, m, 0})
	return nil
}

// StepParallelBF16Grad is StepParallelBF16 with a bfloat16 gradient.
func (o Lion) StepParallelBF16Grad(p *Pool, t int, r Rounding, param, grad, m []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	lionCheckBF16Grad(o, "Lion.StepParallelBF16Grad", &LionTensorBF16Grad{param, grad, m, 0})
	if late != nil {
		return late
	}
	lionJobsBF16Grad.job(current().lionBF16GradF32[variantBF16(r)], s).stepOne(p, LionTensorBF16Grad{param, grad, m, 0})
	return nil
}

// StepTensorsBF16 is StepBF16 on every tensor of ts, as StepTensors32 is
// Step32: element k of tensor x rounds with index r.Offset + x.Offset + k.
func (o Lion) StepTensorsBF16(p *Pool, t int, r Rounding, ts []LionTensorBF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	checkTensors(o, "Lion.StepTensorsBF16", ts, lionCheckBF16)
	if late != nil {
		return late
	}
	lionJobsBF16.job(current().lionBF16F32[variantBF16(r)], s).step(p, ts)
	return nil
}

// StepTensorsBF16Grad is StepTensorsBF16 with bfloat16 gradients.
func (o Lion) StepTensorsBF16Grad(p *Pool, t int, r Rounding, ts []LionTensorBF16Grad) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	checkTensors(o, "Lion.StepTensorsBF16Grad", ts, lionCheckBF16Grad)
	if late != nil {
		return late
	}
	lionJobsBF16Grad.job(current().lionBF16GradF32[variantBF16(r)], s).step(p, ts)
	return nil
}

type (
	lionJobBF16     = tensorJob[LionTensorBF16, func(param []uint16, grad []float32, m []uint16, s [lionBF16ScalarCount]float32), [lionBF16ScalarCount]float32]
	lionJobBF16Grad = tensorJob[LionTensorBF16Grad, func(param, grad, m []uint16, s [lionBF16GradScalarCount]float32), [lionBF16GradScalarCount]float32]
)

var (
	lionJobsBF16 = newTensorKind(2, func(x *LionTensorBF16) int { return len(x.Param) },
		func(j *lionJobBF16, x *LionTensorBF16, lo, hi int) {
			s := j.s
			atChunk(s[:], lionBF16Off, x.Offset, lo)
			j.kernel(bf16Bits(x.Param[lo:hi]), x.Grad[lo:hi], bf16Bits(x.M[lo:hi]), s)
		})
	lionJobsBF16Grad = newTensorKind(2, func(x *LionTensorBF16Grad) int { return len(x.Param) },
		func(j *lionJobBF16Grad, x *LionTensorBF16Grad, lo, hi int) {
			s := j.s
			atChunk(s[:], lionBF16GradOff, x.Offset, lo)
			j.kernel(bf16Bits(x.Param[lo:hi]), bf16Bits(x.Grad[lo:hi]), bf16Bits(x.M[lo:hi]), s)
		})
)
