package kernels

import (
	"math"
	"sync/atomic"
	"unsafe"
)

// A training loop that steps its tensors one by one calls a step many
// times with the same hyperparameters and step number, and each call
// would compute the same per-step scalars again: for Adam, NAdam and
// RAdam, exact powers that cost more than the rest of a small call. So
// these optimizers remember the scalars of the last few (hyperparameters,
// step) they computed, keyed by the bits of every field (so -0 and +0,
// which compare equal, are different keys, and a NaN, which the
// validation refuses, never matches). A Step32 caches its scalars rounded
// to float32 and checked, so that a hit skips the rounding too.
//
// A hit must cost a few loads: a mutex alone (two atomic read-modify-
// writes) would be a third of the call. So each slot of the cache is a
// seqlock: a writer makes the slot's sequence number odd while it fills
// the slot, and a reader that sees the same even number before and after
// reading the key and the scalars has read one writer's whole entry. A
// reader never waits and never writes; a writer that finds the slot busy
// leaves it to the other writer. Every word is read and written by the
// atomic package (plain loads on amd64, load-acquire on arm64), so that
// the race detector and the memory model agree that a reader never sees a
// torn entry. A writer stores only the words that change, which for a new
// step number of the same hyperparameters are the step and the few
// scalars that depend on it: stores are the atomic operations that cost.
//
// A hit returns exactly what the computation would, so results do not
// depend on the cache, nor on which goroutines step at the same time.

// cacheSlots is the number of entries per cache: a few parameter groups
// (with and without weight decay, say) stepped in turn all hit. A power
// of 2.
const cacheSlots = 4

// cacheKeyWords and cacheWords are the most 8-byte words a key takes, and
// the most 4-byte words its scalars take (4 bytes, because the float32
// scalars come in odd numbers).
const cacheKeyWords, cacheWords = 10, 24

// scalarCache maps a key K, an array of uint64, to plain data V (the
// scalars: no pointers, a size that is a multiple of 4) in cacheSlots
// entries that are replaced in turn. The zero value is an empty cache.
type scalarCache[K, V any] struct {
	last  atomic.Uint32 // the slot filled last, where a lookup starts
	slots [cacheSlots]cacheSlot
}

// cacheSlot is one entry: the key's words and the value's. seq is 0 while
// the slot was never filled, odd while a writer fills it.
type cacheSlot struct {
	seq  atomic.Uint32
	key  [cacheKeyWords]atomic.Uint64
	vals [cacheWords]atomic.Uint32
}

// wordsOf views *x, a key or a value, as words of type W: plain data
// whose bytes are all the cache needs. The cache reads and writes the
// words one by one, as the seqlock requires, and a caller copies its key
// and value in and out without going through a buffer, so that the hit
// stays a few loads.
func wordsOf[W uint32 | uint64, T any](x *T) []W {
	var w W
	return unsafe.Slice((*W)(unsafe.Pointer(x)), unsafe.Sizeof(*x)/unsafe.Sizeof(w))
}

// get copies the value cached for k into *v and reports whether there was
// one; if not, *v is garbage.
func (c *scalarCache[K, V]) get(k *K, v *V) bool {
	kw, vw := wordsOf[uint64](k), wordsOf[uint32](v)
	start := c.last.Load()
	for i := range uint32(cacheSlots) {
		s := &c.slots[(start-i)%cacheSlots]
		seq := s.seq.Load()
		if seq == 0 || seq&1 != 0 || !wordsMatch(s.key[:len(kw)], kw) {
			continue
		}
		w := s.vals[:len(vw)]
		for j := range vw {
			vw[j] = w[j].Load()
		}
		if s.seq.Load() == seq {
			return true
		}
	}
	return false
}

func wordsMatch(w []atomic.Uint64, k []uint64) bool {
	for j, x := range k {
		if w[j].Load() != x {
			return false
		}
	}
	return true
}

// put caches v for k in the slot after the last filled one, unless
// another writer is filling that slot.
func (c *scalarCache[K, V]) put(k *K, v *V) {
	i := (c.last.Load() + 1) % cacheSlots
	s := &c.slots[i]
	seq := s.seq.Load()
	if seq&1 != 0 || !s.seq.CompareAndSwap(seq, seq+1) {
		return
	}
	// Only the words that change are stored: a store is the costly part.
	for j, x := range wordsOf[uint64](k) {
		if s.key[j].Load() != x {
			s.key[j].Store(x)
		}
	}
	for j, x := range wordsOf[uint32](v) {
		if s.vals[j].Load() != x {
			s.vals[j].Store(x)
		}
	}
	s.seq.Store(seq + 2)
	c.last.Store(i)
}

