package main

import "slices"

// The two limits of a size are properties of the machine, not of a
// level: the roofline is the fastest any measured loop moved the bytes
// of one step, the arithmetic bound the fastest any level did the square
// roots and divisions of one. Every row of a size, whatever its level,
// is held to the same two.

// limit is one limit at one size: the time per element of the loop that
// set it, and which loop that was.
type limit struct {
	Stats        // ns per element: median and MAD of that loop
	by    string // a level (its Traffic or Arith kernel), or c or c-fastmath
}

// sizeLimits finds the limits among the rows of one size of one block.
// The memory roofline is the fastest of the Traffic kernels at every
// level and of the C baselines' own loops, which move the same bytes: a
// loop that moves them faster than every Traffic kernel shows that the
// memory allows it. The arithmetic bound is the fastest of the Arith
// kernels at every level (none out of cache, or without square roots and
// divisions: ok false).
func sizeLimits(rows []Result) (roof, arith limit, roofOK, arithOK bool) {
	for _, r := range rows {
		switch r.Kind {
		case kindRoofline, kindC:
			if !roofOK || r.NsPerElement.Median < roof.Median {
				roof, roofOK = limit{r.NsPerElement, r.Level}, true
			}
		case kindArith:
			if !arithOK || r.NsPerElement.Median < arith.Median {
				arith, arithOK = limit{r.NsPerElement, r.Level}, true
			}
		}
	}
	return roof, arith, roofOK, arithOK
}

// beyondNoise reports whether a row is faster than a limit by more than
// the noise of the two measurements: even its median plus its MAD (median
// absolute deviation) is below the limit's median minus the limit's MAD.
// Such a row shows more than 100% of a limit that is then no limit at
// that size; a row above 100% by less is within the noise.
func beyondNoise(row, lim Stats) bool { return row.Median+row.MAD < lim.Median-lim.MAD }

// applyLimits sets the %roofline and %arith of the kernel and C rows
// among rows (all of one size of one block) against that size's limits,
// names the loop that set each, and marks the rows beyond one.
func applyLimits(rows []Result) {
	roof, arith, roofOK, arithOK := sizeLimits(rows)
	for i := range rows {
		r := &rows[i]
		if r.Kind != kindKernel && r.Kind != kindC {
			continue
		}
		med := r.NsPerElement.Median
		if roofOK {
			r.RooflinePct, r.RooflineBy = 100*roof.Median/med, roof.by
			r.BeyondRoofline = beyondNoise(r.NsPerElement, roof.Stats)
		}
		if arithOK {
			r.ArithPct, r.ArithBy = 100*arith.Median/med, arith.by
			r.BeyondArith = beyondNoise(r.NsPerElement, arith.Stats)
		}
	}
}

// bySize groups the rows of a block by the size they were measured at
// (the arithmetic bound's by the size whose round robin it joined),
// leaving out the call rows; sizes in the order they first appear.
func bySize(rows []Result) (sizes []int, at map[int][]Result) {
	at = map[int][]Result{}
	for _, r := range rows {
		n := r.N
		switch r.Kind {
		case kindCall:
			continue
		case kindArith:
			n = r.AtSize
		}
		if !slices.Contains(sizes, n) {
			sizes = append(sizes, n)
		}
		at[n] = append(at[n], r)
	}
	return sizes, at
}
