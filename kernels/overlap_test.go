package kernels

import (
	"strings"
	"testing"
)

// mustPanic runs f and fails t unless it panics with a message holding
// every fragment.
func mustPanic(t *testing.T, what string, f func(), fragments ...string) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		msg, _ := r.(string)
		if r == nil {
			t.Errorf("%s: no panic", what)
			return
		}
		for _, frag := range fragments {
			if !strings.Contains(msg, frag) {
				t.Errorf("%s: panic %q does not mention %q", what, msg, frag)
			}
		}
	}()
	f()
}

// TestOverlapPanics checks that steps refuse slices that share memory,
// which would give results that differ by level and worker count, and
// that the allowed cases still run: grad being param itself, and an
// optional slice the hyperparameters leave unused.
func TestOverlapPanics(t *testing.T) {
	const n = 100
	buf := make([]float32, 4*n)
	param, grad, m, v := buf[:n], buf[n:2*n], buf[2*n:3*n], buf[3*n:]
	a := DefaultAdam()
	mustPanic(t, "m is v", func() { a.Step32(1, param, grad, m, m, nil) }, "Adam.Step32", "m and v share memory")
	mustPanic(t, "param is m shifted by one", func() { a.Step32(1, buf[2*n+1:3*n+1], grad, m, v, nil) }, "param and m")
	mustPanic(t, "grad is param shifted", func() { a.Step32(1, param, buf[1:n+1], m, v, nil) }, "param and grad")
	mustPanic(t, "StepParallel32", func() { a.StepParallel32(nil, 1, param, grad, m, m, nil) }, "Adam.StepParallel32", "m and v")
	amsgrad := a
	amsgrad.AMSGrad = true
	mustPanic(t, "vmax is v with AMSGrad", func() { amsgrad.Step32(1, param, grad, m, v, v) }, "v and vmax")
	if err := a.Step32(1, param, param, m, v, v); err != nil {
		t.Errorf("grad is param, and vmax (unused without AMSGrad) is v: %v", err)
	}
	ts := []AdamTensor32{{param, grad, m, v, nil}, {param, grad, m, v, nil}}
	mustPanic(t, "a tensor listed twice", func() { a.StepTensors32(nil, 1, ts) }, "Adam.StepTensors32", "tensors 0 and 1")
	other := make([]float32, 3*n)
	ts = []AdamTensor32{{other[:n], other[:n], other[n : 2*n], other[2*n:], nil}, {param, grad, m, v, nil}, {param[1:], grad[1:], m[1:], v[1:], nil}}
	mustPanic(t, "two views of one array", func() { a.StepTensors32(nil, 1, ts) }, "tensors 1 and 2")
	ts[2] = AdamTensor32{m, m, v, v, nil}
	mustPanic(t, "overlap inside the third tensor", func() { a.StepTensors32(nil, 1, ts) }, "tensor 2", "m and v")

	// Every optimizer refuses state that overlaps its parameter, in its
	// single-tensor and tensor-list steps.
	f64 := make([]float64, 4*n)
	p64, g64, s64 := f64[:n], f64[n:2*n], f64[2*n:3*n]
	sh := buf[2*n+1 : 3*n+1] // overlaps m
	sh64 := f64[2*n+1 : 3*n+1]
	mom := DefaultSGD()
	mom.Momentum = 0.9
	cases := map[string]func(){
		"Adam.Step64":     func() { DefaultAdam().Step64(1, sh64, g64, s64, f64[3*n:], nil) },
		"SGD.Step32":      func() { mom.Step32(1, sh, grad, m) },
		"Adagrad.Step32":  func() { DefaultAdagrad().Step32(1, sh, grad, m) },
		"RMSprop.Step32":  func() { DefaultRMSprop().Step32(1, sh, grad, m, nil, nil) },
		"Adadelta.Step32": func() { DefaultAdadelta().Step32(1, sh, grad, m, v) },
		"Adamax.Step32":   func() { DefaultAdamax().Step32(1, sh, grad, m, v) },
		"NAdam.Step32":    func() { DefaultNAdam().Step32(DefaultNAdam().ScheduleAt(1), sh, grad, m, v) },
		"RAdam.Step32":    func() { DefaultRAdam().Step32(1, sh, grad, m, v) },
		"Lion.Step32":     func() { DefaultLion().Step32(sh, grad, m) },
		"Lion.StepTensors64": func() {
			DefaultLion().StepTensors64(nil, []LionTensor64{{p64, g64, s64}, {p64, g64, s64}})
		},
		"SGD.StepTensors32": func() {
			mom.StepTensors32(nil, 1, []SGDTensor32{{param, grad, m}, {param, grad, m}})
		},
	}
	for op, f := range cases {
		mustPanic(t, op, f, op, "share memory")
	}
	// SGD without momentum reads no buffer: any slice may stand there.
	if err := DefaultSGD().Step32(1, param, grad, param); err != nil {
		t.Errorf("SGD without momentum, buf = param: %v", err)
	}
}

// TestOverlapChecksDoNotAllocate: the checks run on every step, which must
// stay free of allocations, also where the Params are not in address
// order and the tensor-list check sorts them.
func TestOverlapChecksDoNotAllocate(t *testing.T) {
	const n = 64
	a := DefaultAdam()
	var ts []AdamTensor32
	for range 20 {
		ts = append(ts, AdamTensor32{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), nil})
	}
	for i, j := 0, len(ts)-1; i < j; i, j = i+1, j-1 {
		ts[i], ts[j] = ts[j], ts[i] // descending addresses, most likely
	}
	serial := NewPool(1)
	a.StepTensors32(serial, 1, ts)
	if allocs := testing.AllocsPerRun(50, func() { a.StepTensors32(serial, 1, ts) }); allocs != 0 {
		t.Errorf("StepTensors32 allocates %v times per call", allocs)
	}
}
