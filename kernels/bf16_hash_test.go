package kernels

import (
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// TestRoundingBitsPairwiseUniform checks the documented rounding bits
// (which TestBF16MatchesStep32ThenRounding ties to the kernels) for
// dependence between elements and streams: for elements d apart in one
// step (d = 0: two streams of one element), the top 4 of each stream's 16
// bits must be jointly uniform over the 256 cells, by a χ² test at a
// false-alarm rate of about 1e-6 per cell table (255 degrees of freedom:
// 370). Weaker mixers fail it: lowbias32 without its first xorshift
// scores thousands for elements 2^24 apart, whose indices differ only in
// the high bits.
func TestRoundingBitsPairwiseUniform(t *testing.T) {
	const samples, limit = 1 << 16, 370.0
	r := testbuf.NewRand(11)
	for _, d := range []uint32{0, 1, 2, 3, 16, 255, 4096, 1 << 16, 1<<16 + 1, 1 << 20, 1 << 24, 1 << 31} {
		for a := range uint64(3) {
			for b := range uint64(3) {
				if d == 0 && a >= b {
					continue
				}
				var cells [256]int
				for range samples {
					key := refKey(r.Uint64(), 1+r.Intn(1000))
					i := uint32(r.Uint64())
					x := refStreamBits(refLowbias32(i+key), a) >> 12
					y := refStreamBits(refLowbias32(i+d+key), b) >> 12
					cells[x*16+y]++
				}
				if chi := chiSquare(cells[:], samples); chi > limit {
					t.Errorf("elements %d apart, streams %d and %d: χ² %.0f over 255 degrees of freedom (limit %.0f)", d, a, b, chi, limit)
				}
			}
		}
	}
}

// chiSquare is Pearson's statistic of counts against a uniform
// distribution of n samples.
func chiSquare(counts []int, n int) float64 {
	want := float64(n) / float64(len(counts))
	chi := 0.0
	for _, c := range counts {
		chi += (float64(c) - want) * (float64(c) - want) / want
	}
	return chi
}
