package optimizers

import . "github.com/fusedopt/fusedopt/gen/ir"

// bf16Variants builds the bfloat16 storage variants of an optimizer: its
// streams (named; grad is float32, or bfloat16 with grad16, the others
// bfloat16), its scalars followed by the element offset and one hash key
// per stored stream ("k" + the stream's name, in the order of stored),
// and its options followed by Stochastic. body is the float32 update,
// storing through store, which rounds: to nearest even, or with 16 bits
// of Hash16 of the element's global index and the stream's key, a scalar
// the kernels package derives per call from the seed, the step and the
// stream's position in stored.
func bf16Variants(name string, grad16 bool, names []string, scalars []Scalar, stored []string, opts []Option,
	body func(b *Builder, on map[string]bool, store func(stream string, x *Expr))) []*Kernel {
	scalars = append(append([]Scalar(nil), scalars...),
		Scalar{Name: "off", Doc: "global index of the first element, mod 2^32", Type: IntScalar})
	for _, s := range stored {
		scalars = append(scalars, Scalar{Name: "k" + s, Doc: "hash key of " + s + "'s rounding", Type: IntScalar})
	}
	if grad16 {
		name += "Grad"
	}
	opts = append(append([]Option(nil), opts...), switchOpt("Stochastic"))
	return variants(opts, func(on map[string]bool, variant []string) *Kernel {
		ss := streams(names...)
		for i := range ss {
			if ss[i].Name != "grad" || grad16 {
				ss[i].Elem = BF16
			}
		}
		b := NewBuilder(name, variant, ss, scalars)
		var idx *Expr
		if on["Stochastic"] {
			idx = b.Let("idx", b.Index("off"), "the element's global index")
		}
		body(b, on, func(s string, x *Expr) {
			b.Store(s, RoundBF16(b, x, "u", on["Stochastic"], idx, b.Scalar("k"+s)))
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
