package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Pool is a bounded set of worker goroutines that parallel steps
// (Adam.StepParallel32, Adam.StepTensors32, ...) share. A Pool of n
// workers runs each step on up to n goroutines: the calling goroutine and
// n-1 helpers that the Pool keeps parked between steps, so a one-worker
// Pool starts no goroutine and steps entirely on the caller.
//
// Any number of goroutines may step on one Pool at once: each step queues
// its work for whichever helpers are idle and works on it itself too, so
// a step never waits for another step's work and can never deadlock.
// Results never depend on the number of workers or on how the work was
// split: every element is updated by the same kernel as in the
// single-threaded step.
//
// The methods that take a *Pool accept nil for the default pool (see
// DefaultPool). Make a Pool with NewPool; the zero Pool is usable too, as
// a one-worker pool that starts no goroutine and needs no Close.
type Pool struct {
	workers int
	queue   chan *batch   // batches waiting for a helper; never closed
	quit    chan struct{} // closed by Close: helpers exit
	closed  atomic.Bool
	helpers sync.WaitGroup // running helpers, for Close to wait on
	once    sync.Once
	free    freeList[batch] // recycled batches, so that steps do not allocate
	shared  bool            // the default pool, which Close leaves running
}

// MaxPoolWorkers is the most workers a Pool has: NewPool caps larger
// counts to it. Far more than any machine's cores, it keeps a mistaken
// count (math.MaxInt) from exhausting memory with parked goroutines.
const MaxPoolWorkers = 4096

// NewPool starts a Pool of the given number of workers, counting the
// calling goroutine of each step; workers <= 0 means runtime.GOMAXPROCS(0),
// and more than MaxPoolWorkers means MaxPoolWorkers. Call Close when done
// with it, or its workers-1 goroutines stay parked for the life of the
// process.
func NewPool(workers int) *Pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, MaxPoolWorkers)
	p := &Pool{
		workers: workers,
		queue:   make(chan *batch, workers-1),
		quit:    make(chan struct{}),
		free:    newFreeList[batch](),
	}
	p.helpers.Add(workers - 1)
	for range workers - 1 {
		go p.helper()
	}
	return p
}

var (
	defaultPool     *Pool
	defaultPoolOnce sync.Once
)

// DefaultPool is the pool that steps use when given a nil *Pool. It is
// created on first use with runtime.GOMAXPROCS(0) workers (a later change
// of GOMAXPROCS does not resize it) and lives as long as the process: its
// idle helpers are parked goroutines that cost no CPU, and Close on it
// does nothing.
func DefaultPool() *Pool {
	defaultPoolOnce.Do(func() {
		defaultPool = NewPool(0)
		defaultPool.shared = true
	})
	return defaultPool
}

// Workers is the number of goroutines, the caller included, that a step
// on p may run on.
func (p *Pool) Workers() int { return max(p.orDefault().workers, 1) }

// Close stops p's helper goroutines and waits until they have exited. A
// step running at the same time still completes (its caller finishes
// whatever no helper took), and steps after Close run on the calling
// goroutine alone. Close is idempotent; on the default pool it does
// nothing.
func (p *Pool) Close() {
	if p == nil || p.shared {
		return
	}
	if p.quit == nil { // the zero Pool: no helpers to stop
		p.closed.Store(true)
		return
	}
	p.once.Do(func() {
		p.closed.Store(true)
		close(p.quit)
		p.helpers.Wait()
	})
}

func (p *Pool) orDefault() *Pool {
	if p == nil {
		return DefaultPool()
	}
	return p
}

// helper is one parked worker: it takes batches from the queue until
// Close. A batch may arrive after other workers finished it; then it
// finds no chunk left and only drops its reference.
func (p *Pool) helper() {
	defer p.helpers.Done()
	for {
		select {
		case b := <-p.queue:
			b.work()
			b.release()
		case <-p.quit:
			return
		}
	}
}

