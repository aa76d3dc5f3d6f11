// Package optimizers describes each optimizer's per-element update once, as
// ir kernels; every backend (Go, amd64, arm64) is generated from these.
// Each description follows the optimizer's documented PyTorch algorithm
// (Lion: Optax); the kernels package computes the per-step scalars.
package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// Adam is torch.optim.Adam / AdamW for one element, with the division
// by sqrt(1 - beta2^t) turned into a multiplication by its reciprocal so
// that one division remains:
//
//	g     = grad*gscale            (+ wd*param when Coupled)
//	m     = b1*m + (1-b1)*g
//	v     = b2*v + (1-b2)*(g*g)
//	vmax  = max(vmax, v)           (AMSGrad; v below means vmax)
//	param = param*pdecay - step*(m / (sqrt(v)*ibc2 + eps))
//
// The eps-hat form of Keras and spago is the same kernel with ibc2 = 1 and
// the bias corrections folded into step.
func Adam() []*Kernel {
	return variants([]Option{switchOpt("Coupled"), switchOpt("AMSGrad")}, func(on map[string]bool, names []string) *Kernel {
		b := NewBuilder("adam", names, streams("param", "grad", "m", "v", "vmax"), adamScalars())
		adamBody(b, on, b.Store)
		return b.Kernel()
	})
}

func adamScalars() []Scalar {
	return withGrad(
		Scalar{Name: "b1", Doc: "beta1"},
		Scalar{Name: "omb1", Doc: "1 - beta1"},
		Scalar{Name: "b2", Doc: "beta2"},
		Scalar{Name: "omb2", Doc: "1 - beta2"},
		Scalar{Name: "ibc2", Doc: "1 / sqrt(1 - beta2^t), or 1 without bias correction or with eps-hat"},
		Scalar{Name: "eps", Doc: "epsilon, added outside the square root"},
		Scalar{Name: "step", Doc: "lr / (1 - beta1^t) (see Adam.scalars)"},
		Scalar{Name: "pdecay", Doc: "1 - lr*weight_decay for decoupled decay (AdamW), else 1"},
	)
}

// adamBody is Adam's update with the options on, storing each new value
// with store (bfloat16 variants round there).
func adamBody(b *Builder, on map[string]bool, store func(stream string, x *Expr)) {
	g := scaledGrad(b, on["Coupled"])

	m := b.Let("mt", ema(b, "b1", "omb1", b.Load("m"), g), "first moment")
	store("m", m)
	v := b.Let("vt", ema(b, "b2", "omb2", b.Load("v"), Mul(g, g)), "second moment")
	store("v", v)
	if on["AMSGrad"] {
		v = b.Let("vt", Max(b.Load("vmax"), v), "AMSGrad: the running maximum of the second moment")
		store("vmax", v)
	}

	denom := b.Let("denom", Add(Mul(Sqrt(v), b.Scalar("ibc2")), b.Scalar("eps")),
		"sqrt(v / (1 - beta2^t)) + eps")
	store("param", Sub(Mul(b.Load("param"), b.Scalar("pdecay")), Mul(b.Scalar("step"), Div(m, denom))))
}
