package main

import (
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A scene is one problem's picture: the contours, axes, legends and
// caption, rendered once as the background, and the racers' paths, which
// each frame draws over it up to its step. Rendering the background once
// keeps the frames cheap: gonum recomputes contours on every draw.
type scene struct {
	p       *problem
	plots   [2]*plot.Plot
	data    [2]vg.Rectangle // each plot's data area: the same on every canvas of the layout
	paths   []path
	caption []string
	bg      *image.RGBA
}

// gridSize is the contour grid's resolution, in samples per side.
const gridSize = 161

func newScene(p *problem, paths []path) (*scene, error) {
	s := &scene{p: p, paths: paths, caption: p.caption(newResults(p, paths))}
	c := sortedContour{plotter.NewContour(sample(p), p.levels, nil)}
	c.LineStyles = []draw.LineStyle{{Color: contourColor, Width: 0.7}}
	var marks []*plotter.Scatter // a ring at the start, a cross at the minimum
	for _, m := range []struct {
		x, y  float64
		shape draw.GlyphDrawer
	}{{p.x0, p.y0, draw.RingGlyph{}}, {p.minX, p.minY, draw.CrossGlyph{}}} {
		sc, err := plotter.NewScatter(plotter.XYs{{X: m.x, Y: m.y}})
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: markColor, Radius: 3.5, Shape: m.shape}
		marks = append(marks, sc)
	}
	lay := newLayout(len(s.caption), color.White)
	drawHeader(lay.header, p.title, "")
	for g := range s.plots {
		plt := newPlot(groups[g].title, "x", "y")
		plt.Add(c)
		for _, m := range marks {
			plt.Add(m)
		}
		// The window is the problem's, whatever the glyphs' extent.
		plt.X.Min, plt.X.Max, plt.Y.Min, plt.Y.Max = p.xmin, p.xmax, p.ymin, p.ymax
		plt.Draw(lay.plots[g])
		// DataCanvas measures every plotter's glyphs, the contour's over its
		// whole grid: measure once, not on every frame.
		s.data[g] = plt.DataCanvas(lay.plots[g]).Rectangle
		var rs []racer
		for _, i := range grouped(p, g) {
			rs = append(rs, p.racers[i])
		}
		drawLegend(lay.legends[g], rs, racer.label)
		s.plots[g] = plt
	}
	drawCaption(lay.caption, s.caption)
	s.bg = lay.canvas.Image().(*image.RGBA)
	return s, nil
}

// overlay is what the frame after step t adds to the background, on a
// transparent picture: every path up to step t, a dot where each racer
// stands, and the step counter.
func (s *scene) overlay(t int) *image.RGBA {
	lay := newLayout(len(s.caption), color.Transparent)
	drawHeader(lay.header, "", fmt.Sprintf("step %d of %d", t, s.p.steps))
	for g, plt := range s.plots {
		da := draw.Canvas{Canvas: lay.plots[g].Canvas, Rectangle: s.data[g]}
		trX, trY := plt.Transforms(&da)
		var heads []vg.Point
		for _, i := range grouped(s.p, g) { // the last listed on top
			idx := racerIndex(s.p.racers[i].name)
			pts := make([]vg.Point, t+1)
			for k := range pts {
				pts[k] = vg.Point{X: trX(s.paths[i].x[k]), Y: trY(s.paths[i].y[k])}
			}
			da.StrokeLines(lineStyle(idx), da.ClipLinesXY(pts)...)
			heads = append(heads, pts[t])
		}
		// The dots after all the paths, so that no path hides where a
		// racer stands; a white ring keeps a dot visible on its own path.
		for j, i := range grouped(s.p, g) {
			c := racerColors[racerIndex(s.p.racers[i].name)]
			da.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: headRadius + 1, Shape: draw.CircleGlyph{}}, heads[j])
			da.DrawGlyph(draw.GlyphStyle{Color: c, Radius: headRadius, Shape: draw.CircleGlyph{}}, heads[j])
		}
	}
	return lay.canvas.Image().(*image.RGBA)
}

// frame is the picture after step t: the overlay over the background.
func (s *scene) frame(t int) *image.RGBA {
	out := image.NewRGBA(s.bg.Bounds())
	copy(out.Pix, s.bg.Pix)
	stddraw.Draw(out, out.Bounds(), s.overlay(t), image.Point{}, stddraw.Over)
	return out
}

// grid samples a problem's f for the contour plotter.
type grid struct {
	xs, ys []float64
	z      [][]float64 // z[c][r] = f(xs[c], ys[r])
}

func sample(p *problem) *grid {
	g := &grid{xs: linspace(p.xmin, p.xmax, gridSize), ys: linspace(p.ymin, p.ymax, gridSize)}
	g.z = make([][]float64, gridSize)
	for c, x := range g.xs {
		g.z[c] = make([]float64, gridSize)
		for r, y := range g.ys {
			g.z[c][r] = p.f(x, y)
		}
	}
	return g
}

func (g *grid) Dims() (c, r int)   { return len(g.xs), len(g.ys) }
func (g *grid) Z(c, r int) float64 { return g.z[c][r] }
func (g *grid) X(c int) float64    { return g.xs[c] }
func (g *grid) Y(r int) float64    { return g.ys[r] }
