package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// parMaxLen is the largest tensor the parallel tests use: several chunks
// and well above the threshold, but small under the race detector.
func parMaxLen() int {
	if parSmall() {
		return 100_000
	}
	return 300_000
}

// parSmall reports whether to keep the parallel tests small.
func parSmall() bool { return raceEnabled || testing.Short() }

// parBig is a tensor size of several chunks, smaller under -race.
func parBig() int {
	if parSmall() {
		return 100_000
	}
	return 1 << 20
}

// parSizes draws n tensor sizes: many tiny, some around the chunk and
// threshold sizes, a few large, and empty ones.
func parSizes(r *rand.Rand, n int) []int {
	sizes := make([]int, n)
	max := parMaxLen()
	for i := range sizes {
		switch r.IntN(6) {
		case 0:
			sizes[i] = 0
		case 1, 2:
			sizes[i] = r.IntN(200)
		case 3:
			sizes[i] = r.IntN(5000)
		default:
			sizes[i] = int(math.Exp(r.Float64() * math.Log(float64(max))))
		}
	}
	return sizes
}

// parTensors makes tensors of the given sizes with random values,
// including state from earlier steps, with or without vmax.
func parTensors[F float32 | float64](r *rand.Rand, sizes []int, amsgrad bool) [][5][]F {
	ts := make([][5][]F, len(sizes))
	for i, n := range sizes {
		for s := range 5 {
			if s == 4 && !amsgrad {
				continue
			}
			x := make([]F, n)
			for k := range x {
				switch s {
				case 0, 1: // param, grad
					x[k] = F(r.NormFloat64())
				case 2: // m
					x[k] = F(r.NormFloat64() * 0.1)
				default: // v, vmax
					x[k] = F(r.ExpFloat64() * 0.01)
				}
			}
			ts[i][s] = x
		}
	}
	return ts
}

func parClone[F float32 | float64](ts [][5][]F) [][5][]F {
	out := make([][5][]F, len(ts))
	for i, x := range ts {
		for s := range 5 {
			if x[s] != nil {
				out[i][s] = append([]F(nil), x[s]...)
			}
		}
	}
	return out
}

func parAs32(ts [][5][]float32) []AdamTensor32 {
	out := make([]AdamTensor32, len(ts))
	for i, x := range ts {
		out[i] = AdamTensor32{x[0], x[1], x[2], x[3], x[4]}
	}
	return out
}

// parSame reports the first element whose bits differ.
func parSame[F float32 | float64](got, want [][5][]F) string {
	for i := range want {
		for s := range 5 {
			for k := range want[i][s] {
				g, w := float64(got[i][s][k]), float64(want[i][s][k])
				if math.Float64bits(g) != math.Float64bits(w) && !(g != g && w != w) {
					return fmt.Sprintf("tensor %d (len %d) %s[%d] = %v, want %v",
						i, len(want[i][s]), [5]string{"param", "grad", "m", "v", "vmax"}[s], k, g, w)
				}
			}
		}
	}
	return ""
}

// parAdams covers the four kernel variants and the scalar options.
func parAdams() []Adam {
	coupled := DefaultAdam()
	coupled.WeightDecay = 0.01
	ams := DefaultAdamW()
	ams.AMSGrad = true
	both := coupled
	both.AMSGrad, both.Maximize, both.GradScale = true, true, 0.5
	return []Adam{DefaultAdam(), DefaultAdamW(), coupled, ams, both}
}

// adamSlots are Adam's slices: m as a mean of gradients, v and vmax as
// means of squares.
var adamSlots = []parSlot{{"param", -4, 3, false}, {"grad", -12, 2, false}, {"m", -12, 0, false},
	{"v", -24, 0, true}, {"vmax", -24, 0, true}}

// adamParCase is the Adam a over three steps, vmax left nil without
// AMSGrad.
func adamParCase(name string, a Adam) parCase[int] {
	c := parCase[int]{Name: name, Steps: []int{1, 2, 3},
		Ops32: parOps5(a.Step32, a.StepParallel32, a.StepTensors32),
		Ops64: parOps5(a.Step64, a.StepParallel64, a.StepTensors64)}
	if !a.AMSGrad {
		c.Nil = []int{4}
	}
	return c
}

