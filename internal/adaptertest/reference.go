// Package adaptertest holds what the adapters' tests share: the reference
// steps their trajectories must equal bit for bit, and the training data.
// The adapters are modules of their own; this package, in the library's
// module, keeps one copy of it.
package adaptertest

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
)

// Direct steps one tensor by calling a kernel's Step32 or Step64 itself,
// with its own state and step count: the reference that a Solver's
// trajectory must equal bit for bit.
type Direct[E float32 | float64] struct {
	t     int
	nadam kernels.NAdamSchedule
	state [3][]E // the kernel's state slices, in its argument order
}

// Step applies the kernel of hyperparameters h with learning rate lr.
func (d *Direct[E]) Step(h any, lr float64, p, g []E) error {
	for i := range d.state {
		if d.state[i] == nil {
			d.state[i] = make([]E, len(p))
		}
	}
	d.t++
	h = withLR(h, lr)
	if n, ok := h.(kernels.NAdam); ok {
		d.nadam = n.Next(d.nadam)
	}
	s0, s1, s2 := d.state[0], d.state[1], d.state[2]
	switch p := any(p).(type) {
	case []float32:
		return step32(h, d.t, d.nadam, p, any(g).([]float32), any(s0).([]float32), any(s1).([]float32), any(s2).([]float32))
	case []float64:
		return step64(h, d.t, d.nadam, p, any(g).([]float64), any(s0).([]float64), any(s1).([]float64), any(s2).([]float64))
	}
	panic("unreachable")
}

func step32(h any, t int, ns kernels.NAdamSchedule, p, g, s0, s1, s2 []float32) error {
	switch h := h.(type) {
	case kernels.Adam:
		return h.Step32(t, p, g, s0, s1, s2)
	case kernels.SGD:
		return h.Step32(t, p, g, s0)
	case kernels.Adagrad:
		return h.Step32(t, p, g, s0)
	case kernels.RMSprop:
		return h.Step32(t, p, g, s0, s1, s2)
	case kernels.Adadelta:
		return h.Step32(t, p, g, s0, s1)
	case kernels.Adamax:
		return h.Step32(t, p, g, s0, s1)
	case kernels.NAdam:
		return h.Step32(ns, p, g, s0, s1)
	case kernels.RAdam:
		return h.Step32(t, p, g, s0, s1)
	case kernels.Lion:
		return h.Step32(p, g, s0)
	}
	panic(fmt.Sprintf("no kernel for %T", h))
}

func step64(h any, t int, ns kernels.NAdamSchedule, p, g, s0, s1, s2 []float64) error {
	switch h := h.(type) {
	case kernels.Adam:
		return h.Step64(t, p, g, s0, s1, s2)
	case kernels.SGD:
		return h.Step64(t, p, g, s0)
	case kernels.Adagrad:
		return h.Step64(t, p, g, s0)
	case kernels.RMSprop:
		return h.Step64(t, p, g, s0, s1, s2)
	case kernels.Adadelta:
		return h.Step64(t, p, g, s0, s1)
	case kernels.Adamax:
		return h.Step64(t, p, g, s0, s1)
	case kernels.NAdam:
		return h.Step64(ns, p, g, s0, s1)
	case kernels.RAdam:
		return h.Step64(t, p, g, s0, s1)
	case kernels.Lion:
		return h.Step64(p, g, s0)
	}
	panic(fmt.Sprintf("no kernel for %T", h))
}

// withLR returns h with its LR set to lr.
func withLR(h any, lr float64) any {
	switch h := h.(type) {
	case kernels.Adam:
		h.LR = lr
		return h
	case kernels.SGD:
		h.LR = lr
		return h
	case kernels.Adagrad:
		h.LR = lr
		return h
	case kernels.RMSprop:
		h.LR = lr
		return h
	case kernels.Adadelta:
		h.LR = lr
		return h
	case kernels.Adamax:
		h.LR = lr
		return h
	case kernels.NAdam:
		h.LR = lr
		return h
	case kernels.RAdam:
		h.LR = lr
		return h
	case kernels.Lion:
		h.LR = lr
		return h
	}
	panic(fmt.Sprintf("no LR in %T", h))
}

// Schedule is the trajectory tests' learning-rate schedule: a warm-up,
// then a cosine decay, so that the LR changes at every step.
var Schedule optim.Schedule = optim.Warmup{Steps: 5, StartFactor: 0.1, Then: optim.Cosine{Steps: 20, Min: 1e-5}}
