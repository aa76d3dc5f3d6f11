package kernels

// This file holds what is particular to Adam's bfloat16 steps, which
// adam_bf16_api.go (generated from gen/optimizers.BF16APIs) declares: their
// scalars and their kernels' variant.

// scalarsBF16 is Step32's scalars (from its cache), with the offset plus
// the hash key. It validates in two parts, so that the steps fail in
// Step32's order: err is a bad hyperparameter or t (AMSGrad included),
// which a step returns before it looks at the slices; late is a value
// that float32 cannot carry, which it returns after their length and
// overlap checks.
func (o Adam) scalarsBF16(t int, r Rounding, s *[adamBF16ScalarCount]float32) (late, err error) {
	if o.AMSGrad {
		return nil, o.bad("AMSGrad", 1, "false for the bfloat16 steps (not offered)")
	}
	var c scalars32[[adamScalarCount]float32]
	if err := o.scalars32(t, &c); err != nil {
		return nil, err
	}
	if !c.ok {
		return o.checkRounded32(c.s), nil
	}
	copy(s[:], c.s[:]) // Step32's scalars, in the same order
	s[adamBF16Off] = r.offScalar(t)
	return nil, nil
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
