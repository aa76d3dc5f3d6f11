package optim

import (
	"math"
	"testing"
)

// schedValidSchedules are valid schedules of every type, with ordinary and
// extreme hyperparameters; the grid tests and the digest use them.
func schedValidSchedules() []Schedule {
	return []Schedule{
		Constant{},
		ConstantFactor{Factor: 0.5, Steps: 4}, ConstantFactor{Factor: 0, Steps: 10}, ConstantFactor{Factor: 1.0 / 3, Steps: 5},
		Linear{StartFactor: 1, EndFactor: 0, Steps: 1000}, Linear{StartFactor: 0, EndFactor: 1, Steps: 10},
		Linear{StartFactor: 0.1, EndFactor: 0.9, Steps: 1}, Linear{StartFactor: 1.0 / 3, EndFactor: 1, Steps: 5},
		Cosine{Steps: 1000, Min: 1e-5}, Cosine{Steps: 1}, Cosine{Steps: 7, Min: 0.05},
		Cosine{Steps: 1 << 40}, Cosine{Steps: 100, Min: 0.2},
		StepDecay{Every: 30, Gamma: 0.1}, StepDecay{Every: 1, Gamma: 0.5}, StepDecay{Every: 7, Gamma: 1.5},
		StepDecay{Every: 1000, Gamma: 0.99},
		MultiStep{Gamma: 0.1}, MultiStep{Milestones: []int64{30, 80}, Gamma: 0.1},
		MultiStep{Milestones: []int64{0, 1, 2, 1000}, Gamma: 0.5},
		Exponential{Gamma: 0.99}, Exponential{Gamma: 1}, Exponential{Gamma: 1.01}, Exponential{Gamma: 0.9999},
		Polynomial{Steps: 100, Power: 1}, Polynomial{Steps: 100, Power: 2}, Polynomial{Steps: 1000},
		Polynomial{Steps: 7, Power: 9},
		InverseSqrt{}, InverseSqrt{Warmup: 100}, InverseSqrt{Warmup: 4000}, InverseSqrt{Warmup: 50, Timescale: 1000},
		InverseSqrt{Warmup: 1, Timescale: 3},
		OneCycle{Steps: 100}, OneCycle{Steps: 1000, PctStart: 0.25, DivFactor: 10, FinalDivFactor: 100},
		OneCycle{Steps: 200, ThreePhase: true}, OneCycle{Steps: 100, Linear: true},
		OneCycle{Steps: 150, PctStart: 0.4, DivFactor: 5, FinalDivFactor: 1e3, ThreePhase: true, Linear: true},
		OneCycle{Steps: 5, PctStart: 0.5}, OneCycle{Steps: 1 << 40, PctStart: 0.01},
		Warmup{Steps: 10, StartFactor: 0.1, Then: Cosine{Steps: 90}}, Warmup{Steps: 100},
		Warmup{Steps: 5, StartFactor: 0.5, Then: StepDecay{Every: 10, Gamma: 0.5}},
		Warmup{Steps: 2000, Then: InverseSqrt{}},
		Sequential{Schedules: []Schedule{ConstantFactor{Factor: 0.1, Steps: 2}, Exponential{Gamma: 0.9}}, Milestones: []int64{2}},
		Sequential{Schedules: []Schedule{Linear{StartFactor: 0.5, EndFactor: 1, Steps: 10},
			StepDecay{Every: 10, Gamma: 0.5}, Cosine{Steps: 50}}, Milestones: []int64{10, 40}},
		Sequential{Schedules: []Schedule{Warmup{Steps: 10, Then: OneCycle{Steps: 100}},
			&Polynomial{Steps: 50, Power: 2}}, Milestones: []int64{110}},
	}
}

// schedBases are the base LRs of the grid tests.
var schedBases = []float64{0.1, 3e-4, 1}

// schedDones are the done counts of the grid tests: every count to 2000,
// then counts up to the largest int64.
func schedDones() []int64 {
	var ds []int64
	for d := range int64(2001) {
		ds = append(ds, d)
	}
	return append(ds, 4095, 4096, 10000, 123457, 1e6, 1e7, 1<<31, 1<<40, 1<<40+1, 1<<53, 1<<62, math.MaxInt64)
}

