package main

import (
	"image/color"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// groups splits the racers between the two panels of every picture: the
// lecture's race on the left, and on the right Adam again, as the
// reference, with its variants and Lion. Twelve paths in one panel hide
// each other.
var groups = []struct {
	title string
	names []string
}{
	{"the notes' optimizers", []string{"SGD", "Momentum", "NAG", "Adagrad", "Adadelta", "RMSprop", "Adam"}},
	{"Adam without bias correction, Adam's variants, Lion", []string{"Adam", "Adam, no bias corr.", "AdamW", "NAdam", "RAdam", "Lion"}},
}

// The pictures' geometry, in points (vgimg draws 96 dots per inch, so a
// point is 4/3 of a pixel): a header, two plots side by side, a legend
// under each, and the caption across the bottom.
const (
	dpi          = 96
	width        = 630 * vg.Length(1) // 840 pixels
	margin       = 6 * vg.Length(1)
	headerHeight = 20 * vg.Length(1)
	plotHeight   = 300 * vg.Length(1)
	legendHeight = 82 * vg.Length(1)
	captionLine  = 11 * vg.Length(1)
	legendSize   = 7.5
	captionSize  = 8
)

// layout is the regions of one picture.
type layout struct {
	canvas  *vgimg.Canvas
	header  draw.Canvas
	plots   [2]draw.Canvas
	legends [2]draw.Canvas
	caption draw.Canvas
}

// newLayout makes a picture with room for captionLines lines of caption,
// on a background of colour bg.
func newLayout(captionLines int, bg color.Color) layout {
	h := 2*margin + headerHeight + plotHeight + legendHeight + vg.Length(captionLines)*captionLine
	c := vgimg.NewWith(vgimg.UseWH(width, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(bg))
	dc := draw.Crop(draw.New(c), margin, -margin, margin, -margin)
	l := layout{canvas: c}
	top := dc.Max.Y
	l.header = rows(dc, top-headerHeight, top)
	top -= headerHeight
	half := (dc.Max.X - dc.Min.X) / 2
	for i := range l.plots {
		col := draw.Crop(dc, vg.Length(i)*half, vg.Length(i-1)*half, 0, 0)
		l.plots[i] = rows(col, top-plotHeight, top)
		l.legends[i] = rows(col, top-plotHeight-legendHeight, top-plotHeight-4)
	}
	l.caption = rows(dc, dc.Min.Y, top-plotHeight-legendHeight)
	return l
}

// rows is the horizontal band of c between the heights lo and hi.
func rows(c draw.Canvas, lo, hi vg.Length) draw.Canvas {
	c.Min.Y, c.Max.Y = lo, hi
	return c
}

// drawHeader writes the picture's title at the left of the header and
// right, if not empty, at its right.
func drawHeader(c draw.Canvas, title, right string) {
	sty := textStyle(12)
	bold := sans
	bold.Weight = xfont.WeightBold
	sty.Font = font.From(bold, 12)
	sty.YAlign = draw.YCenter
	mid := (c.Min.Y + c.Max.Y) / 2
	c.FillText(sty, vg.Point{X: c.Min.X, Y: mid}, title)
	if right != "" {
		sty = textStyle(10)
		sty.XAlign, sty.YAlign = draw.XRight, draw.YCenter
		c.FillText(sty, vg.Point{X: c.Max.X, Y: mid}, right)
	}
}

// drawLegend lists rs, each with its line and label, down c.
func drawLegend(c draw.Canvas, rs []racer, label func(racer) string) {
	l := plot.NewLegend()
	l.TextStyle = textStyle(legendSize)
	l.Top, l.Left = true, true
	l.Padding = 1.5
	l.XOffs = 30 // clear of the plot's y-axis labels
	for _, r := range rs {
		l.Add(label(r), &plotter.Line{LineStyle: lineStyle(racerIndex(r.name))})
	}
	l.Draw(c)
}

// drawCaption writes lines down c.
func drawCaption(c draw.Canvas, lines []string) {
	sty := textStyle(captionSize)
	sty.YAlign = draw.YTop
	y := c.Max.Y
	for _, line := range lines {
		c.FillText(sty, vg.Point{X: c.Min.X, Y: y}, line)
		y -= captionLine
	}
}

// grouped returns p's racers in panel g, in the order of the group.
func grouped(p *problem, g int) []int {
	var out []int
	for _, name := range groups[g].names {
		for i, r := range p.racers {
			if r.name == name {
				out = append(out, i)
			}
		}
	}
	return out
}
