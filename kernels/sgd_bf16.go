package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

// StepBF16 is Step32 with param and the momentum buffer buf stored as
// bfloat16 and a float32 gradient: it computes exactly what Step32
// computes from the widened values, in float32 and in the same order, and
// rounds each stored value as r says (see Rounding: param takes the high 16 bits of
// its hash and buf the low 16). Lengths, overlaps, errors and allocations
// are as for Step32; buf is ignored, and may be nil, without momentum.
func (o SGD) StepBF16(t int, r Rounding, param []BF16, grad []float32, buf []BF16) error {
	s, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	o.checkLens("SGD.StepBF16", len(param), len(grad), len(buf))
	if len(param) > 0 { // an empty step touches no memory: no overlap check
		checkSpans("SGD.StepBF16", &sgdArgs, []memspan.Span{memspan.Of(param), memspan.Of(grad), o.bufSpan(buf)})
		current().sgdBF16F32[o.variantBF16(r)](bf16Bits(param), grad, bf16Bits(o.bufOrNilBF16(buf)), s)
	}
	return nil
}

// StepBF16Grad is StepBF16 with a bfloat16 gradient.
func (o SGD) StepBF16Grad(t int, r Rounding, param, grad, buf []BF16) error {
	s, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	o.checkLens("SGD.StepBF16Grad", len(param), len(grad), len(buf))
	if len(param) > 0 { // an empty step touches no memory: no overlap check
		checkSpans("SGD.StepBF16Grad", &sgdArgs, []memspan.Span{memspan.Of(param), memspan.Of(grad), o.bufSpan(buf)})
		current().sgdBF16GradF32[o.variantBF16(r)](bf16Bits(param), bf16Bits(grad), bf16Bits(o.bufOrNilBF16(buf)), s)
	}
	return nil
}

// scalarsBF16 is Step32's scalars, with the offset plus the hash key.
func (o SGD) scalarsBF16(t int, r Rounding) (s [sgdBF16ScalarCount]float32, err error) {
	s64, err := o.scalars(t)
	if err != nil {
		return s, err
	}
	var s32 [sgdScalarCount]float32
	round32(s32[:], s64[:])
	if err := o.checkRounded32(s32); err != nil {
		return s, err
	}
	copy(s[:], s32[:])                                     // the same scalars in the same order
	s[sgdBF16Off] = u32Scalar(uint32(r.Offset) + r.key(t)) // the hash's input at element 0
	return s, nil
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

// bufSpan is buf's span, or none without momentum (when buf is unused
// and may be anything).
func (o SGD) bufSpan(buf []BF16) memspan.Span { return memspan.Of(o.bufOrNilBF16(buf)) }
