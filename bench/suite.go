package main

import (
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/fusedopt/fusedopt/kernels"
)

// Result is one measured row: a kernel (or a limit kernel, or the C
// baseline) at one level, precision, variant and size.
type Result struct {
	Optimizer       string    `json:"optimizer"`
	Precision       string    `json:"precision"`
	Variant         string    `json:"variant"`
	Kind            string    `json:"kind"` // kernel, c, roofline, arith
	Level           string    `json:"level"`
	N               int       `json:"n"`
	Where           string    `json:"where"` // L1, L2, L3 or DRAM: where the slices fit
	BytesPerElement int       `json:"bytes_per_element"`
	Threads         int       `json:"threads"`
	Iters           int       `json:"iters_per_rep"`
	NsPerElement    Stats     `json:"ns_per_element"`
	GBps            float64   `json:"gb_per_s"`                  // bytes moved / median time
	Speedup         float64   `json:"speedup,omitempty"`         // generic's median / this median
	VsF32           float64   `json:"vs_f32,omitempty"`          // bf16 rows: the float32 kernel's median at this variant, level and size / this median
	RooflinePct     float64   `json:"roofline_pct,omitempty"`    // roofline time / this time
	RooflineBy      string    `json:"roofline_by,omitempty"`     // the loop that set the roofline: a level's Traffic kernel, c or c-fastmath
	BeyondRoofline  bool      `json:"beyond_roofline,omitempty"` // faster than the roofline by more than the noise (beyondNoise)
	ArithPct        float64   `json:"arith_pct,omitempty"`       // arithmetic-bound time / this time, in cache
	ArithBy         string    `json:"arith_by,omitempty"`        // the level whose Arith kernel set the bound
	BeyondArith     bool      `json:"beyond_arith,omitempty"`    // faster than the arithmetic bound by more than the noise
	AtSize          int       `json:"at_size,omitempty"`         // arith rows: timed alongside this size
	Samples         []float64 `json:"samples_ns_per_element"`    // one per repetition
}

// elemSize is the size in bytes of an element of precision p.
func elemSize(p string) int {
	if p == "f64" {
		return 8
	}
	return 4
}

// autoSizes are the default sizes: powers of 4 from one whose float32
// slices fill half of L1 to one at least 4x the last-level cache, so that
// the rows walk through every level of the hierarchy. Sizes are counted
// with Adam's four float32 streams (16 B/element); float64 rows sit one
// step further out, which the where column shows.
func autoSizes(m Machine) []int {
	const footprint = 16
	lo := pow2Floor(m.L1D / 2 / footprint)
	hi := min(4*m.llc()/footprint, 32<<20)
	var sizes []int
	for n := max(lo, 64); ; n *= 4 {
		sizes = append(sizes, n)
		if n >= hi {
			return sizes
		}
	}
}

// shortSizes are the default sizes of every optimizer but Adam, which
// keep the default run of all of them short: three of autoSizes, in L2,
// L3 and DRAM on a typical core (4K, 64K and 16M elements with 32 KiB of
// L1 and 32 MiB of L3).
func shortSizes(m Machine) []int {
	a := autoSizes(m)
	if len(a) <= 3 {
		return a
	}
	return []int{a[1], a[min(3, len(a)-2)], a[len(a)-1]}
}

// arithSize is the number of elements per thread the arithmetic bound is
// measured on: the Arith kernel's two streams fill half of L1.
func arithSize(m Machine, elem int) int { return max(64, pow2Floor(m.L1D/2/(2*elem))) }

func pow2Floor(x int) int {
	if x < 1 {
		return 1
	}
	return 1 << (bits.Len(uint(x)) - 1)
}

// where names the level of the memory hierarchy that holds a working set
// of the given bytes split among threads (L1 and L2 are per core).
func where(m Machine, bytes, threads int) string {
	per := bytes / threads
	switch {
	case per <= m.L1D:
		return "L1"
	case per <= m.L2:
		return "L2"
	case bytes <= m.L3:
		return "L3"
	}
	return "DRAM"
}

// suite runs everything a configuration asks for.
type suite struct {
	cfg      config
	machine  Machine
	progress io.Writer
}

