package main

import (
	"math"
	"testing"
)

// raced races every problem once for the claims below.
func raced(t *testing.T) map[string]results {
	t.Helper()
	out := map[string]results{}
	for _, p := range problems() {
		paths := make([]path, len(p.racers))
		for i, r := range p.racers {
			paths[i] = mustRun(t, p, r)
		}
		out[p.name] = newResults(p, paths)
	}
	return out
}

func problemNamed(name string) *problem {
	for _, p := range problems() {
		if p.name == name {
			return p
		}
	}
	panic("no problem " + name)
}

// TestLecturePoints checks, on the paths drawn, each point of the lecture
// that the captions name, in the words they use: the captions quote
// numbers, and this test holds the words around them ("at once",
// "overshoots less", "slows") to those numbers.
func TestLecturePoints(t *testing.T) {
	all := raced(t)
	check := func(ok bool, problem, claim string, args ...any) {
		t.Helper()
		if !ok {
			t.Errorf("%s: %s does not hold: %v", problem, claim, args)
		}
	}

	s := all["saddle"]
	for _, name := range []string{"Adagrad", "RMSprop", "Adam"} {
		check(s.leaves(name, 0.1) <= 2, "saddle", name+" steps off the ridge at once", s.leaves(name, 0.1))
	}
	check(s.leaves("SGD", 0.1) > 50, "saddle", "SGD sits on the saddle", s.leaves("SGD", 0.1))
	check(s.leaves("Momentum", 0.1) < s.leaves("SGD", 0.1) && s.leaves("NAG", 0.1) < s.leaves("SGD", 0.1),
		"saddle", "Momentum and NAG leave before SGD")
	check(s.minX("Momentum") < s.minX("NAG") && s.minX("NAG") < 0, "saddle",
		"Momentum overshoots the saddle, NAG less", s.minX("Momentum"), s.minX("NAG"))

	for _, v := range []string{"valley", "beale"} {
		r := all[v]
		check(r.minY("Momentum") < r.minY("NAG"), v, "NAG overshoots less than Momentum (y)", r.minY("Momentum"), r.minY("NAG"))
	}
	b, edge := all["beale"], problemNamed("beale").xmax
	check(b.maxX("Lion") > edge && b.x("Lion", b.last("Lion")) < b.maxX("Lion"), "beale",
		"Lion runs out of the picture and turns back", b.maxX("Lion"))
	v := all["valley"]
	check(v.maxX("Momentum") > v.maxX("NAG") && v.maxX("NAG") > 0, "valley",
		"Momentum runs past the minimum, NAG less far", v.maxX("Momentum"), v.maxX("NAG"))

	// Adagrad slowing, RMSprop not: the same first step, then Adagrad's
	// steps shrink and RMSprop's do not, and RMSprop ends far lower.
	for _, name := range []string{"rosenbrock", "beale"} {
		r := all[name]
		check(math.Abs(r.covered("Adagrad", 1)/r.covered("RMSprop", 1)-1) < 1e-6, name, "Adagrad and RMSprop start with the same step")
		check(r.final("Adagrad") > 4*r.final("RMSprop"), name, "Adagrad ends far above RMSprop", r.final("Adagrad"), r.final("RMSprop"))
	}
	r := all["rosenbrock"]
	n := r.last("Adagrad")
	step := func(name string, k int) float64 { return r.covered(name, k) - r.covered(name, k-1) }
	check(r.x("Adagrad", n) < r.x("RMSprop", n), "rosenbrock", "RMSprop goes further down the valley")
	check(math.Abs(step("Adagrad", n)) < math.Abs(step("RMSprop", n))/4, "rosenbrock",
		"Adagrad's last steps are shorter than RMSprop's", step("Adagrad", n), step("RMSprop", n))

	// Adam without bias correction creeps at the start: with β1 = β2 its
	// first step is √(1−β2) of Adam's, and it stays behind for a while.
	for name, r := range all {
		ratio := r.covered("Adam, no bias corr.", 1) / r.covered("Adam", 1)
		check(math.Abs(ratio-math.Sqrt(1-0.9)) < 1e-3, name, "the uncorrected first step is √(1−0.9) of Adam's", ratio)
		for k := 1; k <= 3; k++ {
			check(r.covered("Adam, no bias corr.", k) < r.covered("Adam", k), name, "Adam without bias correction creeps", k)
		}
	}
	check(s.covered("Adam, no bias corr.", 10) < s.covered("Adam", 10), "saddle", "Adam without bias correction is behind at step 10")
	check(v.covered("Adam, no bias corr.", 10) < v.covered("Adam", 10), "valley", "Adam without bias correction is behind at step 10")

	// The stochastic case: Adagrad's shrinking steps average the noise
	// best, momentum's memory worst.
	z := all["noisy"]
	for _, name := range []string{"RMSprop", "SGD", "Adam", "NAG", "Momentum"} {
		check(z.tailMean("Adagrad", 50) < z.tailMean(name, 50), "noisy", "Adagrad averages the noise better than "+name)
		check(name == "Momentum" || z.tailMean(name, 50) < z.tailMean("Momentum", 50), "noisy", "Momentum adds up the noise more than "+name)
	}
}

// TestFairStart checks the rule the hyperparameters follow (see race):
// the adaptive methods' first move is about as long as SGD's first step,
// so that neither side starts with an advantage.
func TestFairStart(t *testing.T) {
	for name, r := range raced(t) {
		sgd := r.covered("SGD", 1)
		for _, a := range []string{"Adagrad", "RMSprop", "Adam", "AdamW", "NAdam"} {
			if q := r.covered(a, 1) / sgd; q < 0.5 || q > 2 {
				t.Errorf("%s: %s's first step is %.3g times SGD's, outside [0.5, 2]", name, a, q)
			}
		}
	}
}
