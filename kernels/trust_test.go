package kernels

import (
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// trustLens are the lengths the LAMB and LARS level tests sweep: every
// tail of the first blocks and vectors, and around the NormChunk
// boundaries, where the trust ratio's chunk sums are combined.
func trustLens(short bool) []int {
	var ns []int
	for n := range 70 {
		ns = append(ns, n)
	}
	ns = append(ns, 127, 128, 129, 255, 1000)
	if short {
		return append(ns, NormChunk+17)
	}
	return append(ns, NormChunk-1, NormChunk, NormChunk+1, 2*NormChunk+37)
}

// TestTrustLevelsMatchGeneric runs three LAMB and LARS steps at every
// level and compares every slice bit for bit with the generic level:
// every option, both precisions, starts misaligned by 0 to 3 elements,
// special values sprinkled in, guard bands around every slice.
func TestTrustLevelsMatchGeneric(t *testing.T) {
	for _, l := range fastLevels(t) {
		for _, c := range trustCases() {
			t.Run(l.String()+"/"+c.name, func(t *testing.T) {
				t.Run("float32", func(t *testing.T) { trustLevel[float32](t, c, l) })
				t.Run("float64", func(t *testing.T) { trustLevel[float64](t, c, l) })
			})
		}
	}
}

func trustLevel[F testbuf.Float](t *testing.T, c trustCase, l Level) {
	r := testbuf.NewRand(7)
	for _, n := range trustLens(testing.Short()) {
		for off := range 4 {
			if n > 1000 && off%2 == 1 {
				continue // the large lengths at two offsets are enough
			}
			every := 0
			if n%3 == 1 {
				every = 29
			}
			in := trustInputs[F](c, r, n, every)
			want := trustLevelRun(t, c, Generic, in, off, 3)
			got := trustLevelRun(t, c, l, in, off, 3)
			if d := diffSlices(c.slots, got, want); d != "" {
				t.Fatalf("n=%d offset=%d: %v: %s (generic)", n, off, l, d)
			}
		}
	}
}
