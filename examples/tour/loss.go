package main

import (
	"image"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// lossFloor is the smallest loss a log-scale loss plot shows: below it
// every racer has arrived, and a loss of exactly 0 has no logarithm.
const lossFloor = 1e-8

// saddleLossMin is where the saddle's linear loss axis stops: f is
// unbounded below there, and the racers that escaped fall out of the plot.
const saddleLossMin = -4

// lossPlot draws f against the step, in the two panels of the scene, on a
// log step axis so that the first steps, where bias correction acts, get
// as much room as the last ones.
func lossPlot(p *problem, paths []path) (*image.RGBA, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	series := make([]plotter.XYs, len(paths))
	for i, pt := range paths {
		series[i] = make(plotter.XYs, p.steps)
		for t := 1; t <= p.steps; t++ {
			v := meanLoss(pt.loss, t, p.smooth)
			if p.logLoss {
				v = max(v, lossFloor)
			} else {
				v = max(v, saddleLossMin)
			}
			series[i][t-1] = plotter.XY{X: float64(t), Y: v}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	lay := newLayout(0, color.White)
	drawHeader(lay.header, "loss: "+p.title, "")
	for g := range groups {
		plt := newPlot(groups[g].title, "step", p.lossLabel)
		plt.X.Scale = plot.LogScale{}
		plt.X.Tick.Marker = decades{}
		if p.logLoss {
			plt.Y.Scale = plot.LogScale{}
			plt.Y.Tick.Marker = decades{}
		}
		plt.Add(plotter.NewGrid())
		var rs []racer
		for _, i := range grouped(p, g) { // the last listed on top
			l, err := plotter.NewLine(series[i])
			if err != nil {
				return nil, err
			}
			l.LineStyle = lineStyle(racerIndex(p.racers[i].name))
			plt.Add(l)
			rs = append(rs, p.racers[i])
		}
		plt.X.Min, plt.X.Max = 1, float64(p.steps)
		plt.Y.Min, plt.Y.Max = lo, hi // both panels on one scale
		plt.Draw(lay.plots[g])
		drawLegend(lay.legends[g], rs, func(r racer) string { return r.name })
	}
	return lay.canvas.Image().(*image.RGBA), nil
}

// meanLoss is the mean of loss over the n steps up to t (fewer at the
// start), or loss[t] for n <= 1. With noisy gradients the loss jumps from
// step to step by more than the racers differ; the mean shows the trend.
func meanLoss(loss []float64, t, n int) float64 {
	if n <= 1 {
		return loss[t]
	}
	from := max(1, t-n+1)
	s := 0.0
	for _, v := range loss[from : t+1] {
		s += v
	}
	return s / float64(t+1-from)
}

// decades ticks a log axis at the powers of ten, labelled 1e-05 ... 1e+03
// as strconv prints them, with unlabelled ticks at 2 to 9 times each.
// (plot.LogTicks multiplies by 10 repeatedly and labels 9.999999999999999e-05.)
type decades struct{}

func (decades) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := int(math.Floor(math.Log10(lo))); e <= int(math.Ceil(math.Log10(hi))); e++ {
		label := "1e" + strconv.Itoa(e)
		v, _ := strconv.ParseFloat(label, 64) // the nearest double to 10^e, exactly
		ticks = append(ticks, plot.Tick{Value: v, Label: num(v)})
		for k := 2; k <= 9; k++ {
			ticks = append(ticks, plot.Tick{Value: float64(k) * v})
		}
	}
	return ticks
}
