package main

// The captions: what each picture shows, in the lecture's terms, with
// the numbers measured on the race (TestLecturePoints holds the words
// around them to the numbers). Each line must fit the picture's width
// (TestTextFits).

// saddleCaption: the adaptive methods leave the ridge at once, SGD sits
// on the saddle, momentum overshoots it and NAG less, and Adam without
// bias correction creeps.
func saddleCaption(r results) []string {
	return []string{
		"Escaping the saddle: across the ridge y = 0 the gradient is 0.0002, and SGD's steps are lr times that: it sits on the saddle until",
		"step " + itoa(r.leaves("SGD", 0.1)) + " (|y| > 0.1). Adagrad, RMSprop and Adam divide the gradient by its own size and step off the ridge at once (step " +
			itoa(max(r.leaves("Adagrad", 0.1), r.leaves("RMSprop", 0.1), r.leaves("Adam", 0.1))) + ").",
		"Momentum overshoots the saddle, to x = " + g2(r.minX("Momentum")) + "; NAG's look-ahead brakes sooner, at x = " + g2(r.minX("NAG")) +
			". They leave the ridge at steps " + itoa(r.leaves("Momentum", 0.1)) + " and " + itoa(r.leaves("NAG", 0.1)) + ".",
		"Adam without bias correction creeps at the start: its first step is " + g2(r.covered("Adam, no bias corr.", 1)/r.covered("Adam", 1)) +
			" of Adam's, and in 10 steps it covers " + g2(r.covered("Adam, no bias corr.", 10)) + " to Adam's " + g2(r.covered("Adam", 10)) + ".",
	}
}

// valleyCaption: momentum overshoots, NAG less; Adam without bias
// correction creeps.
func valleyCaption(r results) []string {
	return []string{
		"Momentum overshoots: with μ 0.9 it zig-zags across the valley, down to y = " + g2(r.minY("Momentum")) + ", and runs past the minimum to x = " + g2(r.maxX("Momentum")) + ".",
		"NAG's look-ahead overshoots less: down to y = " + g2(r.minY("NAG")) + " and on to x = " + g2(r.maxX("NAG")) + ". Along the axes of this valley the per-coordinate methods",
		"are at their best. Adam without bias correction creeps at the start: " + g2(r.covered("Adam, no bias corr.", 10)) + " covered in 10 steps to Adam's " + g2(r.covered("Adam", 10)) + ".",
	}
}

// noisyCaption: with noise, Adagrad's shrinking steps help.
func noisyCaption(r results) []string {
	m := func(name string) string { return g2(r.tailMean(name, 50)) }
	return []string{
		"The stochastic case: noise of σ 2, the same for every racer, on each gradient component. Mean f over the last 50 steps: Adagrad " + m("Adagrad") + ",",
		"RMSprop " + m("RMSprop") + ", SGD " + m("SGD") + ", Adam " + m("Adam") + ", NAG " + m("NAG") + ", Momentum " + m("Momentum") +
			". Adagrad's shrinking steps, its weakness on a long deterministic path,",
		"average the noise out here; RMSprop and Adam keep steps of about lr, and momentum adds up the noise of its last 1/(1−μ) = 10 steps.",
	}
}

// rosenbrockCaption: Adagrad slows as its sum grows; RMSprop's moving
// average does not.
func rosenbrockCaption(r results) []string {
	return []string{
		"Adagrad slows as its sum grows: the first, steep gradients stay in its sum of squares, and every later step is divided by them. After " + itoa(r.last("Adagrad")) + " steps",
		"it is at x = " + g2(r.x("Adagrad", r.last("Adagrad"))) + ", f = " + g2(r.final("Adagrad")) + ". RMSprop starts with the same step, but its moving average forgets them (α 0.99: in about",
		"100 steps), and it goes on down the valley to x = " + g2(r.x("RMSprop", r.last("RMSprop"))) + ", f = " + g2(r.final("RMSprop")) + ". Momentum and NAG follow the valley at lr/(1−μ).",
	}
}

// bealeCaption: momentum overshoots, NAG less; Adagrad slows; Lion
// runs on.
func bealeCaption(r results) []string {
	return []string{
		"Momentum overshoots, down to y = " + g2(r.minY("Momentum")) + " before it turns; NAG's look-ahead turns at y = " + g2(r.minY("NAG")) + ". Adagrad and RMSprop start on one path,",
		"but Adagrad's growing sum slows it: at step " + itoa(r.last("Adagrad")) + ", f = " + g2(r.final("Adagrad")) + " to RMSprop's " + g2(r.final("RMSprop")) +
			". Lion moves by lr in every coordinate at every",
		"step: it runs past the minimum along the flat valley, out of the picture to x = " + g2(r.maxX("Lion")) + ", before it turns back.",
	}
}
