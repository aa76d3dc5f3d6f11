package main

import (
	"fmt"
	"math"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// This file races every racer of every problem again, with the updates
// written here from the formulas of the lecture notes and of PyTorch's
// documentation (torch.optim.*'s "Algorithm" sections; Optax for Lion),
// coordinate by coordinate in plain float64, and with the gradients
// derived again, and checks that the paths the pictures draw follow them.
//
// The program and the references compute the same formulas in different
// orders (fusedopt multiplies by 1/√(1−β2^t) where PyTorch divides, forms
// β^t exactly where this file calls math.Pow, merges NAdam's two
// updates, ...), so one step differs by a few units of 2⁻⁵³. Two checks:
//
//   - Free-running: each racer's own path against the reference's own,
//     at each of the first freeSteps steps, within freeTol relative to
//     max(1, |coordinate|). Beyond that some paths are chaotic (NAdam in
//     the valley from step 130, RMSprop and Adadelta on Rosenbrock's
//     valley from step 500): an oscillation across a steep valley
//     amplifies any rounding difference until the paths part, as two
//     PyTorch runs on different hardware would.
//   - Step by step, along the whole path: each step of the reference
//     starts from the program's previous position, its state fed the
//     gradients at the program's positions, and must land within stepTol
//     of the program's next position. Every step drawn is checked, and
//     rounding has no room to grow.
//
// Measured here, the largest differences are 2e-13 free-running and
// 1.4e-14 step by step (go test -v logs them); the bounds leave a margin
// of 70 or more, and slips in a formula move the paths far more than
// that (TestReferenceCatchesSlips).
const (
	freeSteps = 100
	freeTol   = 1e-10
	stepTol   = 1e-12
)

func TestReferencePaths(t *testing.T) {
	worst := 0.0
	for _, p := range problems() {
		for _, r := range p.racers {
			got := mustRun(t, p, r)
			want := refRun(p, r.h)
			d, at := pathDistance(got, want, min(p.steps, freeSteps))
			worst = max(worst, d)
			if d > freeTol {
				t.Errorf("%s, %s: step %d is at (%v, %v), the reference at (%v, %v): %.3g apart (relative), bound %g",
					p.name, r.name, at, got.x[at], got.y[at], want.x[at], want.y[at], d, freeTol)
			}
		}
	}
	t.Logf("free-running, steps 1 to %d: largest relative distance from the references %.3g (bound %g)", freeSteps, worst, freeTol)
}

func TestReferenceSteps(t *testing.T) {
	worst := 0.0
	for _, p := range problems() {
		for _, r := range p.racers {
			got := mustRun(t, p, r)
			want := refForced(p, refStepper(r.h, slip{}), got)
			d, at := pathDistance(got, want, p.steps)
			worst = max(worst, d)
			if d > stepTol {
				t.Errorf("%s, %s: step %d goes to (%v, %v), the reference to (%v, %v): %.3g apart (relative), bound %g",
					p.name, r.name, at, got.x[at], got.y[at], want.x[at], want.y[at], d, stepTol)
			}
		}
	}
	t.Logf("step by step, every step: largest relative distance from the references %.3g (bound %g)", worst, stepTol)
}

func mustRun(t *testing.T, p *problem, r racer) path {
	t.Helper()
	pt, err := run(p, r)
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

// pathDistance is the largest distance between two paths over steps 0
// to n, each coordinate relative to max(1, |reference|), and the step
// where it is.
func pathDistance(got, want path, n int) (float64, int) {
	worst, at := 0.0, 0
	for k := 0; k <= n; k++ {
		for _, c := range [][2]float64{{got.x[k], want.x[k]}, {got.y[k], want.y[k]}} {
			d := math.Abs(c[0]-c[1]) / max(1, math.Abs(c[1]))
			if d > worst || math.IsNaN(d) {
				worst, at = d, k
			}
		}
	}
	return worst, at
}

// refRun races h on p with the reference updates and gradients.
func refRun(p *problem, h any) path {
	grad := refGrads[p.name]
	step := refStepper(h, slip{})
	noise := p.noiseAt(p.steps) // the problem's data, not a formula under test
	x, y := p.x0, p.y0
	pt := path{x: []float64{x}, y: []float64{y}}
	for t := 1; t <= p.steps; t++ {
		gx, gy := grad(x, y)
		nx, ny := step(t, [2]float64{x, y}, [2]float64{gx + noise[t][0], gy + noise[t][1]})
		if finite(nx) && finite(ny) && finite(p.f(nx, ny)) { // run stops a racer that overflows
			x, y = nx, ny
		}
		pt.x, pt.y = append(pt.x, x), append(pt.y, y)
	}
	return pt
}

// refForced is the reference's steps along another path: its point k is
// where the reference's step k goes from along's point k-1.
func refForced(p *problem, step func(t int, p, g [2]float64) (float64, float64), along path) path {
	grad := refGrads[p.name]
	noise := p.noiseAt(p.steps)
	pt := path{x: []float64{p.x0}, y: []float64{p.y0}}
	for t := 1; t <= p.steps; t++ {
		x, y := along.x[t-1], along.y[t-1]
		gx, gy := grad(x, y)
		nx, ny := step(t, [2]float64{x, y}, [2]float64{gx + noise[t][0], gy + noise[t][1]})
		pt.x, pt.y = append(pt.x, nx), append(pt.y, ny)
	}
	return pt
}

// refGrads are the problems' gradients, derived again and written in
// another form than the program's.
var refGrads = map[string]func(x, y float64) (float64, float64){
	"saddle": func(x, y float64) (float64, float64) { return 2 * x, -2 * y },
	"valley": func(x, y float64) (float64, float64) { return x, 20 * y },
	"noisy":  func(x, y float64) (float64, float64) { return x, 20 * y },
	"rosenbrock": func(x, y float64) (float64, float64) {
		// f = (1-x)² + 100(y-x²)²
		return 2*(x-1) + 400*x*(x*x-y), 200 * (y - x*x)
	},
	"beale": func(x, y float64) (float64, float64) {
		// f = Σ_{i=1..3} (c_i − x(1 − y^i))²
		var gx, gy float64
		for i, c := range []float64{1.5, 2.25, 2.625} {
			n := float64(i + 1)
			r := c - x*(1-math.Pow(y, n))
			gx += 2 * r * -(1 - math.Pow(y, n))
			gy += 2 * r * x * n * math.Pow(y, n-1)
		}
		return gx, gy
	},
}

// A slip is a plausible mistake in a formula, which the reference can
// make on purpose to show that the checks would catch it.
type slip struct {
	offByOne bool // a step number one too large (incremented twice)
	bias     bool // drop the bias corrections (add them to Adam without)
	epsIn    bool // put ε inside the square root, or outside for Adadelta
	nesterov bool // swap classical and Nesterov momentum
}

// sqrtEps is √v + ε, or √(v + ε) with the epsIn slip.
func (s slip) sqrtEps(v, eps float64) float64 {
	if s.epsIn {
		return math.Sqrt(v + eps)
	}
	return math.Sqrt(v) + eps
}

// refStepper returns the reference update of the optimizer h, making the
// slip s: step t (from 1) from the position p with the gradient g, to
// the new position. It keeps its state per coordinate, as the formulas
// do.
func refStepper(h any, s slip) func(t int, p, g [2]float64) (float64, float64) {
	var u func(i, t int, p, g float64) float64 // one coordinate's update
	switch o := h.(type) {
	case kernels.SGD:
		buf := [2]float64{}
		u = func(i, t int, p, g float64) float64 {
			if o.Momentum == 0 {
				return p - o.LR*g
			}
			if t == 1 {
				buf[i] = g // PyTorch: the buffer starts as the first gradient
			} else {
				buf[i] = o.Momentum*buf[i] + (1-o.Dampening)*g
			}
			if o.Nesterov != s.nesterov {
				return p - o.LR*(g+o.Momentum*buf[i])
			}
			return p - o.LR*buf[i]
		}
	case kernels.Adagrad:
		// The notes: s_i = Σ_k g², Δx = −α g/√(s_i+ε), with PyTorch's ε
		// outside the root (std = √s + ε).
		sum := [2]float64{o.InitialAccumulatorValue, o.InitialAccumulatorValue}
		u = func(i, t int, p, g float64) float64 {
			clr := o.LR / (1 + float64(t-1)*o.LRDecay)
			sum[i] += g * g
			return p - clr*g/s.sqrtEps(sum[i], o.Eps)
		}
	case kernels.Adadelta:
		sq, acc := [2]float64{}, [2]float64{}
		u = func(i, t int, p, g float64) float64 {
			sq[i] = o.Rho*sq[i] + (1-o.Rho)*g*g
			// ε is inside both roots here: the slip takes it out.
			delta := math.Sqrt(acc[i]+o.Eps) / math.Sqrt(sq[i]+o.Eps) * g
			if s.epsIn {
				delta = (math.Sqrt(acc[i]) + o.Eps) / (math.Sqrt(sq[i]) + o.Eps) * g
			}
			acc[i] = o.Rho*acc[i] + (1-o.Rho)*delta*delta
			return p - o.LR*delta
		}
	case kernels.RMSprop:
		// The notes: s ← βs + (1−β)g², W −= lr·g/(√s + ε).
		sq := [2]float64{}
		u = func(i, t int, p, g float64) float64 {
			sq[i] = o.Alpha*sq[i] + (1-o.Alpha)*g*g
			return p - o.LR*g/s.sqrtEps(sq[i], o.Eps)
		}
	case kernels.Adam:
		// The notes: m ← β1 m + (1−β1)g, s ← β2 s + (1−β2)g², m̂ = m/(1−β1^k),
		// ŝ = s/(1−β2^k), W −= lr·m̂/(√ŝ + ε); AdamW first shrinks W by
		// lr·λ.
		m, v := [2]float64{}, [2]float64{}
		u = func(i, t int, p, g float64) float64 {
			if o.Decoupled {
				p *= 1 - o.LR*o.WeightDecay
			}
			m[i] = o.Beta1*m[i] + (1-o.Beta1)*g
			v[i] = o.Beta2*v[i] + (1-o.Beta2)*g*g
			mHat, vHat := m[i], v[i]
			if o.NoBiasCorrection == s.bias {
				mHat /= 1 - math.Pow(o.Beta1, float64(t))
				vHat /= 1 - math.Pow(o.Beta2, float64(t))
			}
			return p - o.LR*mHat/s.sqrtEps(vHat, o.Eps)
		}
	case kernels.NAdam:
		// torch.optim.NAdam: μ_t = β1(1 − ½·0.96^(tψ)), the running product
		// of μ, and two updates along g and m.
		m, v := [2]float64{}, [2]float64{}
		mu := func(t int) float64 { return o.Beta1 * (1 - 0.5*math.Pow(0.96, float64(t)*o.MomentumDecay)) }
		prod, prodStep := 1.0, 0
		u = func(i, t int, p, g float64) float64 {
			if prodStep < t { // once per step, common to both coordinates
				prod *= mu(t)
				prodStep = t
			}
			m[i] = o.Beta1*m[i] + (1-o.Beta1)*g
			v[i] = o.Beta2*v[i] + (1-o.Beta2)*g*g
			bc2 := 1 - math.Pow(o.Beta2, float64(t))
			if s.bias {
				bc2 = 1
			}
			denom := s.sqrtEps(v[i]/bc2, o.Eps)
			next := mu(t + 1)
			p -= o.LR * (1 - mu(t)) / (1 - prod) * g / denom
			return p - o.LR*next/(1-prod*next)*m[i]/denom
		}
	case kernels.RAdam:
		// torch.optim.RAdam: rectify when ρ_t > 5, else a momentum step.
		m, v := [2]float64{}, [2]float64{}
		u = func(i, t int, p, g float64) float64 {
			m[i] = o.Beta1*m[i] + (1-o.Beta1)*g
			v[i] = o.Beta2*v[i] + (1-o.Beta2)*g*g
			b1t, b2t := math.Pow(o.Beta1, float64(t)), math.Pow(o.Beta2, float64(t))
			mHat := m[i] / (1 - b1t)
			if s.bias {
				mHat = m[i]
			}
			rhoInf := 2/(1-o.Beta2) - 1
			rho := rhoInf - 2*float64(t)*b2t/(1-b2t)
			if rho <= 5 {
				return p - o.LR*mHat
			}
			r := math.Sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho))
			return p - o.LR*mHat*r*math.Sqrt(1-b2t)/s.sqrtEps(v[i], o.Eps)
		}
	case kernels.Lion:
		// optax.lion: the sign of an interpolation, then the momentum.
		m := [2]float64{}
		u = func(i, t int, p, g float64) float64 {
			c := o.Beta1*m[i] + (1-o.Beta1)*g
			m[i] = o.Beta2*m[i] + (1-o.Beta2)*g
			return p - o.LR*(sign(c)+o.WeightDecay*p)
		}
	default:
		panic(fmt.Sprintf("no reference for %T", h))
	}
	return func(t int, p, g [2]float64) (float64, float64) {
		if s.offByOne {
			t++
		}
		return u(0, t, p[0], g[0]), u(1, t, p[1], g[1])
	}
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// TestReferenceCatchesSlips makes the references slip, one plausible
// mistake at a time, and checks that the step-by-step comparison would
// catch each by a wide margin: some step of the path must move by more
// than slipMin, a hundred times stepTol. Where ε is the slip, both sides
// run with ε = 1e-3: at the racers' ε (1e-8, Adagrad's 1e-10) its place
// changes a step by less than rounding does wherever the gradient is
// not tiny. Plain SGD and Lion have no formula to slip on here (no step
// number, ε or root), nor has Adam without bias correction a step number.
func TestReferenceCatchesSlips(t *testing.T) {
	const slipMin = 100 * stepTol
	slips := []struct {
		name string
		s    slip
	}{
		{"step number one too large", slip{offByOne: true}},
		{"bias correction dropped or added", slip{bias: true}},
		{"ε on the other side of √", slip{epsIn: true}},
		{"momentum kinds swapped", slip{nesterov: true}},
	}
	weakest := math.Inf(1)
	for _, p := range problems() {
		for _, r := range p.racers {
			for _, sl := range slips {
				h, ok := slipRacer(r.h, sl.s)
				if !ok {
					continue
				}
				got := mustRun(t, p, racer{r.name, h})
				d, _ := pathDistance(got, refForced(p, refStepper(h, sl.s), got), p.steps)
				weakest = min(weakest, d)
				if !(d > slipMin) {
					t.Errorf("%s, %s: a reference with %q stays within %.3g of the path: the checks would miss it", p.name, r.name, sl.name, d)
				}
			}
		}
	}
	t.Logf("the smallest move a slip makes: %.3g (bound %g)", weakest, slipMin)
}

// slipRacer returns the hyperparameters to race h with when testing slip
// s, and whether s applies to h at all.
func slipRacer(h any, s slip) (any, bool) {
	const eps = 1e-3
	switch o := h.(type) {
	case kernels.SGD:
		return o, s.nesterov && o.Momentum != 0
	case kernels.Adagrad:
		o.Eps = eps
		return o, s.epsIn
	case kernels.Adadelta:
		o.Eps = eps
		return o, s.epsIn
	case kernels.RMSprop:
		o.Eps = eps
		return o, s.epsIn
	case kernels.Adam:
		if s.epsIn {
			o.Eps = eps
		}
		return o, s.epsIn || s.bias || s.offByOne && !o.NoBiasCorrection
	case kernels.NAdam:
		if s.epsIn {
			o.Eps = eps
		}
		return o, s.epsIn || s.bias || s.offByOne
	case kernels.RAdam:
		if s.epsIn {
			o.Eps = eps
		}
		return o, s.epsIn || s.bias || s.offByOne
	}
	return h, false
}
