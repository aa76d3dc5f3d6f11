package kernels

import (
	"testing"
)

// TestFloat32Rules checks the rules that every optimizer's float32 steps
// apply alike to the values float32 cannot carry: a GradScale that is not
// 0 but rounds to 0 in float32 (it would multiply an Inf gradient into
// NaN) and an Eps that rounds to 0 or overflows to +Inf (the parameters
// would never move) are *ParamErrors of Step32, while Step64 accepts both.
func TestFloat32Rules(t *testing.T) {
	p, g := []float32{1, 2}, []float32{0.5, -0.5}
	s := func() []float32 { return make([]float32, 2) }
	p64, g64 := []float64{1, 2}, []float64{0.5, -0.5}
	s64 := func() []float64 { return make([]float64, 2) }
	type rule struct {
		opt, field string
		value      float64
		step32     func() error
		step64     func() error
	}
	var rules []rule
	add := func(opt, field string, value float64, step32, step64 func() error) {
		rules = append(rules, rule{opt, field, value, step32, step64})
	}
	const tiny, huge = 1e-46, 1e300
	for _, v := range []float64{tiny} {
		a := DefaultAdam()
		a.GradScale = v
		add("Adam", "GradScale", v, func() error { return a.Step32(1, p, g, s(), s(), nil) }, func() error { return a.Step64(1, p64, g64, s64(), s64(), nil) })
		sg := DefaultSGD()
		sg.GradScale = v
		add("SGD", "GradScale", v, func() error { return sg.Step32(1, p, g, nil) }, func() error { return sg.Step64(1, p64, g64, nil) })
		ag := DefaultAdagrad()
		ag.GradScale = v
		add("Adagrad", "GradScale", v, func() error { return ag.Step32(1, p, g, s()) }, func() error { return ag.Step64(1, p64, g64, s64()) })
		r := DefaultRMSprop()
		r.GradScale = v
		add("RMSprop", "GradScale", v, func() error { return r.Step32(1, p, g, s(), nil, nil) }, func() error { return r.Step64(1, p64, g64, s64(), nil, nil) })
		ad := DefaultAdadelta()
		ad.GradScale = v
		add("Adadelta", "GradScale", v, func() error { return ad.Step32(1, p, g, s(), s()) }, func() error { return ad.Step64(1, p64, g64, s64(), s64()) })
		am := DefaultAdamax()
		am.GradScale = v
		add("Adamax", "GradScale", v, func() error { return am.Step32(1, p, g, s(), s()) }, func() error { return am.Step64(1, p64, g64, s64(), s64()) })
		n := DefaultNAdam()
		n.GradScale = v
		add("NAdam", "GradScale", v, func() error { return n.Step32(n.ScheduleAt(1), p, g, s(), s()) }, func() error { return n.Step64(n.ScheduleAt(1), p64, g64, s64(), s64()) })
		ra := DefaultRAdam()
		ra.GradScale = v
		add("RAdam", "GradScale", v, func() error { return ra.Step32(1, p, g, s(), s()) }, func() error { return ra.Step64(1, p64, g64, s64(), s64()) })
		l := DefaultLion()
		l.GradScale = v
		add("Lion", "GradScale", v, func() error { return l.Step32(p, g, s()) }, func() error { return l.Step64(p64, g64, s64()) })
	}
	for _, v := range []float64{tiny, huge} {
		a := DefaultAdam()
		a.Eps = v
		add("Adam", "Eps", v, func() error { return a.Step32(1, p, g, s(), s(), nil) }, func() error { return a.Step64(1, p64, g64, s64(), s64(), nil) })
		ag := DefaultAdagrad()
		ag.Eps = v
		add("Adagrad", "Eps", v, func() error { return ag.Step32(1, p, g, s()) }, func() error { return ag.Step64(1, p64, g64, s64()) })
		r := DefaultRMSprop()
		r.Eps = v
		add("RMSprop", "Eps", v, func() error { return r.Step32(1, p, g, s(), nil, nil) }, func() error { return r.Step64(1, p64, g64, s64(), nil, nil) })
		ad := DefaultAdadelta()
		ad.Eps = v
		add("Adadelta", "Eps", v, func() error { return ad.Step32(1, p, g, s(), s()) }, func() error { return ad.Step64(1, p64, g64, s64(), s64()) })
		am := DefaultAdamax()
		am.Eps = v
		add("Adamax", "Eps", v, func() error { return am.Step32(1, p, g, s(), s()) }, func() error { return am.Step64(1, p64, g64, s64(), s64()) })
		n := DefaultNAdam()
		n.Eps = v
		add("NAdam", "Eps", v, func() error { return n.Step32(n.ScheduleAt(1), p, g, s(), s()) }, func() error { return n.Step64(n.ScheduleAt(1), p64, g64, s64(), s64()) })
		ra := DefaultRAdam()
		ra.Eps = v
		add("RAdam", "Eps", v, func() error { return ra.Step32(1, p, g, s(), s()) }, func() error { return ra.Step64(1, p64, g64, s64(), s64()) })
	}
	for _, r := range rules {
		before := append([]float32(nil), p...)
		op := r.opt + ".Step32 with " + r.field
		wantParamError(t, op, r.opt, r.field, r.value, r.step32())
		if p[0] != before[0] || p[1] != before[1] {
			t.Errorf("%s changed the parameters", op)
		}
		if err := r.step64(); err != nil {
			t.Errorf("%s.Step64 with %s = %g: %v", r.opt, r.field, r.value, err)
		}
	}
}
