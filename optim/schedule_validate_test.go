package optim

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// TestScheduleValidateRejects checks that Validate reports each bad field
// as a *kernels.ParamError naming the schedule type and the field.
func TestScheduleValidateRejects(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		s           Schedule
		typ, field  string
		value       float64 // the reported value; NaN to skip the check
		wantMessage string  // if set, the whole message
	}{
		{ConstantFactor{Factor: -0.1, Steps: 1}, "ConstantFactor", "Factor", -0.1, ""},
		{ConstantFactor{Factor: 1.5, Steps: 1}, "ConstantFactor", "Factor", 1.5, "fusedopt: ConstantFactor.Factor = 1.5: must be in [0, 1]"},
		{ConstantFactor{Factor: nan, Steps: 1}, "ConstantFactor", "Factor", nan, ""},
		{ConstantFactor{Factor: 0.5}, "ConstantFactor", "Steps", 0, ""},
		{ConstantFactor{Factor: 0.5, Steps: -3}, "ConstantFactor", "Steps", -3, ""},

		{Linear{StartFactor: -1, EndFactor: 0, Steps: 10}, "Linear", "StartFactor", -1, ""},
		{Linear{StartFactor: 1, EndFactor: 1.01, Steps: 10}, "Linear", "EndFactor", 1.01, ""},
		{Linear{StartFactor: 1, EndFactor: nan, Steps: 10}, "Linear", "EndFactor", nan, ""},
		{Linear{StartFactor: 1}, "Linear", "Steps", 0, ""},

		{Cosine{}, "Cosine", "Steps", 0, "fusedopt: Cosine.Steps = 0: must be > 0"},
		{Cosine{Steps: -5}, "Cosine", "Steps", -5, ""},
		{Cosine{Steps: 10, Min: -1e-9}, "Cosine", "Min", -1e-9, ""},
		{Cosine{Steps: 10, Min: nan}, "Cosine", "Min", nan, ""},
		{Cosine{Steps: 10, Min: inf}, "Cosine", "Min", inf, ""},

		{StepDecay{Gamma: 0.1}, "StepDecay", "Every", 0, ""},
		{StepDecay{Every: -1, Gamma: 0.1}, "StepDecay", "Every", -1, ""},
		{StepDecay{Every: 10}, "StepDecay", "Gamma", 0, "fusedopt: StepDecay.Gamma = 0: must be finite and > 0"},
		{StepDecay{Every: 10, Gamma: -0.5}, "StepDecay", "Gamma", -0.5, ""},
		{StepDecay{Every: 10, Gamma: nan}, "StepDecay", "Gamma", nan, ""},
		{StepDecay{Every: 10, Gamma: inf}, "StepDecay", "Gamma", inf, ""},

		{MultiStep{Milestones: []int64{10, 10}, Gamma: 0.1}, "MultiStep", "Milestones[1]", 10,
			"fusedopt: MultiStep.Milestones[1] = 10: must be > 10 (strictly increasing)"},
		{MultiStep{Milestones: []int64{30, 20}, Gamma: 0.1}, "MultiStep", "Milestones[1]", 20, ""},
		{MultiStep{Milestones: []int64{-1}, Gamma: 0.1}, "MultiStep", "Milestones[0]", -1, "fusedopt: MultiStep.Milestones[0] = -1: must be >= 0"},
		{MultiStep{Milestones: []int64{1, 2}}, "MultiStep", "Gamma", 0, ""},

		{Exponential{}, "Exponential", "Gamma", 0, ""},
		{Exponential{Gamma: -1}, "Exponential", "Gamma", -1, ""},
		{Exponential{Gamma: nan}, "Exponential", "Gamma", nan, ""},

		{Polynomial{Power: 1}, "Polynomial", "Steps", 0, ""},
		{Polynomial{Steps: 10, Power: -1}, "Polynomial", "Power", -1, ""},

		{InverseSqrt{Warmup: -1}, "InverseSqrt", "Warmup", -1, ""},
		{InverseSqrt{Timescale: -1}, "InverseSqrt", "Timescale", -1, ""},

		{OneCycle{}, "OneCycle", "Steps", 0, ""},
		{OneCycle{Steps: 100, PctStart: -0.1}, "OneCycle", "PctStart", -0.1, ""},
		{OneCycle{Steps: 100, PctStart: 1}, "OneCycle", "PctStart", 1, ""},
		{OneCycle{Steps: 100, PctStart: nan}, "OneCycle", "PctStart", nan, ""},
		{OneCycle{Steps: 100, DivFactor: -1}, "OneCycle", "DivFactor", -1, ""},
		{OneCycle{Steps: 100, DivFactor: inf}, "OneCycle", "DivFactor", inf, ""},
		{OneCycle{Steps: 100, FinalDivFactor: -2}, "OneCycle", "FinalDivFactor", -2, ""},
		{OneCycle{Steps: 100, FinalDivFactor: nan}, "OneCycle", "FinalDivFactor", nan, ""},
		// 0/0 at done = 0: the rise ends at step PctStart·Steps - 1 = 0.
		{OneCycle{Steps: 10, PctStart: 0.1}, "OneCycle", "PctStart", 0.1, ""},
		{OneCycle{Steps: 1}, "OneCycle", "PctStart", 0.3, ""}, // the rise would end at -0.7
		{OneCycle{Steps: 3}, "OneCycle", "PctStart", 0.3, ""}, // and here at -0.1
		{OneCycle{Steps: 2, PctStart: 0.5}, "OneCycle", "PctStart", 0.5, ""},
		// Three phases: the fall back ends at 2·0.55·10 - 2 = 9 = Steps-1, leaving the last phase empty.
		{OneCycle{Steps: 10, PctStart: 0.55, ThreePhase: true}, "OneCycle", "PctStart", 0.55, ""},
		{OneCycle{Steps: 10, PctStart: 0.1, ThreePhase: true}, "OneCycle", "PctStart", 0.1, ""},

		{Warmup{}, "Warmup", "Steps", 0, ""},
		{Warmup{Steps: 10, StartFactor: -0.5}, "Warmup", "StartFactor", -0.5, ""},
		{Warmup{Steps: 10, StartFactor: 2}, "Warmup", "StartFactor", 2, ""},
		{Warmup{Steps: 10, Then: Cosine{}}, "Warmup", "Then.Steps", 0, "fusedopt: Warmup.Then.Steps = 0: must be > 0"},
		{Warmup{Steps: 10, Then: &Exponential{Gamma: -1}}, "Warmup", "Then.Gamma", -1, ""},

		{Sequential{}, "Sequential", "len(Schedules)", 0, ""},
		{Sequential{Schedules: []Schedule{Cosine{Steps: 10}, Cosine{Steps: 0}}, Milestones: []int64{5}},
			"Sequential", "Schedules[1].Steps", 0, "fusedopt: Sequential.Schedules[1].Steps = 0: must be > 0"},
		{Sequential{Schedules: []Schedule{Warmup{Steps: 10, Then: Cosine{Steps: -1}}}},
			"Sequential", "Schedules[0].Then.Steps", -1, ""},
		{Sequential{Schedules: []Schedule{Constant{}, Constant{}}}, "Sequential", "len(Milestones)", 0,
			"fusedopt: Sequential.len(Milestones) = 0: must be len(Schedules)-1 = 1"},
		{Sequential{Schedules: []Schedule{Constant{}}, Milestones: []int64{5}}, "Sequential", "len(Milestones)", 1, ""},
		{Sequential{Schedules: []Schedule{Constant{}, Constant{}}, Milestones: []int64{0}}, "Sequential", "Milestones[0]", 0, ""},
		{Sequential{Schedules: []Schedule{Constant{}, Constant{}, Constant{}}, Milestones: []int64{5, 5}},
			"Sequential", "Milestones[1]", 5, ""},
	} {
		err := c.s.Validate()
		var pe *kernels.ParamError
		if !errors.As(err, &pe) {
			t.Errorf("%v.Validate() = %v, want a *kernels.ParamError", c.s, err)
			continue
		}
		if pe.Optimizer != c.typ || pe.Field != c.field {
			t.Errorf("%v.Validate() = %v: names %s.%s, want %s.%s", c.s, err, pe.Optimizer, pe.Field, c.typ, c.field)
		}
		if !math.IsNaN(c.value) && pe.Value != c.value {
			t.Errorf("%v.Validate() = %v: value %v, want %v", c.s, err, pe.Value, c.value)
		}
		if c.wantMessage != "" && err.Error() != c.wantMessage {
			t.Errorf("%v.Validate() = %q, want %q", c.s, err, c.wantMessage)
		}
	}
}

