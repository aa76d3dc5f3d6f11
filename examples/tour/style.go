package main

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// racerColors is each racer's colour, by its index in racerNames, so
// that an optimizer has the same colour in every picture.
var racerColors = []color.RGBA{
	{0x44, 0x44, 0x44, 0xff}, // SGD: dark grey
	{0xd6, 0x27, 0x28, 0xff}, // Momentum: red
	{0xff, 0x7f, 0x0e, 0xff}, // NAG: orange
	{0x2c, 0xa0, 0x2c, 0xff}, // Adagrad: green
	{0x8c, 0x56, 0x4b, 0xff}, // Adadelta: brown
	{0x1f, 0x77, 0xb4, 0xff}, // RMSprop: blue
	{0x94, 0x67, 0xbd, 0xff}, // Adam: purple
	{0xe3, 0x77, 0xc2, 0xff}, // Adam without bias correction: pink
	{0x17, 0xbe, 0xcf, 0xff}, // AdamW: cyan
	{0xbc, 0xbd, 0x22, 0xff}, // NAdam: olive
	{0x39, 0x3b, 0x79, 0xff}, // RAdam: navy
	{0xe7, 0xa0, 0x10, 0xff}, // Lion: gold
}

var (
	contourColor = color.RGBA{0xc8, 0xc8, 0xc8, 0xff}
	markColor    = color.RGBA{0x00, 0x00, 0x00, 0xff}
)

const (
	lineWidth  = 1.5 * vg.Length(1)
	headRadius = 2.5 * vg.Length(1) // the dot where a racer stands
)

// lineStyle is racer i's path. RMSprop and Adam without bias correction
// are dashed: their paths start on Adagrad's and Adam's, which would
// hide them.
func lineStyle(i int) draw.LineStyle {
	s := draw.LineStyle{Color: racerColors[i], Width: lineWidth}
	if i == racerIndex("RMSprop") || i == racerIndex("Adam, no bias corr.") {
		s.Dashes = []vg.Length{5, 2.5}
	}
	return s
}

// sans is Liberation Sans, which gonum embeds: the pictures depend on no
// installed font.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle is black text at size pt.
func textStyle(pt vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(sans, pt),
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot is a plot in the tour's font. It changes only the fonts of
// plot.New's text styles, which keep their alignments and rotations.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 10)
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Label.TextStyle.Font = font.From(sans, 9)
	p.Y.Label.TextStyle.Font = font.From(sans, 9)
	p.X.Tick.Label.Font = font.From(sans, 8)
	p.Y.Tick.Label.Font = font.From(sans, 8)
	return p
}
