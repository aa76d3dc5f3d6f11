package kernels

import (
	"math"
	"testing"
)

// TestPoolZeroValue: the zero Pool steps on the caller alone, like a
// one-worker pool, and Close on it neither panics nor blocks.
func TestPoolZeroValue(t *testing.T) {
	var p Pool
	if p.Workers() != 1 {
		t.Errorf("the zero Pool has %d workers, want 1", p.Workers())
	}
	j := &parCountJob{sizes: []int{parBig(), 5}}
	p.do(j, 4)
	if err := j.check(); err != "" {
		t.Error("a step on the zero Pool:", err)
	}
	a := DefaultAdam()
	param, grad := make([]float32, 1<<17), make([]float32, 1<<17)
	if err := a.StepParallel32(&p, 1, param, grad, make([]float32, 1<<17), make([]float32, 1<<17), nil); err != nil {
		t.Fatal(err)
	}
	p.Close()
	p.Close()
}

// TestNewPoolBound: a huge worker count is capped at MaxPoolWorkers
// rather than exhausting memory or panicking in make.
func TestNewPoolBound(t *testing.T) {
	for _, w := range []int{MaxPoolWorkers + 1, math.MaxInt / 2, math.MaxInt} {
		p := NewPool(w)
		if p.Workers() != MaxPoolWorkers {
			t.Errorf("NewPool(%d).Workers() = %d, want %d", w, p.Workers(), MaxPoolWorkers)
		}
		p.Close()
	}
}
