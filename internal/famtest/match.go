package famtest

import (
	"testing"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// SweepLens are the lengths the first (plausible) scalar set runs at:
// every length up to two unrolled iterations of the widest level (64
// float32s per AVX-512 iteration) and past them, so that every remainder
// modulo every vector width and unroll factor meets the unrolled loop, the
// single-vector loop and the tail; then a few longer ones. With -short
// (the emulated runs) every length up to 3 NEON iterations (16 float32s)
// and past an AVX2 one (32), then some around 64 and 96.
func SweepLens() []int {
	last, extra := 136, []int{191, 192, 193, 255, 256, 257}
	if testing.Short() {
		last, extra = 48, []int{63, 64, 65, 95, 96, 97, 129}
	}
	var ns []int
	for n := 0; n <= last; n++ {
		ns = append(ns, n)
	}
	return append(ns, extra...)
}

// edgeLens are the lengths the other scalar sets run at: around every
// vector width, and one length (131 = 2*64+3) that goes through every loop
// of every level.
func edgeLens() []int {
	if testing.Short() {
		return []int{0, 1, 3, 7, 17, 33, 67}
	}
	return []int{0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 131}
}

// specialEvery is the rate (1 in specialEvery elements of every stream)
// at which special values replace random ones.
const specialEvery = 32

// MatchGeneric is the core promise for every family: each variant of each
// kernel at every supported level gives the generic kernel's bits (NaN
// payloads aside), in both precisions, for seeded random inputs of mixed
// magnitudes and signs with special values sprinkled into every stream,
// plausible and edge-case scalars, every length of the sweep and start
// misalignments of 0 to 3 elements, without writing outside its slices
// (guard bands).
func MatchGeneric(t *testing.T, fams []Family) {
	for _, l := range FastLevels(t) {
		t.Run(cpulevel.Name(l), func(t *testing.T) {
			for fi := range fams {
				f := &fams[fi]
				t.Run(f.Name, func(t *testing.T) {
					t.Parallel()
					checkMeta(t, f)
					for v := range f.Variants {
						t.Run(variantName(f, v), func(t *testing.T) {
							t.Run("float32", func(t *testing.T) { sweep[float32](t, f, v, l) })
							t.Run("float64", func(t *testing.T) { sweep[float64](t, f, v, l) })
						})
					}
				})
			}
		})
	}
}

func sweep[F testbuf.Float](t *testing.T, f *Family, v int, l uint8) {
	for si, sc := range scalarSets[F](f) {
		ns := edgeLens()
		if si == 0 {
			ns = SweepLens()
		}
		r := testbuf.NewRand(seed("sweep", f.Name, variantName(f, v), prec[F](), sc.name))
		for _, n := range ns {
			// Every other pair of lengths has non-negative inputs, so
			// that square roots and logarithms of state see valid values
			// as well as negative ones.
			in := inputs[F](r, f, n, specialEvery, n>>1&1 == 1)
			want := clone(in)
			run(f, cpulevel.Generic, v, want, sc.s)
			if msg := unwritten(f, want, in); msg != "" {
				t.Fatalf("%s: %s", what[F](f, v, cpulevel.Generic, n, 0), msg)
			}
			for offset := range 4 {
				g := make([]*testbuf.Guarded[F], len(in))
				got := make([][]F, len(in))
				for i := range in {
					g[i] = testbuf.GuardedCopy(in[i], offset)
					got[i] = g[i].S
				}
				run(f, l, v, got, sc.s)
				for i := range g {
					if err := g[i].Check(f.Streams[i]); err != nil {
						t.Fatalf("%s: %v\n%s", what[F](f, v, l, n, offset), err, describeScalars(f, sc))
					}
				}
				if msg := firstDiff(f, got, want, in); msg != "" {
					t.Fatalf("%s differs from generic:\n%s\n%s", what[F](f, v, l, n, offset), msg, describeScalars(f, sc))
				}
			}
		}
	}
}