// getBatch returns a recycled batch, or a new one while the free list is
// empty (the first steps, or more concurrent steps than ever before).
func (p *Pool) getBatch() *batch {
	b := p.free.get()
	if b.done == nil {
		b.pool, b.done = p, make(chan struct{}, 1)
	}
	return b
}

// run executes j over the chunks of b.plan, on the caller and up to
// p.workers-1 helpers, and returns when every chunk has run. A panic in
// any chunk stops the chunks not yet started and is re-raised here, with
// its original value, once no chunk is running any more.
func (p *Pool) run(b *batch, j job) {
	n := b.plan.chunks()
	b.job = j
	b.n = int64(n)
	b.next.Store(0)
	b.remaining.Store(int64(n))
	b.failed.Store(false)
	b.refs.Store(1)

	// Offer the batch to at most one helper per chunk beyond the caller's
	// first; a full queue means every helper is busy, and the caller then
	// simply does more chunks itself.
	offers := 0
	if !p.closed.Load() {
		for range min(p.workers-1, n-1) {
			b.refs.Add(1)
			select {
			case p.queue <- b:
				offers++
				continue
			default:
				b.refs.Add(-1)
			}
			break
		}
	}

	b.work()
	p.withdraw(b, offers)
	<-b.done // sent once, by whoever finished the last chunk (maybe us)
	failed, value := b.failed.Load(), b.panicValue
	b.job, b.panicValue = nil, nil
	b.release()
	if failed {
		panic(value)
	}
}

// withdraw takes back the offers of b that no helper has picked up yet,
// once every chunk of b is claimed. A parked helper can take tens of
// microseconds to wake, often longer than a step; an offer left in the
// queue would keep b referenced after the step returns, and the next step
// would have to allocate a new batch. Offers of other steps met on the
// way are served as a helper would serve them.
func (p *Pool) withdraw(b *batch, offers int) {
	for offers > 0 {
		select {
		case q := <-p.queue:
			if q == b {
				offers--
			} else {
				q.work()
			}
			q.release()
		default:
			return // helpers took the rest
		}
	}
}

// batch is one step's work as the workers see it: the job, its plan, and
// the counters by which workers claim chunks and report them done.
// Batches are recycled, so a helper may hold a batch after its step
// returned; refs counts the holders, and the last one recycles it.
type batch struct {
	pool *Pool
	job  job
	plan plan // rebuilt by each step, keeping its capacity
	n    int64

	next      atomic.Int64 // the next chunk to claim
	remaining atomic.Int64 // chunks not yet finished
	refs      atomic.Int32 // the caller and the helpers holding b
	done      chan struct{}

	failed     atomic.Bool // a chunk panicked: skip the rest
	panicValue any         // the first panic's value; written before failed is set
	panicOnce  atomic.Bool
}

// work claims and runs chunks until none is left.
func (b *batch) work() {
	for {
		c := b.next.Add(1) - 1
		if c >= b.n {
			return
		}
		b.runChunk(int(c))
	}
}

// runChunk runs one chunk's pieces, unless an earlier chunk panicked.
func (b *batch) runChunk(c int) {
	defer b.finish()
	if b.failed.Load() {
		return
	}
	for _, pc := range b.plan.chunk(c) {
		b.job.run(int(pc.tensor), int(pc.lo), int(pc.hi))
	}
}

// finish records a panic of the chunk (keeping the first), counts the
// chunk done and wakes the caller after the last one.
func (b *batch) finish() {
	if r := recover(); r != nil {
		if b.panicOnce.CompareAndSwap(false, true) {
			b.panicValue = r
			b.failed.Store(true)
		}
	}
	if b.remaining.Add(-1) == 0 {
		b.done <- struct{}{}
	}
}

// release drops one reference to b and recycles it after the last.
func (b *batch) release() {
	if b.refs.Add(-1) != 0 {
		return
	}
	b.panicOnce.Store(false)
	b.pool.free.put(b)
}
