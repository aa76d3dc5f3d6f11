// Package cpulevel tells which of fusedopt's implementation levels this
// CPU and build support. Package kernels (whose Level numbers the levels
// as this package does) and internal/limits (the benchmarks' limit
// kernels) both ask it, so that they agree on every machine, GODEBUG
// setting and build tag.
package cpulevel

// The levels, numbered as kernels.Level numbers them.
const (
	Generic uint8 = iota // pure Go: every target, and the purego build tag
	AVX2                 // amd64 with AVX2 and FMA
	AVX512               // amd64 with AVX-512F, AVX-512VL and BMI2 (and AVX2)
	NEON                 // arm64 Advanced SIMD
)

var names = [...]string{Generic: "generic", AVX2: "avx2", AVX512: "avx512", NEON: "neon"}

// Name is the level's name as kernels.Level.String spells it, or "" for
// a number that names no level.
func Name(l uint8) string {
	if int(l) < len(names) {
		return names[l]
	}
	return ""
}

// supported is computed once: x/sys/cpu reads GODEBUG at start-up.
var supported = detect()

// Detect lists the levels this CPU and build support, best first; the
// last is always Generic. The caller may change the slice.
func Detect() []uint8 { return append([]uint8(nil), supported...) }

// Supported reports whether this CPU and build support level l.
func Supported(l uint8) bool {
	for _, s := range supported {
		if s == l {
			return true
		}
	}
	return false
}