// schedBad is a schedule of another package whose Validate fails with a
// plain error.
type schedBad struct{ Constant }

var errSchedBad = errors.New("bad on purpose")

func (schedBad) Validate() error { return errSchedBad }

// TestScheduleValidateChildren checks the errors that are not a
// ParamError: a nil nested schedule, a nil pointer, and another
// package's error, which is wrapped with the path of the field.
func TestScheduleValidateChildren(t *testing.T) {
	for _, c := range []struct {
		s    Schedule
		want string
	}{
		{Sequential{Schedules: []Schedule{Cosine{Steps: 10}, nil}, Milestones: []int64{5}},
			"fusedopt: Sequential.Schedules[1] is nil: must be a Schedule"},
		{Sequential{Schedules: []Schedule{(*Cosine)(nil)}}, "fusedopt: Sequential.Schedules[0] is nil: must be a Schedule"},
		{Warmup{Steps: 10, Then: (*Cosine)(nil)}, "fusedopt: Warmup.Then is nil: must be a Schedule"},
		{Warmup{Steps: 10, Then: schedBad{}}, "fusedopt: Warmup.Then: bad on purpose"},
		{Sequential{Schedules: []Schedule{Warmup{Steps: 1, Then: schedBad{}}}},
			"fusedopt: Sequential.Schedules[0]: fusedopt: Warmup.Then: bad on purpose"},
	} {
		err := c.s.Validate()
		if err == nil || err.Error() != c.want {
			t.Errorf("%v.Validate() = %v, want %q", c.s, err, c.want)
		}
		var pe *kernels.ParamError
		if errors.As(err, &pe) {
			t.Errorf("%v.Validate() = %v is a ParamError, want a plain error", c.s, err)
		}
		if strings.Contains(c.want, "bad on purpose") && !errors.Is(err, errSchedBad) {
			t.Errorf("%v.Validate() = %v does not wrap the child's error", c.s, err)
		}
	}

	// A nil Then (but not a nil pointer) is Constant, not an error.
	for _, s := range []Schedule{Warmup{Steps: 10}, Warmup{Steps: 10, Then: Constant{}}} {
		if err := s.Validate(); err != nil {
			t.Errorf("%v.Validate() = %v, want nil", s, err)
		}
		if got := s.LR(0.1, 10); got != 0.1 {
			t.Errorf("%v.LR(0.1, 10) = %v, want 0.1", s, got)
		}
	}
}
