package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// Adadelta is torch.optim.Adadelta for one element:
//
//	g     = grad*gscale            (+ wd*param when Coupled)
//	sq    = rho*sq + (1-rho)*(g*g)
//	delta = sqrt(acc + eps) / sqrt(sq + eps) * g
//	acc   = rho*acc + (1-rho)*(delta*delta)
//	param = param - lr*delta
func Adadelta() []*Kernel {
	scalars := withGrad(
		Scalar{Name: "rho", Doc: "decay rho"},
		Scalar{Name: "omr", Doc: "1 - rho"},
		Scalar{Name: "eps", Doc: "epsilon, inside both square roots"},
		Scalar{Name: "lr", Doc: "learning rate"},
	)
	return variants([]Option{switchOpt("Coupled")}, func(on map[string]bool, names []string) *Kernel {
		b := NewBuilder("adadelta", names, streams("param", "grad", "sq", "acc"), scalars)
		g := scaledGrad(b, on["Coupled"])
		sq := b.Let("sqt", ema(b, "rho", "omr", b.Load("sq"), Mul(g, g)), "mean square of gradients")
		b.Store("sq", sq)
		std := b.Let("std", Sqrt(Add(sq, b.Scalar("eps"))), "RMS of gradients")
		delta := b.Let("delta", Mul(Div(Sqrt(Add(b.Load("acc"), b.Scalar("eps"))), std), g), "the update")
		b.Store("acc", ema(b, "rho", "omr", b.Load("acc"), Mul(delta, delta)))
		b.Store("param", Sub(b.Load("param"), Mul(b.Scalar("lr"), delta)))
		return b.Kernel()
	})
}
