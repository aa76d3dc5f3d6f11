package kernels

// The names of each optimizer's slices, in the order of its Step
// arguments, for the messages of the overlap checks (see overlap.go).
var (
	adamArgs     = argNames{"param", "grad", "m", "v", "vmax"}
	sgdArgs      = argNames{"param", "grad", "buf"}
	adagradArgs  = argNames{"param", "grad", "sum"}
	rmspropArgs  = argNames{"param", "grad", "sq", "gavg", "buf"}
	adadeltaArgs = argNames{"param", "grad", "sq", "acc"}
	adamaxArgs   = argNames{"param", "grad", "m", "u"}
	nadamArgs    = argNames{"param", "grad", "m", "v"}
	radamArgs    = argNames{"param", "grad", "m", "v"}
	lionArgs     = argNames{"param", "grad", "m"}
)

// skip marks the slices Adam's steps leave unread: vmax without AMSGrad.
func (o Adam) skip() uint8 {
	if o.AMSGrad {
		return 0
	}
	return 1 << 4
}

// skip marks the slices SGD's steps leave unread: buf without momentum.
func (o SGD) skip() uint8 {
	if o.mode() != 0 {
		return 0
	}
	return 1 << 2
}

// skip marks the slices RMSprop's steps leave unread: gavg unless
// Centered, buf without momentum.
func (o RMSprop) skip() uint8 {
	var s uint8
	if !o.Centered {
		s |= 1 << 3
	}
	if !(o.Momentum > 0) {
		s |= 1 << 4
	}
	return s
}
