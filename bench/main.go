// Command bench compares fusedopt's optimizer kernels across levels, with
// a C baseline, against this machine's memory roofline and arithmetic
// bound. Run it from the repository root:
//
//	go run ./bench                      # every optimizer, about 1.5 minutes
//	go run ./bench -optimizer adam      # Adam alone, float32 and float64, 1K to 16M
//	go run ./bench -precision f32 -sizes 64K,16M
//	go run ./bench -optimizer adam -precision f32,bf16 -sizes 64K,16M
//	go run ./bench -optimizer sgd,rmsprop -variant all
//	go run ./bench -json -o results.json
//	go run ./bench -benchstat > new.txt # then: benchstat old.txt new.txt
//	go run ./bench -optimizer adam -plot docs/adam.svg
//
// See bench/README.md for what the columns mean.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fusedopt/fusedopt/kernels"
)

// config is everything the flags decide.
type config struct {
	optimizers []*optimizer
	precisions []string            // "f32", "f64", "bf16"; nil: f32 and f64 for Adam, f32 for the others
	variants   map[string][]string // per optimizer, the variant names; none: its first
	levels     []kernels.Level
	cBaseline  bool
	sizes      []int // elements; nil chooses them from the caches (autoSizes, shortSizes)
	threads    int
	timing     timing
	format     string // "table", "json", "csv" or "benchstat"
	output     string // file, or "" for stdout
	plot       string // .svg or .png file, or ""
	quiet      bool
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := run(cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseFlags turns the command line into a config; errors name the flag.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		optimizer = fs.String("optimizer", "all", "optimizers to run, comma-separated, or all (have: "+optimizerNames()+")")
		precision = fs.String("precision", "auto", "precisions, comma-separated: f32, f64, bf16 (bfloat16 param and state: adam, sgd and lion; bfloat16 gradients: sumsq); or auto: f32,f64 for adam, f32 for the others")
		variants  = fs.String("variant", "", "variants, comma-separated: a name (every selected optimizer that has it), optimizer:name, or all; "+
			"an optimizer none of whose variants is named runs its first ("+variantNames()+")")
		levels = fs.String("levels", "all", "levels to time, comma-separated: generic, avx2, avx512, neon, c (both C baselines, Adam only), or all; "+
			"the limits are measured at every supported level whatever this selects")
		sizes = fs.String("sizes", "auto", "sizes in elements, comma-separated (1K = 1024, 1M = 1048576), or auto: "+
			"for adam powers of 4 from L1 to 4x the last-level cache, for the others three of those (L2, L3, DRAM)")
		threads = fs.Int("threads", 1, "goroutines, each stepping its own chunk of the slices")
		reps    = fs.Int("reps", 6, "timed repetitions per measurement (the median is reported)")
		minTime = fs.Duration("mintime", 20*time.Millisecond, "minimum duration of one repetition")
		jsonOut = fs.Bool("json", false, "write JSON instead of the table")
		csvOut  = fs.Bool("csv", false, "write CSV instead of the table")
		bstat   = fs.Bool("benchstat", false, "write benchstat-compatible lines (one per repetition) instead of the table")
		output  = fs.String("o", "", "write the results to this file instead of stdout")
		plot    = fs.String("plot", "", "also draw GB/s against size to this .svg or .png file")
		quiet   = fs.Bool("q", false, "no progress on stderr")
	)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./bench [flags]\n\n"+
			"Times fusedopt's kernels at each level and size, with C baselines, against\n"+
			"the memory roofline and the arithmetic bound measured in the same run.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (flags only)", fs.Arg(0))
	}
	cfg := config{threads: *threads, output: *output, plot: *plot, quiet: *quiet,
		timing: timing{reps: *reps, minTime: *minTime}, format: "table"}

	for _, name := range list(*optimizer) {
		if name == "all" {
			for _, o := range optimizers {
				if !slices.Contains(cfg.optimizers, o) {
					cfg.optimizers = append(cfg.optimizers, o)
				}
			}
			continue
		}
		o := findOptimizer(name)
		if o == nil {
			return config{}, fmt.Errorf("-optimizer: unknown optimizer %q (have: %s, or all)", name, optimizerNames())
		}
		if !slices.Contains(cfg.optimizers, o) {
			cfg.optimizers = append(cfg.optimizers, o)
		}
	}
	if len(cfg.optimizers) == 0 {
		return config{}, errors.New("-optimizer: no optimizer to run")
	}
	if *precision != "auto" {
		for _, p := range list(*precision) {
			if p != "f32" && p != "f64" && p != "bf16" {
				return config{}, fmt.Errorf("-precision: unknown precision %q (want f32, f64, bf16 or auto)", p)
			}
			cfg.precisions = append(cfg.precisions, p)
		}
		if len(cfg.precisions) == 0 {
			return config{}, errors.New("-precision: no precision")
		}
		if !cfg.anyPrecision() {
			return config{}, fmt.Errorf("-precision %s: no selected optimizer has bfloat16 kernels (have: %s)", *precision, bf16OptimizerNames())
		}
	}
	var err error
	if cfg.variants, err = parseVariants(cfg.optimizers, list(*variants)); err != nil {
		return config{}, fmt.Errorf("-variant: %w", err)
	}
	if cfg.levels, cfg.cBaseline, err = parseLevels(*levels); err != nil {
		return config{}, fmt.Errorf("-levels: %w", err)
	}
	if *sizes != "auto" {
		if cfg.sizes, err = parseSizes(*sizes); err != nil {
			return config{}, fmt.Errorf("-sizes: %w", err)
		}
	}
	switch {
	case cfg.threads < 1:
		return config{}, fmt.Errorf("-threads: want at least 1, have %d", cfg.threads)
	case cfg.timing.reps < 1:
		return config{}, fmt.Errorf("-reps: want at least 1, have %d", cfg.timing.reps)
	case cfg.timing.minTime <= 0:
		return config{}, fmt.Errorf("-mintime: want a positive duration, have %v", cfg.timing.minTime)
	}
	formats := 0
	for f, on := range map[string]bool{"json": *jsonOut, "csv": *csvOut, "benchstat": *bstat} {
		if on {
			cfg.format = f
			formats++
		}
	}
	if formats > 1 {
		return config{}, errors.New("-json, -csv and -benchstat exclude each other")
	}
	if p := strings.ToLower(cfg.plot); p != "" && !strings.HasSuffix(p, ".svg") && !strings.HasSuffix(p, ".png") {
		return config{}, fmt.Errorf("-plot: want a .svg or .png file name, have %q", cfg.plot)
	}
	return cfg, nil
}

