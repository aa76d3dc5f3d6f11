//go:build arm64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// detect lists the supported levels, best first. Every arm64 CPU has
// Advanced SIMD, but x/sys/cpu honours GODEBUG=cpu.asimd=off, which
// leaves only the pure-Go kernels (for tests and comparisons).
func detect() []Level {
	if cpu.ARM64.HasASIMD {
		return []Level{NEON, Generic}
	}
	return []Level{Generic}
}

func kernelsFor(l Level) *kernelSet {
	if l == NEON {
		return &neonKernels
	}
	return &genericKernels
}
