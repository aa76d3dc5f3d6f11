package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// writeTable writes the human-readable report: the machine, then one
// block per optimizer, precision and variant with a row per size and
// level, then that block's limits.
func writeTable(w io.Writer, m Machine, cfg config, rs []Result) error {
	m.print(w)
	fmt.Fprintf(w, "timing:   %d thread(s); median of %d repetitions of >= %v each; ±: median absolute deviation\n",
		cfg.threads, cfg.timing.reps, cfg.timing.minTime)
	for _, b := range blocks(rs) {
		fmt.Fprintln(w)
		writeBlock(w, cfg, b)
	}
	return nil
}

// block is the results of one optimizer, precision and variant.
type block struct {
	optimizer, precision, variant string
	rows                          []Result
}

func blocks(rs []Result) []*block {
	var bs []*block
	for _, r := range rs {
		if len(bs) == 0 || bs[len(bs)-1].optimizer != r.Optimizer ||
			bs[len(bs)-1].precision != r.Precision || bs[len(bs)-1].variant != r.Variant {
			bs = append(bs, &block{optimizer: r.Optimizer, precision: r.Precision, variant: r.Variant})
		}
		b := bs[len(bs)-1]
		b.rows = append(b.rows, r)
	}
	return bs
}

func writeBlock(w io.Writer, cfg config, b *block) {
	bpe := b.rows[0].BytesPerElement
	note := ""
	bf16 := b.precision == "bf16"
	if o := findOptimizer(b.optimizer); cfg.cBaseline && o != nil && o.c32 == nil && !bf16 {
		note = "; no C baseline (Adam only)"
	}
	fmt.Fprintf(w, "%s %s %s: %d B moved per element%s\n", b.optimizer, b.precision, b.variant, bpe, note)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if bf16 {
		fmt.Fprintln(tw, "size\twhere\tlevel\tns/elem\t±\tGB/s\tspeedup\t%roofline\tvs f32\t")
	} else {
		fmt.Fprintln(tw, "size\twhere\tlevel\tns/elem\t±\tGB/s\tspeedup\t%roofline\t%arith\t")
	}
	call := ""
	lastN := -1
	var beyond []Result
	for _, r := range b.rows {
		switch r.Kind {
		case kindCall:
			call = fmt.Sprintf("%.0f ns", r.NsPerElement.Median)
			continue
		case kindArith, kindRoofline:
			continue
		}
		size, wh := sizeName(r.N), r.Where
		if r.N == lastN {
			size, wh = "", ""
		}
		lastN = r.N
		if r.BeyondRoofline || r.BeyondArith {
			beyond = append(beyond, r)
		}
		if bf16 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%s\t%.1f\t%s\t%s\t%s\t\n", size, wh, r.Level,
				r.NsPerElement.Median, spread(r.NsPerElement), r.GBps, orDash(r.Speedup, "%.2fx"),
				pct(r.RooflinePct, r.BeyondRoofline), orDash(r.VsF32, "%.2fx"))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%s\t%.1f\t%s\t%s\t%s\t\n", size, wh, r.Level,
			r.NsPerElement.Median, spread(r.NsPerElement), r.GBps,
			orDash(r.Speedup, "%.2fx"), pct(r.RooflinePct, r.BeyondRoofline), pct(r.ArithPct, r.BeyondArith))
	}
	tw.Flush()
	if len(beyond) > 0 {
		writeBeyondNote(w, beyond)
	}
	if call != "" {
		fmt.Fprintf(w, "a call on empty slices (validation, per-step scalars) takes %s\n", call)
	}
	if bf16 {
		fmt.Fprintf(w, "no C baseline; vs f32: float32 %s's time at the same level and size in this run / this time\n", bf16Base(b.variant))
	}
	writeLimits(w, b)
}

// beyondMark follows a percentage of a limit that the row beats by more
// than the noise (beyondNoise).
const beyondMark = "!"

// pct is a percentage of a limit, marked if the row is beyond it.
func pct(x float64, beyond bool) string {
	s := orDash(x, "%.0f%%")
	if beyond {
		s += beyondMark
	}
	return s
}

// writeBeyondNote explains the marks of a block's rows.
func writeBeyondNote(w io.Writer, rs []Result) {
	fmt.Fprintf(w, "%s faster than the limit by more than the noise (median ± MAD of the row and of the limit do not overlap):\n", beyondMark)
	fmt.Fprintf(w, "  no loop measured for that limit ran as fast as this row at its size, so there the limit is no bound (see bench/README.md)\n")
	for _, r := range rs {
		if r.Level == "c-fastmath" && r.BeyondArith {
			fmt.Fprintf(w, "  c-fastmath's reciprocal estimates are not held to the exact square root and division of the Arith kernel\n")
			return
		}
	}
}

