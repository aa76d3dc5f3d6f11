package kernels

import (
	"fmt"
	"math"
	"testing"
)

// The LAMB and LARS cases of the shared parallel and validation harnesses
// (parallel_harness_test.go, reject_harness_test.go).

var (
	lambParSlots = []parSlot{{"param", -6, 2, false}, {"grad", -14, 1, false}, {"m", -14, -2, false}, {"v", -28, -4, true}}
	larsParSlots = []parSlot{{"param", -6, 2, false}, {"grad", -14, 1, false}, {"buf", -12, -4, false}}
)

func lambParCase(name string, o LAMB) parCase[int] {
	return parCase[int]{Name: name, Steps: []int{1, 2, 3},
		Ops32: parOps4(o.Step32, o.StepParallel32, o.StepTensors32),
		Ops64: parOps4(o.Step64, o.StepParallel64, o.StepTensors64)}
}

func larsParCase(name string, o LARS) parCase[int] {
	return parCase[int]{Name: name, Steps: []int{1, 2, 3},
		Ops32: parOps3(o.Step32, o.StepParallel32, o.StepTensors32),
		Ops64: parOps3(o.Step64, o.StepParallel64, o.StepTensors64)}
}

// trustTensorLens is a tensor list for the parallel tests: tensors of
// several NormChunk chunks with partial last chunks, small ones packed
// between them, and an empty one, over 256 KiB in all so that the pool
// splits them, reduction chunks and all.
var trustTensorLens = []int{3*NormChunk + 1001, 17, 0, NormChunk, 5000, 2*NormChunk - 3, 1, 700}

// TestTrustStepTensorsMatchesStep: StepTensors and StepParallel give
// Step's bits, trust ratios included, on pools of 1 to 7 workers, on
// random tensor lists and on one that crosses NormChunk boundaries.
func TestTrustStepTensorsMatchesStep(t *testing.T) {
	for i, sizes := range [][]int{nil, trustTensorLens} {
		lamb := parTest[int]{Seed: [2]uint64{31, uint64(i)}, Workers: [2][]int{{1, 2, 3, 7}, {1, 3}}, Lists: [2]int{8, 4},
			Sizes: sizes, Slots: lambParSlots}
		lars := parTest[int]{Seed: [2]uint64{37, uint64(i)}, Workers: [2][]int{{1, 2, 3, 7}, {1, 3}}, Lists: [2]int{8, 4},
			Sizes: sizes, Slots: larsParSlots}
		for _, c := range trustCases() {
			if c.lamb != nil {
				lamb.Cases = append(lamb.Cases, lambParCase(c.name, *c.lamb))
			} else {
				lars.Cases = append(lars.Cases, larsParCase(c.name, *c.lars))
			}
		}
		lamb.Run(t)
		lars.Run(t)
	}
}

// TestTrustStepTensorsLengthPanic: a mismatch anywhere in the list panics
// in the caller, naming the tensor and both lengths, before any tensor
// changes; so does StepParallel.
func TestTrustStepTensorsLengthPanic(t *testing.T) {
	parLengthPanic(t, "LAMB", lambParSlots, lambParCase("", DefaultLAMB()))
	parLengthPanic(t, "LARS", larsParSlots, larsParCase("", DefaultLARS()))
}

// TestTrustDoesNotAllocate: after warm-up, Step and the parallel steps
// allocate nothing, split or not, at every level.
func TestTrustDoesNotAllocate(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, c := range trustCases() {
			var pc parCase[int]
			slots := larsParSlots
			if c.lamb != nil {
				pc, slots = lambParCase(c.name, *c.lamb), lambParSlots
			} else {
				pc = larsParCase(c.name, *c.lars)
			}
			parNoAlloc(t, slots, pc)
			x32 := parRandom[float32](slots, nil, []int{NormChunk + 100}, 1)[0]
			x64 := parRandom[float64](slots, nil, []int{NormChunk + 100}, 1)[0]
			if n := testing.AllocsPerRun(20, func() { pc.Ops32.Step(2, x32) }); n != 0 {
				t.Errorf("%v %s: Step32 allocates %v times per call", l, c.name, n)
			}
			if n := testing.AllocsPerRun(20, func() { pc.Ops64.Step(2, x64) }); n != 0 {
				t.Errorf("%v %s: Step64 allocates %v times per call", l, c.name, n)
			}
		}
	}
}

