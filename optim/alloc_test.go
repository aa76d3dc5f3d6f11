package optim

import (
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// TestStepAllocs checks that Step does not allocate after the first, for
// every algorithm's kernels, on the caller and on a pool.
func TestStepAllocs(t *testing.T) {
	pool := kernels.NewPool(2)
	defer pool.Close()
	for _, cfg := range []*Config{nil, {Pool: pool}} {
		m := newModel(10)
		o, err := New(kernels.DefaultNAdam(), Warmup{Steps: 3, StartFactor: 0.1, Then: Cosine{Steps: 100}}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		register(t, o, m, kernels.DefaultNAdam())
		m.fillGrads(1)
		if allocs := testing.AllocsPerRun(20, func() {
			if err := o.Step(); err != nil {
				t.Fatal(err)
			}
		}); allocs != 0 {
			t.Errorf("Step allocates %v times per call", allocs)
		}
	}
}
