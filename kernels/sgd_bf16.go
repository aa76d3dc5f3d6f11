package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

// StepBF16 is Step32 with param and the momentum buffer buf stored as
// bfloat16 and a float32 gradient: it computes exactly what Step32
// computes from the widened values, in float32 and in the same order, and
// rounds each stored value as r says (see Rounding: param takes the high 16 bits of
// its hash and buf the low 16). Lengths, overlaps, errors and allocations
// are as for Step32; buf is ignored, and may be nil, without momentum.
func (o SGD) StepBF16(t int, r Rounding, param []BF16, grad []float32, buf []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	sgdCheckBF16(o, "SGD.StepBF16", &SGDTensorBF16{param, grad, buf, 0})
	if late != nil {
		return late
	}
	if len(param) > 0 {
		current().sgdBF16F32[o.variantBF16(r)](bf16Bits(param), grad, bf16Bits(o.bufOrNilBF16(buf)), s)
	}
	return nil
}

// StepBF16Grad is StepBF16 with a bfloat16 gradient.
func (o SGD) StepBF16Grad(t int, r Rounding, param, grad, buf []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	sgdCheckBF16Grad(o, "SGD.StepBF16Grad", &SGDTensorBF16Grad{param, grad, buf, 0})
	if late != nil {
		return late
	}
	if len(param) > 0 {
		current().sgdBF16GradF32[o.variantBF16(r)](bf16Bits(param), bf16Bits(grad), bf16Bits(o.bufOrNilBF16(buf)), s)
	}
	return nil
}

// scalarsBF16 is Step32's scalars, with the offset plus the hash key,
// validated in two parts as Adam's are: err before the slices are
// checked, late after (see Adam.scalarsBF16).
func (o SGD) scalarsBF16(t int, r Rounding) (s [sgdBF16ScalarCount]float32, late, err error) {
	s64, err := o.scalars(t)
	if err != nil {
		return s, nil, err
	}
	var s32 [sgdScalarCount]float32
	round32(s32[:], s64[:])
	if err := o.checkRounded32(s32); err != nil {
		return s, err, nil
	}
	copy(s[:], s32[:])                                     // the same scalars in the same order
	s[sgdBF16Off] = u32Scalar(uint32(r.Offset) + r.key(t)) // the hash's input at element 0
	return s, nil, nil
}

// variantBF16 indexes the bfloat16 kernel tables: Step32's variant +
// 6*stochastic.
func (o SGD) variantBF16(r Rounding) int {
	if r.Stochastic {
		return o.variant() + 6
	}
	return o.variant()
}

// bufOrNilBF16 is bufOrNil32 for bfloat16.
func (o SGD) bufOrNilBF16(buf []BF16) []BF16 {
	if o.mode() == 0 {
		return nil
	}
	return buf
}

// sgdCheckBF16 and sgdCheckBF16Grad check a tensor's slice lengths and
// overlaps for checkTensors and the steps, as adamCheckBF16 does; buf
// takes no part without momentum, when it is unused and may be anything.
func sgdCheckBF16(o SGD, op string, x *SGDTensorBF16) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.Buf))
	return checkSpansBF16(op, &sgdArgs, memspan.Of(x.Param), memspan.Of(x.Grad), memspan.Of(o.bufOrNilBF16(x.Buf)))
}

func sgdCheckBF16Grad(o SGD, op string, x *SGDTensorBF16Grad) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.Buf))
	return checkSpansBF16(op, &sgdArgs, memspan.Of(x.Param), memspan.Of(x.Grad), memspan.Of(o.bufOrNilBF16(x.Buf)))
}
