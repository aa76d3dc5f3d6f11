package optim

import (
	"encoding/json"
	"maps"
	"math"
	"os"
	"slices"
	"testing"
)

// testdata/pytorch_schedules.json holds torch 1.13's learning rates for
// each schedule type (testdata/pytorch_schedules.py writes it; see there
// how). This test compares them with LR.

// schedCase is one case of the JSON file.
type schedCase struct {
	Name     string
	Schedule schedJSON
	Base     float64
	Dones    []int64   // the done count of each LR; nil means 0, 1, 2, ...
	LRs      []float64 `json:"lrs"`
}

// schedJSON is a schedule as the JSON file names it: the Go type and the
// fields of that type.
type schedJSON struct {
	Type                                       string
	Steps, Every, Warmup, Timescale            int64
	Factor, StartFactor, EndFactor, Min, Gamma float64
	PctStart, DivFactor, FinalDivFactor        float64
	Power                                      int
	ThreePhase, Linear                         bool
	Milestones                                 []int64
	Then                                       *schedJSON
	Schedules                                  []*schedJSON
}

// schedule builds the Go schedule j describes.
func (j *schedJSON) schedule(t *testing.T) Schedule {
	t.Helper()
	if j == nil {
		return nil
	}
	switch j.Type {
	case "Constant":
		return Constant{}
	case "ConstantFactor":
		return ConstantFactor{Factor: j.Factor, Steps: j.Steps}
	case "Linear":
		return Linear{StartFactor: j.StartFactor, EndFactor: j.EndFactor, Steps: j.Steps}
	case "Cosine":
		return Cosine{Steps: j.Steps, Min: j.Min}
	case "StepDecay":
		return StepDecay{Every: j.Every, Gamma: j.Gamma}
	case "MultiStep":
		return MultiStep{Milestones: j.Milestones, Gamma: j.Gamma}
	case "Exponential":
		return Exponential{Gamma: j.Gamma}
	case "Polynomial":
		return Polynomial{Steps: j.Steps, Power: j.Power}
	case "InverseSqrt":
		return InverseSqrt{Warmup: j.Warmup, Timescale: j.Timescale}
	case "OneCycle":
		return OneCycle{Steps: j.Steps, PctStart: j.PctStart, DivFactor: j.DivFactor,
			FinalDivFactor: j.FinalDivFactor, ThreePhase: j.ThreePhase, Linear: j.Linear}
	case "Warmup":
		return Warmup{Steps: j.Steps, StartFactor: j.StartFactor, Then: j.Then.schedule(t)}
	case "Sequential":
		s := Sequential{Milestones: j.Milestones}
		for _, c := range j.Schedules {
			s.Schedules = append(s.Schedules, c.schedule(t))
		}
		return s
	}
	t.Fatalf("unknown schedule type %q", j.Type)
	return nil
}

// schedTolerance is how far LR may be from PyTorch's value want:
// ulps·ulp(want) + eps·2^-52·base. Why each family needs what it gets:
//
//   - Constant, Linear, InverseSqrt, and Warmup's linear ramp: 0. They
//     do PyTorch's (or transformers') operations in PyTorch's order, each
//     correctly rounded, so the bits are the same.
//   - ConstantFactor: 1 ulp. Past Steps it returns base exactly, where
//     PyTorch computes base·(factor + (1 - factor)).
//   - StepDecay, MultiStep, Exponential, Polynomial: 2 ulps. gamma^k is
//     schedPowInt's (within an ulp of the true power) where Python calls
//     the C library's pow (within about half an ulp); the product with
//     base, rounded alike, can move a one-ulp difference to two.
//   - Cosine and OneCycle: 4 eps of base. PyTorch rounds its argument
//     x = π·t/T three times (π itself, by 0.35·2^-53 relative; the
//     product; the quotient) before math.cos, so cos(x) moves by up to
//     2.35·2^-53·x·sin(x) <= 4.3·2^-53, plus the half-ulp rounding of
//     math.cos; schedCosPi rounds only t/T (1.82·2^-53 at most, by the
//     same slope) and is within an ulp (2·2^-53). With the roundings of
//     1 + cos, the two cosine terms differ by up to about 10.6·2^-53,
//     which (base - Min)/2 scales to 2.65·2^-53·base = 1.3 eps·base;
//     each side's last few roundings add an ulp of the LR or so (at most
//     eps·base each). The measured maximum is 1.25 eps·base. Relative to
//     the LR itself the difference can be large near Min, where both
//     sides compute 1 + cos with cos near -1, so the bound is on base.
//   - Warmup and Sequential: the bound of the schedule whose turn done
//     is (0 for Warmup's linear ramp: LinearLR's closed form, in order).
//
// An LR one step off (done±1) moves by far more than these bounds in
// every case whose LR changes at all; TestSchedulePyTorchShifted checks it.
func schedTolerance(s Schedule, base float64, done int64, want float64) float64 {
	ulps, eps := 0.0, 0.0
	switch s := s.(type) {
	case ConstantFactor:
		ulps = 1
	case StepDecay, MultiStep, Exponential, Polynomial:
		ulps = 2
	case Cosine, OneCycle:
		eps = 4
	case Warmup:
		if done >= s.Steps && s.Then != nil {
			return schedTolerance(s.Then, base, done-s.Steps, want)
		}
	case Sequential:
		i, start := 0, int64(0)
		for i < len(s.Milestones) && s.Milestones[i] <= done {
			start = s.Milestones[i]
			i++
		}
		return schedTolerance(s.Schedules[i], base, done-start, want)
	}
	return ulps*schedULP(want) + eps*0x1p-52*math.Abs(base)
}

