package kernels

// SGDTensorBF16 is one bfloat16 tensor of a model and its SGD state, for
// SGD.StepTensorsBF16: the slices of one SGD.StepBF16 call, and Offset,
// the global index of Param[0] in the stochastic rounding's hash, as in
// AdamTensorBF16. Buf starts as zeros and is used only with momentum (it
// may be nil without).
type SGDTensorBF16 struct {
	Param  []BF16
	Grad   []float32
	Buf    []BF16
	Offset uint64
}

// SGDTensorBF16Grad is SGDTensorBF16 with a bfloat16 gradient, for
// SGD.StepTensorsBF16Grad.
type SGDTensorBF16Grad struct {
	Param, Grad, Buf []BF16
	Offset           uint64
}

// StepParallelBF16 is StepBF16 on the workers of pool p (nil for
// DefaultPool), as StepParallel32 is Step32: each chunk passes its start
// as the offset of the rounding's hash, so the result is bit-identical to
// StepBF16's whatever the number of workers.
func (o SGD) StepParallelBF16(p *Pool, t int, r Rounding, param []BF16, grad []float32, buf []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	sgdCheckBF16(o, "SGD.StepParallelBF16", &SGDTensorBF16{param, grad, buf, 0})
	if late != nil {
		return late
	}
	o.jobBF16(r, s).stepOne(p, SGDTensorBF16{param, grad, buf, 0})
	return nil
}

// StepParallelBF16Grad is StepParallelBF16 with a bfloat16 gradient.
func (o SGD) StepParallelBF16Grad(p *Pool, t int, r Rounding, param, grad, buf []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	sgdCheckBF16Grad(o, "SGD.StepParallelBF16Grad", &SGDTensorBF16Grad{param, grad, buf, 0})
	if late != nil {
		return late
	}
	o.jobBF16Grad(r, s).stepOne(p, SGDTensorBF16Grad{param, grad, buf, 0})
	return nil
}

// StepTensorsBF16 is StepBF16 on every tensor of ts, as StepTensors32 is
// Step32: element k of tensor x rounds with index r.Offset + x.Offset + k.
func (o SGD) StepTensorsBF16(p *Pool, t int, r Rounding, ts []SGDTensorBF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	checkTensors(o, "SGD.StepTensorsBF16", ts, sgdCheckBF16)
	if late != nil {
		return late
	}
	o.jobBF16(r, s).step(p, ts)
	return nil
}

// StepTensorsBF16Grad is StepTensorsBF16 with bfloat16 gradients.
func (o SGD) StepTensorsBF16Grad(p *Pool, t int, r Rounding, ts []SGDTensorBF16Grad) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	checkTensors(o, "SGD.StepTensorsBF16Grad", ts, sgdCheckBF16Grad)
	if late != nil {
		return late
	}
	o.jobBF16Grad(r, s).step(p, ts)
	return nil
}

// jobBF16 and jobBF16Grad are recycled jobs of the variant of o and r,
// with the step's scalars s; Buf goes in only with momentum.
func (o SGD) jobBF16(r Rounding, s [sgdBF16ScalarCount]float32) *sgdJobBF16 {
	return sgdJobsBF16.job(current().sgdBF16F32[o.variantBF16(r)], s, o.mode() != 0)
}

func (o SGD) jobBF16Grad(r Rounding, s [sgdBF16GradScalarCount]float32) *sgdJobBF16Grad {
	return sgdJobsBF16Grad.job(current().sgdBF16GradF32[o.variantBF16(r)], s, o.mode() != 0)
}

type (
	sgdJobBF16     = tensorJob[SGDTensorBF16, func(param []uint16, grad []float32, buf []uint16, s [sgdBF16ScalarCount]float32), [sgdBF16ScalarCount]float32]
	sgdJobBF16Grad = tensorJob[SGDTensorBF16Grad, func(param, grad, buf []uint16, s [sgdBF16GradScalarCount]float32), [sgdBF16GradScalarCount]float32]
)

var (
	sgdJobsBF16 = newTensorKind(2, func(x *SGDTensorBF16) int { return len(x.Param) },
		func(j *sgdJobBF16, x *SGDTensorBF16, lo, hi int) {
			s := j.s
			atChunk(s[:], sgdBF16Off, x.Offset, lo)
			j.kernel(bf16Bits(x.Param[lo:hi]), x.Grad[lo:hi], bf16Bits(optional(j.use[0], x.Buf, lo, hi)), s)
		})
	sgdJobsBF16Grad = newTensorKind(2, func(x *SGDTensorBF16Grad) int { return len(x.Param) },
		func(j *sgdJobBF16Grad, x *SGDTensorBF16Grad, lo, hi int) {
			s := j.s
			atChunk(s[:], sgdBF16GradOff, x.Offset, lo)
			j.kernel(bf16Bits(x.Param[lo:hi]), bf16Bits(x.Grad[lo:hi]), bf16Bits(optional(j.use[0], x.Buf, lo, hi)), s)
		})
)
