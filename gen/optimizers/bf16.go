package optimizers

import (
	"slices"

	. "github.com/fusedopt/fusedopt/gen/ir"
)

// bf16Variants builds the bfloat16 storage variants of an optimizer: its
// streams (named; grad is float32, or bfloat16 with grad16, the others
// bfloat16), its scalars followed by the element offset plus the hash key,
// and its options followed by Stochastic. body is the float32 update,
// storing through store, which rounds: to nearest even, or with the 16
// bits of the stream's position in stored (at most three) from one hash
// per element of its global index plus the key, which the kernels
// package derives per call from the seed and the step and adds to the
// offset (one addition per call, not per element).
func bf16Variants(name string, grad16 bool, names []string, scalars []Scalar, stored []string, opts []Option,
	body func(b *Builder, on map[string]bool, store func(stream string, x *Expr))) []*Kernel {
	scalars = append(append([]Scalar(nil), scalars...),
		Scalar{Name: "off", Doc: "global index of the first element plus the step's hash key, mod 2^32", Type: IntScalar})
	if grad16 {
		name += "Grad"
	}
	opts = append(append([]Option(nil), opts...), switchOpt("Stochastic"))
	return variants(opts, func(on map[string]bool, variant []string) *Kernel {
		ss := streams(names...)
		for i := range ss {
			if ss[i].Name != "grad" || grad16 {
				ss[i].Elem = BF16
			} else {
				ss[i].CanonNaN = true // see RoundBF16
			}
		}
		b := NewBuilder(name, variant, ss, scalars)
		var h *Hash // made at the first store, so that it is live for the shortest time
		body(b, on, func(s string, x *Expr) {
			var random *Expr
			if on["Stochastic"] {
				if h == nil {
					h = NewHash(b, b.Index("off"))
				}
				random = h.Bits(slices.Index(stored, s))
			}
			b.Store(s, RoundBF16(b, x, "u", random))
		})
		return b.Kernel()
	})
}

// AdamBF16 is Adam (without AMSGrad) with param, m and v stored as
// bfloat16 and the gradient float32, or with grad16 bfloat16: the same
// float32 arithmetic in the same order as Adam's kernel, with loads that
// widen exactly and stores that round (see bf16Variants).
func AdamBF16(grad16 bool) []*Kernel {
	return bf16Variants("adamBF16", grad16, []string{"param", "grad", "m", "v"}, adamScalars(),
		[]string{"param", "m", "v"}, []Option{switchOpt("Coupled")}, adamBody)
}

// SGDBF16 is SGD with param and the momentum buffer stored as bfloat16,
// as AdamBF16 is Adam.
func SGDBF16(grad16 bool) []*Kernel {
	return bf16Variants("sgdBF16", grad16, []string{"param", "grad", "buf"}, sgdScalars(),
		[]string{"param", "buf"}, sgdOptions(), sgdBody)
}

// LionBF16 is Lion with param and the momentum m stored as bfloat16, as
// AdamBF16 is Adam; m takes the second stream of random bits, as Adam's
// m and SGD's buffer do.
func LionBF16(grad16 bool) []*Kernel {
	return bf16Variants("lionBF16", grad16, []string{"param", "grad", "m"}, lionScalars(),
		[]string{"param", "m"}, nil, lionBody)
}