// parseVariants reads -variant for the selected optimizers: "all" is
// every variant of each, "opt:name" one variant of one, and a bare name
// that variant of every selected optimizer that has it. Each name must
// select at least one variant.
func parseVariants(opts []*optimizer, names []string) (map[string][]string, error) {
	vs := map[string][]string{}
	add := func(o *optimizer, name string) {
		if !slices.Contains(vs[o.name], name) {
			vs[o.name] = append(vs[o.name], name)
		}
	}
	for _, name := range names {
		on, vn, qualified := strings.Cut(name, ":")
		if !qualified {
			vn = name
		}
		found := false
		for _, o := range opts {
			if qualified && o.name != on {
				continue
			}
			for _, v := range o.variants {
				if vn == "all" || v.name == vn {
					add(o, v.name)
					found = true
				}
			}
		}
		if !found {
			switch {
			case qualified && findOptimizer(on) == nil:
				return nil, fmt.Errorf("%q: unknown optimizer %q", name, on)
			case qualified && !slices.ContainsFunc(opts, func(o *optimizer) bool { return o.name == on }):
				return nil, fmt.Errorf("%q: optimizer %s is not selected (-optimizer)", name, on)
			case qualified:
				return nil, fmt.Errorf("%s has no variant %q (have: %s)", on, vn, findOptimizer(on).variantNames())
			}
			return nil, fmt.Errorf("no selected optimizer has a variant %q (have: %s)", name, variantNames())
		}
	}
	return vs, nil
}

