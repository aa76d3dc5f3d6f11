//go:build arm64 && !purego

package cpulevel

import "golang.org/x/sys/cpu"

// detect lists the supported levels, best first. Every arm64 CPU has
// Advanced SIMD, but x/sys/cpu honours GODEBUG=cpu.asimd=off, which
// leaves only the pure-Go kernels (for tests and comparisons).
func detect() []uint8 {
	if cpu.ARM64.HasASIMD {
		return []uint8{NEON, Generic}
	}
	return []uint8{Generic}
}