// writeLimits writes a block's limits per size: the memory roofline in
// GB/s and, for in-cache sizes, the arithmetic bound in ns per element,
// each with the loop that set it and every candidate's figure.
func writeLimits(w io.Writer, b *block) {
	sizes, at := bySize(b.rows)
	var levels, cs []string // the Traffic levels (generic first) and the C baselines, as they come
	hasArith := false
	for _, r := range b.rows {
		switch {
		case r.Kind == kindRoofline && !slices.Contains(levels, r.Level):
			levels = append(levels, r.Level)
		case r.Kind == kindC && !slices.Contains(cs, r.Level):
			cs = append(cs, r.Level)
		case r.Kind == kindArith:
			hasArith = true
		}
	}
	if len(levels) == 0 {
		return
	}
	among := "the Traffic kernels of every level"
	if len(cs) > 0 {
		among += " and the C baselines"
	}
	if b.precision == "bf16" {
		among = "the bfloat16 Traffic kernels of every level (bfloat16 loads and truncating stores, " + gradOf(b) + ")"
	}
	fmt.Fprintf(w, "memory roofline (GB/s): the fastest loop moving these bytes at the size, among %s\n", among)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := append([]string{"size", "where", "roofline", "by"}, levels...)
	fmt.Fprintf(tw, "%s\t\n", strings.Join(append(head, cs...), "\t"))
	for _, n := range sizes {
		rows := at[n]
		roof, _, ok, _ := sizeLimits(rows)
		if !ok {
			continue
		}
		wh := ""
		for _, r := range rows {
			if r.Kind != kindArith { // arith rows are in L1 whatever the size
				wh = r.Where
				break
			}
		}
		cells := []string{sizeName(n), wh, fmt.Sprintf("%.1f", float64(rows[0].BytesPerElement)/roof.Median), roof.by}
		for _, l := range append(append([]string(nil), levels...), cs...) {
			cells = append(cells, gbpsOf(rows, l))
		}
		fmt.Fprintf(tw, "%s\t\n", strings.Join(cells, "\t"))
	}
	tw.Flush()

	if !hasArith {
		fmt.Fprintf(w, "%s\n", noArithReason(b))
		return
	}
	arithN := 0
	for _, r := range b.rows {
		if r.Kind == kindArith {
			arithN = r.N
			break
		}
	}
	fmt.Fprintf(w, "arithmetic bound (ns/elem): the fastest Arith kernel of every level, on %d L1-resident elements timed with the size\n", arithN)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\t\n", strings.Join(append([]string{"size", "bound", "by"}, levels...), "\t"))
	for _, n := range sizes {
		_, arith, _, ok := sizeLimits(at[n])
		if !ok {
			continue
		}
		cells := []string{sizeName(n), fmt.Sprintf("%.3f", arith.Median), arith.by}
		for _, l := range levels {
			cell := "-"
			for _, r := range at[n] {
				if r.Kind == kindArith && r.Level == l {
					cell = fmt.Sprintf("%.3f", r.NsPerElement.Median)
				}
			}
			cells = append(cells, cell)
		}
		fmt.Fprintf(tw, "%s\t\n", strings.Join(cells, "\t"))
	}
	tw.Flush()
}

// gbpsOf is the GB/s of the Traffic kernel at level l, or of the C
// baseline l, among rows.
func gbpsOf(rows []Result, l string) string {
	for _, r := range rows {
		if (r.Kind == kindRoofline || r.Kind == kindC) && r.Level == l {
			return fmt.Sprintf("%.1f", r.GBps)
		}
	}
	return "-"
}

// noArithReason says why a block has no arithmetic bound.
func noArithReason(b *block) string {
	if b.precision == "bf16" {
		return "no arithmetic bound: none is measured for the bfloat16 kernels"
	}
	if o := findOptimizer(b.optimizer); o != nil {
		if v, ok := o.findVariant(b.variant); ok && !v.arith {
			return "no arithmetic bound: no square root or division, memory-bound at every size"
		}
	}
	return "no arithmetic bound out of cache"
}

// spread is the MAD as a percentage of the median.
func spread(s Stats) string {
	if s.Median == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*s.MAD/s.Median)
}

func orDash(x float64, format string) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf(format, x)
}