func (s *suite) run() []Result {
	var all []Result
	start := time.Now()
	for _, o := range s.cfg.optimizers {
		for _, p := range s.cfg.precisionsOf(o) {
			switch p {
			case "f32":
				all = append(all, runPrecision[float32](s, o, p)...)
			case "f64":
				all = append(all, runPrecision[float64](s, o, p)...)
			case "bf16":
				all = append(all, runBF16(s, o)...)
			}
		}
	}
	setVsF32(all)
	s.logf("done in %v\n", time.Since(start).Round(100*time.Millisecond))
	return all
}

func (s *suite) logf(format string, args ...any) {
	if s.progress != nil {
		fmt.Fprintf(s.progress, format, args...)
	}
}

// runPrecision measures one optimizer at one precision: the slices are
// allocated once at the largest size and every smaller size uses their
// first elements. The roofline kernel gets slices of its own, because it
// writes values the optimizer's state should not hold.
func runPrecision[T float](s *suite, o *optimizer, prec string) []Result {
	cfg := s.cfg
	sizes := cfg.sizesOf(o, s.machine)
	maxN := 0
	for _, n := range sizes {
		maxN = max(maxN, n)
	}
	s.logf("%s %s: preparing %d slices of %d elements\n", o.name, prec, 2*len(o.slices), maxN)
	data := newSlices[T](o, maxN, 1)
	traffic := newSlices[T](o, maxN, 2)
	arithN := arithSize(s.machine, elemSize(prec)) * cfg.threads
	arith := positiveSlices[T](len(o.slices), arithN, 3)

	levels, limitLevels := cfg.fusedoptLevels(), cfg.limitLevels()
	if o.limits().Traffic32 == nil {
		limitLevels = nil // a two-pass step (LAMB, LARS) has no limit kernels
	}
	var results []Result
	for _, v := range cfg.variantsOf(o) {
		bpe := v.bytesPerElement(elemSize(prec))
		for _, n := range sizes {
			t0 := time.Now()
			w := where(s.machine, v.streams()*elemSize(prec)*n, cfg.threads)
			d, tr := prefix(data, n), prefix(traffic, n)
			var jobs []*job
			for _, l := range levels {
				jobs = append(jobs, kernelJob[T](o, v, l, d, cfg.threads))
			}
			if cfg.cBaseline && o.c32 != nil {
				jobs = append(jobs, cJob[T](o, v, false, d, cfg.threads), cJob[T](o, v, true, d, cfg.threads))
			}
			for _, l := range limitLevels {
				jobs = append(jobs, limitJob[T](o, v, kindRoofline, l, tr, cfg.threads))
			}
			// The cost of one call apart from the elements: Step on empty
			// slices, timed with the first size.
			if n == sizes[0] && len(levels) > 0 {
				jobs = append(jobs, callJob[T](o, v, levels[len(levels)-1]))
			}
			// The arithmetic bound (on its own L1-resident slices) joins the
			// round robin of every in-cache size, so that a kernel and its
			// bound are timed in the same moments of a noisy machine.
			if w != "DRAM" && v.arith {
				for _, l := range limitLevels {
					j := limitJob[T](o, v, kindArith, l, arith, cfg.threads)
					j.atSize = n
					jobs = append(jobs, j)
				}
			}
			measure(jobs, cfg.timing)

			rows := jobRows(jobs, Result{Optimizer: o.name, Precision: prec, Variant: v.name,
				Where: w, BytesPerElement: bpe, Threads: cfg.threads})
			applyLimits(rows)
			results = append(results, rows...)
			s.logf("%s %s %s n=%s (%s): %d jobs in %v\n", o.name, prec, v.name, sizeName(n), w,
				len(jobs), time.Since(t0).Round(10*time.Millisecond))
		}
	}
	return results
}

// jobRows makes the rows of measured jobs, all of one block and size:
// base's fields and each job's timing; the call row has no size or
// bandwidth, an arithmetic-bound row is in L1, and kernel and C rows get
// their speedup over the generic kernel row.
func jobRows(jobs []*job, base Result) []Result {
	var rows []Result
	var genericNs float64
	for _, j := range jobs {
		r := base
		st := summarize(j.samples)
		r.Kind, r.Level, r.N, r.Iters = j.kind, j.level, j.n, j.iters
		r.NsPerElement, r.GBps, r.Samples = st, float64(r.BytesPerElement)/st.Median, j.samples
		switch j.kind {
		case kindArith:
			r.Where, r.AtSize = "L1", j.atSize
		case kindCall:
			r.N, r.Where, r.GBps = 0, "", 0
		case kindKernel:
			if j.level == kernels.Generic.String() {
				genericNs = st.Median
			}
		}
		rows = append(rows, r)
	}
	for i := range rows {
		if k := rows[i].Kind; genericNs > 0 && (k == kindKernel || k == kindC) {
			rows[i].Speedup = genericNs / rows[i].NsPerElement.Median
		}
	}
	return rows
}

