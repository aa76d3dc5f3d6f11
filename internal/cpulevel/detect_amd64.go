//go:build amd64 && !purego

package cpulevel

import "golang.org/x/sys/cpu"

// detect lists the supported levels, best first. x/sys/cpu honours
// GODEBUG (cpu.avx2=off, cpu.avx512f=off) and checks that the OS saves the
// vector registers. Overrides do not cascade, so AVX512 checks every
// feature it uses.
func detect() []uint8 {
	x := cpu.X86
	var ls []uint8
	if x.HasAVX512F && x.HasAVX512VL && x.HasBMI2 && x.HasAVX2 {
		ls = append(ls, AVX512)
	}
	if x.HasAVX2 && x.HasFMA {
		ls = append(ls, AVX2)
	}
	return append(ls, Generic)
}
