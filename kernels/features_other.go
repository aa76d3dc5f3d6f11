//go:build !amd64 && !arm64

package kernels

// features: fusedopt has no assembly for this architecture, so no CPU
// feature is relevant to it.
func features() []string { return nil }
