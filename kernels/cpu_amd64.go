//go:build amd64 && !purego

package kernels

// kernelsFor is the kernel table of level l: the generic one for a level
// this architecture has no assembly for.
func kernelsFor(l Level) *kernelSet {
	switch l {
	case AVX512:
		return &avx512Kernels
	case AVX2:
		return &avx2Kernels
	}
	return &genericKernels
}
