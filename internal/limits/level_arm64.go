//go:build arm64 && !purego

package limits

import "github.com/fusedopt/fusedopt/internal/cpulevel"

// tableFor is the kernel table of level l: the generic one for a level
// this architecture has no assembly for.
func tableFor(l uint8) *kernelSet {
	if l == cpulevel.NEON {
		return &neonKernels
	}
	return &genericKernels
}
