package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// Adagrad is torch.optim.Adagrad for one element:
//
//	g     = grad*gscale            (+ wd*param when Coupled)
//	sum   = sum + g*g
//	std   = sqrt(sum) + eps        (sqrt(sum + eps) with EpsInSqrt: Optax, the lecture notes)
//	param = param - clr*(g/std)    clr = lr / (1 + (t-1)*lr_decay)
func Adagrad() []*Kernel {
	scalars := withGrad(
		Scalar{Name: "eps", Doc: "epsilon"},
		Scalar{Name: "clr", Doc: "lr / (1 + (t-1)*lr_decay)"},
	)
	return variants([]Option{switchOpt("Coupled"), switchOpt("EpsInSqrt")}, func(on map[string]bool, names []string) *Kernel {
		b := NewBuilder("adagrad", names, streams("param", "grad", "sum"), scalars)
		g := scaledGrad(b, on["Coupled"])
		sum := b.Let("st", Add(b.Load("sum"), Mul(g, g)), "sum of squared gradients")
		b.Store("sum", sum)
		std := epsDenominator(b, on["EpsInSqrt"], sum)
		b.Store("param", Sub(b.Load("param"), Mul(b.Scalar("clr"), Div(g, std))))
		return b.Kernel()
	})
}

// epsDenominator is sqrt(x) + eps, or sqrt(x + eps) when eps goes inside.
func epsDenominator(b *Builder, inside bool, x *Expr) *Expr {
	if inside {
		return b.Let("std", Sqrt(Add(x, b.Scalar("eps"))), "sqrt(x + eps)")
	}
	return b.Let("std", Add(Sqrt(x), b.Scalar("eps")), "sqrt(x) + eps")
}
