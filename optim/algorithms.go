package optim

import "github.com/fusedopt/fusedopt/kernels"

// The nine algorithms as an Optimizer sees them. Slot names are the keys
// of PyTorch's optimizer state (Lion's exp_avg is lion-pytorch's), in the
// order of the kernels' tensor fields.

var adamAlgorithm = algorithm[kernels.Adam]{
	name:      "Adam",
	slots:     [maxSlots]string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
	uses:      func(h *kernels.Adam) slotSet { return slotSet{true, true, h.AMSGrad} },
	lr:        func(h *kernels.Adam) *float64 { return &h.LR },
	gradScale: func(h *kernels.Adam) *float64 { return &h.GradScale },
	advance:   countSteps[kernels.Adam],
	step32: stepper(func(x *tensor[float32]) kernels.AdamTensor32 {
		return kernels.AdamTensor32{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], V: x.state[1], VMax: x.state[2]}
	}, func(h *kernels.Adam, p *kernels.Pool, c clock, ts []kernels.AdamTensor32) error {
		return h.StepTensors32(p, int(c.steps), ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.AdamTensor64 {
		return kernels.AdamTensor64{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], V: x.state[1], VMax: x.state[2]}
	}, func(h *kernels.Adam, p *kernels.Pool, c clock, ts []kernels.AdamTensor64) error {
		return h.StepTensors64(p, int(c.steps), ts)
	}),
	stepBF16:       adamBF16,
	stepBF16Grad32: adamBF16Grad32,
}

