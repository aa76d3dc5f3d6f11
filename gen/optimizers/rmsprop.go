package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// RMSprop is torch.optim.RMSprop for one element:
//
//	g     = grad*gscale            (+ wd*param when Coupled)
//	sq    = alpha*sq + (1-alpha)*(g*g)
//	gavg  = alpha*gavg + (1-alpha)*g   (Centered; then sq - gavg*gavg below)
//	avg   = sqrt(sq) + eps         (sqrt(sq + eps) with EpsInSqrt)
//	buf   = mom*buf + g/avg        (Momentum)
//	param = param - lr*buf         (lr*(g/avg) without Momentum)
func RMSprop() []*Kernel {
	scalars := withGrad(
		Scalar{Name: "alpha", Doc: "smoothing constant alpha"},
		Scalar{Name: "oma", Doc: "1 - alpha"},
		Scalar{Name: "eps", Doc: "epsilon"},
		Scalar{Name: "mom", Doc: "momentum"},
		Scalar{Name: "lr", Doc: "learning rate"},
	)
	opts := []Option{switchOpt("Coupled"), switchOpt("Centered"), switchOpt("Momentum"), switchOpt("EpsInSqrt")}
	return variants(opts, func(on map[string]bool, names []string) *Kernel {
		b := NewBuilder("rmsprop", names, streams("param", "grad", "sq", "gavg", "buf"), scalars)
		g := scaledGrad(b, on["Coupled"])
		sq := b.Let("sqt", ema(b, "alpha", "oma", b.Load("sq"), Mul(g, g)), "mean square")
		b.Store("sq", sq)
		if on["Centered"] {
			ga := b.Let("gat", ema(b, "alpha", "oma", b.Load("gavg"), g), "mean gradient")
			b.Store("gavg", ga)
			sq = b.Let("sqt", Sub(sq, Mul(ga, ga)), "centered: the variance estimate")
		}
		avg := epsDenominator(b, on["EpsInSqrt"], sq)
		upd := b.Let("u", Div(g, avg), "normalized gradient")
		if on["Momentum"] {
			upd = b.Let("bt", Add(Mul(b.Scalar("mom"), b.Load("buf")), upd), "momentum buffer")
			b.Store("buf", upd)
		}
		b.Store("param", Sub(b.Load("param"), Mul(b.Scalar("lr"), upd)))
		return b.Kernel()
	})
}
