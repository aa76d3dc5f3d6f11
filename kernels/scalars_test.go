package kernels

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

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

// TestScalarsDigest pins the bits of every optimizer's per-step scalars
// (what Step32 and Step64 hand the kernels, before float32 rounding) over
// a grid of hyperparameters and step numbers from 1 to 10^7. CI runs it on
// amd64, arm64 and s390x: the digest can only agree if bias corrections,
// NAdam's mu products and RAdam's rectification are computed alike
// everywhere, late steps included (where math.Pow, say, would not be).
func TestScalarsDigest(t *testing.T) {
	const want = "1f2923bc11baa49a"
	steps := []int{1, 2, 3, 4, 5, 6, 7, 8, 10, 17, 100, 999, 1000, 4321, 65536, 123457, 1_000_000, 9_999_991}
	h := sha256.New()
	put := func(s []float64, err error) {
		if err != nil {
			h.Write([]byte(err.Error()))
			return
		}
		for _, x := range s {
			h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x)))
		}
	}
	for _, lr := range []float64{1e-3, 0.02, 0.7} {
		for _, b := range [][2]float64{{0.9, 0.999}, {0.8, 0.99}, {0.95, 0.9999}, {0.3, 0.5}} {
			for _, wd := range []float64{0, 3.5e-2} {
				for _, tt := range steps {
					for _, a := range []Adam{
						{LR: lr, Beta1: b[0], Beta2: b[1], Eps: 1e-8, WeightDecay: wd, GradScale: 0.25},
						{LR: lr, Beta1: b[0], Beta2: b[1], Eps: 1e-7, WeightDecay: wd, Decoupled: true, Maximize: true},
						{LR: lr, Beta1: b[0], Beta2: b[1], Eps: 1e-7, EpsHat: true},
						{LR: lr, Beta1: b[0], Beta2: b[1], Eps: 1e-7, NoBiasCorrection: true},
					} {
						s, err := a.scalars(tt)
						put(s[:], err)
					}
					r := RAdam{LR: lr, Beta1: b[0], Beta2: b[1], Eps: 1e-8, WeightDecay: wd, Decoupled: wd != 0}
					rs, rect, err := r.scalars(tt)
					put(rs[:], err)
					put([]float64{float64(b2i(rect))}, nil)
					x := Adamax{LR: lr, Beta1: b[0], Beta2: b[1], Eps: 1e-8, WeightDecay: wd}
					xs, err := x.scalars(tt)
					put(xs[:], err)
					for _, psi := range []float64{4e-3, 0.1, 2} {
						n := NAdam{LR: lr, Beta1: b[0], Beta2: b[1], Eps: 1e-8, WeightDecay: wd, Decoupled: wd != 0, MomentumDecay: psi}
						sched := NAdamSchedule{T: tt, MuProduct: 0.7}
						if tt <= 1000 {
							sched = n.ScheduleAt(tt)
						}
						ns, err := n.scalars(sched)
						put(ns[:], err)
						put([]float64{sched.MuProduct, n.Mu(tt)}, nil)
					}
				}
				l := Lion{LR: lr, Beta1: b[0], Beta2: b[1], WeightDecay: wd, GradScale: 3}
				ls, err := l.scalars()
				put(ls[:], err)
			}
		}
		for _, tt := range steps {
			for _, a := range []Adagrad{{LR: lr, Eps: 1e-10}, {LR: lr, LRDecay: 1e-3, WeightDecay: 0.1, Eps: 1e-10, Maximize: true}} {
				s, err := a.scalars(tt)
				put(s[:], err)
			}
			for _, r := range []RMSprop{{LR: lr, Alpha: 0.99, Eps: 1e-8}, {LR: lr, Alpha: 0.9, Eps: 1e-8, Momentum: 0.9, Centered: true, WeightDecay: 0.1}} {
				s, err := r.scalars(tt)
				put(s[:], err)
			}
			for _, o := range []SGD{{LR: lr}, {LR: lr, Momentum: 0.9, Dampening: 0.1, WeightDecay: 1e-4}, {LR: lr, Momentum: 0.9, Nesterov: true, Maximize: true}} {
				s, err := o.scalars(tt)
				put(s[:], err)
			}
			d := Adadelta{LR: lr, Rho: 0.9, Eps: 1e-6, WeightDecay: 0.01, GradScale: 0.5}
			s, err := d.scalars(tt)
			put(s[:], err)
		}
	}
	if got := fmt.Sprintf("%x", h.Sum(nil))[:16]; got != want {
		t.Errorf("digest of the per-step scalars = %s, want %s: this machine computes other scalars than amd64, arm64 and s390x did", got, want)
	}
}
