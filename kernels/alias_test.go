package kernels

import (
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// TestGradAliasesParam covers the one overlap the API allows: grad may be
// param itself (a gradient computed in place). Every level, through the
// public Step methods, must then give what the generic level gives with
// the same aliasing; a kernel that stored param before reading grad would
// differ.
func TestGradAliasesParam(t *testing.T) {
	for _, vr := range variants {
		a := variantOf(DefaultAdamW(), vr.coupled, vr.amsgrad)
		a.LR = 0.25 // a large step, so that a gradient read after the store differs
		t.Run(vr.name, func(t *testing.T) {
			t.Run("float32", func(t *testing.T) {
				aliasCase(t, a, func(a Adam, s adamInputs[float32]) error { return a.Step32(3, s[0], s[0], s[2], s[3], s[4]) })
			})
			t.Run("float64", func(t *testing.T) {
				aliasCase(t, a, func(a Adam, s adamInputs[float64]) error { return a.Step64(3, s[0], s[0], s[2], s[3], s[4]) })
			})
		})
	}
}

func aliasCase[F testbuf.Float](t *testing.T, a Adam, step func(Adam, adamInputs[F]) error) {
	in := randomInputs[F](testbuf.NewRand(5), 77, 0)
	withLevel(t, Generic)
	want := in.clone()
	if err := step(a, want); err != nil {
		t.Fatal(err)
	}
	if testbuf.FirstDiff(want[0], in[0]) < 0 {
		t.Fatal("the step left param unchanged: the test would prove nothing")
	}
	for _, l := range fastLevels(t) {
		withLevel(t, l)
		got := in.clone()
		if err := step(a, got); err != nil {
			t.Fatal(err)
		}
		for i, s := range got {
			if j := testbuf.FirstDiff(s, want[i]); j >= 0 {
				t.Errorf("level %v with grad == param: %s[%d] = %s, generic gives %s; inputs: %s",
					l, slotNames[i], j, testbuf.Hex(s[j]), testbuf.Hex(want[i][j]), describeElem(in, j))
			}
		}
	}
}