// kernelJob times the optimizer's Step at a fusedopt level.
func kernelJob[T float](o *optimizer, v variant, l kernels.Level, d [][]T, threads int) *job {
	step := stepFunc[T](o, v)
	var chunks []func(int)
	for _, b := range split(len(d[0]), threads) {
		c := chunk(d, b[0], b[1])
		chunks = append(chunks, func(iters int) {
			for range iters {
				step(c)
			}
		})
	}
	return &job{
		kind: kindKernel, level: l.String(), n: len(d[0]),
		setup: func() { kernels.SetLevel(l) },
		run:   parallel(chunks),
	}
}

// callJob times Step on empty slices: the per-call cost of validating
// the hyperparameters and computing the per-step scalars, which matters
// at small sizes. Its "ns per element" is ns per call.
func callJob[T float](o *optimizer, v variant, l kernels.Level) *job {
	step := stepFunc[T](o, v)
	empty := make([][]T, len(o.slices))
	return &job{
		kind: kindCall, level: l.String(), n: 1,
		setup: func() { kernels.SetLevel(l) },
		run: func(iters int) {
			for range iters {
				step(empty)
			}
		},
	}
}

// cJob times the C baseline (fast: the -ffast-math build).
func cJob[T float](o *optimizer, v variant, fast bool, d [][]T, threads int) *job {
	run := cFunc[T](o)
	var chunks []func(int)
	for _, b := range split(len(d[0]), threads) {
		c := chunk(d, b[0], b[1])
		chunks = append(chunks, func(iters int) { run(fast, v, c, iters) })
	}
	name := "c"
	if fast {
		name = "c-fastmath"
	}
	return &job{kind: kindC, level: name, n: len(d[0]), run: parallel(chunks)}
}

// limitJob times a limit kernel (kindRoofline: Traffic, kindArith: Arith).
func limitJob[T float](o *optimizer, v variant, kind string, l kernels.Level, d [][]T, threads int) *job {
	k := limitFunc[T](o, kind)
	var chunks []func(int)
	for _, b := range split(len(d[0]), threads) {
		c := chunk(d, b[0], b[1])
		chunks = append(chunks, func(iters int) {
			for range iters {
				k(uint8(l), v.index, c)
			}
		})
	}
	return &job{kind: kind, level: l.String(), n: len(d[0]), run: parallel(chunks)}
}

// stepFunc, cFunc and limitFunc pick an optimizer's function of element
// type T.
func stepFunc[T float](o *optimizer, v variant) func([][]T) {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(o.step32(v)).(func([][]T))
	}
	return any(o.step64(v)).(func([][]T))
}

func cFunc[T float](o *optimizer) func(bool, variant, [][]T, int) {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(o.c32).(func(bool, variant, [][]T, int))
	}
	return any(o.c64).(func(bool, variant, [][]T, int))
}

func limitFunc[T float](o *optimizer, kind string) func(uint8, int, [][]T) {
	e := o.limits()
	var z T
	_, f32 := any(z).(float32)
	switch {
	case f32 && kind == kindRoofline:
		return any((func(uint8, int, [][]float32))(e.Traffic32)).(func(uint8, int, [][]T))
	case f32:
		return any((func(uint8, int, [][]float32))(e.Arith32)).(func(uint8, int, [][]T))
	case kind == kindRoofline:
		return any((func(uint8, int, [][]float64))(e.Traffic64)).(func(uint8, int, [][]T))
	}
	return any((func(uint8, int, [][]float64))(e.Arith64)).(func(uint8, int, [][]T))
}

// sizeName writes an element count the way the flags take it: 1K, 64K, 16M.
func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dM", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dK", n>>10)
	}
	return fmt.Sprint(n)
}
