package optim

import "math"

// The cosines below are schedCosPi's, within an ulp of cos(πq), where
// PyTorch evaluates math.cos(math.pi * t / T), whose argument alone is up
// to three roundings off; the LRs agree with PyTorch's to a few ulps of
// base (schedule_pytorch_test.go states the bound).

// Cosine anneals the learning rate from base to Min along half a cosine
// over Steps steps, then holds Min:
//
//	LR = Min + (base - Min)·(1 + cos(π·done/Steps))/2   done <= Steps
//	LR = Min                                           done > Steps
//
// It is torch.optim.lr_scheduler.CosineAnnealingLR(optimizer,
// T_max=Steps, eta_min=Min), as its closed form computes it, up to step
// Steps. Past it PyTorch's LR rises again along the cosine, whose period
// is 2·T_max; Cosine holds Min instead, as Optax's cosine_decay_schedule
// does. Min is an LR, not a factor of base, as PyTorch's eta_min is.
//
// Steps must be > 0 and Min finite and >= 0. After a warm-up of W steps,
// a cosine that ends at step N is Warmup{Steps: W, Then: Cosine{Steps: N - W}}.
type Cosine struct {
	Steps int64   // the step count at which the LR reaches Min
	Min   float64 // the final LR
}

// LR returns Min + (base - Min)·(1 + cos(π·done/Steps))/2, or Min past Steps.
func (c Cosine) LR(base float64, done int64) float64 {
	switch {
	case done < 0 || c.Steps <= 0:
		return math.NaN()
	case done >= c.Steps: // at Steps the formula gives Min exactly
		return c.Min
	}
	cos := schedCosPi(float64(done) / float64(c.Steps))
	return c.Min + float64((base-c.Min)*(1+cos))/2
}

// Validate reports Steps <= 0 or a Min that is not finite and >= 0.
func (c Cosine) Validate() error {
	if err := schedCheckSteps("Cosine", "Steps", c.Steps); err != nil {
		return err
	}
	if !(c.Min >= 0 && c.Min <= math.MaxFloat64) {
		return schedError("Cosine", "Min", c.Min, "finite and >= 0")
	}
	return nil
}

// String returns e.g. "Cosine{Steps: 1000, Min: 1e-05}".
func (c Cosine) String() string { return schedFields("Cosine", "Steps", c.Steps, "Min", c.Min) }

// OneCycle is the one-cycle policy: the learning rate rises from
// base/DivFactor to base, then falls to base/DivFactor/FinalDivFactor,
// over Steps steps. base, the group's LR, is the peak.
//
// It is torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=base,
// total_steps=Steps, pct_start=PctStart, anneal_strategy='cos' (or
// 'linear' with Linear), cycle_momentum=False, div_factor=DivFactor,
// final_div_factor=FinalDivFactor, three_phase=ThreePhase), and follows
// its get_lr exactly: with P = float(PctStart·Steps), a = base/DivFactor
// and z = a/FinalDivFactor, the phases end at the (fractional) steps
//
//	two phases:   P-1 (a → base),  Steps-1 (base → z)
//	three phases: P-1 (a → base),  2P-2 (base → a),  Steps-1 (a → z)
//
// and step t of a phase from step s (0 for the first) to step e, going
// from x to y, has the LR
//
//	y + (x - y)/2·(1 + cos(π·(t-s)/(e-s)))   cosine
//	(y - x)·(t-s)/(e-s) + x                 Linear
//
// where t belongs to the first phase whose end is >= t (the last phase
// takes the rest). Zero PctStart,
// DivFactor and FinalDivFactor mean PyTorch's defaults 0.3, 25 and 1e4.
//
// The last phase ends at done = Steps-1, with the LR z (to rounding,
// with Linear); OneCycle holds that LR from there on, where PyTorch
// extrapolates the last phase for done = Steps and raises an error past
// it. Validate rejects what would make a phase empty and its fraction
// 0/0: it needs P > 1, and the last phase to end after the one before it
// (PctStart < 1 with two phases, 2·PctStart·Steps < Steps+1 with three).
type OneCycle struct {
	Steps          int64   // the length of the cycle
	PctStart       float64 // the fraction of Steps spent rising; 0 means 0.3
	DivFactor      float64 // base over the starting LR; 0 means 25
	FinalDivFactor float64 // the starting LR over the final one; 0 means 1e4
	ThreePhase     bool    // fall back to the starting LR before the final fall
	Linear         bool    // anneal linearly instead of along a cosine
}

