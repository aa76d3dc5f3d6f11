package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// TestBeyondNoise: a row is beyond a limit only when its median plus its
// MAD is below the limit's median minus the limit's MAD.
func TestBeyondNoise(t *testing.T) {
	for _, c := range []struct {
		row, lim Stats
		want     bool
	}{
		// Values exact in binary, so that the sums are too.
		{Stats{Median: 1}, Stats{Median: 1}, false},                            // 100%
		{Stats{Median: 1.25}, Stats{Median: 1}, false},                         // slower than the limit
		{Stats{Median: 0.75}, Stats{Median: 1}, true},                          // 133%, no noise measured (one repetition)
		{Stats{Median: 0.75, MAD: 0.0625}, Stats{Median: 1, MAD: 0.125}, true}, // 0.8125 < 0.875
		{Stats{Median: 0.75, MAD: 0.125}, Stats{Median: 1, MAD: 0.125}, false}, // 0.875 = 0.875: the spreads touch
		{Stats{Median: 0.75, MAD: 0.25}, Stats{Median: 1}, false},              // 133%, but the row's spread reaches the limit
		{Stats{Median: 0.75}, Stats{Median: 1, MAD: 0.25}, false},              // the limit's spread reaches the row
		{Stats{Median: 0.75, MAD: 0.5}, Stats{Median: 1.5, MAD: 0.125}, true},  // 200%, far beyond a wide spread
	} {
		if got := beyondNoise(c.row, c.lim); got != c.want {
			t.Errorf("beyondNoise(row %+v, limit %+v) = %v, want %v", c.row, c.lim, got, c.want)
		}
	}
}

// zen4Rows are the rows of one size as an AMD Zen 4 VM measured SGD at
// 64K elements (20 B per element): the AVX-512 Traffic kernel was slower
// than the AVX2 one (124 against 156 GB/s), and the AVX-512 SGD kernel,
// at 131% of its own level's roofline, faster than both.
func zen4Rows() []Result {
	ns := func(gbps float64) float64 { return 20 / gbps }
	row := func(kind, level string, gbps, madPct float64) Result {
		med := ns(gbps)
		return Result{Optimizer: "sgd", Precision: "f32", Variant: "momentum", Kind: kind, Level: level, N: 65536,
			Where: "L2", BytesPerElement: 20, GBps: gbps, NsPerElement: Stats{Median: med, MAD: med * madPct / 100}}
	}
	return []Result{
		row(kindKernel, "generic", 27, 1),
		row(kindKernel, "avx2", 150, 1),
		row(kindKernel, "avx512", 162.4, 1), // 131% of 124 GB/s, 104% of 156
		row(kindRoofline, "generic", 34, 1),
		row(kindRoofline, "avx2", 156, 1),
		row(kindRoofline, "avx512", 124, 1),
	}
}

