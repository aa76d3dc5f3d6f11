package kernels

import (
	"math"
	"sync"
)

// A training loop that steps its tensors one by one calls a step many
// times with the same hyperparameters and step number, and each call
// would compute the same per-step scalars again: for Adam, NAdam and
// RAdam, exact powers that cost more than the rest of a small call. So
// these optimizers remember the scalars of the last (hyperparameters,
// step) they computed, keyed by the bits of every field (so -0 and +0,
// which compare equal, are different keys, and a NaN, which the
// validation refuses, never matches).
//
// The cache is one entry behind a mutex that calls only try: a call that
// finds it busy computes the scalars itself, so concurrent steps never
// wait for each other. A hit returns exactly what the computation would,
// so results do not depend on it.
type lastScalars[K comparable, S any] struct {
	mu  sync.Mutex
	set bool
	key K
	s   S
}

// lookup returns the scalars of k: cached, or computed by compute and
// cached if compute succeeds. It takes the mutex once, and holds it while
// computing, which costs the other callers nothing: one that finds the
// cache busy computes its scalars itself.
func (c *lastScalars[K, S]) lookup(k K, compute func() (S, error)) (S, error) {
	if !c.mu.TryLock() {
		return compute()
	}
	defer c.mu.Unlock()
	if c.set && c.key == k {
		return c.s, nil
	}
	s, err := compute()
	if err == nil {
		c.set, c.key, c.s = true, k, s
	}
	return s, err
}

// bits is a float64 field as a cache key word.
func bits(x float64) uint64 { return math.Float64bits(x) }

// flags packs boolean fields into one cache key word.
func flags(bs ...bool) uint64 {
	var f uint64
	for i, b := range bs {
		if b {
			f |= 1 << i
		}
	}
	return f
}

// adamKey is an Adam and a step number as the cache sees them.
type adamKey [8]uint64

func (o Adam) key(t int) adamKey {
	return adamKey{bits(o.LR), bits(o.Beta1), bits(o.Beta2), bits(o.Eps), bits(o.WeightDecay), bits(o.GradScale),
		flags(o.Decoupled, o.AMSGrad, o.Maximize, o.NoBiasCorrection, o.EpsHat), uint64(t)}
}

// nadamKey is a NAdam and a schedule as the cache sees them.
type nadamKey [10]uint64

func (o NAdam) key(s NAdamSchedule) nadamKey {
	return nadamKey{bits(o.LR), bits(o.Beta1), bits(o.Beta2), bits(o.Eps), bits(o.WeightDecay), bits(o.MomentumDecay),
		bits(o.GradScale), flags(o.Decoupled, o.Maximize), uint64(s.T), bits(s.MuProduct)}
}

// radamKey is a RAdam and a step number as the cache sees them.
type radamKey [8]uint64

func (o RAdam) key(t int) radamKey {
	return radamKey{bits(o.LR), bits(o.Beta1), bits(o.Beta2), bits(o.Eps), bits(o.WeightDecay), bits(o.GradScale),
		flags(o.Decoupled, o.Maximize), uint64(t)}
}

// radamScalars is what RAdam's scalars returns: the scalars and whether
// the step is rectified.
type radamScalars struct {
	s    [radamScalarCount]float64
	rect bool
}

var (
	adamCache  lastScalars[adamKey, [adamScalarCount]float64]
	nadamCache lastScalars[nadamKey, [nadamScalarCount]float64]
	radamCache lastScalars[radamKey, radamScalars]
)
