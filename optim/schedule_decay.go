package optim

import "math"

// The integer powers below are schedPowInt's: within an ulp of the true
// value, where Python's gamma ** k (the C library's pow) is within about
// half an ulp, so the LRs agree with PyTorch's to an ulp or two of the LR.

// StepDecay multiplies the learning rate by Gamma every Every steps:
//
//	LR = base·Gamma^floor(done/Every)
//
// It is torch.optim.lr_scheduler.StepLR(optimizer, step_size=Every,
// gamma=Gamma), as its closed form computes it. Every must be > 0 and
// Gamma finite and > 0 (PyTorch accepts any gamma).
type StepDecay struct {
	Every int64   // the steps between two decays
	Gamma float64 // the factor of each decay
}

// LR returns base·Gamma^floor(done/Every).
func (s StepDecay) LR(base float64, done int64) float64 {
	if done < 0 || s.Every <= 0 {
		return math.NaN()
	}
	return float64(base * schedPowInt(s.Gamma, uint64(done/s.Every)))
}

// Validate reports Every <= 0 or a Gamma that is not finite and > 0.
func (s StepDecay) Validate() error {
	if err := schedCheckSteps("StepDecay", "Every", s.Every); err != nil {
		return err
	}
	return schedCheckGamma("StepDecay", s.Gamma)
}

// String returns e.g. "StepDecay{Every: 30, Gamma: 0.1}".
func (s StepDecay) String() string {
	return schedFields("StepDecay", "Every", s.Every, "Gamma", s.Gamma)
}

// MultiStep multiplies the learning rate by Gamma at each milestone:
//
//	LR = base·Gamma^#{i : Milestones[i] <= done}
//
// It is torch.optim.lr_scheduler.MultiStepLR(optimizer,
// milestones=Milestones, gamma=Gamma), as its closed form computes it.
// Milestones must be strictly increasing and >= 0 (a milestone 0 decays
// the first step already, as in PyTorch); PyTorch also takes them unsorted
// or repeated, a repeat decaying twice. Gamma must be finite and > 0.
type MultiStep struct {
	Milestones []int64 // the done counts from which one more decay applies
	Gamma      float64 // the factor of each decay
}

// LR returns base·Gamma^(the number of milestones <= done).
func (m MultiStep) LR(base float64, done int64) float64 {
	if done < 0 {
		return math.NaN()
	}
	k := 0
	for k < len(m.Milestones) && m.Milestones[k] <= done {
		k++
	}
	return float64(base * schedPowInt(m.Gamma, uint64(k)))
}

// Validate reports a milestone that is negative or not above the one
// before it, or a Gamma that is not finite and > 0.
func (m MultiStep) Validate() error {
	if err := schedCheckMilestones("MultiStep", m.Milestones, true); err != nil {
		return err
	}
	return schedCheckGamma("MultiStep", m.Gamma)
}

// String returns e.g. "MultiStep{Milestones: [30, 80], Gamma: 0.1}".
func (m MultiStep) String() string {
	return schedFields("MultiStep", "Milestones", m.Milestones, "Gamma", m.Gamma)
}

// Exponential multiplies the learning rate by Gamma every step:
//
//	LR = base·Gamma^done
//
// It is torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=Gamma), as
// its closed form computes it. Gamma must be finite and > 0; above 1 the
// LR grows (an LR range test) and in the end overflows to +Inf.
type Exponential struct {
	Gamma float64 // the factor of each step
}

// LR returns base·Gamma^done.
func (e Exponential) LR(base float64, done int64) float64 {
	if done < 0 {
		return math.NaN()
	}
	return float64(base * schedPowInt(e.Gamma, uint64(done)))
}

// Validate reports a Gamma that is not finite and > 0.
func (e Exponential) Validate() error { return schedCheckGamma("Exponential", e.Gamma) }

// String returns e.g. "Exponential{Gamma: 0.99}".
func (e Exponential) String() string { return schedFields("Exponential", "Gamma", e.Gamma) }

