package kernels

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// badParam is an invalid hyperparameter setting and the field it must be
// blamed on.
type badParam struct {
	field string
	value float64
	set   func(*Adam)
}

// badParams puts every field of Adam outside its domain in every way the
// domain can be left: below, at or above a bound, NaN, infinite.
func badParams() []badParam {
	var out []badParam
	add := func(field string, ptr func(*Adam) *float64, values ...float64) {
		for _, v := range values {
			out = append(out, badParam{field, v, func(a *Adam) { *ptr(a) = v }})
		}
	}
	nan, inf := math.NaN(), math.Inf(1)
	add("LR", func(a *Adam) *float64 { return &a.LR }, -1e-3, nan, inf, -inf)
	add("Beta1", func(a *Adam) *float64 { return &a.Beta1 }, -0.1, 1, 1.5, nan, inf)
	add("Beta2", func(a *Adam) *float64 { return &a.Beta2 }, -0.1, 1, nan, -inf)
	add("Eps", func(a *Adam) *float64 { return &a.Eps }, 0, -1e-8, nan, inf)
	add("WeightDecay", func(a *Adam) *float64 { return &a.WeightDecay }, -0.01, nan, inf)
	add("GradScale", func(a *Adam) *float64 { return &a.GradScale }, -1, nan, inf)
	return out
}

// TestValidationErrors: a bad hyperparameter or step number makes every
// step method return a *ParamError naming the field and the value, at
// every level, and leaves every slice untouched (rejectTest), vmax given
// or nil without AMSGrad.
func TestValidationErrors(t *testing.T) {
	type bad = rejectBad[Adam, int]
	var cases []bad
	for _, b := range badParams() {
		a := DefaultAdam()
		b.set(&a)
		cases = append(cases, bad{b.field + "=" + strconv.FormatFloat(b.value, 'g', -1, 64), b.field, b.value, a, 1, false})
	}
	for _, step := range []int{0, -1} {
		cases = append(cases, bad{"t=" + strconv.Itoa(step), "t", float64(step), DefaultAdam(), step, false})
	}
	with := func(f func(*Adam)) Adam { a := DefaultAdam(); f(&a); return a }
	cases = append(cases,
		bad{"float32/Eps=1e-50", "Eps", 1e-50, with(func(a *Adam) { a.Eps = 1e-50 }), 1, true},
		bad{"float32/LR=1e300", "LR", 1e300, with(func(a *Adam) { a.LR = 1e300 }), 1, true},
		bad{"float32/GradScale=1e39", "GradScale", 1e39, with(func(a *Adam) { a.GradScale = 1e39 }), 1, true},
		bad{"float32/WeightDecay=1e39", "WeightDecay", 1e39, with(func(a *Adam) { a.WeightDecay = 1e39 }), 1, true},
	)
	rejectBoth(t, "Adam", adamSlots, cases, "amsgrad", func(a *Adam, ams bool) { a.AMSGrad = ams }, adamParCase)
}

// TestValidateAcceptsEdges: the closed ends of each domain are valid.
func TestValidateAcceptsEdges(t *testing.T) {
	a := Adam{LR: 0, Beta1: 0, Beta2: 0, Eps: math.SmallestNonzeroFloat64, WeightDecay: 0, GradScale: 0}
	if err := a.Validate(); err != nil {
		t.Errorf("%+v: %v", a, err)
	}
	for _, a := range []Adam{DefaultAdam(), DefaultAdamW()} {
		if err := a.Validate(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
}

// TestLengthMismatchPanics: a slice of the wrong length panics, naming the
// slice and both lengths, before anything is written; vmax is only checked
// with AMSGrad.
func TestLengthMismatchPanics(t *testing.T) {
	const n = 6
	for _, ams := range []bool{false, true} {
		a := DefaultAdam()
		a.AMSGrad = ams
		for slot := 1; slot < 5; slot++ {
			for _, bad := range []int{0, n - 1, n + 1} {
				in := randomInputs[float32](testbuf.NewRand(9), n, 0)
				got := in.clone()
				got[slot] = got[slot][:min(bad, n)]
				if bad > n {
					got[slot] = append(got[slot], 1)
				}
				msg := panicMessage(func() { a.Step32(1, got[0], got[1], got[2], got[3], got[4]) })
				if slot == 4 && !ams {
					if msg != "" {
						t.Errorf("without AMSGrad, len(vmax) = %d panicked: %s", bad, msg)
					}
					continue
				}
				want := "len(" + slotNames[slot] + ") = " + strconv.Itoa(bad) + ", want len(param) = " + strconv.Itoa(n)
				if !strings.Contains(msg, want) || !strings.Contains(msg, "Adam.Step32") {
					t.Errorf("amsgrad=%v, len(%s) = %d: panic %q, want it to contain %q", ams, slotNames[slot], bad, msg, want)
				}
				if testbuf.FirstDiff(got[0], in[0]) >= 0 {
					t.Errorf("amsgrad=%v, len(%s) = %d: param changed before the panic", ams, slotNames[slot], bad)
				}
				msg = panicMessage(func() {
					a.Step64(1, make([]float64, n), make([]float64, bad), make([]float64, n), make([]float64, n), make([]float64, n))
				})
				if !strings.Contains(msg, "Adam.Step64: len(grad) = "+strconv.Itoa(bad)) {
					t.Errorf("Step64 with len(grad) = %d: panic %q", bad, msg)
				}
			}
		}
	}
}

// panicMessage runs f and returns what it panicked with, or "".
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}
