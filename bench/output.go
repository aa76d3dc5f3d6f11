package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"
)

// report is the JSON document: the machine, the settings, every row.
type report struct {
	Machine Machine  `json:"machine"`
	Threads int      `json:"threads"`
	Reps    int      `json:"reps"`
	MinTime string   `json:"min_time"`
	Date    string   `json:"date"`
	Results []Result `json:"results"`
}

func writeJSON(w io.Writer, m Machine, cfg config, rs []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(report{Machine: m, Threads: cfg.threads, Reps: cfg.timing.reps,
		MinTime: cfg.timing.minTime.String(), Date: time.Now().UTC().Format(time.RFC3339), Results: rs})
}

// csvHeader are the CSV columns, one row per Result (samples left out).
var csvHeader = []string{"optimizer", "precision", "variant", "kind", "level", "n", "where",
	"bytes_per_element", "threads", "iters_per_rep", "ns_min", "ns_median", "ns_max", "ns_mad",
	"gb_per_s", "speedup", "roofline_pct", "arith_pct", "roofline_by", "beyond_roofline", "arith_by", "beyond_arith", "vs_f32"}

func writeCSV(w io.Writer, rs []Result) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
	for _, r := range rs {
		cw.Write([]string{r.Optimizer, r.Precision, r.Variant, r.Kind, r.Level, strconv.Itoa(r.N), r.Where,
			strconv.Itoa(r.BytesPerElement), strconv.Itoa(r.Threads), strconv.Itoa(r.Iters),
			f(r.NsPerElement.Min), f(r.NsPerElement.Median), f(r.NsPerElement.Max), f(r.NsPerElement.MAD),
			f(r.GBps), f(r.Speedup), f(r.RooflinePct), f(r.ArithPct),
			r.RooflineBy, strconv.FormatBool(r.BeyondRoofline), r.ArithBy, strconv.FormatBool(r.BeyondArith), f(r.VsF32)})
	}
	cw.Flush()
	return cw.Error()
}

// writeBenchstat writes the Go benchmark format, one line per repetition,
// named like the benchmarks in bench_test.go, so that benchstat can
// compare two runs, two machines or this tool against go test -bench.
func writeBenchstat(w io.Writer, m Machine, rs []Result) error {
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: github.com/fusedopt/fusedopt/bench\ncpu: %s\n", m.GOOS, m.GOARCH, m.CPU)
	for _, r := range rs {
		name := benchName(r)
		for _, ns := range r.Samples {
			if r.Kind == kindCall {
				fmt.Fprintf(w, "%s\t%d\t%.1f ns/op\n", name, r.Iters, ns)
				continue
			}
			perOp := ns * float64(r.N)
			mbps := float64(r.BytesPerElement) / ns * 1e3
			fmt.Fprintf(w, "%s\t%d\t%.1f ns/op\t%.2f MB/s\n", name, r.Iters, perOp, mbps)
		}
	}
	return nil
}

// benchName is the benchmark name of a row, e.g.
// BenchmarkAdam/f32/n=65536/level=avx2 or BenchmarkSGD/f32/...; variants
// other than the optimizer's default, and more than one thread, add an
// element.
func benchName(r Result) string {
	fn := map[string]string{kindKernel: "", kindC: "", kindRoofline: "Roofline", kindArith: "Arith", kindCall: "Call"}[r.Kind]
	title, def := titleCase(r.Optimizer), "plain"
	if o := findOptimizer(r.Optimizer); o != nil {
		title, def = o.title, o.variants[0].name
	}
	name := "Benchmark" + title + fn + "/" + r.Precision
	if r.Variant != def {
		name += "/variant=" + r.Variant
	}
	if r.Threads > 1 {
		name += "/threads=" + strconv.Itoa(r.Threads)
	}
	name += "/n=" + strconv.Itoa(r.N) + "/level=" + r.Level
	// go test appends -GOMAXPROCS to benchmark names when it is above 1;
	// do the same, so that benchstat lines this tool's rows up with go
	// test's.
	if p := runtime.GOMAXPROCS(0); p > 1 {
		name += "-" + strconv.Itoa(p)
	}
	return name
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
