package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fusedopt/fusedopt/kernels"
)

func TestParseFlagsDefaults(t *testing.T) {
	cfg, err := parseFlags(nil, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.optimizers) != len(optimizers) || cfg.optimizers[0].name != "adam" {
		t.Errorf("optimizers = %v, want all, adam first", cfg.optimizers)
	}
	if p := cfg.precisionsOf(findOptimizer("adam")); strings.Join(p, ",") != "f32,f64" {
		t.Errorf("adam precisions = %v, want f32,f64", p)
	}
	if p := cfg.precisionsOf(findOptimizer("sgd")); strings.Join(p, ",") != "f32" {
		t.Errorf("sgd precisions = %v, want f32", p)
	}
	m := Machine{L1D: 32 << 10, L2: 512 << 10, L3: 32 << 20}
	if got := cfg.sizesOf(findOptimizer("adam"), m); len(got) != 8 {
		t.Errorf("adam sizes = %v, want autoSizes", got)
	}
	if got := cfg.sizesOf(findOptimizer("lion"), m); len(got) != 3 || got[0] != 4<<10 || got[1] != 64<<10 || got[2] != 16<<20 {
		t.Errorf("lion sizes = %v, want 4K, 64K, 16M", got)
	}
	for _, o := range cfg.optimizers {
		if vs := cfg.variantsOf(o); len(vs) != 1 || vs[0].name != o.variants[0].name {
			t.Errorf("%s variants = %v, want its first", o.name, vs)
		}
	}
	if len(cfg.levels) != len(kernels.Levels()) || cfg.levels[0] != kernels.Generic {
		t.Errorf("levels = %v, want all of %v with generic first", cfg.levels, kernels.Levels())
	}
	if cfg.cBaseline != cBaselineAvailable {
		t.Errorf("cBaseline = %v, want %v", cfg.cBaseline, cBaselineAvailable)
	}
	if cfg.sizes != nil || cfg.threads != 1 || cfg.format != "table" || cfg.timing.reps < 5 {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-precision", "f64", "-sizes", "1000,4K,2M", "-levels", "generic",
		"-variant", "amsgrad,l2", "-threads", "2", "-reps", "3", "-mintime", "5ms", "-csv", "-o", "x.csv"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.sizes; len(got) != 3 || got[0] != 1000 || got[1] != 4096 || got[2] != 2<<20 {
		t.Errorf("sizes = %v", got)
	}
	if len(cfg.levels) != 1 || cfg.levels[0] != kernels.Generic || cfg.cBaseline {
		t.Errorf("levels = %v, c = %v; want generic only", cfg.levels, cfg.cBaseline)
	}
	if ls := cfg.limitLevels(); len(ls) != len(kernels.Levels()) || ls[0] != kernels.Generic {
		t.Errorf("limit levels = %v, want every supported level, generic first, whatever -levels selects", ls)
	}
	vs := cfg.variantsOf(cfg.optimizers[0])
	if len(vs) != 2 || vs[0].name != "amsgrad" || vs[0].bytesPerElement(8) != 72 || vs[1].index != 1 {
		t.Errorf("variants = %+v", vs)
	}
	if cfg.threads != 2 || cfg.timing.reps != 3 || cfg.timing.minTime != 5*time.Millisecond ||
		cfg.format != "csv" || cfg.output != "x.csv" {
		t.Errorf("cfg = %+v", cfg)
	}

	if vs := cfg.variantsOf(findOptimizer("sgd")); len(vs) != 1 || vs[0].name != "l2" || vs[0].bytesPerElement(4) != 12 {
		t.Errorf("sgd variants = %+v, want l2 (12 B)", vs)
	}
	if vs := cfg.variantsOf(findOptimizer("lion")); len(vs) != 1 || vs[0].name != "plain" {
		t.Errorf("lion variants = %+v, want its default", vs)
	}

	cfg, err = parseFlags([]string{"-optimizer", "sgd,rmsprop", "-variant", "sgd:nesterov,rmsprop:all", "-precision", "f64"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.optimizers) != 2 || len(cfg.variantsOf(cfg.optimizers[0])) != 1 ||
		len(cfg.variantsOf(cfg.optimizers[1])) != len(findOptimizer("rmsprop").variants) {
		t.Errorf("optimizers %v, variants %v", cfg.optimizers, cfg.variants)
	}
	if p := cfg.precisionsOf(cfg.optimizers[0]); len(p) != 1 || p[0] != "f64" {
		t.Errorf("precisions %v, want f64", p)
	}

	for _, bad := range [][]string{
		{"-optimizer", "sgdx"}, {"-optimizer", ","}, {"-precision", "f16"}, {"-variant", "nadam"},
		{"-optimizer", "adam", "-variant", "momentum"}, {"-variant", "sgd:amsgrad"}, {"-variant", "sgdx:plain"},
		{"-optimizer", "adam", "-variant", "sgd:momentum"}, {"-levels", "sse9"},
		{"-sizes", "0"}, {"-sizes", "12Q"}, {"-threads", "0"}, {"-reps", "0"}, {"-mintime", "0s"},
		{"-json", "-csv"}, {"-plot", "out.pdf"}, {"stray"}, {"-nosuchflag"},
	} {
		if _, err := parseFlags(bad, new(bytes.Buffer)); err == nil {
			t.Errorf("parseFlags(%q) succeeded, want an error", bad)
		}
	}
}

func TestAutoSizes(t *testing.T) {
	m := Machine{L1D: 32 << 10, L2: 512 << 10, L3: 32 << 20}
	got := autoSizes(m)
	want := []int{1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20}
	if len(got) != len(want) {
		t.Fatalf("autoSizes = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("autoSizes = %v, want %v", got, want)
		}
	}
	for _, c := range []struct {
		bytes, threads int
		want           string
	}{{16 << 10, 1, "L1"}, {64 << 10, 1, "L2"}, {64 << 10, 2, "L1"}, {1 << 20, 1, "L3"}, {64 << 20, 1, "DRAM"}} {
		if got := where(m, c.bytes, c.threads); got != c.want {
			t.Errorf("where(%d B, %d threads) = %s, want %s", c.bytes, c.threads, got, c.want)
		}
	}
}

func TestStats(t *testing.T) {
	s := summarize([]float64{5, 1, 3, 100, 2})
	if s.Min != 1 || s.Median != 3 || s.Max != 100 || s.MAD != 2 {
		t.Errorf("summarize = %+v, want min 1 median 3 max 100 mad 2", s)
	}
	for _, c := range []struct{ n, threads, parts int }{{1000, 1, 1}, {1000, 4, 4}, {100, 4, 1}, {4096, 3, 3}} {
		b := split(c.n, c.threads)
		if len(b) != c.parts || b[0][0] != 0 || b[len(b)-1][1] != c.n {
			t.Errorf("split(%d, %d) = %v", c.n, c.threads, b)
		}
		for i := 1; i < len(b); i++ {
			if b[i][0] != b[i-1][1] || b[i][0]%64 != 0 {
				t.Errorf("split(%d, %d) = %v: not contiguous 64-element chunks", c.n, c.threads, b)
			}
		}
	}
}

// TestTinyRun runs the whole tool on tiny sizes with one short repetition
// and checks every output format and the chart.
func TestTinyRun(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-optimizer", "adam", "-sizes", "256,4K", "-reps", "1", "-mintime", "1ms", "-q",
		"-variant", "plain,amsgrad", "-threads", "1"}
	cfg, err := parseFlags(args, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	m := detectMachine()
	rs := (&suite{cfg: cfg, machine: m}).run()
	levels, limitLevels := len(cfg.levels), len(cfg.limitLevels())
	cs := 0
	if cfg.cBaseline {
		cs = 2
	}
	// Per precision and variant, per size (both in cache): the kernels,
	// the C baselines, the rooflines and the arithmetic bounds; and one
	// call-overhead row.
	if want := 2 * 2 * (2*(levels+2*limitLevels+cs) + 1); len(rs) != want {
		t.Fatalf("%d results, want %d", len(rs), want)
	}
	for _, r := range rs {
		if !(r.NsPerElement.Median > 0) || !(r.GBps > 0 || r.Kind == kindCall) || len(r.Samples) != 1 {
			t.Errorf("bad result %+v", r)
		}
		if (r.Kind == kindKernel || r.Kind == kindC) && !(r.RooflinePct > 0 && r.Speedup > 0) {
			t.Errorf("%s %s n=%d: no roofline percentage or speedup", r.Kind, r.Level, r.N)
		}
		if r.Kind == kindKernel && r.N == 256 && !(r.ArithPct > 0) {
			t.Errorf("%s n=%d: no arithmetic-bound percentage in L1", r.Level, r.N)
		}
	}

	var buf bytes.Buffer
	if err := writeTable(&buf, m, cfg, rs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cpu:", "caches:", "levels:", "adam f32 plain: 28 B moved per element",
		"adam f64 amsgrad: 72 B moved per element", "%roofline", "generic", "memory roofline (GB/s)",
		"arithmetic bound (ns/elem)", "a call on empty slices"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}

	buf.Reset()
	if err := writeCSV(&buf, rs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(rs)+1 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Errorf("CSV: %d rows, header %v", len(rows), rows[0])
	}

	buf.Reset()
	if err := writeBenchstat(&buf, m, rs); err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^BenchmarkAdam(Roofline|Arith|Call)?/f(32|64)(/variant=amsgrad)?/n=\d+/level=[a-z0-9-]+(-\d+)?\t\d+\t[0-9.]+ ns/op(\t[0-9.]+ MB/s)?$`)
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			n++
			if !line.MatchString(l) {
				t.Errorf("benchstat line %q does not look like go test's", l)
			}
		}
	}
	if n != len(rs) {
		t.Errorf("%d benchstat lines, want %d", n, len(rs))
	}

	for _, f := range []string{"chart.svg", "chart.png"} {
		if err := writePlot(filepath.Join(dir, f), m, rs); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v, %v", f, st, err)
		}
	}
}

// TestRunJSON runs the tool end to end through run, writing JSON to a file.
func TestRunJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	cfg, err := parseFlags([]string{"-optimizer", "adam", "-sizes", "512", "-precision", "f32", "-reps", "2", "-mintime", "1ms",
		"-json", "-o", out}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run(cfg, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "done in") {
		t.Errorf("stdout %q, stderr %q: want the results in the file and progress on stderr", stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Machine.L1D <= 0 || len(r.Machine.Levels) == 0 || r.Reps != 2 || len(r.Results) == 0 ||
		len(r.Results[0].Samples) != 2 {
		t.Errorf("JSON report %+v", r)
	}
}

// TestCBaselineComputesAdam checks that the C baseline does the same update
// as fusedopt (up to the last bits: gcc contracts multiply-adds into FMA,
// and -ffast-math uses estimates), so that the comparison is fair.
func TestCBaselineComputesAdam(t *testing.T) {
	if !cBaselineAvailable {
		t.Skip("built without cgo")
	}
	o := adamOptimizer()
	for _, v := range o.variants {
		for _, fast := range []bool{false, true} {
			checkC(t, o, v, fast, func(s [][]float32) error { return v.hp.(kernels.Adam).Step32(stepT, s[0], s[1], s[2], s[3], s[4]) }, 1e-5)
			checkC(t, o, v, fast, func(s [][]float64) error { return v.hp.(kernels.Adam).Step64(stepT, s[0], s[1], s[2], s[3], s[4]) }, 1e-12)
		}
	}
}

// TestCBaselineComputesSumSquares: the C sums of squares agree with
// kernels' to the last bits their different orders allow.
func TestCBaselineComputesSumSquares(t *testing.T) {
	if !cBaselineAvailable {
		t.Skip("built without cgo")
	}
	x32, x64 := make([]float32, 1000), make([]float64, 1000)
	for i := range x32 {
		x32[i] = float32(math.Sin(float64(i)))
		x64[i] = float64(x32[i])
	}
	want := kernels.SumSquares32(x32)
	for _, fast := range []bool{false, true} {
		for _, got := range []float64{cSumSquares32(fast, x32, 2), cSumSquares64(fast, x64, 2)} {
			if abs(got-want) > 1e-13*want {
				t.Errorf("fast=%v: C sum of squares %v, kernels %v", fast, got, want)
			}
		}
	}
}

func checkC[T float](t *testing.T, o *optimizer, v variant, fast bool, step func([][]T) error, tol float64) {
	t.Helper()
	want, got := newSlices[T](o, 1000, 7), newSlices[T](o, 1000, 7)
	if err := step(want); err != nil {
		t.Fatal(err)
	}
	cFunc[T](o)(fast, v, got, 1)
	for k := range want {
		for i := range want[k] {
			w, g := float64(want[k][i]), float64(got[k][i])
			if d := abs(w - g); d > tol*abs(w)+1e-30 {
				t.Fatalf("%s %T fast=%v: %s[%d] = %g, fusedopt has %g", v.name, want[k][i], fast, o.slices[k], i, g, w)
			}
		}
	}
}
