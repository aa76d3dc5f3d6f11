//go:build purego || !(amd64 || arm64)

package cpulevel

// detect: without assembly only the pure-Go kernels exist.
func detect() []uint8 { return []uint8{Generic} }
