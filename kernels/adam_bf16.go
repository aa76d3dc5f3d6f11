package kernels

// StepBF16 is Step32 with param and the state m and v stored as bfloat16
// and a float32 gradient: it computes exactly what Step32 computes from
// the widened values, in float32 and in the same order, and rounds each
// stored value as r says (see Rounding). AMSGrad is not offered: with
// AMSGrad set, StepBF16 returns a *ParamError. Lengths, overlaps, errors
// and allocations are as for Step32.
func (o Adam) StepBF16(t int, r Rounding, param []BF16, grad []float32, m, v []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	adamCheckBF16(o, "Adam.StepBF16", &AdamTensorBF16{param, grad, m, v, 0})
	if late != nil {
		return late
	}
	if len(param) > 0 {
		current().adamBF16F32[o.variantBF16(r)](bf16Bits(param), grad, bf16Bits(m), bf16Bits(v), s)
	}
	return nil
}

// StepBF16Grad is StepBF16 with a bfloat16 gradient (14 bytes of memory
// traffic per element, against Step32's 28).
func (o Adam) StepBF16Grad(t int, r Rounding, param, grad, m, v []BF16) error {
	s, late, err := o.scalarsBF16(t, r)
	if err != nil {
		return err
	}
	adamCheckBF16Grad(o, "Adam.StepBF16Grad", &AdamTensorBF16Grad{param, grad, m, v, 0})
	if late != nil {
		return late
	}
	if len(param) > 0 {
		current().adamBF16GradF32[o.variantBF16(r)](bf16Bits(param), bf16Bits(grad), bf16Bits(m), bf16Bits(v), s)
	}
	return nil
}

// scalarsBF16 is Step32's scalars (from its cache), with the offset plus
// the hash key. It validates in two parts, so that the steps fail in
// Step32's order: err is a bad hyperparameter or t (AMSGrad included),
// which a step returns before it looks at the slices; late is a value
// that float32 cannot carry, which it returns after their length and
// overlap checks.
func (o Adam) scalarsBF16(t int, r Rounding) (s [adamBF16ScalarCount]float32, late, err error) {
	if o.AMSGrad {
		return s, nil, o.bad("AMSGrad", 1, "false for the bfloat16 steps (not offered)")
	}
	var c scalars32[[adamScalarCount]float32]
	if err := o.scalars32(t, &c); err != nil {
		return s, nil, err
	}
	if !c.ok {
		return s, o.checkRounded32(c.s), nil
	}
	copy(s[:], c.s[:])                                      // Step32's scalars, in the same order
	s[adamBF16Off] = u32Scalar(uint32(r.Offset) + r.key(t)) // the hash's input at element 0
	return s, nil, nil
}

// variantBF16 indexes the bfloat16 kernel tables: coupled decay +
// 2*stochastic.
func (o Adam) variantBF16(r Rounding) int {
	v := o.variant() // AMSGrad is rejected, so this is 0 or 1
	if r.Stochastic {
		v += 2
	}
	return v
}