// LR returns the one-cycle LR of step done (see OneCycle).
func (o OneCycle) LR(base float64, done int64) float64 {
	if done < 0 || o.Steps <= 0 {
		return math.NaN()
	}
	pct, div, finalDiv := o.factors()
	low := base / div       // PyTorch's initial_lr
	final := low / finalDiv // min_lr
	ends := o.ends(pct)
	t := float64(min(done, o.Steps-1))

	// The phases, as PyTorch's _schedule_phases lists them.
	from, to := [3]float64{low, base, low}, [3]float64{base, low, final}
	if !o.ThreePhase {
		to[0], from[1], to[1] = base, base, final
	}
	last := 1
	if o.ThreePhase {
		last = 2
	}
	start := 0.0
	i := 0
	for i < last && !(t <= ends[i]) {
		start = ends[i]
		i++
	}
	frac := (t - start) / (ends[i] - start)
	x, y := from[i], to[i]
	if o.Linear {
		return float64((y-x)*frac) + x
	}
	return y + float64((x-y)/2*(schedCosPi(frac)+1))
}

// factors returns PctStart, DivFactor and FinalDivFactor with the zero
// value's defaults applied.
func (o OneCycle) factors() (pct, div, finalDiv float64) {
	pct, div, finalDiv = o.PctStart, o.DivFactor, o.FinalDivFactor
	if pct == 0 {
		pct = 0.3
	}
	if div == 0 {
		div = 25
	}
	if finalDiv == 0 {
		finalDiv = 1e4
	}
	return pct, div, finalDiv
}

// ends returns the end steps of the phases, in PyTorch's arithmetic:
// float(pct_start * total_steps) - 1, float(2 * pct_start * total_steps)
// - 2 (three phases only) and total_steps - 1.
func (o OneCycle) ends(pct float64) [3]float64 {
	n := float64(o.Steps)
	e1 := float64(pct*n) - 1
	last := float64(o.Steps - 1)
	if !o.ThreePhase {
		return [3]float64{e1, last, last}
	}
	return [3]float64{e1, float64(2*pct*n) - 2, last}
}

// Validate reports Steps <= 0, a PctStart outside (0, 1), a DivFactor or
// FinalDivFactor that is negative or not finite, or a PctStart that
// leaves a phase empty.
func (o OneCycle) Validate() error {
	const typ = "OneCycle"
	if err := schedCheckSteps(typ, "Steps", o.Steps); err != nil {
		return err
	}
	pct, _, _ := o.factors()
	if !(pct > 0 && pct < 1) {
		return schedError(typ, "PctStart", o.PctStart, "in (0, 1) (0 means 0.3)")
	}
	if d := o.DivFactor; !(d >= 0 && d <= math.MaxFloat64) {
		return schedError(typ, "DivFactor", d, "finite and > 0 (0 means 25)")
	}
	if d := o.FinalDivFactor; !(d >= 0 && d <= math.MaxFloat64) {
		return schedError(typ, "FinalDivFactor", d, "finite and > 0 (0 means 1e4)")
	}
	// The second of three phases ends at exactly twice the first's end
	// (doubling is exact), so it is empty only if the first one is.
	ends := o.ends(pct)
	if !(ends[0] > 0) {
		return schedError(typ, "PctStart", pct, "such that PctStart·Steps > 1 (a step to rise over)")
	}
	if o.ThreePhase && !(ends[2] > ends[1]) {
		return schedError(typ, "PctStart", pct, "such that 2·PctStart·Steps < Steps+1 (a step for the final fall)")
	}
	if !(ends[2] > ends[0]) {
		return schedError(typ, "PctStart", pct, "such that PctStart·Steps < Steps (a step to fall over)")
	}
	return nil
}

// String returns e.g. "OneCycle{Steps: 1000, PctStart: 0, DivFactor: 0,
// FinalDivFactor: 0, ThreePhase: false, Linear: false}" (zeros for the
// defaults, as set).
func (o OneCycle) String() string {
	return schedFields("OneCycle", "Steps", o.Steps, "PctStart", o.PctStart, "DivFactor", o.DivFactor,
		"FinalDivFactor", o.FinalDivFactor, "ThreePhase", o.ThreePhase, "Linear", o.Linear)
}
