package optimizers

import "github.com/fusedopt/fusedopt/gen/ir"

// Reductions are the sums package kernels builds its norms on, in the
// order of its generated tables.
func Reductions() []*ir.Reduction {
	// The sum of squares: x widened to float64 and squared. The square of
	// a float32 is exact in float64 (24+24 bits of significand fit in
	// 53), so for float32 inputs only the additions round.
	x := ir.Widen(ir.LoadOf("x"))
	sumsq := ir.NewReduction("sumsq", "sum of squares", []ir.Stream{{Name: "x"}}, ir.Mul(x, x))
	return []*ir.Reduction{sumsq}
}

// ReductionLimits are the reductions internal/limits times as the
// read-only roofline of Reductions: each element of x widened and added
// to its partial, the least work a float64 reduction does, so that the
// memory (or, in cache, the widening and the additions) is the bound.
func ReductionLimits() []*ir.Reduction {
	return []*ir.Reduction{ir.NewReduction("readonly", "read-only roofline", []ir.Stream{{Name: "x"}}, ir.Widen(ir.LoadOf("x")))}
}
