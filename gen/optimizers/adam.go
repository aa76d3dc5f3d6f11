// Package optimizers describes each optimizer's per-element update once, as
// ir kernels; every backend (Go, amd64, arm64) is generated from these.
package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// adamScalars are Adam's per-step scalars, in the order of the scalar array
// the kernels receive. kernels/adam.go computes them once per call in float64.
var adamScalars = []Scalar{
	{Name: "gscale", Doc: "gradient scale, negated when maximizing"},
	{Name: "wd", Doc: "coupled (L2) weight decay"},
	{Name: "b1", Doc: "beta1"},
	{Name: "omb1", Doc: "1 - beta1"},
	{Name: "b2", Doc: "beta2"},
	{Name: "omb2", Doc: "1 - beta2"},
	{Name: "ibc2", Doc: "1 / sqrt(1 - beta2^t), or 1 without bias correction"},
	{Name: "eps", Doc: "epsilon, added outside the square root"},
	{Name: "step", Doc: "lr / (1 - beta1^t), or lr without bias correction"},
	{Name: "pdecay", Doc: "1 - lr*weight_decay for decoupled decay (AdamW), else 1"},
}

var adamStreams = []Stream{
	{Name: "param", Written: true},
	{Name: "grad"},
	{Name: "m", Written: true},
	{Name: "v", Written: true},
	{Name: "vmax", Written: true},
}

// Adam is torch.optim.Adam / AdamW for one element, with the division
// by sqrt(1 - beta2^t) turned into a multiplication by its reciprocal so
// that one division remains:
//
//	g     = grad*gscale            (+ wd*param when coupled)
//	m     = b1*m + (1-b1)*g
//	v     = b2*v + (1-b2)*(g*g)
//	vmax  = max(vmax, v)           (AMSGrad; v below means vmax)
//	param = param*pdecay - step*(m / (sqrt(v)*ibc2 + eps))
func Adam(coupled, amsgrad bool) *Kernel {
	var variant []string
	if coupled {
		variant = append(variant, "Coupled")
	}
	if amsgrad {
		variant = append(variant, "AMSGrad")
	}
	b := NewBuilder("adam", variant, adamStreams, adamScalars)

	g := b.Let("g", Mul(b.Load("grad"), b.Scalar("gscale")),
		"scaled gradient (the scale is negative when maximizing)")
	if coupled {
		g = b.Let("g", Add(g, Mul(b.Scalar("wd"), b.Load("param"))),
			"L2 weight decay folded into the gradient (Adam's weight_decay)")
	}

	m := b.Let("mt", Add(Mul(b.Scalar("b1"), b.Load("m")), Mul(b.Scalar("omb1"), g)),
		"first moment")
	b.Store("m", m)

	v := b.Let("vt", Add(Mul(b.Scalar("b2"), b.Load("v")), Mul(b.Scalar("omb2"), Mul(g, g))),
		"second moment")
	b.Store("v", v)
	if amsgrad {
		v = b.Let("vt", Max(b.Load("vmax"), v), "AMSGrad: the running maximum of the second moment")
		b.Store("vmax", v)
	}

	denom := b.Let("denom", Add(Mul(Sqrt(v), b.Scalar("ibc2")), b.Scalar("eps")),
		"sqrt(v / (1 - beta2^t)) + eps")
	b.Store("param", Sub(Mul(b.Load("param"), b.Scalar("pdecay")), Mul(b.Scalar("step"), Div(m, denom))))
	return b.Kernel()
}

// AdamVariants is every compiled Adam variant, indexed by
// coupled + 2*amsgrad (the order the kernels package's tables use).
func AdamVariants() []*Kernel {
	return []*Kernel{Adam(false, false), Adam(true, false), Adam(false, true), Adam(true, true)}
}
