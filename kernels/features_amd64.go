package kernels

import "golang.org/x/sys/cpu"

// features reads x/sys/cpu's view of the amd64 features the levels use.
func features() []string {
	x := cpu.X86
	return present([]feature{
		{"avx2", x.HasAVX2},
		{"fma", x.HasFMA},
		{"bmi2", x.HasBMI2},
		{"avx512f", x.HasAVX512F},
		{"avx512vl", x.HasAVX512VL},
	})
}
