package main

import (
	"strings"
	"time"
	"unsafe"

	"github.com/fusedopt/fusedopt/internal/limits"
	"github.com/fusedopt/fusedopt/kernels"
)

// The bfloat16 rows (-precision bf16): the optimizers with bfloat16
// kernels (Adam, SGD, Lion) with param and state stored as bfloat16, timed at
// each level. Their roofline is the fastest of the bfloat16 Traffic
// kernels of the same form (internal/limits' TrafficBF16 with a float32
// gradient, TrafficBF16Grad with a bfloat16 one), which move the same
// bytes, timed at every level in the same round robin, as the float rows'
// is; they have no arithmetic bound and no C baseline. Each also reports
// its speedup over the float32 kernel of the same variant, level and
// size in the same run (vs f32).

// bf16Form is one bfloat16 kernel of a variant: the gradient's type and
// the rounding.
type bf16Form struct {
	name       string
	gradBF16   bool // a bfloat16 gradient (StepBF16Grad); else float32 (StepBF16)
	stochastic bool // stochastic rounding; else to nearest even
}

// bf16Forms are the bfloat16 rows of each variant: the all-bfloat16 step
// with stochastic rounding, the same with a float32 gradient, and the
// all-bfloat16 step rounding to nearest.
var bf16Forms = []bf16Form{
	{name: "sr", gradBF16: true, stochastic: true},
	{name: "sr-f32grad", stochastic: true},
	{name: "nearest", gradBF16: true},
}

// bf16FormsOf are the forms of o's bfloat16 rows.
func (o *optimizer) bf16FormsOf() []bf16Form {
	if o.formsBF16 != nil {
		return o.formsBF16
	}
	return bf16Forms
}

// bf16Variant is the Variant name of a bfloat16 row: plain.sr, ...
func bf16Variant(v variant, f bf16Form) string { return v.name + "." + f.name }

// gradOf names the gradient of a bfloat16 block's form, for its notes.
func gradOf(b *block) string {
	_, form, _ := strings.Cut(b.variant, ".")
	if o := findOptimizer(b.optimizer); o != nil {
		for _, f := range o.bf16FormsOf() {
			switch {
			case f.name == form && f.gradBF16:
				return "a bfloat16 gradient"
			case f.name == form:
				return "a float32 gradient"
			}
		}
	}
	return "the step's gradient"
}

// bf16Base is the variant of a bfloat16 row's Variant name.
func bf16Base(name string) string {
	base, _, _ := strings.Cut(name, ".")
	return base
}

// bytesPerElement is the traffic of one element: 2 bytes per value read
// or written, and 2 more for a float32 gradient.
func (f bf16Form) bytesPerElement(v variant) int {
	n := 2 * (v.reads + v.writes)
	if !f.gradBF16 {
		n += 2
	}
	return n
}

// bf16Data is an optimizer's slices in bfloat16 (the gradient too, at
// its index in optimizer.slices) and the gradient in float32.
type bf16Data struct {
	s      [][]kernels.BF16
	bits   [][]uint16 // s's storage, as internal/limits takes it
	grad32 []float32
	offset uint64 // the global index of element 0, for the rounding's hash
}

// newBF16Data converts the float32 inputs of the optimizer to bfloat16.
func newBF16Data(o *optimizer, n int, seed uint64) bf16Data {
	f := newSlices[float32](o, n, seed)
	d := bf16Data{grad32: f[o.gradIndex()]}
	for k := range f {
		d.s = append(d.s, make([]kernels.BF16, n))
		kernels.SliceFrom32(d.s[k], f[k])
		d.bits = append(d.bits, unsafe.Slice((*uint16)(unsafe.SliceData(d.s[k])), n)) // a kernels.BF16 is a uint16
	}
	return d
}

// chunk is elements [lo, hi) of d.
func (d bf16Data) chunk(lo, hi int) bf16Data {
	return bf16Data{s: chunk(d.s, lo, hi), bits: chunk(d.bits, lo, hi), grad32: d.grad32[lo:hi:hi], offset: d.offset + uint64(lo)}
}

// gradIndex is the index of the gradient among o's slices.
func (o *optimizer) gradIndex() int {
	for k, name := range o.slices {
		if name == "grad" {
			return k
		}
	}
	panic("bench: optimizer " + o.name + " has no grad slice")
}

// rounding is the kernels' Rounding of form f for slices at offset.
func (f bf16Form) rounding(offset uint64) kernels.Rounding {
	return kernels.Rounding{Stochastic: f.stochastic, Seed: 1, Offset: offset}
}

// traffic is the Traffic kernel of form f among e's (nil if e has none).
func (f bf16Form) traffic(e limits.Entry) limits.KernelBF16 {
	if f.gradBF16 {
		return e.TrafficBF16Grad
	}
	return e.TrafficBF16
}

