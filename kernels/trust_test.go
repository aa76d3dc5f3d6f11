package kernels

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"math"
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

// TestTrustParamNormIsSumSquares checks the claim of trust.go that the
// first pass sums the parameter's squares in the reductions' order:
// LAMB's and LARS's ‖param‖² is SumSquares's, bit for bit, at every
// level (so a ratio could be recomputed with SumSquares32).
func TestTrustParamNormIsSumSquares(t *testing.T) {
	r := testbuf.NewRand(9)
	for _, l := range allLevels(t) {
		for _, n := range []int{0, 1, 15, 16, 17, 1000, NormChunk + 33} {
			for _, c := range trustCases()[:3] {
				s := trustInputs[float32](c, r, n, 0)
				var pp float64
				for lo := 0; lo < n; lo += NormChunk {
					var cp float64
					hi := min(lo+NormChunk, n)
					if c.lamb != nil {
						ps, _ := c.lamb.passes32(1)
						ps.l = l
						_, cp = ps.norms(LAMBTensor32{s[0], s[1], s[2], s[3]}, lo, hi)
					} else {
						ps, _ := c.lars.passes32(1)
						ps.l = l
						_, cp = ps.norms(LARSTensor32{s[0], s[1], s[2]}, lo, hi)
					}
					pp += cp
				}
				if want := sumSquares(l, s[0]); !sameFloat(pp, want) {
					t.Errorf("%v %s n=%d: ‖param‖² = %g, SumSquares %g", l, c.name, n, pp, want)
				}
			}
		}
	}
}

// TestTrustZeroNorms checks the guards of the trust ratio: a zero
// parameter tensor, or a zero update, takes ratio 1 (optax's
// safe_trust_ratio), at every level.
func TestTrustZeroNorms(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		const n = 37
		// LAMB, param = 0: u = m̂/(sqrt(v̂)+eps) = sign(g)/(1+eps/|g|) at
		// step 1, and ratio 1 makes the step -LR*u.
		o := DefaultLAMB()
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range g {
			g[i] = float32(i%5) - 2
		}
		if err := o.Step32(1, p, g, m, v); err != nil {
			t.Fatal(err)
		}
		for i := range p {
			want := -o.LR * float64(g[i]) / (math.Abs(float64(g[i])) + o.Eps)
			if g[i] == 0 {
				want = 0
			}
			if math.Abs(float64(p[i])-want) > 1e-6*o.LR {
				t.Fatalf("%v LAMB with param 0: param[%d] = %g, want %g (ratio 1)", l, i, p[i], want)
			}
		}
		// LARS, grad = 0 and no decay: u = 0, ratio 1, nothing moves; and
		// param = 0: ratio 1, the step is -LR*g.
		lo := DefaultLARS()
		p64, g64, b64 := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range p64 {
			p64[i] = float64(i) - 3
		}
		before := append([]float64(nil), p64...)
		if err := lo.Step64(1, p64, g64, b64); err != nil {
			t.Fatal(err)
		}
		if d := testbuf.FirstDiff(p64, before); d >= 0 {
			t.Fatalf("%v LARS with grad 0: param[%d] moved to %g", l, d, p64[d])
		}
		clear(p64)
		for i := range g64 {
			g64[i] = float64(i) + 1
		}
		if err := lo.Step64(1, p64, g64, b64); err != nil {
			t.Fatal(err)
		}
		for i := range p64 {
			if want := -lo.LR * g64[i]; p64[i] != want {
				t.Fatalf("%v LARS with param 0: param[%d] = %g, want %g (ratio 1)", l, i, p64[i], want)
			}
		}
	}
}

// TestTrustGuardPages runs LAMB and LARS on slices that end on an
// inaccessible page or start right after one, at every level: a read or
// write outside the slices faults.
func TestTrustGuardPages(t *testing.T) {
	for _, l := range allLevels(t) {
		for _, c := range trustCases() {
			t.Run(l.String()+"/"+c.name, func(t *testing.T) {
				withLevel(t, l)
				trustGuardPages[float32](t, c)
				trustGuardPages[float64](t, c)
			})
		}
	}
}

func trustGuardPages[F testbuf.Float](t *testing.T, c trustCase) {
	lens := []int{1, 15, 16, 17, 33, 100, 255}
	maxLen := lens[len(lens)-1] + 3
	pages := make([]*testbuf.Pages, len(c.slots))
	for i := range pages {
		p, err := testbuf.NewPages(maxLen * testbuf.Size[F]())
		if err != nil {
			t.Fatal(err)
		}
		defer p.Free()
		pages[i] = p
	}
	r := testbuf.NewRand(13)
	for _, n := range lens {
		in := trustInputs[F](c, r, n, 0)
		want := cloneSlices(in)
		if err := trustStepOf(c, 1, want); err != nil {
			t.Fatal(err)
		}
		for _, off := range []int{-1, 0, 1, 3} {
			s := make([][]F, len(in))
			for i := range s {
				if off < 0 {
					s[i] = testbuf.AtEnd[F](pages[i], n)
				} else {
					s[i] = testbuf.AtStart[F](pages[i], n, off)
				}
				copy(s[i], in[i])
			}
			if err := testbuf.CatchFault(func() { trustStepOf(c, 1, s) }); err != nil {
				t.Fatalf("float%d n=%d placement %d: %v", 8*testbuf.Size[F](), n, off, err)
			}
			if d := diffSlices(c.slots, s, want); d != "" {
				t.Fatalf("float%d n=%d placement %d: %s", 8*testbuf.Size[F](), n, off, d)
			}
		}
	}
}

// trustDigest is the SHA-256 of TestTrustDigest's results, made once at
// the generic level on amd64: every level of every architecture (arm64
// under qemu included) must reproduce it, as the golden digests of the
// element-wise optimizers (golden_test.go).
const trustDigest = "b640fabe23614dc7dd04b1b854d9375f2d5ee88803708d63ac3cfe7a150ae08c"

// TestTrustDigest runs five steps of every LAMB and LARS case at both
// precisions on fixed inputs with special values, a new gradient each
// step, and hashes every slice after every step (little-endian, NaNs
// made canonical).
func TestTrustDigest(t *testing.T) {
	for _, l := range allLevels(t) {
		withLevel(t, l)
		h := sha256.New()
		for _, c := range trustCases() {
			trustDigestRun[float32](t, c, h)
			trustDigestRun[float64](t, c, h)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != trustDigest {
			t.Errorf("%v: digest %s, want %s", l, got, trustDigest)
		}
	}
}

func trustDigestRun[F testbuf.Float](t *testing.T, c trustCase, h hash.Hash) {
	r := testbuf.NewRand(2026)
	var buf []byte
	for _, n := range []int{1, 16, 61, 1000, NormChunk + 77} {
		s := trustInputs[F](c, r, n, 97)
		for step := 1; step <= 5; step++ {
			if step > 1 {
				testbuf.Fill(r, s[1], -14, 1)
				testbuf.Sprinkle(r, s[1], 301)
			}
			if err := trustStepOf(c, step, s); err != nil {
				t.Fatal(err)
			}
			for _, x := range s {
				buf = testbuf.AppendLE(buf[:0], x)
				h.Write(buf)
			}
		}
	}
}
