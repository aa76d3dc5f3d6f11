package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// Option is one choice an optimizer's kernels are compiled for: a list of
// alternatives, the first of which is "off" and named "". A switch is
// Option{"", "Coupled"}; SGD's mode is Option{"", "Momentum", "Nesterov"}.
type Option []string

// switchOpt is an option that is on or off.
func switchOpt(name string) Option { return Option{"", name} }

// variants builds every combination of opts with build, in table order:
// variant index = sum of alternative_j * (product of the sizes of the
// options before j), so that with switches only, bit j is option j. The
// kernels package indexes its tables the same way.
func variants(opts []Option, build func(on map[string]bool, names []string) *Kernel) []*Kernel {
	n := 1
	for _, o := range opts {
		n *= len(o)
	}
	var ks []*Kernel
	for i := 0; i < n; i++ {
		on := map[string]bool{}
		var names []string
		rest := i
		for _, o := range opts {
			if alt := o[rest%len(o)]; alt != "" {
				on[alt] = true
				names = append(names, alt)
			}
			rest /= len(o)
		}
		ks = append(ks, build(on, names))
	}
	return ks
}

// scaledGrad is the first statement of every optimizer: the gradient times
// the gradient scale (negative to maximize), plus the coupled (L2) weight
// decay when compiled in.
func scaledGrad(b *Builder, coupled bool) *Expr {
	g := b.Let("g", Mul(b.Load("grad"), b.Scalar("gscale")),
		"scaled gradient (the scale is negative when maximizing)")
	if coupled {
		g = b.Let("g", Add(g, Mul(b.Scalar("wd"), b.Load("param"))),
			"L2 weight decay folded into the gradient")
	}
	return g
}

// ema is the exponential moving average decay*old + (1-decay)*x, with
// decay and 1-decay given as scalars.
func ema(b *Builder, decay, oneMinus string, old, x *Expr) *Expr {
	return Add(Mul(b.Scalar(decay), old), Mul(b.Scalar(oneMinus), x))
}

var gradScalars = []Scalar{
	{Name: "gscale", Doc: "gradient scale, negated when maximizing"},
	{Name: "wd", Doc: "coupled (L2) weight decay"},
}

func withGrad(s ...Scalar) []Scalar { return append(append([]Scalar(nil), gradScalars...), s...) }

func streams(names ...string) []Stream {
	var ss []Stream
	for _, n := range names {
		ss = append(ss, Stream{Name: n, Written: n != "grad"})
	}
	return ss
}