// TestApplyLimits: every row of a size is held to the fastest Traffic
// kernel of any level (or C loop), and the fastest Arith kernel, and is
// marked when it beats one beyond the noise.
func TestApplyLimits(t *testing.T) {
	rows := zen4Rows()
	applyLimits(rows)
	want := map[string]struct {
		pct    float64
		beyond bool
	}{"generic": {100 * 27 / 156.0, false}, "avx2": {100 * 150 / 156.0, false}, "avx512": {100 * 162.4 / 156, true}}
	for _, r := range rows {
		if r.Kind != kindKernel {
			if r.RooflinePct != 0 || r.BeyondRoofline {
				t.Errorf("%s %s: a limit row has a percentage of the limit: %+v", r.Kind, r.Level, r)
			}
			continue
		}
		w := want[r.Level]
		if math.Abs(r.RooflinePct-w.pct) > 1e-9 || r.RooflineBy != "avx2" || r.BeyondRoofline != w.beyond {
			t.Errorf("%s: %.1f%% of the roofline by %s, beyond %v; want %.1f%% by avx2, beyond %v",
				r.Level, r.RooflinePct, r.RooflineBy, r.BeyondRoofline, w.pct, w.beyond)
		}
		if r.ArithPct != 0 || r.ArithBy != "" || r.BeyondArith {
			t.Errorf("%s: an arithmetic bound without Arith rows: %+v", r.Level, r)
		}
	}

	// Within the noise: 104% of the roofline, but with 3% MADs the two
	// spreads overlap.
	rows = zen4Rows()
	for i := range rows {
		rows[i].NsPerElement.MAD = 0.03 * rows[i].NsPerElement.Median
	}
	applyLimits(rows)
	if r := rows[2]; r.RooflinePct <= 100 || r.BeyondRoofline {
		t.Errorf("avx512 with 3%% MADs: %.1f%%, beyond %v; want above 100%% and not beyond", r.RooflinePct, r.BeyondRoofline)
	}

	// The C baseline's loop sets the roofline where it is faster than
	// every Traffic kernel; the arithmetic bound is the fastest Arith
	// kernel, whichever level.
	rows = zen4Rows()
	c := rows[1]
	c.Kind, c.Level, c.GBps, c.NsPerElement = kindC, "c", 170, Stats{Median: 20 / 170.0}
	arith := func(level string, ns float64) Result {
		return Result{Kind: kindArith, Level: level, N: 2048, AtSize: 65536, Where: "L1", NsPerElement: Stats{Median: ns}}
	}
	rows = append(rows, c, arith("generic", 6.9), arith("avx2", 0.286), arith("avx512", 0.274))
	applyLimits(rows)
	for _, r := range rows {
		if r.Kind != kindKernel && r.Kind != kindC {
			continue
		}
		if r.RooflineBy != "c" || math.Abs(r.RooflinePct-100*r.GBps/170) > 1e-9 || r.BeyondRoofline {
			t.Errorf("%s %s: %.1f%% of the roofline by %s, beyond %v; want %.1f%% by c",
				r.Kind, r.Level, r.RooflinePct, r.RooflineBy, r.BeyondRoofline, 100*r.GBps/170)
		}
		wantArith := 100 * 0.274 / r.NsPerElement.Median
		if r.ArithBy != "avx512" || math.Abs(r.ArithPct-wantArith) > 1e-9 || r.BeyondArith != (r.NsPerElement.Median < 0.274) {
			t.Errorf("%s %s: %.1f%% of the arithmetic bound by %s, beyond %v; want %.1f%% by avx512",
				r.Kind, r.Level, r.ArithPct, r.ArithBy, r.BeyondArith, wantArith)
		}
	}
}

// TestTableMarksBeyond: the table marks a percentage beyond its limit
// and explains the mark below the block, and shows no mark or note when
// no row is beyond.
func TestTableMarksBeyond(t *testing.T) {
	rows := zen4Rows()
	applyLimits(rows)
	var buf bytes.Buffer
	writeBlock(&buf, config{}, blocks(rows)[0])
	out := buf.String()
	for _, want := range []string{"104%" + beyondMark, beyondMark + " faster than the limit by more than the noise",
		"size  where  roofline    by  generic   avx2  avx512", "64K     L2     156.0  avx2     34.0  156.0   124.0",
		"no arithmetic bound: no square root or division"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "%"+beyondMark); n != 1 {
		t.Errorf("%d marks, want 1:\n%s", n, out)
	}

	rows = zen4Rows()
	rows[2].GBps, rows[2].NsPerElement.Median = 150, 20/150.0
	applyLimits(rows)
	buf.Reset()
	writeBlock(&buf, config{}, blocks(rows)[0])
	if out := buf.String(); strings.Contains(out, beyondMark) {
		t.Errorf("a mark without a row beyond a limit:\n%s", out)
	}
}

// TestTableBF16Limits: a bfloat16 block shows each row's share of the
// roofline its own Traffic kernels set, marks a row beyond it, and prints
// the roofline table of its form, without an arithmetic bound.
func TestTableBF16Limits(t *testing.T) {
	rows := zen4Rows()
	for i := range rows {
		rows[i].Precision, rows[i].Variant, rows[i].BytesPerElement = "bf16", "momentum.sr-f32grad", 12
		rows[i].GBps = 12 / rows[i].NsPerElement.Median // the same times, 12 bytes
	}
	applyLimits(rows)
	var buf bytes.Buffer
	writeBlock(&buf, config{}, blocks(rows)[0])
	out := buf.String()
	for _, want := range []string{
		"sgd bf16 momentum.sr-f32grad: 12 B moved per element",
		"GB/s  speedup  %roofline  vs f32", "104%" + beyondMark,
		"no C baseline; vs f32: float32 momentum's time at the same level and size in this run / this time",
		"memory roofline (GB/s): the fastest loop moving these bytes at the size, among the bfloat16 Traffic kernels of every level (bfloat16 loads and truncating stores, a float32 gradient)",
		"size  where  roofline    by  generic  avx2  avx512", "64K     L2      93.6  avx2     20.4  93.6    74.4",
		"no arithmetic bound: none is measured for the bfloat16 kernels"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
