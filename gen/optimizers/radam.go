package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// RAdam is torch.optim.RAdam for one element:
//
//	g     = grad*gscale            (+ wd*param when Coupled)
//	m, v  as in Adam
//	param = param*pdecay - step*(m/(sqrt(v) + eps))   (Rectified: rho_t > 5)
//	param = param*pdecay - step*m                     (otherwise)
//
// step = lr*r_t*sqrt(1-beta2^t)/(1-beta1^t) when rectified, else
// lr/(1-beta1^t); the kernels package picks the variant from rho_t.
func RAdam() []*Kernel {
	scalars := withGrad(append(append([]Scalar(nil), momentScalars...),
		Scalar{Name: "eps", Doc: "epsilon"},
		Scalar{Name: "step", Doc: "the step size (see RAdam.scalars)"},
		Scalar{Name: "pdecay", Doc: "1 - lr*weight_decay for decoupled decay, else 1"},
	)...)
	return variants([]Option{switchOpt("Coupled"), switchOpt("Rectified")}, func(on map[string]bool, names []string) *Kernel {
		b := NewBuilder("radam", names, streams("param", "grad", "m", "v"), scalars)
		g := scaledGrad(b, on["Coupled"])
		m, v := adamMoments(b, g)
		upd := m
		if on["Rectified"] {
			upd = b.Let("u", Div(m, Add(Sqrt(v), b.Scalar("eps"))), "adaptive step")
		}
		b.Store("param", Sub(Mul(b.Load("param"), b.Scalar("pdecay")), Mul(b.Scalar("step"), upd)))
		return b.Kernel()
	})
}
