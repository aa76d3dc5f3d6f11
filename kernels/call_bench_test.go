package kernels

import "testing"

// BenchmarkCall measures what a call costs beyond its elements: steps on
// empty slices (validation, the per-step scalars, the overlap checks and
// dispatch), a 1K-element step, and a tensor list of 100 tiny tensors.
// The "new t" runs change the step number at every call, so that the
// per-step scalars are computed each time (a tensor-list step, or the
// first tensor of a training step); the "same t" runs repeat it, as the
// other tensors of a training step stepped one by one do, and find the
// scalars cached.
func BenchmarkCall(b *testing.B) {
	var e32 []float32
	adam, nadam, radam, sgd := DefaultAdam(), DefaultNAdam(), DefaultRAdam(), DefaultSGD()
	b.Run("Adam/empty/new-t", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			adam.Step32(i%1000+1, e32, e32, e32, e32, nil)
		}
	})
	b.Run("Adam/empty/same-t", func(b *testing.B) {
		for b.Loop() {
			adam.Step32(500, e32, e32, e32, e32, nil)
		}
	})
	scheds := make([]NAdamSchedule, 1000)
	for i := range scheds {
		scheds[i] = nadam.ScheduleAt(i + 1)
	}
	b.Run("NAdam/empty/new-t", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			nadam.Step32(scheds[i%1000], e32, e32, e32, e32)
		}
	})
	b.Run("NAdam/empty/same-t", func(b *testing.B) {
		for b.Loop() {
			nadam.Step32(scheds[499], e32, e32, e32, e32)
		}
	})
	b.Run("RAdam/empty/new-t", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			radam.Step32(i%1000+1, e32, e32, e32, e32)
		}
	})
	b.Run("RAdam/empty/same-t", func(b *testing.B) {
		for b.Loop() {
			radam.Step32(500, e32, e32, e32, e32)
		}
	})
	b.Run("SGD/empty", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			sgd.Step32(i%1000+1, e32, e32, nil)
		}
	})
	k := func() []float32 { return make([]float32, 1024) }
	p, g, m, v := k(), k(), k(), k()
	b.Run("Adam/1K/new-t", func(b *testing.B) {
		b.SetBytes(1024 * 4)
		for i := 0; b.Loop(); i++ {
			adam.Step32(i%1000+1, p, g, m, v, nil)
		}
	})
	b.Run("Adam/1K/same-t", func(b *testing.B) {
		b.SetBytes(1024 * 4)
		for b.Loop() {
			adam.Step32(500, p, g, m, v, nil)
		}
	})
	var e16 []BF16
	sr := Rounding{Stochastic: true, Seed: 1}
	b.Run("AdamBF16/empty/new-t", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			adam.StepBF16Grad(i%1000+1, sr, e16, e16, e16, e16)
		}
	})
	b.Run("AdamBF16/empty/same-t", func(b *testing.B) {
		for b.Loop() {
			adam.StepBF16Grad(500, sr, e16, e16, e16, e16)
		}
	})
	var ts []AdamTensor32
	for range 100 {
		t := func() []float32 { return make([]float32, 16) }
		ts = append(ts, AdamTensor32{t(), t(), t(), t(), nil})
	}
	serial := NewPool(1)
	b.Run("Adam/100x16", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			adam.StepTensors32(serial, i%1000+1, ts)
		}
	})
}
