//go:build purego || !(amd64 || arm64)

package kernels

// Without assembly only the pure-Go kernels exist.
func kernelsFor(Level) *kernelSet { return &genericKernels }
