package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// adamMoments emits Adam's two moment updates and returns m and v.
func adamMoments(b *Builder, g *Expr) (m, v *Expr) {
	m = b.Let("mt", ema(b, "b1", "omb1", b.Load("m"), g), "first moment")
	b.Store("m", m)
	v = b.Let("vt", ema(b, "b2", "omb2", b.Load("v"), Mul(g, g)), "second moment")
	b.Store("v", v)
	return m, v
}

var momentScalars = []Scalar{
	{Name: "b1", Doc: "beta1"},
	{Name: "omb1", Doc: "1 - beta1"},
	{Name: "b2", Doc: "beta2"},
	{Name: "omb2", Doc: "1 - beta2"},
}

// NAdam is torch.optim.NAdam for one element, with PyTorch's two
// parameter updates merged over one division:
//
//	g     = grad*gscale            (+ wd*param when Coupled)
//	m, v  as in Adam
//	denom = sqrt(v)*ibc2 + eps
//	param = param*pdecay - (cg*g + cm*m)/denom
//
// cg = lr*(1-mu_t)/(1-prod mu), cm = lr*mu_{t+1}/(1-prod mu * mu_{t+1}).
func NAdam() []*Kernel {
	scalars := withGrad(append(append([]Scalar(nil), momentScalars...),
		Scalar{Name: "ibc2", Doc: "1 / sqrt(1 - beta2^t)"},
		Scalar{Name: "eps", Doc: "epsilon"},
		Scalar{Name: "cg", Doc: "lr*(1-mu_t)/(1-mu_product)"},
		Scalar{Name: "cm", Doc: "lr*mu_next/(1-mu_product*mu_next)"},
		Scalar{Name: "pdecay", Doc: "1 - lr*weight_decay for decoupled decay, else 1"},
	)...)
	return variants([]Option{switchOpt("Coupled")}, func(on map[string]bool, names []string) *Kernel {
		b := NewBuilder("nadam", names, streams("param", "grad", "m", "v"), scalars)
		g := scaledGrad(b, on["Coupled"])
		m, v := adamMoments(b, g)
		denom := b.Let("denom", Add(Mul(Sqrt(v), b.Scalar("ibc2")), b.Scalar("eps")), "sqrt(v/(1-beta2^t)) + eps")
		num := b.Let("num", Add(Mul(b.Scalar("cg"), g), Mul(b.Scalar("cm"), m)), "Nesterov-weighted gradient and momentum")
		b.Store("param", Sub(Mul(b.Load("param"), b.Scalar("pdecay")), Div(num, denom)))
		return b.Kernel()
	})
}
