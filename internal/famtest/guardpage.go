package famtest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// PageLens are the lengths of the guard-page test: every length up to
// 70, past an unrolled AVX-512 float32 iteration (64) and every smaller
// vector width and unroll factor, where a tail, a masked iteration or a
// remainder loop could touch one element too many. With -short, the
// lengths around each width.
func PageLens() []int {
	if testing.Short() {
		return []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65}
	}
	var ns []int
	for n := 0; n <= 70; n++ {
		ns = append(ns, n)
	}
	return ns
}

// GuardPages runs every variant of every family at every supported level
// (generic included) with each stream touching an inaccessible page,
// right after its end and (offset 0 to 3 elements) right before its
// start, so that a kernel that reads or writes a single element outside
// any of its slices faults; guard bands only catch writes. Each stream
// has pages of its own. The results must still be the generic kernel's.
func GuardPages(t *testing.T, fams []Family) {
	for _, l := range AllLevels(t) {
		t.Run(cpulevel.Name(l), func(t *testing.T) {
			for fi := range fams {
				f := &fams[fi]
				t.Run(f.Name, func(t *testing.T) {
					t.Parallel()
					checkMeta(t, f)
					t.Run("float32", func(t *testing.T) { guardPages[float32](t, f, l) })
					t.Run("float64", func(t *testing.T) { guardPages[float64](t, f, l) })
				})
			}
		})
	}
}

// Pages is count blocks of guard pages (testbuf.NewPages) of at least
// size bytes each, freed when t ends; it logs if the system has none, so
// that a run without them says so.
func Pages(t *testing.T, count, size int) []*testbuf.Pages {
	t.Helper()
	pages := make([]*testbuf.Pages, count)
	for i := range pages {
		p, err := testbuf.NewPages(size)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Free() })
		pages[i] = p
	}
	if count > 0 && !pages[0].Protected {
		t.Logf("no guard pages on %s/%s: running on ordinary memory", runtime.GOOS, runtime.GOARCH)
	}
	return pages
}

// Placement is where a guard-page test puts a slice on its pages: its
// end against the page after it (Offset -1), or its start Offset elements
// after the page before it.
type Placement struct {
	Name   string
	Offset int
}

// Placements are the placements every guard-page test goes through: the
// end, and the start 0 to 3 elements (a misaligned start) past the page.
var Placements = []Placement{{"end", -1}, {"start+0", 0}, {"start+1", 1}, {"start+2", 2}, {"start+3", 3}}

// Place is n elements of p placed as pl says.
func Place[E testbuf.Elem](p *testbuf.Pages, n int, pl Placement) []E {
	if pl.Offset < 0 {
		return testbuf.AtEnd[E](p, n)
	}
	return testbuf.AtStart[E](p, n, pl.Offset)
}

func guardPages[F testbuf.Float](t *testing.T, f *Family, l uint8) {
	lens := PageLens()
	pages := Pages(t, len(f.Streams), (lens[len(lens)-1]+3)*testbuf.Size[F]())
	sc := scalarSets[F](f)[0]
	for v := range f.Variants {
		r := testbuf.NewRand(seed("pages", f.Name, variantName(f, v), prec[F]()))
		for _, pl := range Placements {
			for _, n := range lens {
				in := inputs[F](r, f, n, 0, n&1 == 1)
				want := clone(in)
				run(f, cpulevel.Generic, v, want, sc.s)

				got := make([][]F, len(in))
				for i := range got {
					got[i] = Place[F](pages[i], n, pl)
					copy(got[i], in[i])
				}
				err := testbuf.CatchFault(func() { run(f, l, v, got, sc.s) })
				head := fmt.Sprintf("%s, every stream at the %s of its pages", what[F](f, v, l, n, max(pl.Offset, 0)), pl.Name)
				if err != nil {
					t.Fatalf("%s: %v (%s)", head, err, whereFault(f, err, got))
				}
				if msg := firstDiff(f, got, want, in); msg != "" {
					t.Fatalf("%s differs from generic:\n%s\n%s", head, msg, describeScalars(f, sc))
				}
			}
		}
	}
}

// whereFault places a fault's address relative to every stream.
func whereFault[F testbuf.Float](f *Family, err error, got [][]F) string {
	fe, ok := err.(*testbuf.FaultError)
	if !ok {
		return "not a fault"
	}
	var parts []string
	for i, s := range got {
		parts = append(parts, f.Streams[i]+": "+testbuf.Where(fe.Addr, s))
	}
	return strings.Join(parts, "; ")
}