// TestLAMBValidationErrors and TestLARSValidationErrors: every bad
// hyperparameter and step number makes every step method return a
// *ParamError naming the field and the value, at every level, and leaves
// every slice untouched; what only float32 cannot carry fails the
// float32 methods alone.
func TestLAMBValidationErrors(t *testing.T) {
	rt := rejectTest[int]{Opt: "LAMB", Slots: lambParSlots}
	add := func(field string, value float64, o LAMB, step int, only32 bool) {
		rt.Add(lambParCase(fmt.Sprintf("%s=%v/t=%d", field, value, step), o), step, field, value, only32)
	}
	nan, inf := math.NaN(), math.Inf(1)
	for _, v := range []float64{-1, nan, inf} {
		for field, set := range map[string]func(o *LAMB){
			"LR": func(o *LAMB) { o.LR = v }, "WeightDecay": func(o *LAMB) { o.WeightDecay = v },
			"GradScale": func(o *LAMB) { o.GradScale = v }, "Eps": func(o *LAMB) { o.Eps = v },
			"Beta1": func(o *LAMB) { o.Beta1 = v }, "Beta2": func(o *LAMB) { o.Beta2 = v },
		} {
			o := DefaultLAMB()
			set(&o)
			add(field, v, o, 1, false)
		}
	}
	for _, v := range []float64{1, 1.5} {
		add("Beta1", v, LAMB{LR: 1, Beta1: v, Beta2: 0.9, Eps: 1}, 2, false)
		add("Beta2", v, LAMB{LR: 1, Beta1: 0.9, Beta2: v, Eps: 1}, 2, false)
	}
	add("Eps", 0, LAMB{LR: 1, Beta1: 0.9, Beta2: 0.9}, 1, false)
	for _, step := range []int{0, -1, math.MinInt} {
		add("t", float64(step), DefaultLAMB(), step, false)
	}
	add("LR", 1e39, LAMB{LR: 1e39, Eps: 1}, 1, true)
	add("Eps", 1e-50, LAMB{LR: 1, Eps: 1e-50}, 1, true)
	add("GradScale", 1e300, LAMB{LR: 1, Eps: 1, GradScale: 1e300}, 1, true)
	add("WeightDecay", 1e39, LAMB{LR: 1, Eps: 1, WeightDecay: 1e39}, 1, true)
	rt.Run(t)
}

func TestLARSValidationErrors(t *testing.T) {
	rt := rejectTest[int]{Opt: "LARS", Slots: larsParSlots}
	add := func(field string, value float64, o LARS, step int, only32 bool) {
		rt.Add(larsParCase(fmt.Sprintf("%s=%v/t=%d", field, value, step), o), step, field, value, only32)
	}
	nan, inf := math.NaN(), math.Inf(1)
	for _, v := range []float64{-1, nan, inf} {
		for field, set := range map[string]func(o *LARS){
			"LR": func(o *LARS) { o.LR = v }, "WeightDecay": func(o *LARS) { o.WeightDecay = v },
			"GradScale": func(o *LARS) { o.GradScale = v }, "Eps": func(o *LARS) { o.Eps = v },
			"TrustCoefficient": func(o *LARS) { o.TrustCoefficient = v }, "Momentum": func(o *LARS) { o.Momentum = v },
		} {
			o := DefaultLARS()
			set(&o)
			add(field, v, o, 1, false)
		}
	}
	for _, step := range []int{0, -1, math.MinInt} {
		add("t", float64(step), DefaultLARS(), step, false)
	}
	add("LR", 1e39, LARS{LR: 1e39}, 1, true)
	add("GradScale", 1e300, LARS{LR: 1, GradScale: 1e300}, 1, true)
	add("WeightDecay", 1e39, LARS{LR: 1, WeightDecay: 1e39}, 1, true)
	add("Momentum", 1e39, LARS{LR: 1, Momentum: 1e39}, 2, true)
	rt.Run(t)
}

// TestTrustValidateAcceptsEdges: the closed ends of each domain are valid.
func TestTrustValidateAcceptsEdges(t *testing.T) {
	x := []float32{1}
	for _, o := range []LAMB{DefaultLAMB(), {Eps: math.SmallestNonzeroFloat32}, {LR: math.MaxFloat32, Beta1: 0.999999, Beta2: 0.999999, Eps: math.MaxFloat32, WeightDecay: math.MaxFloat32, GradScale: math.MaxFloat32}} {
		if err := o.Step32(1, x, []float32{1}, []float32{0}, []float32{0}); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, o := range []LARS{DefaultLARS(), {}, {LR: math.MaxFloat32, Momentum: math.MaxFloat32, WeightDecay: math.MaxFloat32, GradScale: math.MaxFloat32, TrustCoefficient: 1e300, Eps: 1e300}} {
		if err := o.Step32(1, x, []float32{1}, []float32{0}); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
}
