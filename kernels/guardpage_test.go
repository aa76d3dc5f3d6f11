package kernels

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// pageLens are lengths around every vector width and unrolled iteration
// (4, 8, 16 and 32 float32s; 2, 4, 8 and 16 float64s), where a tail or
// remainder loop could read one element too many.
var pageLens = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65, 127, 128, 129, 257}

// TestGuardPages runs every level with each slice touching an inaccessible
// page, after its end and before its start, so that a kernel that reads a
// single element outside its slices faults (guard bands only catch
// writes). Each slice has pages of its own.
func TestGuardPages(t *testing.T) {
	for _, l := range allLevels(t) {
		t.Run(l.String(), func(t *testing.T) {
			t.Run("float32", func(t *testing.T) { guardPageLevel[float32](t, l) })
			t.Run("float64", func(t *testing.T) { guardPageLevel[float64](t, l) })
		})
	}
}

func guardPageLevel[F testbuf.Float](t *testing.T, l Level) {
	var pages [5]*testbuf.Pages
	for i := range pages {
		p, err := testbuf.NewPages((pageLens[len(pageLens)-1] + 3) * testbuf.Size[F]())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Free() })
		pages[i] = p
	}
	if !pages[0].Protected {
		t.Logf("no guard pages on %s/%s: running on ordinary memory", runtime.GOOS, runtime.GOARCH)
	}
	placements := []struct {
		name   string
		offset int // -1: at the end
	}{{"end", -1}, {"start+0", 0}, {"start+1", 1}, {"start+2", 2}, {"start+3", 3}}

	r := testbuf.NewRand(7)
	for _, vr := range variants {
		a := variantOf(DefaultAdamW(), vr.coupled, vr.amsgrad)
		s := stepScalars[F](t, a, 5)
		for _, pl := range placements {
			t.Run(vr.name+"/"+pl.name, func(t *testing.T) {
				for _, n := range pageLens {
					in := randomInputs[F](r, n, 0)
					want := in.clone()
					adamKernel[F](Generic, a)(want[0], want[1], want[2], want[3], want[4], s)

					var got adamInputs[F]
					for i := range got {
						if pl.offset < 0 {
							got[i] = testbuf.AtEnd[F](pages[i], n)
						} else {
							got[i] = testbuf.AtStart[F](pages[i], n, pl.offset)
						}
						copy(got[i], in[i])
					}
					err := testbuf.CatchFault(func() {
						adamKernel[F](l, a)(got[0], got[1], got[2], got[3], got[4], s)
					})
					if err != nil {
						t.Fatalf("level %v, n=%d, %s placement: %v (%s)", l, n, pl.name, err, whereFault(err, got))
					}
					for i := range got {
						if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
							t.Fatalf("level %v, n=%d, %s placement: %s[%d] = %s, generic gives %s; inputs: %s",
								l, n, pl.name, slotNames[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]), describeElem(in, j))
						}
					}
				}
			})
		}
	}
}

// whereFault names the slice whose guard page a fault hit.
func whereFault[F testbuf.Float](err error, got adamInputs[F]) string {
	fe, ok := err.(*testbuf.FaultError)
	if !ok {
		return "not a fault"
	}
	var out string
	for i, s := range got {
		out += fmt.Sprintf("%s: %s; ", slotNames[i], testbuf.Where(fe.Addr, s))
	}
	return out
}
