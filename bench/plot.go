package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// writePlot draws GB/s against size, one panel per optimizer, precision
// and variant, up to three side by side: a line per level and C baseline,
// the memory roofline (dashed) and the arithmetic bound converted to GB/s
// (dotted), each the fastest of its loops at each size (sizeLimits). The
// format follows the file name: .svg or .png.
func writePlot(file string, m Machine, rs []Result) error {
	bs := blocks(rs)
	if len(bs) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	var plots []*plot.Plot
	for _, b := range bs {
		p, err := plotBlock(b, m)
		if err != nil {
			return err
		}
		plots = append(plots, p)
	}
	const panelW, panelH = 16 * vg.Centimeter, 11 * vg.Centimeter
	cols := min(len(plots), 3)
	rows := (len(plots) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols) // nil: an empty tile
		copy(grid[i], plots[i*cols:])
	}
	w, h := vg.Length(cols)*panelW, vg.Length(rows)*panelH

	var c vg.CanvasSizer
	var write func(f *os.File) error
	switch strings.ToLower(filepath.Ext(file)) {
	case ".svg":
		sc := vgsvg.New(w, h)
		c, write = sc, func(f *os.File) error { _, err := sc.WriteTo(f); return err }
	case ".png":
		ic := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(144))
		c, write = ic, func(f *os.File) error { _, err := (vgimg.PngCanvas{Canvas: ic}).WriteTo(f); return err }
	default:
		return fmt.Errorf("want a .svg or .png file name, have %q", file)
	}
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Centimeter, PadY: vg.Centimeter, PadTop: vg.Millimeter * 2,
		PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(grid, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[i/cols][i%cols])
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func plotBlock(b *block, m Machine) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s %s %s on %s", b.optimizer, b.precision, b.variant, m.CPU)
	p.X.Label.Text = fmt.Sprintf("elements (%d B moved each)", b.rows[0].BytesPerElement)
	p.Y.Label.Text = "GB/s (bytes moved / time)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	// Top right: out of cache every line is low, so the corner is free.
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Add(plotter.NewGrid())

	// One series per level and kind, in the order the rows come.
	type series struct {
		name string
		xys  plotter.XYs
	}
	var order []string
	byName := map[string]*series{}
	var sizes []float64
	lastInCache := 0.0
	for _, r := range b.rows {
		if r.Kind != kindKernel && r.Kind != kindC {
			continue
		}
		name := r.Kind + "\x00" + r.Level
		if byName[name] == nil {
			byName[name] = &series{name: r.Level}
			order = append(order, name)
		}
		s := byName[name]
		s.xys = append(s.xys, plotter.XY{X: float64(r.N), Y: r.GBps})
		if len(sizes) == 0 || sizes[len(sizes)-1] < float64(r.N) {
			sizes = append(sizes, float64(r.N))
		}
		if r.Where != "DRAM" {
			lastInCache = max(lastInCache, float64(r.N))
		}
	}

	color := 0
	for _, name := range order {
		s := byName[name]
		l, pts, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return nil, err
		}
		l.Color, pts.Color = plotutil.Color(color), plotutil.Color(color)
		pts.Shape = plotutil.Shape(color)
		color++
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}

	// The limits of each size, in GB/s of this block's bytes per element.
	// The arithmetic bound was timed alongside each in-cache size; draw
	// the median of those as one level across the in-cache sizes.
	ns, at := bySize(b.rows)
	var roof plotter.XYs
	var bound []float64
	for _, n := range ns {
		r, a, rok, aok := sizeLimits(at[n])
		bpe := float64(at[n][0].BytesPerElement)
		if rok {
			roof = append(roof, plotter.XY{X: float64(n), Y: bpe / r.Median})
		}
		if aok {
			bound = append(bound, bpe/a.Median)
		}
	}
	if len(roof) > 0 {
		l, err := plotter.NewLine(roof)
		if err != nil {
			return nil, err
		}
		l.Color = gray
		l.Width = 2 * vg.Points(1)
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("memory roofline (fastest Traffic or C loop)", l)
	}
	if len(bound) > 0 && lastInCache > 0 && len(sizes) > 0 {
		gbps := median(slices.Sorted(slices.Values(bound)))
		l, err := plotter.NewLine(plotter.XYs{{X: sizes[0], Y: gbps}, {X: lastInCache, Y: gbps}})
		if err != nil {
			return nil, err
		}
		l.Color = gray
		l.Width = 2 * vg.Points(1)
		l.Dashes = []vg.Length{vg.Points(1), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("arithmetic bound (fastest Arith, in L1)", l)
	}

	// Head room for the legend above the highest line (the y axis is
	// logarithmic, so a factor).
	p.Y.Max *= 3.5
	p.X.Tick.Marker = sizeTicks(sizes)
	p.Y.Tick.Marker = plot.TickerFunc(gbTicks)
	return p, nil
}

var gray = color.Gray{Y: 110}

// sizeTicks labels the measured sizes as the flags write them.
func sizeTicks(sizes []float64) plot.Ticker {
	var ts plot.ConstantTicks
	for _, n := range sizes {
		ts = append(ts, plot.Tick{Value: n, Label: sizeName(int(n))})
	}
	return ts
}

// gbTicks puts labelled ticks at 1, 2, 5 times powers of ten.
func gbTicks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		for _, f := range []float64{1, 2, 5} {
			v := f * math.Pow(10, e)
			if v >= min && v <= max {
				ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%g", v)})
			}
		}
	}
	return ts
}
