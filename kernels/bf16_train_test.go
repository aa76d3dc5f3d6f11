package kernels

import (
	"math"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// leastSquares is a generated regression problem: minimize
// mean((X w - y)^2)/2 over w, with y = X w* + noise.
type leastSquares struct {
	x    [][]float64 // samples × features, uniform in [-1, 1)
	y    []float64
	d, n int
}

func newLeastSquares(seed uint64, n, d int, noise float64) leastSquares {
	r := testbuf.NewRand(seed)
	unif := func() float64 { return float64(r.Uint64()>>11)/(1<<53)*2 - 1 }
	p := leastSquares{d: d, n: n}
	wstar := make([]float64, d)
	for j := range wstar {
		wstar[j] = 1.5 * unif() // targets up to 1.5: bfloat16 spacing there is 2^-7
	}
	for range n {
		row := make([]float64, d)
		y := 0.0
		for j := range row {
			row[j] = unif()
			y += row[j] * wstar[j]
		}
		p.x = append(p.x, row)
		p.y = append(p.y, y+noise*unif())
	}
	return p
}

// lossGrad is the loss at w and, into g, its gradient (in float32, as a
// training loop would hand it to the optimizer).
func (p leastSquares) lossGrad(w []float64, g []float32) float64 {
	loss := 0.0
	gd := make([]float64, p.d)
	for i, row := range p.x {
		e := -p.y[i]
		for j, x := range row {
			e += x * w[j]
		}
		loss += e * e / 2
		for j, x := range row {
			gd[j] += e * x
		}
	}
	for j := range g {
		g[j] = float32(gd[j] / float64(p.n))
	}
	return loss / float64(p.n)
}

// TestBF16TrainsWithStochasticRounding trains least squares with Adam
// (LR 1e-3, 4000 steps) in float32, in bfloat16 with round-to-nearest and
// in bfloat16 with stochastic rounding. At this learning rate an update
// is smaller than half the bfloat16 spacing of any weight above 0.25 in
// magnitude, so round-to-nearest stalls: its loss must stay at least 10
// times float32's. Stochastic rounding keeps the updates in expectation:
// its loss must come within 10% of float32's (the noise floor
// noise^2/6 ≈ 1.7e-3 dominates both; the bfloat16 quantization of w adds
// about d·(2^-8)^2/12·E[x^2] ≈ 1e-5, and the rounding noise of the
// walk about as much).
func TestBF16TrainsWithStochasticRounding(t *testing.T) {
	const d, n, steps = 16, 256, 4000
	p := newLeastSquares(9, n, d, 0.1)
	a := Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	g := make([]float32, d)
	w := make([]float64, d)

	p32, m32, v32 := make([]float32, d), make([]float32, d), make([]float32, d)
	for step := 1; step <= steps; step++ {
		for j := range w {
			w[j] = float64(p32[j])
		}
		p.lossGrad(w, g)
		if err := a.Step32(step, p32, g, m32, v32, nil); err != nil {
			t.Fatal(err)
		}
	}
	for j := range w {
		w[j] = float64(p32[j])
	}
	loss32 := p.lossGrad(w, g)

	train := func(r Rounding) float64 {
		pb, mb, vb := make([]BF16, d), make([]BF16, d), make([]BF16, d)
		for step := 1; step <= steps; step++ {
			for j := range w {
				w[j] = float64(pb[j].Float32())
			}
			p.lossGrad(w, g)
			if err := a.StepBF16(step, r, pb, g, mb, vb); err != nil {
				t.Fatal(err)
			}
		}
		for j := range w {
			w[j] = float64(pb[j].Float32())
		}
		return p.lossGrad(w, g)
	}
	lossRNE := train(RoundNearestEven)
	lossSR := train(Rounding{Stochastic: true, Seed: 2024})
	t.Logf("loss after %d steps: float32 %.6g, bfloat16 nearest %.6g, bfloat16 stochastic %.6g", steps, loss32, lossRNE, lossSR)
	if lossRNE < 10*loss32 {
		t.Errorf("bfloat16 round-to-nearest did not stall: loss %.6g, float32 %.6g", lossRNE, loss32)
	}
	if math.Abs(lossSR-loss32) > 0.1*loss32 {
		t.Errorf("bfloat16 stochastic rounding: loss %.6g, not within 10%% of float32's %.6g", lossSR, loss32)
	}
}
