package kernels

import "github.com/fusedopt/fusedopt/internal/memspan"

// StepBF16 is Step32 with param and the momentum m stored as bfloat16 and
// a float32 gradient: it computes exactly what Step32 computes from the
// widened values, in float32 and in the same order, and rounds each
// stored value as r says (see Rounding: param takes the high 16 bits of
// its hash and m the low 16). Lion's update does not depend on the step
// number, but the rounding's random bits do: t, counted from 1, must
// differ from step to step (pass the count of steps taken plus one), or
// every step rounds with the same bits. Lengths, overlaps, errors and
// allocations are as for Step32, and t < 1 returns a *ParamError.
func (o Lion) StepBF16(t int, r Rounding, param []BF16, grad []float32, m []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	lionCheckBF16(o, "Lion.StepBF16", &LionTensorBF16{param, grad, m, 0})
	if late != nil {
		return late
	}
	if len(param) > 0 {
		current().lionBF16F32[variantBF16(r)](bf16Bits(param), grad, bf16Bits(m), s)
	}
	return nil
}

// StepBF16Grad is StepBF16 with a bfloat16 gradient.
func (o Lion) StepBF16Grad(t int, r Rounding, param, grad, m []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	lionCheckBF16Grad(o, "Lion.StepBF16Grad", &LionTensorBF16Grad{param, grad, m, 0})
	if late != nil {
		return late
	}
	if len(param) > 0 {
		current().lionBF16GradF32[variantBF16(r)](bf16Bits(param), bf16Bits(grad), bf16Bits(m), s)
	}
	return nil
}

// scalarsBF16 is Step32's scalars, with the offset plus the hash key of
// step t, validated in two parts as Adam's are: err (a bad hyperparameter
// or t) before the slices are checked, late after (see
// Adam.scalarsBF16).
func (o Lion) scalarsBF16(t int, r Rounding) (s [lionBF16ScalarCount]float32, late, err error) {
	s64, err := o.scalars()
	if err != nil {
		return s, nil, err
	}
	if t < 1 {
		return s, nil, o.bad("t", float64(t), ">= 1 (steps count from 1; the bfloat16 steps' rounding hashes it)")
	}
	var s32 [lionScalarCount]float32
	round32(s32[:], s64[:])
	if err := o.checkRounded32(s32); err != nil {
		return s, err, nil
	}
	copy(s[:], s32[:])                                      // the same scalars in the same order
	s[lionBF16Off] = u32Scalar(uint32(r.Offset) + r.key(t)) // the hash's input at element 0
	return s, nil, nil
}

// variantBF16 indexes the bfloat16 kernel tables of an optimizer without
// options (Lion's): 1 for stochastic rounding.
func variantBF16(r Rounding) int {
	if r.Stochastic {
		return 1
	}
	return 0
}

// lionCheckBF16 and lionCheckBF16Grad check a tensor's slice lengths and
// overlaps for checkTensors and the steps, as adamCheckBF16 does.
func lionCheckBF16(o Lion, op string, x *LionTensorBF16) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.M))
	return checkSpansBF16(op, &lionArgs, memspan.Of(x.Param), memspan.Of(x.Grad), memspan.Of(x.M))
}

func lionCheckBF16Grad(o Lion, op string, x *LionTensorBF16Grad) memspan.Span {
	o.checkLens(op, len(x.Param), len(x.Grad), len(x.M))
	return checkSpansBF16(op, &lionArgs, memspan.Of(x.Param), memspan.Of(x.Grad), memspan.Of(x.M))
}