// Polynomial decays the learning rate to zero over Steps steps along a
// polynomial of degree Power, then holds zero:
//
//	LR = base·(1 - min(done, Steps)/Steps)^Power
//
// It is torch.optim.lr_scheduler.PolynomialLR(optimizer,
// total_iters=Steps, power=float(Power)), as its closed form computes it.
// Steps must be > 0 and Power >= 0: 1 (PyTorch's default) decays
// linearly, 2 quadratically; 0 holds base. The power is an integer
// because a real one needs math.Pow, which does not give the same bits on
// every architecture.
type Polynomial struct {
	Steps int64 // the step count at which the LR reaches zero
	Power int   // the degree
}

// LR returns base·(1 - min(done, Steps)/Steps)^Power.
func (p Polynomial) LR(base float64, done int64) float64 {
	if done < 0 || p.Power < 0 {
		return math.NaN()
	}
	x := 1.0 - float64(min(done, p.Steps))/float64(p.Steps)
	return float64(base * schedPowInt(x, uint64(p.Power)))
}

// Validate reports Steps <= 0 or Power < 0.
func (p Polynomial) Validate() error {
	if err := schedCheckSteps("Polynomial", "Steps", p.Steps); err != nil {
		return err
	}
	if p.Power < 0 {
		return schedError("Polynomial", "Power", float64(p.Power), ">= 0")
	}
	return nil
}

// String returns e.g. "Polynomial{Steps: 1000, Power: 2}".
func (p Polynomial) String() string {
	return schedFields("Polynomial", "Steps", p.Steps, "Power", p.Power)
}

// InverseSqrt warms the learning rate up linearly from zero over Warmup
// steps, then decays it as the inverse square root of the step count:
//
//	LR = base·done/max(1, Warmup)              done < Warmup
//	LR = base/sqrt((done + τ - Warmup)/τ)      done >= Warmup
//
// where τ is Timescale, or (when Timescale is 0) Warmup, or 10000 if
// Warmup is 0 as well. At done = Warmup the LR is base. It is Hugging Face
// transformers' get_inverse_sqrt_schedule(optimizer,
// num_warmup_steps=Warmup, timescale=τ), a LambdaLR, and agrees with it to
// the bit (for counts below 2^53, where its exact integer division and
// float64's agree); math.Sqrt is correctly rounded on every architecture.
// Warmup and Timescale must be >= 0.
type InverseSqrt struct {
	Warmup    int64 // the warm-up steps; 0 for none
	Timescale int64 // τ; 0 means Warmup, or 10000 if Warmup is 0
}

// LR returns the warm-up or inverse-square-root LR of step done.
func (s InverseSqrt) LR(base float64, done int64) float64 {
	if done < 0 || s.Warmup < 0 || s.Timescale < 0 {
		return math.NaN()
	}
	if done < s.Warmup {
		return float64(base * (float64(done) / float64(max(1, s.Warmup))))
	}
	tau := s.timescale()
	// done - Warmup + τ in uint64, which holds it even for done near 2^63.
	n := uint64(done-s.Warmup) + uint64(tau)
	return float64(base * (1 / math.Sqrt(float64(n)/float64(tau))))
}

// timescale is τ, with Timescale's default applied.
func (s InverseSqrt) timescale() int64 {
	switch {
	case s.Timescale != 0:
		return s.Timescale
	case s.Warmup != 0:
		return s.Warmup
	}
	return 10000
}

// Validate reports a negative Warmup or Timescale.
func (s InverseSqrt) Validate() error {
	if s.Warmup < 0 {
		return schedError("InverseSqrt", "Warmup", float64(s.Warmup), ">= 0")
	}
	if s.Timescale < 0 {
		return schedError("InverseSqrt", "Timescale", float64(s.Timescale), ">= 0 (0 means Warmup, or 10000)")
	}
	return nil
}

// String returns e.g. "InverseSqrt{Warmup: 4000, Timescale: 0}".
func (s InverseSqrt) String() string {
	return schedFields("InverseSqrt", "Warmup", s.Warmup, "Timescale", s.Timescale)
}