// parseLevels reads -levels: fusedopt levels this machine supports and
// "c" for the C baselines. "all" is every supported level and, when cgo
// is available, the C baselines.
func parseLevels(s string) (levels []kernels.Level, c bool, err error) {
	for _, name := range list(s) {
		switch name {
		case "all":
			levels = append(levels, kernels.Levels()...)
			c = c || cBaselineAvailable
		case "c", "c-fastmath":
			if !cBaselineAvailable {
				return nil, false, errors.New("no C baseline: this binary was built without cgo")
			}
			c = true
		default:
			l, err := kernels.ParseLevel(name)
			if err != nil {
				return nil, false, fmt.Errorf("unknown level %q (want generic, avx2, avx512, neon, c or all)", name)
			}
			if !kernels.Supported(l) {
				return nil, false, fmt.Errorf("level %v is not supported on this machine (supported: %v)", l, kernels.Levels())
			}
			levels = append(levels, l)
		}
	}
	// Generic first, then the others from worst to best, each once.
	var out []kernels.Level
	for _, l := range reverse(kernels.Levels()) {
		if slices.Contains(levels, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 && !c {
		return nil, false, errors.New("no level to run")
	}
	return out, c, nil
}

func reverse(ls []kernels.Level) []kernels.Level {
	out := make([]kernels.Level, len(ls))
	for i, l := range ls {
		out[len(ls)-1-i] = l
	}
	return out
}

// parseSizes reads sizes such as 1000, 1K (1024) and 16M (16·2^20).
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range list(s) {
		mult := 1
		switch {
		case strings.HasSuffix(f, "K"), strings.HasSuffix(f, "k"):
			mult, f = 1<<10, f[:len(f)-1]
		case strings.HasSuffix(f, "M"), strings.HasSuffix(f, "m"):
			mult, f = 1<<20, f[:len(f)-1]
		case strings.HasSuffix(f, "G"), strings.HasSuffix(f, "g"):
			mult, f = 1<<30, f[:len(f)-1]
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad size %q (want e.g. 4096, 64K or 16M)", f)
		}
		sizes = append(sizes, n*mult)
	}
	if len(sizes) == 0 {
		return nil, errors.New("no sizes")
	}
	return sizes, nil
}

// list splits a comma-separated flag value, dropping empty items.
func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// variantNames lists every optimizer's variants, the first its default.
func variantNames() string {
	var s []string
	for _, o := range optimizers {
		s = append(s, o.name+": "+o.variantNames())
	}
	return strings.Join(s, "; ")
}

// bf16OptimizerNames lists the optimizers with bfloat16 kernels.
func bf16OptimizerNames() string {
	var names []string
	for _, o := range optimizers {
		if o.stepBF16 != nil {
			names = append(names, o.name)
		}
	}
	return strings.Join(names, ", ")
}

func optimizerNames() string {
	var names []string
	for _, o := range optimizers {
		names = append(names, o.name)
	}
	return strings.Join(names, ", ")
}

// fusedoptLevels are the levels whose kernels are timed, generic first.
func (c config) fusedoptLevels() []kernels.Level { return c.levels }

// limitLevels are the levels whose Traffic and Arith kernels are timed,
// generic first: every supported level, whatever -levels selects, since
// the limits of the machine are the fastest of them (sizeLimits).
func (c config) limitLevels() []kernels.Level { return reverse(kernels.Levels()) }

// variantsOf are the variants of o to run: those -variant names, or its
// first.
func (c config) variantsOf(o *optimizer) []variant {
	if len(c.variants[o.name]) == 0 {
		return o.variants[:1]
	}
	var vs []variant
	for _, name := range c.variants[o.name] {
		v, _ := o.findVariant(name)
		vs = append(vs, v)
	}
	return vs
}

// precisionsOf are the precisions to run o at: -precision (without bf16
// for an optimizer that has no bfloat16 kernels), or by default float32
// and float64 for Adam and float32 for the others (to keep the default
// run short; bf16 is opt-in).
func (c config) precisionsOf(o *optimizer) []string {
	switch {
	case c.precisions != nil && o.stepBF16 == nil:
		return slices.DeleteFunc(slices.Clone(c.precisions), func(p string) bool { return p == "bf16" })
	case c.precisions != nil:
		return c.precisions
	case o.name == "adam":
		return []string{"f32", "f64"}
	}
	return []string{"f32"}
}

// anyPrecision reports whether some selected optimizer runs at some
// selected precision (bf16 alone selects only those with bfloat16 kernels).
func (c config) anyPrecision() bool {
	return slices.ContainsFunc(c.optimizers, func(o *optimizer) bool { return len(c.precisionsOf(o)) > 0 })
}

// sizesOf are the sizes to run o at: -sizes, or by default autoSizes for
// Adam and shortSizes for the others.
func (c config) sizesOf(o *optimizer, m Machine) []int {
	switch {
	case c.sizes != nil:
		return c.sizes
	case o.name == "adam":
		return autoSizes(m)
	}
	return shortSizes(m)
}

// run measures, then writes the results and the chart.
func run(cfg config, stdout, stderr io.Writer) error {
	m := detectMachine()
	s := &suite{cfg: cfg, machine: m}
	if !cfg.quiet {
		s.progress = stderr
		if !m.CGO {
			fmt.Fprintln(stderr, "bench: built without cgo: no C baseline (set CGO_ENABLED=1 and install a C compiler to get one)")
		}
	}
	results := s.run()

	out := stdout
	if cfg.output != "" {
		f, err := os.Create(cfg.output)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	var err error
	switch cfg.format {
	case "json":
		err = writeJSON(out, m, cfg, results)
	case "csv":
		err = writeCSV(out, results)
	case "benchstat":
		err = writeBenchstat(out, m, results)
	default:
		err = writeTable(out, m, cfg, results)
	}
	if err != nil {
		return err
	}
	if cfg.plot != "" {
		if err := writePlot(cfg.plot, m, results); err != nil {
			return fmt.Errorf("-plot: %w", err)
		}
		if !cfg.quiet {
			fmt.Fprintf(stderr, "bench: wrote %s\n", cfg.plot)
		}
	}
	if cfg.output != "" {
		return out.(*os.File).Close()
	}
	return nil
}
