package main

import (
	"fmt"
	"math"
)

// A path is where one racer was before each step: x[0], y[0] is the start
// and x[t], y[t] the position after step t; loss[t] is f there.
type path struct {
	x, y, loss []float64
}

// run races r on p for p.steps steps through fusedopt's Step64. A racer
// that leaves for infinity stops where it last was finite, so that a
// diverging optimizer is drawn leaving the window, not as NaNs.
func run(p *problem, r racer) (path, error) {
	step, err := r.stepper()
	if err != nil {
		return path{}, err
	}
	noise := p.noiseAt(p.steps)
	pos, g := []float64{p.x0, p.y0}, make([]float64, 2)
	pt := path{
		x:    make([]float64, p.steps+1),
		y:    make([]float64, p.steps+1),
		loss: make([]float64, p.steps+1),
	}
	pt.x[0], pt.y[0], pt.loss[0] = p.x0, p.y0, p.f(p.x0, p.y0)
	stopped := false
	for t := 1; t <= p.steps; t++ {
		if !stopped {
			g[0], g[1] = p.grad(pos[0], pos[1])
			g[0] += noise[t][0]
			g[1] += noise[t][1]
			if err := step(t, pos, g); err != nil {
				return path{}, fmt.Errorf("%s on %s: %w", r.name, p.name, err)
			}
			stopped = !finite(pos[0]) || !finite(pos[1]) || !finite(p.f(pos[0], pos[1]))
		}
		if stopped {
			pt.x[t], pt.y[t], pt.loss[t] = pt.x[t-1], pt.y[t-1], pt.loss[t-1]
			continue
		}
		pt.x[t], pt.y[t], pt.loss[t] = pos[0], pos[1], p.f(pos[0], pos[1])
	}
	return pt, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
