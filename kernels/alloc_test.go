package kernels

import (
	"testing"
)

// TestStepDoesNotAllocate holds Step32 and Step64 to their documented
// promise, at every level and in every variant: an optimizer step runs
// once per parameter tensor per iteration, so one allocation would be
// millions per training run.
func TestStepDoesNotAllocate(t *testing.T) {
	const n = 100
	p32, g32, m32, v32, x32 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	p64, g64, m64, v64, x64 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, vr := range variants {
			a := variantOf(DefaultAdamW(), vr.coupled, vr.amsgrad)
			if allocs := testing.AllocsPerRun(20, func() { a.Step32(2, p32, g32, m32, v32, x32) }); allocs != 0 {
				t.Errorf("level %v, %s: Step32 allocates %v times per call", l, vr.name, allocs)
			}
			if allocs := testing.AllocsPerRun(20, func() { a.Step64(2, p64, g64, m64, v64, x64) }); allocs != 0 {
				t.Errorf("level %v, %s: Step64 allocates %v times per call", l, vr.name, allocs)
			}
		}
	}
}

// TestEmptyStep: zero elements is a valid call that does nothing, with
// nil or empty slices, and without AMSGrad vmax may be nil whatever the
// length.
func TestEmptyStep(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for _, vr := range variants {
			a := variantOf(DefaultAdam(), vr.coupled, vr.amsgrad)
			if err := a.Step32(1, nil, nil, nil, nil, nil); err != nil {
				t.Errorf("level %v, %s: Step32 on nil slices: %v", l, vr.name, err)
			}
			if err := a.Step64(1, []float64{}, []float64{}, []float64{}, []float64{}, []float64{}); err != nil {
				t.Errorf("level %v, %s: Step64 on empty slices: %v", l, vr.name, err)
			}
			if !vr.amsgrad {
				p := []float32{1, 2, 3}
				if err := a.Step32(1, p, []float32{1, 1, 1}, make([]float32, 3), make([]float32, 3), nil); err != nil {
					t.Errorf("level %v, %s: Step32 with nil vmax: %v", l, vr.name, err)
				}
				if p[0] == 1 {
					t.Errorf("level %v, %s: Step32 with nil vmax did not update param", l, vr.name)
				}
			}
		}
	}
}
