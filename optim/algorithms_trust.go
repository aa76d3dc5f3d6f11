package optim

import "github.com/fusedopt/fusedopt/kernels"

// LAMB and LARS as an Optimizer sees them. PyTorch has neither; the slot
// names are those of its Adam and SGD, whose states they are. Their trust
// ratios are per tensor: per registered parameter, which a Shard may not
// cut.

var lambAlgorithm = algorithm[kernels.LAMB]{
	name:         "LAMB",
	slots:        [maxSlots]string{"exp_avg", "exp_avg_sq"},
	uses:         func(*kernels.LAMB) slotSet { return slotSet{true, true} },
	lr:           func(h *kernels.LAMB) *float64 { return &h.LR },
	gradScale:    func(h *kernels.LAMB) *float64 { return &h.GradScale },
	wholeTensors: true,
	advance:      countSteps[kernels.LAMB],
	step32: stepper(func(x *tensor[float32]) kernels.LAMBTensor32 {
		return kernels.LAMBTensor32{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], V: x.state[1]}
	}, func(h *kernels.LAMB, p *kernels.Pool, c clock, ts []kernels.LAMBTensor32) error {
		return h.StepTensors32(p, int(c.steps), ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.LAMBTensor64 {
		return kernels.LAMBTensor64{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], V: x.state[1]}
	}, func(h *kernels.LAMB, p *kernels.Pool, c clock, ts []kernels.LAMBTensor64) error {
		return h.StepTensors64(p, int(c.steps), ts)
	}),
}

// larsAlgorithm's buffer is optax's trace, kept even with Momentum 0.
var larsAlgorithm = algorithm[kernels.LARS]{
	name:         "LARS",
	slots:        [maxSlots]string{"momentum_buffer"},
	uses:         func(*kernels.LARS) slotSet { return slotSet{true} },
	lr:           func(h *kernels.LARS) *float64 { return &h.LR },
	gradScale:    func(h *kernels.LARS) *float64 { return &h.GradScale },
	wholeTensors: true,
	advance:      countSteps[kernels.LARS],
	step32: stepper(func(x *tensor[float32]) kernels.LARSTensor32 {
		return kernels.LARSTensor32{Param: x.window(x.data), Grad: x.window(x.grad), Buf: x.state[0]}
	}, func(h *kernels.LARS, p *kernels.Pool, c clock, ts []kernels.LARSTensor32) error {
		return h.StepTensors32(p, int(c.steps), ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.LARSTensor64 {
		return kernels.LARSTensor64{Param: x.window(x.data), Grad: x.window(x.grad), Buf: x.state[0]}
	}, func(h *kernels.LARS, p *kernels.Pool, c clock, ts []kernels.LARSTensor64) error {
		return h.StepTensors64(p, int(c.steps), ts)
	}),
}
