// Package limits holds the kernels that measure this machine's limits for
// each optimizer, at any level, for the benchmarks:
//
//   - Traffic: the optimizer's exact reads and writes with one addition per
//     written element; its speed at a size is the memory roofline there.
//     The bfloat16 steps have theirs (TrafficBF16, TrafficBF16Grad), which
//     move the steps' bfloat16 values, and float32 gradient, as they do.
//   - Arith: only the optimizer's square roots and divisions, chained per
//     element over one stream; on L1-resident slices its speed is the
//     arithmetic bound of an exact kernel.
//   - For the reductions (the sum of squares), a read-only Traffic loop
//     only: every element read once into the reduction's partial sums.
//
// The generator in gen/ derives them from each optimizer's description
// and compiles them like the optimizers' kernels, into this package (its
// own assembly, stubs and level tables), so that they stay out of package
// kernels and out of its users' binaries. It detects the levels as
// package kernels does (internal/cpulevel), and numbers them alike.
package limits

import (
	"fmt"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
)

// Kernel32 runs a limit kernel at a level (a kernels.Level, which must be
// supported) for an optimizer variant (the index of the kernels' tables),
// on slices given in the order of the optimizer's Step arguments (all of
// the same length).
type Kernel32 func(level uint8, variant int, slices [][]float32)

// Kernel64 is Kernel32 for float64.
type Kernel64 func(level uint8, variant int, slices [][]float64)

// KernelBF16 runs the Traffic kernel of a bfloat16 step at a level (as
// Kernel32) for a variant number of the step's kernel tables (whose first
// variants, rounding to nearest, are numbered as the float32 step's are;
// the stochastic ones move the same bytes), on slices given in the order
// of the optimizer's Step arguments (those of Kernel32), as bfloat16 bits
// (a kernels.BF16 is a uint16), and a float32 gradient grad32; all of the
// same length. The kernel reads the gradient from grad32 or from s, as
// the step it stands for does, and ignores the other.
type KernelBF16 func(level uint8, variant int, s [][]uint16, grad32 []float32)

// Entry is one optimizer's limit kernels.
type Entry struct {
	Traffic32, Arith32 Kernel32
	Traffic64, Arith64 Kernel64
	// TrafficBF16 is the Traffic kernel of the step with bfloat16 param
	// and state and a float32 gradient (StepBF16), TrafficBF16Grad of
	// the one with a bfloat16 gradient too (StepBF16Grad): the bfloat16
	// kernel's reads and writes, each bfloat16 value widened as it is
	// loaded and truncated as it is stored, with one addition per written
	// element and no rounding; nil for an optimizer without such a step.
	TrafficBF16, TrafficBF16Grad KernelBF16
}

// For returns the limit kernels of an optimizer ("adam", ...), or of a
// reduction ("sumsq": Traffic only, and TrafficBF16Grad, the read-only
// loop of a bfloat16 gradient).
func For(optimizer string) (Entry, bool) {
	if e, ok := entries[optimizer]; ok {
		return e, true
	}
	e, ok := reductions[optimizer]
	return e, ok
}

// sets are the kernel tables of the supported levels, indexed by level;
// nil for a level this CPU or build does not support.
var sets = func() (s [4]*kernelSet) {
	for _, l := range cpulevel.Detect() {
		s[l] = tableFor(l)
	}
	return s
}()

// kernelsFor is the kernel table of level l, which must be supported: a
// kernel of an unsupported level would fault on an unknown instruction.
func kernelsFor(l uint8) *kernelSet {
	if int(l) < len(sets) && sets[l] != nil {
		return sets[l]
	}
	panic(fmt.Sprintf("limits: level %d (%q) is not supported here (supported: %v)", l, cpulevel.Name(l), cpulevel.Detect()))
}
