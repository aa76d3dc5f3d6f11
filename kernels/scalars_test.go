package kernels

import "testing"

// TestScalarsPortable: the per-step scalars must have the same bits on
// every architecture, or no level can match another machine's. Go may fuse
// x*y+z, and z-x*y, into one FMA on arm64, ppc64 and s390x (and some forms
// on amd64 with GOAMD64=v3) unless a conversion forces the product's
// rounding. The one scalar with a product inside a sum is the decoupled
// decay factor 1 - LR*WeightDecay; with LR 0.02 and WeightDecay 3.5 it is
// 0.9299999999999999 rounded twice and 0.93 fused. (The golden digests of
// the "tuned" float64 cases catch the same thing end to end.)
func TestScalarsPortable(t *testing.T) {
	a := Adam{LR: 0.02, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 3.5, Decoupled: true}
	s, err := a.scalars(1)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 - float64(a.LR*a.WeightDecay); s[adamPdecay] != want {
		t.Errorf("1 - LR*WeightDecay = %v, want %v, the product rounded before the subtraction: "+
			"the compiler fused it into an FMA, so this architecture computes other per-step scalars than amd64",
			s[adamPdecay], want)
	}
}
