package kernels

// This file holds what is particular to SGD's bfloat16 steps, which
// sgd_bf16_api.go (generated from gen/optimizers.BF16APIs) declares: their
// scalars and their kernels' variant.

// scalarsBF16 is Step32's scalars, with the offset plus the hash key,
// validated in two parts as Adam's are: err before the slices are
// checked, late after (see Adam.scalarsBF16).
func (o SGD) scalarsBF16(t int, r Rounding, s *[sgdBF16ScalarCount]float32) (late, err error) {
	s64, err := o.scalars(t)
	if err != nil {
		return nil, err
	}
	var s32 [sgdScalarCount]float32
	round32(s32[:], s64[:])
	if err := o.checkRounded32(s32); err != nil {
		return err, nil
	}
	copy(s[:], s32[:]) // the same scalars in the same order
	s[sgdBF16Off] = r.offScalar(t)
	return nil, nil
}

// variantBF16 indexes the bfloat16 kernel tables: Step32's variant +
// 6*stochastic.
func (o SGD) variantBF16(r Rounding) int {
	if r.Stochastic {
		return o.variant() + 6
	}
	return o.variant()
}
