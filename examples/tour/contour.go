package main

import (
	"cmp"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// sortedContour is plotter.Contour drawn the same way on every run.
// Contour builds its lines in a map and strokes them in the map's order,
// which Go randomizes; where two anti-aliased lines share a pixel, the
// order changes the pixel's last bits, and the pictures could not be
// reproduced byte for byte. So the contour draws onto a recorder, and its
// lines (the same set on every run, up to their direction and starting
// point) are put in a canonical form and order before they are stroked.
// Every line has the same style: the tour's contours have one colour.
type sortedContour struct {
	*plotter.Contour
}

// Plot implements plot.Plotter.
func (s sortedContour) Plot(c draw.Canvas, plt *plot.Plot) {
	rec := &recorder.Canvas{}
	rc := c
	rc.Canvas = rec // the same rectangle, recorded
	s.Contour.Plot(rc, plt)
	var lines [][]vg.Point
	for _, a := range rec.Actions {
		if st, ok := a.(*recorder.Stroke); ok {
			lines = append(lines, canonical(st.Path))
		}
	}
	slices.SortFunc(lines, comparePoints)
	style := s.LineStyles[0]
	c.SetLineStyle(style)
	c.SetColor(style.Color)
	for _, l := range lines {
		var p vg.Path
		p.Move(l[0])
		for _, pt := range l[1:] {
			p.Line(pt)
		}
		c.Stroke(p)
	}
}

// canonical is the points of a contour line in a form that does not
// depend on where the line was started or which way it was walked: from
// its smaller end, or for a closed line (whose last point is its first)
// from its smallest point, in the direction whose sequence is smaller.
func canonical(p vg.Path) []vg.Point {
	var pts []vg.Point
	closed := false
	for _, c := range p {
		switch c.Type {
		case vg.MoveComp, vg.LineComp:
			pts = append(pts, c.Pos)
		case vg.CloseComp:
			closed = true
		}
	}
	n := len(pts)
	if n > 1 && pts[0] == pts[n-1] {
		closed, pts, n = true, pts[:n-1], n-1
	}
	reversed := func(q []vg.Point) []vg.Point {
		r := slices.Clone(q)
		slices.Reverse(r)
		return r
	}
	if !closed {
		if r := reversed(pts); comparePoints(r, pts) < 0 {
			pts = r
		}
		return pts
	}
	start := 0
	for i, q := range pts {
		if comparePoint(q, pts[start]) < 0 {
			start = i
		}
	}
	fwd := append(slices.Clone(pts[start:]), pts[:start]...)
	back := append([]vg.Point{fwd[0]}, reversed(fwd[1:])...)
	if comparePoints(back, fwd) < 0 {
		fwd = back
	}
	return append(fwd, fwd[0]) // closed again
}

func comparePoint(a, b vg.Point) int {
	return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.Y, b.Y))
}

func comparePoints(a, b []vg.Point) int {
	return slices.CompareFunc(a, b, comparePoint)
}
