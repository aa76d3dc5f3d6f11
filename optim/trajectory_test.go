package optim

import (
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// TestTrajectory checks that Step gives, bit for bit, what the kernels'
// single-tensor steps give when called directly, for every algorithm, in
// two groups with different hyperparameters, float32 and float64 tensors
// (and bfloat16 ones, with stochastic and nearest rounding, for Adam and SGD),
// a schedule that changes the LR every step, and pools of 1 and 3 workers.
func TestTrajectory(t *testing.T) {
	for _, c := range allCases() {
		t.Run(c.Name(), c.trajectory)
	}
}

func (c algoCase[H]) trajectory(t *testing.T) {
	for _, workers := range []int{1, 3} {
		pool := kernels.NewPool(workers)
		defer pool.Close()
		m := c.model(1)
		ref := newRefRun(c, m.clone(), wavy{})
		cfg := c.config()
		cfg.Pool = pool
		o, err := New(c.h, wavy{}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		register(t, o, m, c.h2)
		if err := o.SetSchedule(1, wavy{}); err != nil {
			t.Fatal(err)
		}
		for k := int64(1); k <= 12; k++ {
			m.fillGrads(k)
			ref.m.fillGrads(k)
			if err := o.Step(); err != nil {
				t.Fatalf("step %d: %v", k, err)
			}
			ref.step()
			equalModels(t, "after step", m, ref.m)
		}
		ref.equalState(t, o)
		for g := range 2 {
			if got := o.Steps(g); got != 12 {
				t.Errorf("Steps(%d) = %d, want 12", g, got)
			}
		}
	}
}
