package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// LAMB is optax.lamb (You et al., "Large Batch Optimization for Deep
// Learning", 2019) in two passes over a tensor. Per element:
//
//	g     = grad*gscale
//	m     = b1*m + (1-b1)*g
//	v     = b2*v + (1-b2)*(g*g)
//	u     = (m*ibc1) / (sqrt(v)*ibc2 + eps) + wd*param
//	param = param - step*u                 (step = lr * trust ratio)
//
// The first pass (Moments) stores m and v and sums u² and param²; package
// kernels turns the two sums into the trust ratio ‖param‖/‖u‖ and step.
// The second (Apply) computes u again from the stored m and v, the same
// operations on the same float32 values, so the same bits, and applies it.
func LAMB() []*Fused {
	scalars := []Scalar{
		{Name: "gscale", Doc: "gradient scale, negated when maximizing"},
		{Name: "b1", Doc: "beta1"},
		{Name: "omb1", Doc: "1 - beta1"},
		{Name: "b2", Doc: "beta2"},
		{Name: "omb2", Doc: "1 - beta2"},
		{Name: "ibc1", Doc: "1 / (1 - beta1^t)"},
		{Name: "ibc2", Doc: "1 / sqrt(1 - beta2^t)"},
		{Name: "eps", Doc: "epsilon, added outside the square root"},
		{Name: "wd", Doc: "weight decay, added to the update"},
		{Name: "step", Doc: "lr times the trust ratio (Apply only)"},
	}
	update := func(b *Builder, m, v *Expr) *Expr {
		denom := b.Let("denom", Add(Mul(Sqrt(v), b.Scalar("ibc2")), b.Scalar("eps")),
			"sqrt(v / (1 - beta2^t)) + eps")
		return b.Let("u", Add(Div(Mul(m, b.Scalar("ibc1")), denom), Mul(b.Scalar("wd"), b.Load("param"))),
			"the Adam update plus the weight decay")
	}

	mb := NewBuilder("lamb", []string{"Moments"}, []Stream{
		{Name: "param"}, {Name: "grad"}, {Name: "m", Written: true}, {Name: "v", Written: true},
	}, scalars)
	g := mb.Let("g", Mul(mb.Load("grad"), mb.Scalar("gscale")), "scaled gradient (negative when maximizing)")
	m := mb.Let("mt", ema(mb, "b1", "omb1", mb.Load("m"), g), "first moment")
	mb.Store("m", m)
	v := mb.Let("vt", ema(mb, "b2", "omb2", mb.Load("v"), Mul(g, g)), "second moment")
	mb.Store("v", v)
	update(mb, m, v)
	mb.Let("p", mb.Load("param"), "the parameter, for its norm")
	moments := NewFused(mb.Kernel(), "LAMB moments and norms", "u", "p")

	ab := NewBuilder("lamb", []string{"Apply"}, []Stream{
		{Name: "param", Written: true}, {Name: "m"}, {Name: "v"},
	}, scalars)
	u := update(ab, ab.Load("m"), ab.Load("v"))
	ab.Store("param", Sub(ab.Load("param"), Mul(ab.Scalar("step"), u)))
	apply := NewFused(ab.Kernel(), "LAMB apply")
	return []*Fused{moments, apply}
}

// LARS is optax.lars (You et al., "Large Batch Training of Convolutional
// Networks", 2017) in two passes over a tensor. Per element:
//
//	u     = grad*gscale + wd*param
//	buf   = u*nlr + mom*buf               (nlr = -lr * trust ratio)
//	param = param + buf                   (Nesterov: + (u*nlr + mom*buf))
//
// The first pass (Norms) only sums u² and param²; package kernels turns
// them into the trust ratio tc*‖param‖/(‖u‖+eps). The second applies the
// momentum step, computing u again with the same operations.
func LARS() []*Fused {
	scalars := []Scalar{
		{Name: "gscale", Doc: "gradient scale, negated when maximizing"},
		{Name: "wd", Doc: "weight decay, added to the gradient"},
		{Name: "nlr", Doc: "-lr times the trust ratio (Apply only)"},
		{Name: "mom", Doc: "momentum (Apply only)"},
	}
	decayed := func(b *Builder) *Expr {
		return b.Let("u", Add(Mul(b.Load("grad"), b.Scalar("gscale")), Mul(b.Scalar("wd"), b.Load("param"))),
			"scaled gradient plus weight decay")
	}
	nb := NewBuilder("lars", []string{"Norms"}, []Stream{{Name: "param"}, {Name: "grad"}}, scalars)
	decayed(nb)
	nb.Let("p", nb.Load("param"), "the parameter, for its norm")
	fused := []*Fused{NewFused(nb.Kernel(), "LARS norms", "u", "p")}

	for _, nesterov := range []bool{false, true} {
		variant := []string{"Momentum"}
		if nesterov {
			variant = []string{"Nesterov"}
		}
		b := NewBuilder("lars", variant, []Stream{
			{Name: "param", Written: true}, {Name: "grad"}, {Name: "buf", Written: true},
		}, scalars)
		s := b.Let("s", Mul(decayed(b), b.Scalar("nlr")), "the scaled step")
		buf := b.Let("bt", Add(s, Mul(b.Scalar("mom"), b.Load("buf"))), "momentum buffer (optax.trace)")
		b.Store("buf", buf)
		if nesterov {
			buf = b.Let("bt", Add(s, Mul(b.Scalar("mom"), buf)), "Nesterov look-ahead")
		}
		b.Store("param", Add(b.Load("param"), buf))
		fused = append(fused, NewFused(b.Kernel(), "LARS apply"))
	}
	return fused
}