// TestStepTensorsMatchesStep checks StepTensors and StepParallel against
// Step on each tensor, bit for bit, for random tensor lists on 1 to 8
// workers, over three consecutive steps.
func TestStepTensorsMatchesStep(t *testing.T) {
	adams := parAdams()
	if parSmall() {
		adams = []Adam{adams[0], adams[len(adams)-1]}
	}
	pt := parTest[int]{Seed: [2]uint64{7, 11}, Workers: [2][]int{{1, 2, 3, 4, 5, 6, 7, 8}, {1, 2, 8}},
		Lists: [2]int{40, 10}, Slots: adamSlots}
	for ai, a := range adams {
		pt.Cases = append(pt.Cases, adamParCase(fmt.Sprintf("adam=%d", ai), a))
	}
	pt.Run(t)
}

// TestStepTensorsGradAliasesParam: a tensor's Grad may be its Param, as
// in Step32.
func TestStepTensorsGradAliasesParam(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a := DefaultAdam()
	p := NewPool(4)
	defer p.Close()
	ref := parTensors[float32](r, []int{parMaxLen(), 100}, false)
	got := parClone(ref)
	for i := range ref {
		ref[i][1], got[i][1] = ref[i][0], got[i][0]
		a.Step32(1, ref[i][0], ref[i][1], ref[i][2], ref[i][3], nil)
	}
	a.StepTensors32(p, 1, parAs32(got))
	if d := parSame(got, ref); d != "" {
		t.Fatal(d)
	}
}

// TestStepTensorsLengthPanic: a mismatch anywhere in the list panics in
// the caller, naming the tensor and both lengths, before any tensor
// changes; so does StepParallel.
func TestStepTensorsLengthPanic(t *testing.T) {
	a := DefaultAdamW()
	a.AMSGrad = true
	parLengthPanic(t, "Adam", adamSlots, adamParCase("", a))
}

// TestStepTensorsErrors: empty tensors are no error. (Bad hyperparameters
// return Step's error from every step method and change nothing:
// TestValidationErrors.)
func TestStepTensorsErrors(t *testing.T) {
	if err := DefaultAdam().StepTensors64(nil, 1, []AdamTensor64{{}, {nil, nil, nil, nil, nil}}); err != nil {
		t.Errorf("empty tensors: %v", err)
	}
}

// TestStepTensorsConcurrentCallers steps several models on one pool at
// once, each matching its single-threaded result.
func TestStepTensorsConcurrentCallers(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	a := DefaultAdamW()
	const callers = 4
	var wg sync.WaitGroup
	errs := make([]string, callers)
	for c := range callers {
		r := rand.New(rand.NewPCG(uint64(c), 99))
		ref := parTensors[float32](r, parSizes(r, 12), false)
		got := parClone(ref)
		wg.Go(func() {
			for step := 1; step <= 5; step++ {
				for _, x := range ref {
					a.Step32(step, x[0], x[1], x[2], x[3], nil)
				}
				a.StepTensors32(p, step, parAs32(got))
				if x := got[0]; len(x[0]) > 0 {
					a.StepParallel32(nil, step, x[0], x[1], x[2], x[3], nil)
					a.Step32(step, ref[0][0], ref[0][1], ref[0][2], ref[0][3], nil)
				}
			}
			errs[c] = parSame(got, ref)
		})
	}
	wg.Wait()
	for c, d := range errs {
		if d != "" {
			t.Errorf("caller %d: %s", c, d)
		}
	}
}

// TestStepTensorsDoesNotAllocate: after warm-up, parallel steps allocate
// nothing, on the split path and on the caller-only path.
func TestStepTensorsDoesNotAllocate(t *testing.T) {
	a := DefaultAdam()
	a.AMSGrad = true
	parNoAlloc(t, adamSlots, adamParCase("", a))
}

// parPanicMsg runs f and returns its panic value as a string ("" if none).
func parPanicMsg(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
			if msg == "" {
				msg = "(empty panic)"
			}
		}
	}()
	f()
	return ""
}