// TestScheduleLRGrid checks that valid schedules never give a NaN or
// negative LR (+Inf only where a Gamma > 1 compounds), and give NaN for
// done < 0.
func TestScheduleLRGrid(t *testing.T) {
	for _, s := range schedValidSchedules() {
		if err := s.Validate(); err != nil {
			t.Errorf("%v: Validate: %v", s, err)
			continue
		}
		for _, base := range schedBases {
			for _, d := range schedDones() {
				lr := s.LR(base, d)
				if math.IsNaN(lr) || lr < 0 || (math.IsInf(lr, 1) && !schedGrows(s)) {
					t.Errorf("%v.LR(%v, %d) = %v", s, base, d, lr)
				}
			}
			if lr := s.LR(base, -1); !math.IsNaN(lr) {
				t.Errorf("%v.LR(%v, -1) = %v, want NaN", s, base, lr)
			}
		}
	}
}

// schedGrows reports whether s compounds a Gamma > 1, so that its LR
// overflows for a large enough done.
func schedGrows(s Schedule) bool {
	switch s := s.(type) {
	case StepDecay:
		return s.Gamma > 1
	case Exponential:
		return s.Gamma > 1
	}
	return false
}

// TestScheduleFirstAndLast checks the ends of each schedule against its
// formula: where it starts, and what it holds.
func TestScheduleFirstAndLast(t *testing.T) {
	const b = 0.1
	for _, c := range []struct {
		s           Schedule
		first, last float64 // LR(b, 0) and LR(b, 1<<62)
	}{
		{Constant{}, b, b},
		{ConstantFactor{Factor: 0.5, Steps: 4}, 0.05, b},
		{Linear{StartFactor: 1, EndFactor: 0, Steps: 1000}, b, 0},
		{Linear{StartFactor: 0, EndFactor: 1, Steps: 10}, 0, b},
		{Cosine{Steps: 1000, Min: 1e-5}, b, 1e-5},
		{StepDecay{Every: 30, Gamma: 0.1}, b, 0},
		{MultiStep{Milestones: []int64{0, 5}, Gamma: 0.5}, 0.05, 0.025},
		{Exponential{Gamma: 0.99}, b, 0},
		{Polynomial{Steps: 100, Power: 2}, b, 0},
		{InverseSqrt{Warmup: 100}, 0, b * (1 / math.Sqrt(float64(1<<62)/100))},
		// b/25 to rounding: b + (b/25 - b)/2·2, in PyTorch too.
		{OneCycle{Steps: 100}, 0.0040000000000000036, b / 25 / 1e4},
		{OneCycle{Steps: 100, ThreePhase: true}, 0.0040000000000000036, b / 25 / 1e4},
		{Warmup{Steps: 10, Then: Cosine{Steps: 90}}, 0, 0},
		{Warmup{Steps: 10, StartFactor: 0.5}, 0.05, b},
		{Sequential{Schedules: []Schedule{Constant{}, Exponential{Gamma: 2}}, Milestones: []int64{1 << 62}}, b, b},
	} {
		if got := c.s.LR(b, 0); got != c.first {
			t.Errorf("%v.LR(%v, 0) = %v, want %v", c.s, b, got, c.first)
		}
		if got := c.s.LR(b, 1<<62); got != c.last {
			t.Errorf("%v.LR(%v, 1<<62) = %v, want %v", c.s, b, got, c.last)
		}
	}
	// Warmup reaches base at done = Steps, where Then starts from done 0.
	w := Warmup{Steps: 10, Then: Cosine{Steps: 90}}
	if got := w.LR(b, 10); got != b {
		t.Errorf("%v.LR(%v, 10) = %v, want %v", w, b, got, b)
	}
	// OneCycle peaks at base.
	o := OneCycle{Steps: 101, PctStart: 0.5} // the rise ends between done = 49 and 50
	peak := 0.0
	for d := range int64(101) {
		peak = max(peak, o.LR(b, d))
	}
	if peak > b || peak < b*0.999 {
		t.Errorf("%v peaks at %v, want just below %v", o, peak, b)
	}
}

