package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// SGD is torch.optim.SGD for one element:
//
//	g     = grad*gscale            (+ wd*param when Coupled)
//	buf   = mom*buf + damp*g       (Momentum or Nesterov)
//	g     = g + nest*buf           (Nesterov)
//	param = param - lr*g           (lr*buf with Momentum)
//
// On the first step PyTorch sets buf = g; the kernels package passes
// mom = 0 and damp = 1 then, which gives exactly g from a zeroed buf.
func SGD() []*Kernel {
	return variants(sgdOptions(), func(on map[string]bool, names []string) *Kernel {
		b := NewBuilder("sgd", names, streams("param", "grad", "buf"), sgdScalars())
		sgdBody(b, on, b.Store)
		return b.Kernel()
	})
}

func sgdOptions() []Option { return []Option{switchOpt("Coupled"), {"", "Momentum", "Nesterov"}} }

func sgdScalars() []Scalar {
	return withGrad(
		Scalar{Name: "mom", Doc: "momentum, or 0 on the first step"},
		Scalar{Name: "damp", Doc: "1 - dampening, or 1 on the first step"},
		Scalar{Name: "nest", Doc: "momentum, for the Nesterov look-ahead"},
		Scalar{Name: "lr", Doc: "learning rate"},
	)
}

// sgdBody is SGD's update with the options on, storing each new value
// with store (bfloat16 variants round there).
func sgdBody(b *Builder, on map[string]bool, store func(stream string, x *Expr)) {
	g := scaledGrad(b, on["Coupled"])
	if on["Momentum"] || on["Nesterov"] { // Nesterov is momentum with a look-ahead
		buf := b.Let("bt", ema(b, "mom", "damp", b.Load("buf"), g), "momentum buffer")
		store("buf", buf)
		if on["Nesterov"] {
			g = b.Let("g", Add(g, Mul(b.Scalar("nest"), buf)), "Nesterov look-ahead")
		} else {
			g = buf
		}
	}
	store("param", Sub(b.Load("param"), Mul(b.Scalar("lr"), g)))
}