var sgdAlgorithm = algorithm[kernels.SGD]{
	name:      "SGD",
	slots:     [maxSlots]string{"momentum_buffer"},
	uses:      func(h *kernels.SGD) slotSet { return slotSet{h.Momentum != 0} },
	lr:        func(h *kernels.SGD) *float64 { return &h.LR },
	gradScale: func(h *kernels.SGD) *float64 { return &h.GradScale },
	advance:   countSteps[kernels.SGD],
	step32: stepper(func(x *tensor[float32]) kernels.SGDTensor32 {
		return kernels.SGDTensor32{Param: x.window(x.data), Grad: x.window(x.grad), Buf: x.state[0]}
	}, func(h *kernels.SGD, p *kernels.Pool, c clock, ts []kernels.SGDTensor32) error {
		return h.StepTensors32(p, int(c.steps), ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.SGDTensor64 {
		return kernels.SGDTensor64{Param: x.window(x.data), Grad: x.window(x.grad), Buf: x.state[0]}
	}, func(h *kernels.SGD, p *kernels.Pool, c clock, ts []kernels.SGDTensor64) error {
		return h.StepTensors64(p, int(c.steps), ts)
	}),
	stepBF16:       sgdBF16,
	stepBF16Grad32: sgdBF16Grad32,
}

var adagradAlgorithm = algorithm[kernels.Adagrad]{
	name:      "Adagrad",
	slots:     [maxSlots]string{"sum"},
	uses:      func(*kernels.Adagrad) slotSet { return slotSet{true} },
	lr:        func(h *kernels.Adagrad) *float64 { return &h.LR },
	gradScale: func(h *kernels.Adagrad) *float64 { return &h.GradScale },
	fill:      func(h *kernels.Adagrad, _ int) float64 { return h.InitialAccumulatorValue },
	advance:   countSteps[kernels.Adagrad],
	step32: stepper(func(x *tensor[float32]) kernels.AdagradTensor32 {
		return kernels.AdagradTensor32{Param: x.window(x.data), Grad: x.window(x.grad), Sum: x.state[0]}
	}, func(h *kernels.Adagrad, p *kernels.Pool, c clock, ts []kernels.AdagradTensor32) error {
		return h.StepTensors32(p, int(c.steps), ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.AdagradTensor64 {
		return kernels.AdagradTensor64{Param: x.window(x.data), Grad: x.window(x.grad), Sum: x.state[0]}
	}, func(h *kernels.Adagrad, p *kernels.Pool, c clock, ts []kernels.AdagradTensor64) error {
		return h.StepTensors64(p, int(c.steps), ts)
	}),
}

var rmspropAlgorithm = algorithm[kernels.RMSprop]{
	name:      "RMSprop",
	slots:     [maxSlots]string{"square_avg", "grad_avg", "momentum_buffer"},
	uses:      func(h *kernels.RMSprop) slotSet { return slotSet{true, h.Centered, h.Momentum > 0} },
	lr:        func(h *kernels.RMSprop) *float64 { return &h.LR },
	gradScale: func(h *kernels.RMSprop) *float64 { return &h.GradScale },
	advance:   countSteps[kernels.RMSprop],
	step32: stepper(func(x *tensor[float32]) kernels.RMSpropTensor32 {
		return kernels.RMSpropTensor32{Param: x.window(x.data), Grad: x.window(x.grad), Sq: x.state[0], GAvg: x.state[1], Buf: x.state[2]}
	}, func(h *kernels.RMSprop, p *kernels.Pool, c clock, ts []kernels.RMSpropTensor32) error {
		return h.StepTensors32(p, int(c.steps), ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.RMSpropTensor64 {
		return kernels.RMSpropTensor64{Param: x.window(x.data), Grad: x.window(x.grad), Sq: x.state[0], GAvg: x.state[1], Buf: x.state[2]}
	}, func(h *kernels.RMSprop, p *kernels.Pool, c clock, ts []kernels.RMSpropTensor64) error {
		return h.StepTensors64(p, int(c.steps), ts)
	}),
}

var adadeltaAlgorithm = algorithm[kernels.Adadelta]{
	name:      "Adadelta",
	slots:     [maxSlots]string{"square_avg", "acc_delta"},
	uses:      func(*kernels.Adadelta) slotSet { return slotSet{true, true} },
	lr:        func(h *kernels.Adadelta) *float64 { return &h.LR },
	gradScale: func(h *kernels.Adadelta) *float64 { return &h.GradScale },
	advance:   countSteps[kernels.Adadelta],
	step32: stepper(func(x *tensor[float32]) kernels.AdadeltaTensor32 {
		return kernels.AdadeltaTensor32{Param: x.window(x.data), Grad: x.window(x.grad), Sq: x.state[0], Acc: x.state[1]}
	}, func(h *kernels.Adadelta, p *kernels.Pool, c clock, ts []kernels.AdadeltaTensor32) error {
		return h.StepTensors32(p, int(c.steps), ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.AdadeltaTensor64 {
		return kernels.AdadeltaTensor64{Param: x.window(x.data), Grad: x.window(x.grad), Sq: x.state[0], Acc: x.state[1]}
	}, func(h *kernels.Adadelta, p *kernels.Pool, c clock, ts []kernels.AdadeltaTensor64) error {
		return h.StepTensors64(p, int(c.steps), ts)
	}),
}

var adamaxAlgorithm = algorithm[kernels.Adamax]{
	name:      "Adamax",
	slots:     [maxSlots]string{"exp_avg", "exp_inf"},
	uses:      func(*kernels.Adamax) slotSet { return slotSet{true, true} },
	lr:        func(h *kernels.Adamax) *float64 { return &h.LR },
	gradScale: func(h *kernels.Adamax) *float64 { return &h.GradScale },
	advance:   countSteps[kernels.Adamax],
	step32: stepper(func(x *tensor[float32]) kernels.AdamaxTensor32 {
		return kernels.AdamaxTensor32{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], U: x.state[1]}
	}, func(h *kernels.Adamax, p *kernels.Pool, c clock, ts []kernels.AdamaxTensor32) error {
		return h.StepTensors32(p, int(c.steps), ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.AdamaxTensor64 {
		return kernels.AdamaxTensor64{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], U: x.state[1]}
	}, func(h *kernels.Adamax, p *kernels.Pool, c clock, ts []kernels.AdamaxTensor64) error {
		return h.StepTensors64(p, int(c.steps), ts)
	}),
}

var nadamAlgorithm = algorithm[kernels.NAdam]{
	name:      "NAdam",
	slots:     [maxSlots]string{"exp_avg", "exp_avg_sq"},
	uses:      func(*kernels.NAdam) slotSet { return slotSet{true, true} },
	lr:        func(h *kernels.NAdam) *float64 { return &h.LR },
	gradScale: func(h *kernels.NAdam) *float64 { return &h.GradScale },
	// NAdam's product of mu advances with the step, with the group's
	// hyperparameters of that step, as PyTorch's state["mu_product"] does.
	advance: func(h *kernels.NAdam, c clock) clock {
		c.steps++
		c.nadam = h.Next(c.nadam)
		return c
	},
	step32: stepper(func(x *tensor[float32]) kernels.NAdamTensor32 {
		return kernels.NAdamTensor32{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], V: x.state[1]}
	}, func(h *kernels.NAdam, p *kernels.Pool, c clock, ts []kernels.NAdamTensor32) error {
		return h.StepTensors32(p, c.nadam, ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.NAdamTensor64 {
		return kernels.NAdamTensor64{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], V: x.state[1]}
	}, func(h *kernels.NAdam, p *kernels.Pool, c clock, ts []kernels.NAdamTensor64) error {
		return h.StepTensors64(p, c.nadam, ts)
	}),
}

var radamAlgorithm = algorithm[kernels.RAdam]{
	name:      "RAdam",
	slots:     [maxSlots]string{"exp_avg", "exp_avg_sq"},
	uses:      func(*kernels.RAdam) slotSet { return slotSet{true, true} },
	lr:        func(h *kernels.RAdam) *float64 { return &h.LR },
	gradScale: func(h *kernels.RAdam) *float64 { return &h.GradScale },
	advance:   countSteps[kernels.RAdam],
	step32: stepper(func(x *tensor[float32]) kernels.RAdamTensor32 {
		return kernels.RAdamTensor32{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], V: x.state[1]}
	}, func(h *kernels.RAdam, p *kernels.Pool, c clock, ts []kernels.RAdamTensor32) error {
		return h.StepTensors32(p, int(c.steps), ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.RAdamTensor64 {
		return kernels.RAdamTensor64{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], V: x.state[1]}
	}, func(h *kernels.RAdam, p *kernels.Pool, c clock, ts []kernels.RAdamTensor64) error {
		return h.StepTensors64(p, int(c.steps), ts)
	}),
}

var lionAlgorithm = algorithm[kernels.Lion]{
	name:      "Lion",
	slots:     [maxSlots]string{"exp_avg"},
	uses:      func(*kernels.Lion) slotSet { return slotSet{true} },
	lr:        func(h *kernels.Lion) *float64 { return &h.LR },
	gradScale: func(h *kernels.Lion) *float64 { return &h.GradScale },
	advance:   countSteps[kernels.Lion],
	step32: stepper(func(x *tensor[float32]) kernels.LionTensor32 {
		return kernels.LionTensor32{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0]}
	}, func(h *kernels.Lion, p *kernels.Pool, _ clock, ts []kernels.LionTensor32) error {
		return h.StepTensors32(p, ts)
	}),
	step64: stepper(func(x *tensor[float64]) kernels.LionTensor64 {
		return kernels.LionTensor64{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0]}
	}, func(h *kernels.Lion, p *kernels.Pool, _ clock, ts []kernels.LionTensor64) error {
		return h.StepTensors64(p, ts)
	}),
	stepBF16:       lionBF16,
	stepBF16Grad32: lionBF16Grad32,
}

// adamBF16 and adamBF16Grad32 step Adam's bfloat16 tensors, with
// bfloat16 and with float32 gradients: each tensor's Offset is its place
// in the registration order, so that every element has its own random
// bits and a Shard changes none.
var (
	adamBF16 = stepperBF16(func(x *tensor[kernels.BF16]) kernels.AdamTensorBF16Grad {
		return kernels.AdamTensorBF16Grad{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], V: x.state[1], Offset: x.roundingOffset()}
	}, func(h *kernels.Adam, p *kernels.Pool, c clock, r kernels.Rounding, ts []kernels.AdamTensorBF16Grad) error {
		return h.StepTensorsBF16Grad(p, int(c.steps), r, ts)
	})
	adamBF16Grad32 = stepperBF16(func(x *tensor[kernels.BF16]) kernels.AdamTensorBF16 {
		return kernels.AdamTensorBF16{Param: x.window(x.data), Grad: x.window32(), M: x.state[0], V: x.state[1], Offset: x.roundingOffset()}
	}, func(h *kernels.Adam, p *kernels.Pool, c clock, r kernels.Rounding, ts []kernels.AdamTensorBF16) error {
		return h.StepTensorsBF16(p, int(c.steps), r, ts)
	})
)

// sgdBF16 and sgdBF16Grad32 step SGD's bfloat16 tensors, as adamBF16 and
// adamBF16Grad32 do Adam's.
var (
	sgdBF16 = stepperBF16(func(x *tensor[kernels.BF16]) kernels.SGDTensorBF16Grad {
		return kernels.SGDTensorBF16Grad{Param: x.window(x.data), Grad: x.window(x.grad), Buf: x.state[0], Offset: x.roundingOffset()}
	}, func(h *kernels.SGD, p *kernels.Pool, c clock, r kernels.Rounding, ts []kernels.SGDTensorBF16Grad) error {
		return h.StepTensorsBF16Grad(p, int(c.steps), r, ts)
	})
	sgdBF16Grad32 = stepperBF16(func(x *tensor[kernels.BF16]) kernels.SGDTensorBF16 {
		return kernels.SGDTensorBF16{Param: x.window(x.data), Grad: x.window32(), Buf: x.state[0], Offset: x.roundingOffset()}
	}, func(h *kernels.SGD, p *kernels.Pool, c clock, r kernels.Rounding, ts []kernels.SGDTensorBF16) error {
		return h.StepTensorsBF16(p, int(c.steps), r, ts)
	})
)

// lionBF16 and lionBF16Grad32 step Lion's bfloat16 tensors, as adamBF16
// and adamBF16Grad32 do Adam's; the group's step count, which Lion's
// update ignores, keys the rounding's random bits.
var (
	lionBF16 = stepperBF16(func(x *tensor[kernels.BF16]) kernels.LionTensorBF16Grad {
		return kernels.LionTensorBF16Grad{Param: x.window(x.data), Grad: x.window(x.grad), M: x.state[0], Offset: x.roundingOffset()}
	}, func(h *kernels.Lion, p *kernels.Pool, c clock, r kernels.Rounding, ts []kernels.LionTensorBF16Grad) error {
		return h.StepTensorsBF16Grad(p, int(c.steps), r, ts)
	})
	lionBF16Grad32 = stepperBF16(func(x *tensor[kernels.BF16]) kernels.LionTensorBF16 {
		return kernels.LionTensorBF16{Param: x.window(x.data), Grad: x.window32(), M: x.state[0], Offset: x.roundingOffset()}
	}, func(h *kernels.Lion, p *kernels.Pool, c clock, r kernels.Rounding, ts []kernels.LionTensorBF16) error {
		return h.StepTensorsBF16(p, int(c.steps), r, ts)
	})
)
