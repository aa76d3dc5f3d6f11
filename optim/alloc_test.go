package optim

import (
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// TestStepAllocs checks that Step does not allocate after the first, for
// NAdam's kernels and the bfloat16 ones of Adam and SGD, on the caller and
// on a pool.
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
		stepAllocs(t, "NAdam", o)

		on := callerPool
		if cfg != nil {
			on = cfg.Pool
		}
		a := adamBF16Case(kernels.Rounding{Stochastic: true, Seed: 3})
		stepAllocs(t, a.name, buildOn(t, a, on))
		s := sgdBF16Case()
		stepAllocs(t, s.name, buildOn(t, s, on))
	}
}

// buildOn is c.build with its optimizer stepping on pool.
func buildOn[H Algorithm](t *testing.T, c algoCase[H], pool *kernels.Pool) *Optimizer[H] {
	m := c.model(10)
	o := c.build(t, m)
	o.pool = pool
	m.fillGrads(1)
	return o
}

func stepAllocs[H Algorithm](t *testing.T, name string, o *Optimizer[H]) {
	t.Helper()
	if allocs := testing.AllocsPerRun(20, func() {
		if err := o.Step(); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("%s: Step allocates %v times per call", name, allocs)
	}
}
