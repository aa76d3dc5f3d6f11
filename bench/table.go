package main

import (
	"fmt"
	"io"
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
	if o := findOptimizer(b.optimizer); cfg.cBaseline && o != nil && o.c32 == nil {
		note = "; no C baseline (Adam only)"
	}
	fmt.Fprintf(w, "%s %s %s: %d B moved per element%s\n", b.optimizer, b.precision, b.variant, bpe, note)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\twhere\tlevel\tns/elem\t±\tGB/s\tspeedup\t%roofline\t%arith\t")
	var arith, roof []Result
	call := ""
	lastN := -1
	for _, r := range b.rows {
		switch r.Kind {
		case kindCall:
			call = fmt.Sprintf("%.0f ns", r.NsPerElement.Median)
			continue
		case kindArith:
			arith = append(arith, r)
			continue
		case kindRoofline:
			roof = append(roof, r)
			continue
		}
		size, wh := sizeName(r.N), r.Where
		if r.N == lastN {
			size, wh = "", ""
		}
		lastN = r.N
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%s\t%.1f\t%s\t%s\t%s\t\n", size, wh, r.Level,
			r.NsPerElement.Median, spread(r.NsPerElement), r.GBps,
			orDash(r.Speedup, "%.2fx"), orDash(r.RooflinePct, "%.0f%%"), orDash(r.ArithPct, "%.0f%%"))
	}
	tw.Flush()
	if call != "" {
		fmt.Fprintf(w, "a call on empty slices (validation, per-step scalars) takes %s\n", call)
	}

	// The limits, per size: the roofline of each level, and for in-cache
	// sizes the arithmetic bound timed in the same round robin.
	var levels []string
	for _, r := range roof {
		if len(levels) > 0 && levels[0] == r.Level {
			break
		}
		levels = append(levels, r.Level)
	}
	arithLevels := levels
	if len(arith) > 0 {
		fmt.Fprintf(w, "limits: memory roofline (Traffic kernel at the size) in GB/s; arithmetic bound (Arith kernel on %d L1-resident elements) in ns/elem\n",
			firstN(arith))
	} else {
		// No square root or division (SGD, Lion, early RAdam steps), or
		// only DRAM sizes: the roofline is the only limit.
		fmt.Fprintf(w, "limits: memory roofline (Traffic kernel at the size) in GB/s; %s\n", noArithReason(b))
		arithLevels = nil
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"size", "where"}
	for _, l := range levels {
		head = append(head, "roofline "+l)
	}
	for _, l := range arithLevels {
		head = append(head, "arith "+l)
	}
	fmt.Fprintf(tw, "%s\t\n", strings.Join(head, "\t"))
	type key struct {
		n     int
		level string
	}
	roofAt, arithAt := map[key]Result{}, map[key]Result{}
	var sizes []int
	for _, r := range roof {
		if _, seen := roofAt[key{r.N, levels[0]}]; !seen {
			sizes = append(sizes, r.N)
		}
		roofAt[key{r.N, r.Level}] = r
	}
	for _, r := range arith {
		arithAt[key{r.AtSize, r.Level}] = r
	}
	for _, n := range sizes {
		cells := []string{sizeName(n), roofAt[key{n, levels[0]}].Where}
		for _, l := range levels {
			cells = append(cells, fmt.Sprintf("%.1f", roofAt[key{n, l}].GBps))
		}
		for _, l := range arithLevels {
			cell := "-"
			if r, ok := arithAt[key{n, l}]; ok {
				cell = fmt.Sprintf("%.3f", r.NsPerElement.Median)
			}
			cells = append(cells, cell)
		}
		fmt.Fprintf(tw, "%s\t\n", strings.Join(cells, "\t"))
	}
	tw.Flush()
}

// noArithReason says why a block has no arithmetic bound.
func noArithReason(b *block) string {
	if o := findOptimizer(b.optimizer); o != nil {
		if v, ok := o.findVariant(b.variant); ok && !v.arith {
			return "no arithmetic bound: no square root or division, memory-bound at every size"
		}
	}
	return "no arithmetic bound out of cache"
}

func firstN(rs []Result) int {
	if len(rs) == 0 {
		return 0
	}
	return rs[0].N
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
