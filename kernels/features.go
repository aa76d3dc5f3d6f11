package kernels

// Features lists the CPU features relevant to fusedopt that this CPU has,
// by their golang.org/x/sys/cpu names (amd64: avx2, fma, bmi2, avx512f,
// avx512vl; arm64: asimd, sve, sve2), after any GODEBUG overrides. It is
// informational, for reports and benchmark logs: the levels in use depend
// only on what Levels lists, and a feature listed here need not have a
// level (fusedopt has no SVE kernels).
func Features() []string { return features() }

// feature is a CPU feature's name and whether this CPU has it.
type feature struct {
	name string
	has  bool
}

// present is the names of the features this CPU has, in table order.
func present(fs []feature) []string {
	var names []string
	for _, f := range fs {
		if f.has {
			names = append(names, f.name)
		}
	}
	return names
}