// miss sets *v to the value of k, computed by compute(arg), after get
// found none, and caches it if compute succeeds. (A caller builds the
// method value compute only on a miss: building it copies the optimizer,
// a cost a hit should not pay.)
func miss[K, V, A any](c *scalarCache[K, V], k *K, v *V, compute func(A) (V, error), arg A) error {
	var err error
	*v, err = compute(arg)
	if err == nil {
		c.put(k, v)
	}
	return err
}

// scalars32 is a step's per-step scalars rounded to float32, and whether
// float32 carries them (see the optimizers' checkRounded32: if not, the
// step recomputes the error from s, after its other checks).
type scalars32[S any] struct {
	s  S
	ok bool
}

// bits is a float64 field as a cache key word.
func bits(x float64) uint64 { return math.Float64bits(x) }

// keyBit is a boolean field as bit i of a cache key word.
func keyBit(b bool, i uint) uint64 {
	var f uint64
	if b {
		f = 1
	}
	return f << i
}

// adamKey is an Adam and a step number as the cache sees them; the step
// number first, as the word that differs most often. The key methods
// write the words one by one: a composite literal is built aside and
// copied in 16-byte moves, which stall on the 8-byte stores just made
// (store-to-load forwarding fails), and that doubled a cached call.
type adamKey [8]uint64

func (o *Adam) key(t int, k *adamKey) {
	k[0] = uint64(t)
	k[1] = bits(o.LR)
	k[2] = bits(o.Beta1)
	k[3] = bits(o.Beta2)
	k[4] = bits(o.Eps)
	k[5] = bits(o.WeightDecay)
	k[6] = bits(o.GradScale)
	k[7] = keyBit(o.Decoupled, 0) | keyBit(o.AMSGrad, 1) | keyBit(o.Maximize, 2) | keyBit(o.NoBiasCorrection, 3) | keyBit(o.EpsHat, 4)
}

// nadamKey is a NAdam and a schedule as the cache sees them.
type nadamKey [10]uint64

func (o *NAdam) key(s NAdamSchedule, k *nadamKey) {
	k[0] = uint64(s.T)
	k[1] = bits(s.MuProduct)
	k[2] = bits(o.LR)
	k[3] = bits(o.Beta1)
	k[4] = bits(o.Beta2)
	k[5] = bits(o.Eps)
	k[6] = bits(o.WeightDecay)
	k[7] = bits(o.MomentumDecay)
	k[8] = bits(o.GradScale)
	k[9] = keyBit(o.Decoupled, 0) | keyBit(o.Maximize, 1)
}

// radamKey is a RAdam and a step number as the cache sees them.
type radamKey [8]uint64

func (o *RAdam) key(t int, k *radamKey) {
	k[0] = uint64(t)
	k[1] = bits(o.LR)
	k[2] = bits(o.Beta1)
	k[3] = bits(o.Beta2)
	k[4] = bits(o.Eps)
	k[5] = bits(o.WeightDecay)
	k[6] = bits(o.GradScale)
	k[7] = keyBit(o.Decoupled, 0) | keyBit(o.Maximize, 1)
}

// radamScalars is what RAdam's scalars returns: the scalars and whether
// the step is rectified.
type radamScalars struct {
	s    [radamScalarCount]float64
	rect bool
}

// radamScalars32 is radamScalars for Step32.
type radamScalars32 struct {
	scalars32[[radamScalarCount]float32]
	rect bool
}

var (
	adamCache    scalarCache[adamKey, [adamScalarCount]float64]
	adamCache32  scalarCache[adamKey, scalars32[[adamScalarCount]float32]]
	nadamCache   scalarCache[nadamKey, [nadamScalarCount]float64]
	nadamCache32 scalarCache[nadamKey, scalars32[[nadamScalarCount]float32]]
	radamCache   scalarCache[radamKey, radamScalars]
	radamCache32 scalarCache[radamKey, radamScalars32]
)
