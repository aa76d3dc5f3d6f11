//go:build amd64 && !purego

package limits

import "github.com/fusedopt/fusedopt/internal/cpulevel"

// tableFor is the kernel table of level l: the generic one for a level
// this architecture has no assembly for.
func tableFor(l uint8) *kernelSet {
	switch l {
	case cpulevel.AVX512:
		return &avx512Kernels
	case cpulevel.AVX2:
		return &avx2Kernels
	}
	return &genericKernels
}
