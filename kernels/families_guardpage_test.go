package kernels

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// famPageLens are the lengths of the guard-page test: every length up to
// 70, past an unrolled AVX-512 float32 iteration (64) and every smaller
// vector width and unroll factor, where a tail, a masked iteration or a
// remainder loop could touch one element too many. With -short, the
// lengths around each width.
func famPageLens() []int {
	if testing.Short() {
		return []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65}
	}
	var ns []int
	for n := 0; n <= 70; n++ {
		ns = append(ns, n)
	}
	return ns
}

// TestFamiliesGuardPages runs every variant of every family at every
// supported level (generic included) with each stream touching an
// inaccessible page, right after its end and (offset 0 to 3 elements)
// right before its start, so that a kernel that reads or writes a single
// element outside any of its slices faults; guard bands only catch
// writes. Each stream has pages of its own. The results must still be the
// generic kernel's.
func TestFamiliesGuardPages(t *testing.T) {
	for _, l := range allLevels(t) {
		t.Run(l.String(), func(t *testing.T) {
			for fi := range families {
				f := &families[fi]
				t.Run(f.name, func(t *testing.T) {
					t.Parallel()
					famCheckMeta(t, f)
					t.Run("float32", func(t *testing.T) { famGuardPages[float32](t, f, l) })
					t.Run("float64", func(t *testing.T) { famGuardPages[float64](t, f, l) })
				})
			}
		})
	}
}

func famGuardPages[F testbuf.Float](t *testing.T, f *family, l Level) {
	lens := famPageLens()
	pages := make([]*testbuf.Pages, len(f.streams))
	for i := range pages {
		p, err := testbuf.NewPages((lens[len(lens)-1] + 3) * testbuf.Size[F]())
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

	sc := famScalarSets[F](f)[0]
	gen, ks := kernelsFor(Generic), kernelsFor(l)
	for v := range f.variants {
		r := testbuf.NewRand(famSeed("pages", f.name, famVariant(f, v), famPrec[F]()))
		for _, pl := range placements {
			for _, n := range lens {
				in := famInputs[F](r, f, n, 0, n&1 == 1)
				want := famClone(in)
				famRun(f, gen, v, want, sc.s)

				got := make([][]F, len(in))
				for i := range got {
					if pl.offset < 0 {
						got[i] = testbuf.AtEnd[F](pages[i], n)
					} else {
						got[i] = testbuf.AtStart[F](pages[i], n, pl.offset)
					}
					copy(got[i], in[i])
				}
				err := testbuf.CatchFault(func() { famRun(f, ks, v, got, sc.s) })
				what := fmt.Sprintf("%s, every stream at the %s of its pages", famWhat[F](f, v, l, n, max(pl.offset, 0)), pl.name)
				if err != nil {
					t.Fatalf("%s: %v (%s)", what, err, famWhereFault(f, err, got))
				}
				if msg := famFirstDiff(f, got, want, in); msg != "" {
					t.Fatalf("%s differs from generic:\n%s\n%s", what, msg, famDescribeScalars(f, sc))
				}
			}
		}
	}
}

// famWhereFault places a fault's address relative to every stream.
func famWhereFault[F testbuf.Float](f *family, err error, got [][]F) string {
	fe, ok := err.(*testbuf.FaultError)
	if !ok {
		return "not a fault"
	}
	var parts []string
	for i, s := range got {
		parts = append(parts, f.streams[i]+": "+testbuf.Where(fe.Addr, s))
	}
	return strings.Join(parts, "; ")
}
