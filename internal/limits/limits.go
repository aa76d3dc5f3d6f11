// Package limits hands the benchmarks the kernels that measure this
// machine's limits for each optimizer, at any level:
//
//   - Traffic: the optimizer's exact reads and writes with one addition per
//     written element; its speed at a size is the memory roofline there.
//   - Arith: only the optimizer's square roots and divisions, chained per
//     element over one stream; on L1-resident slices its speed is the
//     arithmetic bound of an exact kernel.
//
// Package kernels generates both from each optimizer's description and
// registers them here at init, so they stay out of its public API.
package limits

// Kernel32 runs a limit kernel at a level (a kernels.Level, which must be
// supported) for an optimizer variant, on slices given in the order of
// the optimizer's Step arguments (all of the same length).
type Kernel32 func(level uint8, variant int, slices [][]float32)

// Kernel64 is Kernel32 for float64.
type Kernel64 func(level uint8, variant int, slices [][]float64)

// Entry is one optimizer's limit kernels.
type Entry struct {
	Traffic32, Arith32 Kernel32
	Traffic64, Arith64 Kernel64
}

var entries = map[string]Entry{}

// Register records an optimizer's limit kernels; package kernels calls it
// at init.
func Register(optimizer string, e Entry) { entries[optimizer] = e }

// For returns the limit kernels of an optimizer ("adam", ...). Import
// package kernels (for its init) before calling it.
func For(optimizer string) (Entry, bool) {
	e, ok := entries[optimizer]
	return e, ok
}
