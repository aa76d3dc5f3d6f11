//go:build arm64 && !purego

package kernels

// kernelsFor is the kernel table of level l: the generic one for a level
// this architecture has no assembly for.
func kernelsFor(l Level) *kernelSet {
	if l == NEON {
		return &neonKernels
	}
	return &genericKernels
}
