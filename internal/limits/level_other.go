//go:build purego || !(amd64 || arm64)

package limits

// Without assembly only the pure-Go kernels exist.
func tableFor(uint8) *kernelSet { return &genericKernels }
