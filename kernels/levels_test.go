package kernels

import (
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// maxSweepLen is the longest length the sweep tries: past two unrolled
// iterations of the widest level (2 x 16 float32s) many times over, with
// every remainder modulo every vector width on the way.
const maxSweepLen = 257

// TestLevelsMatchGeneric is the core promise: every level's kernel gives
// the generic kernel's bits, for every variant, hyperparameter mix, length
// 0..257 and start misalignment 0..3 elements, without writing outside its
// slices.
func TestLevelsMatchGeneric(t *testing.T) {
	for _, l := range fastLevels(t) {
		t.Run(l.String(), func(t *testing.T) {
			t.Run("float32", func(t *testing.T) { sweepLevel[float32](t, l) })
			t.Run("float64", func(t *testing.T) { sweepLevel[float64](t, l) })
		})
	}
}

func sweepLevel[F testbuf.Float](t *testing.T, l Level) {
	for ci, c := range adamCases() {
		for vi, vr := range variants {
			a := variantOf(c.a, vr.coupled, vr.amsgrad)
			t.Run(c.name+"/"+vr.name, func(t *testing.T) {
				s := stepScalars[F](t, a, c.t)
				r := testbuf.NewRand(uint64(ci*len(variants) + vi))
				for n := 0; n <= maxSweepLen; n++ {
					in := randomInputs[F](r, n, 32)
					for offset := range 4 {
						if msg := compareWithGeneric(l, a, s, in, offset); msg != "" {
							t.Fatalf("level %v differs from generic:\n%s", l, msg)
						}
					}
				}
			})
		}
	}
}
