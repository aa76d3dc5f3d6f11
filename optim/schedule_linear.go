package optim

import "math"

// Constant is the base learning rate at every step:
//
//	LR = base
//
// It is PyTorch without a scheduler (or LambdaLR(optimizer, lambda t: 1)).
type Constant struct{}

// LR returns base.
func (Constant) LR(base float64, done int64) float64 {
	if done < 0 {
		return math.NaN()
	}
	return base
}

// Validate returns nil: Constant has no fields.
func (Constant) Validate() error { return nil }

// String returns "Constant{}".
func (Constant) String() string { return "Constant{}" }

// ConstantFactor scales the learning rate by Factor for the first Steps
// steps:
//
//	LR = base·Factor   done < Steps
//	LR = base          done >= Steps
//
// It is torch.optim.lr_scheduler.ConstantLR(optimizer, factor=Factor,
// total_iters=Steps). Factor must be in [0, 1], as in PyTorch, and Steps
// > 0. From Steps on the LR is base exactly, where PyTorch's closed form
// computes base·(factor + (1 - factor)) and its recursive form
// base·factor·(1/factor), either of which can be an ulp off base.
type ConstantFactor struct {
	Factor float64 // the multiplier of the first Steps steps
	Steps  int64   // how many steps use it
}

// LR returns base·Factor before step Steps, then base.
func (c ConstantFactor) LR(base float64, done int64) float64 {
	switch {
	case done < 0:
		return math.NaN()
	case done < c.Steps:
		return float64(base * c.Factor)
	}
	return base
}

// Validate reports a Factor outside [0, 1] or Steps <= 0.
func (c ConstantFactor) Validate() error {
	if err := schedCheckUnit("ConstantFactor", "Factor", c.Factor); err != nil {
		return err
	}
	return schedCheckSteps("ConstantFactor", "Steps", c.Steps)
}

// String returns e.g. "ConstantFactor{Factor: 0.5, Steps: 4}".
func (c ConstantFactor) String() string {
	return schedFields("ConstantFactor", "Factor", c.Factor, "Steps", c.Steps)
}

// Linear moves the learning rate linearly from base·StartFactor to
// base·EndFactor over Steps steps, then holds it:
//
//	LR = base·(StartFactor + (EndFactor - StartFactor)·min(done, Steps)/Steps)
//
// It is torch.optim.lr_scheduler.LinearLR(optimizer,
// start_factor=StartFactor, end_factor=EndFactor, total_iters=Steps),
// computed in the order of its closed form, so the two agree to the bit.
// Linear{1, 0, N} decays to zero over N steps; Linear{0, 1, N} warms up
// from zero.
//
// Both factors must be in [0, 1] and Steps > 0. PyTorch also rejects
// start_factor 0, because its recursive form divides by it; the closed
// form here does not, so a warm-up from zero is allowed.
type Linear struct {
	StartFactor float64 // the multiplier of step 1 (done = 0)
	EndFactor   float64 // the multiplier from done = Steps on
	Steps       int64   // how many steps the change takes
}

// LR returns base·(s + (e - s)·min(done, Steps)/Steps).
func (l Linear) LR(base float64, done int64) float64 {
	if done < 0 {
		return math.NaN()
	}
	t := float64(min(done, l.Steps))
	return float64(base * (l.StartFactor + float64((l.EndFactor-l.StartFactor)*t)/float64(l.Steps)))
}

// Validate reports a factor outside [0, 1] or Steps <= 0.
func (l Linear) Validate() error {
	if err := schedCheckUnit("Linear", "StartFactor", l.StartFactor); err != nil {
		return err
	}
	if err := schedCheckUnit("Linear", "EndFactor", l.EndFactor); err != nil {
		return err
	}
	return schedCheckSteps("Linear", "Steps", l.Steps)
}

// String returns e.g. "Linear{StartFactor: 1, EndFactor: 0, Steps: 1000}".
func (l Linear) String() string {
	return schedFields("Linear", "StartFactor", l.StartFactor, "EndFactor", l.EndFactor, "Steps", l.Steps)
}
