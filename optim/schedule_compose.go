package optim

import (
	"math"
	"strconv"
)

// Warmup raises the learning rate linearly from base·StartFactor towards
// base over Steps steps, then hands over to Then, started afresh:
//
//	LR = base·(StartFactor + (1 - StartFactor)·done/Steps)   done < Steps
//	LR = Then.LR(base, done - Steps)                         done >= Steps
//
// A nil Then is Constant (a nil pointer in Then fails Validate). In
// PyTorch it is
//
//	SequentialLR(optimizer, [LinearLR(optimizer, start_factor=StartFactor,
//	    end_factor=1.0, total_iters=Steps), then], milestones=[Steps])
//
// whose warm-up values agree with these to the bit (LinearLR's closed
// form, in the same order). Warm-up then cosine decay to a total of N
// steps is Warmup{Steps: W, Then: Cosine{Steps: N - W}}, and Hugging
// Face's get_constant_schedule_with_warmup(optimizer, W) is
// Warmup{Steps: W} (its linear and cosine schedules with warm-up are
// Then: Linear{1, 0, N - W} and Then: Cosine{Steps: N - W}, to rounding).
//
// Steps must be > 0 and StartFactor in [0, 1] (PyTorch's LinearLR
// rejects 0; a warm-up from zero is common and allowed here), and Then
// must validate.
type Warmup struct {
	Steps       int64    // the warm-up steps
	StartFactor float64  // the multiplier of step 1 (done = 0)
	Then        Schedule // the schedule from done = Steps on, counted from 0; nil for Constant
}

// LR returns the warm-up LR before step Steps, then Then's.
func (w Warmup) LR(base float64, done int64) float64 {
	switch {
	case done < 0:
		return math.NaN()
	case done >= w.Steps:
		if schedIsNil(w.Then) {
			return base
		}
		return w.Then.LR(base, done-w.Steps)
	}
	s := w.StartFactor
	return float64(base * (s + float64((1-s)*float64(done))/float64(w.Steps)))
}

// Validate reports Steps <= 0, a StartFactor outside [0, 1], Then's bad
// field (as "Warmup.Then.Field"), or a nil pointer in Then.
func (w Warmup) Validate() error {
	if err := schedCheckSteps("Warmup", "Steps", w.Steps); err != nil {
		return err
	}
	if err := schedCheckUnit("Warmup", "StartFactor", w.StartFactor); err != nil {
		return err
	}
	if w.Then == nil {
		return nil // Constant
	}
	return schedValidateChild("Warmup", "Then", w.Then)
}

// String returns e.g. "Warmup{Steps: 100, StartFactor: 0, Then: Cosine{Steps: 900, Min: 0}}"
// ("Then: nil" for a nil Then).
func (w Warmup) String() string {
	return schedFields("Warmup", "Steps", w.Steps, "StartFactor", w.StartFactor, "Then", w.Then)
}

// Sequential runs Schedules[0] until step Milestones[0], then
// Schedules[1], started afresh, until Milestones[1], and so on:
//
//	i  = #{j : Milestones[j] <= done}
//	LR = Schedules[i].LR(base, done - m_i)    m_0 = 0, m_i = Milestones[i-1]
//
// It is torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers,
// milestones=Milestones), which likewise restarts each scheduler at its
// milestone (step(0)). There must be one schedule more than milestones,
// none nil; the milestones must be strictly increasing and > 0 (PyTorch
// checks only their number).
type Sequential struct {
	Schedules  []Schedule // the schedules in turn
	Milestones []int64    // the done counts at which the next schedule starts
}

// LR returns the LR of the schedule whose turn done is.
func (s Sequential) LR(base float64, done int64) float64 {
	if done < 0 {
		return math.NaN()
	}
	i := 0
	for i < len(s.Milestones) && s.Milestones[i] <= done {
		i++
	}
	if i >= len(s.Schedules) || schedIsNil(s.Schedules[i]) {
		return math.NaN()
	}
	if i > 0 {
		done -= s.Milestones[i-1]
	}
	return s.Schedules[i].LR(base, done)
}

// Validate reports an empty or nil or bad schedule (a bad field as
// "Sequential.Schedules[i].Field"), a number of milestones other than
// len(Schedules)-1, or a milestone that is <= 0 or not above the one
// before it.
func (s Sequential) Validate() error {
	const typ = "Sequential"
	if len(s.Schedules) == 0 {
		return schedError(typ, "len(Schedules)", 0, ">= 1")
	}
	for i, c := range s.Schedules {
		if err := schedValidateChild(typ, "Schedules["+strconv.Itoa(i)+"]", c); err != nil {
			return err
		}
	}
	if n := len(s.Milestones); n != len(s.Schedules)-1 {
		return schedError(typ, "len(Milestones)", float64(n),
			"len(Schedules)-1 = "+strconv.Itoa(len(s.Schedules)-1))
	}
	return schedCheckMilestones(typ, s.Milestones, false)
}

// String returns e.g. "Sequential{Schedules: [Linear{StartFactor: 0.1,
// EndFactor: 1, Steps: 100}, Cosine{Steps: 900, Min: 0}], Milestones: [100]}".
func (s Sequential) String() string {
	return schedFields("Sequential", "Schedules", s.Schedules, "Milestones", s.Milestones)
}
