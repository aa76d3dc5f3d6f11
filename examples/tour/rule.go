package main

import "strconv"

// race is the twelve racers of a problem at the hyperparameters that two
// numbers set, by one rule for every problem, so that no optimizer is
// tuned to win or to lose:
//
//   - SGD, Momentum and NAG share lr, the momentum ones with the usual
//     μ 0.9. lr·λ_max at the start is at most 0.8, within NAG's limit on
//     a quadratic, 2(1+μ)/(1+2μ) = 1.36 (the tightest of the three): 0.8
//     in the valley, 0.75 on Rosenbrock's, 0.28 on Beale's. On the saddle
//     it is 0.1, so that the race lasts long enough to watch; the lesson
//     does not depend on it (at lr 0.4 and eta 0.8, SGD leaves the ridge
//     at step 12, the adaptive methods still at step 1).
//   - The adaptive methods share eta, the first move they make in each
//     coordinate: Adagrad's and Adam's first step is lr·g/|g|, so their
//     lr is eta; RMSprop's is lr·g/√((1−α)g²) = 10·lr, so its lr is
//     eta/10. Each problem sets eta so that this first move is about as
//     long as SGD's first step (TestFairStart: within a factor of 2).
//   - Adadelta runs at PyTorch's defaults (lr 1, ρ 0.9, ε 1e-6)
//     everywhere: needing no learning rate is its point. Its first steps
//     are about √ε/√(1−ρ) = 0.003 long and grow with its running average
//     of past updates. (An ε that matched the others' first move,
//     eta²/10, makes it diverge on Rosenbrock's valley.)
//   - Adam and Adam without bias correction share β (0.9, 0.9). With
//     β2 = β1 the uncorrected step is √(1−0.9^t) times Adam's for a
//     constant gradient, the creeping start the notes derive for m. At
//     PyTorch's β2 = 0.999 the uncorrected v, far smaller still than m,
//     would make the first steps (1−β1)/√(1−β2) = 3.2 times larger
//     instead: the notes' argument holds for m alone.
//   - AdamW and NAdam take eta at PyTorch's defaults (β (0.9, 0.999),
//     AdamW's weight decay 0.01). Lion takes eta/3: its paper advises an
//     lr 3 to 10 times below AdamW's, since every coordinate moves by lr
//     at every step.
//   - RAdam takes SGD's lr: its first five steps are momentum SGD steps
//     lr·m̂, which eta would throw far out of the picture; after them its
//     Adam steps are scaled by the rectifier r_t (0.03 at step 6, 0.2 at
//     step 100), a built-in warm-up.
//   - Derived values are rounded to one significant digit.
func race(lr, eta float64) []racer {
	return []racer{
		sgd(lr), momentum(lr, 0.9), nag(lr, 0.9),
		adagrad(eta), adadelta(), rmsprop(round1(eta / 10)),
		adam(eta, 0.9), adamNoBias(eta, 0.9),
		adamW(eta), nadam(eta), radam(lr), lion(round1(eta / 3)),
	}
}

// round1 rounds v to one significant digit, so that a derived
// hyperparameter prints as 0.03, not 0.03333333333333333.
func round1(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 1, 64), 64)
	return r
}