// runBF16 measures one optimizer's bfloat16 kernels, as runPrecision does
// the float ones: every level, the Traffic kernels of every level (on
// slices of their own, whose values they change), and the call overhead.
func runBF16(s *suite, o *optimizer) []Result {
	cfg := s.cfg
	sizes := cfg.sizesOf(o, s.machine)
	maxN := 0
	for _, n := range sizes {
		maxN = max(maxN, n)
	}
	s.logf("%s bf16: preparing %d slices of %d elements\n", o.name, 2*len(o.slices), maxN)
	data, traffic := newBF16Data(o, maxN, 1), newBF16Data(o, maxN, 2)
	var results []Result
	for _, v := range cfg.variantsOf(o) {
		for _, f := range o.bf16FormsOf() {
			step := o.stepBF16(v, f)
			if step == nil {
				s.logf("%s bf16 %s: no bfloat16 kernel\n", o.name, v.name)
				break
			}
			var limitLevels []kernels.Level
			limit := f.traffic(o.limits())
			if limit != nil {
				limitLevels = cfg.limitLevels()
			}
			bpe := f.bytesPerElement(v)
			for _, n := range sizes {
				t0 := time.Now()
				w := where(s.machine, v.streams()*2*n, cfg.threads)
				d, tr := data.chunk(0, n), traffic.chunk(0, n)
				var jobs []*job
				levels := cfg.fusedoptLevels()
				for _, l := range levels {
					jobs = append(jobs, bf16Job(kindKernel, l, step, d, cfg.threads))
				}
				for _, l := range limitLevels {
					jobs = append(jobs, bf16Job(kindRoofline, l, trafficStep(limit, l, v), tr, cfg.threads))
				}
				if n == sizes[0] && len(levels) > 0 {
					l := levels[len(levels)-1]
					empty := bf16Data{s: make([][]kernels.BF16, len(o.slices))}
					jobs = append(jobs, &job{kind: kindCall, level: l.String(), n: 1,
						setup: func() { kernels.SetLevel(l) },
						run: func(iters int) {
							for range iters {
								step(empty)
							}
						}})
				}
				measure(jobs, cfg.timing)
				rows := jobRows(jobs, Result{Optimizer: o.name, Precision: "bf16", Variant: bf16Variant(v, f),
					Where: w, BytesPerElement: bpe, Threads: cfg.threads})
				applyLimits(rows)
				results = append(results, rows...)
				s.logf("%s bf16 %s n=%s (%s): %d jobs in %v\n", o.name, bf16Variant(v, f), sizeName(n), w,
					len(jobs), time.Since(t0).Round(10*time.Millisecond))
			}
		}
	}
	return results
}

// bf16Job times step on d, each thread on its chunk: a kindKernel job a
// bfloat16 step at level l, which it makes the active level, or a
// kindRoofline job a Traffic kernel of level l (see trafficStep).
func bf16Job(kind string, l kernels.Level, step func(bf16Data), d bf16Data, threads int) *job {
	var chunks []func(int)
	for _, b := range split(len(d.s[0]), threads) {
		c := d.chunk(b[0], b[1])
		chunks = append(chunks, func(iters int) {
			for range iters {
				step(c)
			}
		})
	}
	j := &job{kind: kind, level: l.String(), n: len(d.s[0]), run: parallel(chunks)}
	if kind == kindKernel {
		j.setup = func() { kernels.SetLevel(l) }
	}
	return j
}

// trafficStep runs the Traffic kernel k of level l for variant v on a
// chunk: its bfloat16 slices as the uint16 bits internal/limits takes.
func trafficStep(k limits.KernelBF16, l kernels.Level, v variant) func(bf16Data) {
	return func(d bf16Data) { k(uint8(l), v.index, d.bits, d.grad32) }
}

// setVsF32 gives every bfloat16 kernel row its speedup over the float32
// kernel row of the same optimizer, variant, level and size, if the run
// has one.
func setVsF32(rs []Result) {
	type key struct {
		opt, variant, level string
		n                   int
	}
	f32 := map[key]float64{}
	for _, r := range rs {
		if r.Precision == "f32" && r.Kind == kindKernel {
			f32[key{r.Optimizer, r.Variant, r.Level, r.N}] = r.NsPerElement.Median
		}
	}
	for i, r := range rs {
		if r.Precision == "bf16" && r.Kind == kindKernel {
			if ns, ok := f32[key{r.Optimizer, bf16Base(r.Variant), r.Level, r.N}]; ok {
				rs[i].VsF32 = ns / r.NsPerElement.Median
			}
		}
	}
}
