package kernels

import "golang.org/x/sys/cpu"

// features reads x/sys/cpu's view of the arm64 vector features.
func features() []string {
	a := cpu.ARM64
	return present([]feature{
		{"asimd", a.HasASIMD},
		{"sve", a.HasSVE},
		{"sve2", a.HasSVE2},
	})
}
