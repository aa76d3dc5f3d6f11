package main

import (
	"slices"
	"sync"
	"time"
)

// A job is one thing to time: a kernel at a level on slices of n
// elements. run(iters) performs iters steps on all threads.
type job struct {
	kind   string // kindKernel, kindC, kindRoofline or kindArith
	level  string
	n      int
	atSize int    // arith jobs: the size whose round robin they joined
	setup  func() // called before each timed repetition (e.g. SetLevel)
	run    func(iters int)

	iters   int       // steps per repetition, from calibration
	samples []float64 // ns per element, one per repetition
}

// The kinds of job.
const (
	kindKernel   = "kernel"   // the optimizer's own kernel at a fusedopt level
	kindC        = "c"        // the C baseline
	kindRoofline = "roofline" // the Traffic kernel: the memory roofline
	kindArith    = "arith"    // the Arith kernel: the arithmetic bound
	kindCall     = "call"     // Step on empty slices: the cost of a call
)

// timing says how long and how often to measure.
type timing struct {
	reps    int           // timed repetitions per job
	minTime time.Duration // minimum length of one repetition
}

// measure calibrates every job, then times reps repetitions of all of
// them in turn (round robin), so that a slow phase of a noisy machine
// spreads over every job rather than landing on one.
func measure(jobs []*job, t timing) {
	for _, j := range jobs {
		j.calibrate(t.minTime)
	}
	for range t.reps {
		for _, j := range jobs {
			if j.setup != nil {
				j.setup()
			}
			d := timeRun(j.run, j.iters)
			j.samples = append(j.samples, float64(d.Nanoseconds())/float64(j.iters)/float64(j.n))
		}
	}
}

// calibrate finds how many steps take at least minTime. Its runs are the
// warm-up: caches, branch predictors and the CPU's clock settle on the
// job before any timed repetition.
func (j *job) calibrate(minTime time.Duration) {
	if j.setup != nil {
		j.setup()
	}
	iters := 1
	for {
		d := timeRun(j.run, iters)
		if d >= minTime {
			break
		}
		// Aim 20% past minTime, growing at most 100x per round so that one
		// unlucky fast run cannot ask for a huge count.
		next := int(float64(iters) * 1.2 * float64(minTime) / float64(max(d, 1)))
		iters = min(max(next, iters+1), 100*iters)
	}
	// One more run at the final count, untimed: the warm-up proper.
	j.run(iters)
	j.iters = iters
}

func timeRun(run func(int), iters int) time.Duration {
	start := time.Now()
	run(iters)
	return time.Since(start)
}

// parallel runs each thread's share of the work, one goroutine per
// chunk, and waits for all of them. With one thread it adds nothing.
func parallel(chunks []func(iters int)) func(iters int) {
	if len(chunks) == 1 {
		return chunks[0]
	}
	return func(iters int) {
		var wg sync.WaitGroup
		for _, c := range chunks[1:] {
			wg.Go(func() { c(iters) })
		}
		chunks[0](iters)
		wg.Wait()
	}
}

// split divides n elements among threads in multiples of 64 elements (so
// that no two threads share a cache line) and returns the bounds.
func split(n, threads int) [][2]int {
	threads = max(1, min(threads, n/64))
	var b [][2]int
	lo := 0
	for t := range threads {
		hi := n
		if t < threads-1 {
			hi = (n * (t + 1) / threads) &^ 63
		}
		b = append(b, [2]int{lo, hi})
		lo = hi
	}
	return b
}

// Stats summarises one job's samples in ns per element. MAD (median
// absolute deviation) is the spread: unlike a standard deviation, one
// repetition disturbed by another process barely moves it.
type Stats struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
	MAD    float64 `json:"mad"`
}

func summarize(samples []float64) Stats {
	if len(samples) == 0 {
		return Stats{}
	}
	s := slices.Sorted(slices.Values(samples))
	med := median(s)
	dev := make([]float64, len(s))
	for i, x := range s {
		dev[i] = abs(x - med)
	}
	slices.Sort(dev)
	return Stats{Min: s[0], Median: med, Max: s[len(s)-1], MAD: median(dev)}
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