// schedULP is the spacing of float64 values at x.
func schedULP(x float64) float64 {
	x = math.Abs(x)
	return math.Nextafter(x, math.Inf(1)) - x
}

// schedLoadCases reads the JSON file.
func schedLoadCases(t *testing.T) []schedCase {
	t.Helper()
	b, err := os.ReadFile("testdata/pytorch_schedules.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []schedCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 40 {
		t.Fatalf("%d cases in the JSON file, want the full set", len(cases))
	}
	return cases
}

// schedDone is the done count of a case's i-th LR.
func (c *schedCase) done(i int) int64 {
	if c.Dones != nil {
		return c.Dones[i]
	}
	return int64(i)
}

// schedWorst compares LR(base, done+shift) with each of a case's LRs and
// returns the largest deviation in units of the tolerance (> 1 fails).
func (c *schedCase) worst(s Schedule, shift int64) (ratio float64, at int64) {
	for i, want := range c.LRs {
		d := c.done(i) + shift
		if d < 0 {
			continue
		}
		got := s.LR(c.Base, d)
		dev := math.Abs(got - want)
		tol := schedTolerance(s, c.Base, c.done(i), want)
		r := 0.0
		switch {
		case dev == 0:
		case tol == 0 || math.IsNaN(dev):
			r = math.Inf(1)
		default:
			r = dev / tol
		}
		if r > ratio || (r == ratio && i == 0) {
			ratio, at = r, d
		}
	}
	return ratio, at
}

func TestSchedulePyTorch(t *testing.T) {
	maxEps := map[string]float64{} // per type: the largest |got - want| in units of 2^-52·base
	maxULP := map[string]float64{} // and in ulps of want
	for _, c := range schedLoadCases(t) {
		s := c.Schedule.schedule(t)
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		for i, want := range c.LRs {
			got := s.LR(c.Base, c.done(i))
			dev := math.Abs(got - want)
			if tol := schedTolerance(s, c.Base, c.done(i), want); !(dev <= tol) {
				t.Errorf("%s: %v.LR(%v, %d) = %v, PyTorch %v: off by %.3g, tolerance %.3g",
					c.Name, s, c.Base, c.done(i), got, want, dev, tol)
			}
			typ := c.Schedule.Type
			maxEps[typ] = max(maxEps[typ], dev/(0x1p-52*c.Base))
			if want != 0 {
				maxULP[typ] = max(maxULP[typ], dev/schedULP(want))
			}
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(maxEps)) {
		t.Logf("%-14s max deviation %.3g eps·base, %.3g ulps of the LR", typ, maxEps[typ], maxULP[typ])
	}
}

// TestSchedulePyTorchShifted checks that the comparison above would catch
// an off-by-one: LR(base, done±1) must fail the tolerance in every case
// whose LR is not constant.
func TestSchedulePyTorchShifted(t *testing.T) {
	insensitive := map[string]bool{"constant": true, "polynomial_10_0": true} // constant LRs
	cases := schedLoadCases(t)
	caught := 0
	for _, c := range cases {
		s := c.Schedule.schedule(t)
		late, _ := c.worst(s, +1)
		early, _ := c.worst(s, -1)
		sensitive := late > 1 && early > 1
		if sensitive {
			caught++
		}
		if sensitive == insensitive[c.Name] {
			t.Errorf("%s: LR one step late is %.3g tolerances off, one step early %.3g: want > 1 unless the LR is constant",
				c.Name, late, early)
		}
	}
	if caught < len(cases)*9/10 {
		t.Errorf("an off-by-one is caught in %d of %d cases, want 90%%", caught, len(cases))
	}
	t.Logf("an off-by-one is caught in %d of %d cases", caught, len(cases))
}
