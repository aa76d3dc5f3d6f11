package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// Lion is Optax's lion (Chen et al., "Symbolic Discovery of Optimization
// Algorithms") for one element, with decoupled weight decay:
//
//	g     = grad*gscale
//	c     = b1*m + (1-b1)*g
//	param = param - (lr*sign(c) + lrwd*param)   lrwd = lr*weight_decay
//	m     = b2*m + (1-b2)*g
//
// The decay joins the update before the one subtraction, as in Optax's
// param - lr*(sign(c) + weight_decay*param): a factor 1 - lr*wd rounded
// to float32 would quantize the decay rate to multiples of 2^-24.
func Lion() []*Kernel {
	b := NewBuilder("lion", nil, streams("param", "grad", "m"), lionScalars())
	lionBody(b, nil, b.Store)
	return []*Kernel{b.Kernel()}
}

func lionScalars() []Scalar {
	return []Scalar{
		{Name: "gscale", Doc: "gradient scale, negated when maximizing"},
		{Name: "b1", Doc: "beta1, the interpolation of the update"},
		{Name: "omb1", Doc: "1 - beta1"},
		{Name: "b2", Doc: "beta2, the decay of the momentum"},
		{Name: "omb2", Doc: "1 - beta2"},
		{Name: "lr", Doc: "learning rate"},
		{Name: "lrwd", Doc: "lr * weight_decay"},
	}
}

// lionBody is Lion's update, storing each new value with store (bfloat16
// variants round there); Lion has no options, so on is unused. (The step
// is named upd: the bfloat16 stores' rounding takes the name u.)
func lionBody(b *Builder, _ map[string]bool, store func(stream string, x *Expr)) {
	g := scaledGrad(b, false)
	c := b.Let("c", ema(b, "b1", "omb1", b.Load("m"), g), "interpolated update direction")
	u := b.Let("upd", Add(Mul(b.Scalar("lr"), Sign(c)), Mul(b.Scalar("lrwd"), b.Load("param"))),
		"the step: lr*sign(c) plus the decoupled decay")
	store("param", Sub(b.Load("param"), u))
	store("m", ema(b, "b2", "omb2", b.Load("m"), g))
}
