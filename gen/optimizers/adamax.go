package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// Adamax is torch.optim.Adamax for one element:
//
//	g     = grad*gscale            (+ wd*param when Coupled)
//	m     = b1*m + (1-b1)*g
//	u     = max(b2*u, |g| + eps)   (NaN-propagating, as torch.amax)
//	param = param - clr*(m/u)      clr = lr / (1 - beta1^t)
func Adamax() []*Kernel {
	scalars := withGrad(
		Scalar{Name: "b1", Doc: "beta1"},
		Scalar{Name: "omb1", Doc: "1 - beta1"},
		Scalar{Name: "b2", Doc: "beta2"},
		Scalar{Name: "eps", Doc: "epsilon, added to |g|"},
		Scalar{Name: "clr", Doc: "lr / (1 - beta1^t)"},
	)
	return variants([]Option{switchOpt("Coupled")}, func(on map[string]bool, names []string) *Kernel {
		b := NewBuilder("adamax", names, streams("param", "grad", "m", "u"), scalars)
		g := scaledGrad(b, on["Coupled"])
		m := b.Let("mt", ema(b, "b1", "omb1", b.Load("m"), g), "first moment")
		b.Store("m", m)
		u := b.Let("ut", Max(Mul(b.Scalar("b2"), b.Load("u")), Add(Abs(g), b.Scalar("eps"))),
			"exponentially weighted infinity norm")
		b.Store("u", u)
		b.Store("param", Sub(b.Load("param"), Mul(b.Scalar("clr"), Div(m, u))))
		return b.Kernel()
	})
}
