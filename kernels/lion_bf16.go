package kernels

// This file holds what is particular to Lion's bfloat16 steps, which
// lion_bf16_api.go (generated from gen/optimizers.BF16APIs) declares: their
// scalars and their kernels' variant.

// scalarsBF16 is Step32's scalars, with the offset plus the hash key of
// step t, validated in two parts as Adam's are: err (a bad hyperparameter
// or t) before the slices are checked, late after (see
// Adam.scalarsBF16).
func (o Lion) scalarsBF16(t int, r Rounding, s *[lionBF16ScalarCount]float32) (late, err error) {
	s64, err := o.scalars()
	if err != nil {
		return nil, err
	}
	if t < 1 {
		return nil, o.bad("t", float64(t), ">= 1 (steps count from 1; the bfloat16 steps' rounding hashes it)")
	}
	var s32 [lionScalarCount]float32
	round32(s32[:], s64[:])
	if err := o.checkRounded32(s32); err != nil {
		return err, nil
	}
	copy(s[:], s32[:]) // the same scalars in the same order
	s[lionBF16Off] = r.offScalar(t)
	return nil, nil
}

// variantBF16 indexes the bfloat16 kernel tables of an optimizer without
// options (Lion's): 1 for stochastic rounding.
func variantBF16(r Rounding) int {
	if r.Stochastic {
		return 1
	}
	return 0
}
