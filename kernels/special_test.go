package kernels

import (
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// TestSpecialValues compares every level with generic where the gradient
// and the state hold special values (signed zeros, subnormals, huge
// values, infinities, NaNs): for every pair of slots, every pair of
// special values meets in one element, the rest of the element being
// ordinary. Vector lanes, the single-vector loop and the scalar tail all
// see specials, since the pairs run through lengths that are not multiples
// of any vector width.
func TestSpecialValues(t *testing.T) {
	for _, l := range fastLevels(t) {
		t.Run(l.String(), func(t *testing.T) {
			t.Run("float32", func(t *testing.T) { specialLevel[float32](t, l) })
			t.Run("float64", func(t *testing.T) { specialLevel[float64](t, l) })
		})
	}
}

func specialLevel[F testbuf.Float](t *testing.T, l Level) {
	in := specialPairs[F](testbuf.NewRand(11))
	for _, c := range adamCases() {
		for _, vr := range variants {
			a := variantOf(c.a, vr.coupled, vr.amsgrad)
			t.Run(c.name+"/"+vr.name, func(t *testing.T) {
				s := stepScalars[F](t, a, c.t)
				if msg := compareWithGeneric(l, a, s, in, 1); msg != "" {
					t.Fatalf("level %v differs from generic:\n%s", l, msg)
				}
			})
		}
	}
}

// specialPairs puts every pair of special values into every pair of
// slots, one pair per element, on random ordinary backgrounds, followed by
// a few elements so that the length (a multiple of the square of the
// table size, plus 5) leaves a tail at every width.
func specialPairs[F testbuf.Float](r *testbuf.Rand) adamInputs[F] {
	sp := testbuf.Specials[F]()
	k := len(sp)
	pairs := 0
	for a := range 5 {
		for b := a + 1; b < 5; b++ {
			pairs++
		}
	}
	n := pairs*k*k + 5
	in := randomInputs[F](r, n, 0)
	at := 0
	for a := range 5 {
		for b := a + 1; b < 5; b++ {
			for _, x := range sp {
				for _, y := range sp {
					in[a][at], in[b][at] = x, y
					at++
				}
			}
		}
	}
	return in
}
