package main

import (
	"math"
	"strconv"
)

// results is a finished race: each racer's path by name. The captions
// quote it, so that every number they print is measured on the paths
// drawn, not typed in.
type results map[string]path

// newResults names p's paths, which run raced in p.racers' order.
func newResults(p *problem, paths []path) results {
	r := results{}
	for i, rc := range p.racers {
		r[rc.name] = paths[i]
	}
	return r
}

// leaves is the first step after which |y| exceeds d: when a racer has
// left the ridge y = 0. It is len(x) if it never does.
func (r results) leaves(name string, d float64) int {
	pt := r[name]
	for t, y := range pt.y {
		if math.Abs(y) > d {
			return t
		}
	}
	return len(pt.y)
}

// minX, maxX and minY are the extremes of a racer's path.
func (r results) minX(name string) float64 { return extreme(r[name].x, math.Min) }
func (r results) maxX(name string) float64 { return extreme(r[name].x, math.Max) }
func (r results) minY(name string) float64 { return extreme(r[name].y, math.Min) }

func extreme(v []float64, pick func(a, b float64) float64) float64 {
	e := v[0]
	for _, x := range v {
		e = pick(e, x)
	}
	return e
}

// covered is how far a racer is from its start after step t.
func (r results) covered(name string, t int) float64 {
	pt := r[name]
	return math.Hypot(pt.x[t]-pt.x[0], pt.y[t]-pt.y[0])
}

// x and loss are a racer's x and f after step t; last is its final step.
func (r results) x(name string, t int) float64    { return r[name].x[t] }
func (r results) loss(name string, t int) float64 { return r[name].loss[t] }
func (r results) last(name string) int            { return len(r[name].x) - 1 }
func (r results) final(name string) float64       { return r.loss(name, r.last(name)) }

// tailMean is a racer's mean f over the last n steps.
func (r results) tailMean(name string, n int) float64 {
	l := r[name].loss
	s := 0.0
	for _, v := range l[len(l)-n:] {
		s += v
	}
	return s / float64(n)
}

// g2 prints v to two significant digits, the captions' precision, with
// a typographic minus.
func g2(v float64) string {
	s := strconv.FormatFloat(v, 'g', 2, 64)
	if v < 0 {
		s = "−" + s[1:]
	}
	return s
}

// itoa prints a step number.
func itoa(t int) string { return strconv.Itoa(t) }