// TestScheduleInvalidNoPanic checks that LR of a schedule that fails
// Validate returns (a NaN or some number) rather than panic.
func TestScheduleInvalidNoPanic(t *testing.T) {
	for _, s := range []Schedule{
		StepDecay{}, MultiStep{Milestones: []int64{5, 1}}, Polynomial{Power: -1}, Polynomial{},
		Linear{}, Cosine{}, ConstantFactor{}, InverseSqrt{Warmup: -1}, InverseSqrt{Timescale: -1}, OneCycle{},
		OneCycle{Steps: 1}, Warmup{}, Warmup{Steps: 1, Then: (*Cosine)(nil)},
		Sequential{}, Sequential{Schedules: []Schedule{nil}}, Sequential{Schedules: []Schedule{Constant{}}, Milestones: []int64{1, 2}},
	} {
		for _, d := range []int64{0, 1, 2, 1 << 62} {
			_ = s.LR(0.1, d)
		}
	}
}

// TestScheduleString checks the String of every type, which a checkpoint
// records.
func TestScheduleString(t *testing.T) {
	for _, c := range []struct {
		s    Schedule
		want string
	}{
		{Constant{}, "Constant{}"},
		{ConstantFactor{Factor: 0.5, Steps: 4}, "ConstantFactor{Factor: 0.5, Steps: 4}"},
		{Linear{StartFactor: 1, EndFactor: 0, Steps: 1000}, "Linear{StartFactor: 1, EndFactor: 0, Steps: 1000}"},
		{Cosine{Steps: 1000, Min: 1e-05}, "Cosine{Steps: 1000, Min: 1e-05}"},
		{StepDecay{Every: 30, Gamma: 0.1}, "StepDecay{Every: 30, Gamma: 0.1}"},
		{MultiStep{Milestones: []int64{30, 80}, Gamma: 0.1}, "MultiStep{Milestones: [30, 80], Gamma: 0.1}"},
		{MultiStep{Gamma: 0.5}, "MultiStep{Milestones: [], Gamma: 0.5}"},
		{Exponential{Gamma: 0.99}, "Exponential{Gamma: 0.99}"},
		{Polynomial{Steps: 100, Power: 2}, "Polynomial{Steps: 100, Power: 2}"},
		{InverseSqrt{Warmup: 4000}, "InverseSqrt{Warmup: 4000, Timescale: 0}"},
		{OneCycle{Steps: 1000}, "OneCycle{Steps: 1000, PctStart: 0, DivFactor: 0, FinalDivFactor: 0, ThreePhase: false, Linear: false}"},
		{OneCycle{Steps: 10, PctStart: 0.25, DivFactor: 10, FinalDivFactor: 1e4, ThreePhase: true, Linear: true},
			"OneCycle{Steps: 10, PctStart: 0.25, DivFactor: 10, FinalDivFactor: 10000, ThreePhase: true, Linear: true}"},
		{Warmup{Steps: 100, Then: Cosine{Steps: 900}}, "Warmup{Steps: 100, StartFactor: 0, Then: Cosine{Steps: 900, Min: 0}}"},
		{Warmup{Steps: 100, StartFactor: 0.1}, "Warmup{Steps: 100, StartFactor: 0.1, Then: nil}"},
		{Warmup{Steps: 100, Then: (*Cosine)(nil)}, "Warmup{Steps: 100, StartFactor: 0, Then: nil}"},
		{Sequential{Schedules: []Schedule{Linear{StartFactor: 0.1, EndFactor: 1, Steps: 100}, &Cosine{Steps: 900}, nil},
			Milestones: []int64{100, 1000}},
			"Sequential{Schedules: [Linear{StartFactor: 0.1, EndFactor: 1, Steps: 100}, Cosine{Steps: 900, Min: 0}, nil], Milestones: [100, 1000]}"},
		{Cosine{Steps: 1, Min: math.NaN()}, "Cosine{Steps: 1, Min: NaN}"},
		{Exponential{Gamma: 1.0 / 3}, "Exponential{Gamma: 0.3333333333333333}"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}
