package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolNoLeak: Close stops every helper a Pool started, also after
// steps, a panic and concurrent use.
func TestPoolNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, w := range []int{1, 2, 8, 0} {
		p := NewPool(w)
		j := &parCountJob{sizes: []int{parBig(), 5, 70_000}}
		p.do(j, 4)
		parPanicMsg(func() { p.do(&parPanicJob{sizes: []int{parBig()}, at: parBig() / 2}, 4) })
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { p.do(&parCountJob{sizes: []int{parBig() / 3}}, 4) })
		}
		wg.Wait()
		p.Close()
		p.Close() // idempotent
	}
	// Helpers that returned may take a moment to be counted out.
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			t.Fatalf("%d goroutines after Close, %d before NewPool", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPoolWorkers: workers <= 0 means GOMAXPROCS; nil is the default pool,
// which Close leaves running.
func TestPoolWorkers(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	if p.Workers() != 3 {
		t.Errorf("NewPool(3).Workers() = %d", p.Workers())
	}
	q := NewPool(-1)
	defer q.Close()
	if q.Workers() != runtime.GOMAXPROCS(0) {
		t.Errorf("NewPool(-1).Workers() = %d, want GOMAXPROCS %d", q.Workers(), runtime.GOMAXPROCS(0))
	}
	var nilPool *Pool
	if nilPool.Workers() != DefaultPool().Workers() {
		t.Errorf("nil pool has %d workers, default %d", nilPool.Workers(), DefaultPool().Workers())
	}
	DefaultPool().Close()
	j := &parCountJob{sizes: []int{parBig()}}
	nilPool.orDefault().do(j, 4)
	if err := j.check(); err != "" {
		t.Error("default pool after Close:", err)
	}
}

// TestPoolCoversEveryElementOnce runs counting jobs over random tensor
// lists on several pools: every element once, whatever the split.
func TestPoolCoversEveryElementOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, w := range []int{1, 2, 3, 8} {
		p := NewPool(w)
		for range 20 / (1 + 3*parBtoi(parSmall())) {
			j := &parCountJob{sizes: parSizes(r, 1+r.IntN(50))}
			p.split(j, 4, 0, 64<<r.IntN(12)) // any threshold and chunk size
			if err := j.check(); err != "" {
				t.Fatalf("workers %d, sizes %v: %s", w, j.sizes, err)
			}
		}
		p.Close()
	}
	// After Close, steps run on the caller.
	p := NewPool(4)
	p.Close()
	j := &parCountJob{sizes: []int{parBig()}}
	p.do(j, 4)
	if err := j.check(); err != "" {
		t.Fatal("after Close:", err)
	}
}

// TestPlanBuild checks the chunking: pieces in order, covering every
// element once, splits on chunkAlign, chunks no larger than asked and
// small tensors packed together.
func TestPlanBuild(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	for range 200 {
		j := &parCountJob{sizes: parSizes(r, 1+r.IntN(100))}
		size := chunkAlign * (1 + r.IntN(100))
		var pl plan
		pl.build(j, size)
		next := 0
		lo := 0
		for c := range pl.chunks() {
			got := 0
			for _, pc := range pl.chunk(c) {
				for next < pc.tensor {
					if lo != j.sizes[next] {
						t.Fatalf("tensor %d covered to %d of %d", next, lo, j.sizes[next])
					}
					next, lo = next+1, 0
				}
				if pc.tensor != next || pc.lo != lo || pc.hi <= pc.lo || pc.hi > j.sizes[next] {
					t.Fatalf("piece %+v after tensor %d element %d", pc, next, lo)
				}
				if pc.hi != j.sizes[next] && pc.hi%chunkAlign != 0 {
					t.Fatalf("split at %d, not a multiple of %d", pc.hi, chunkAlign)
				}
				lo = pc.hi
				got += pc.hi - pc.lo
			}
			if got == 0 || got > size {
				t.Fatalf("chunk %d has %d elements, size %d", c, got, size)
			}
			if c < pl.chunks()-1 && got <= size-chunkAlign && len(pl.chunk(c+1)) > 0 &&
				pl.chunk(c + 1)[0].tensor != pl.chunk(c)[len(pl.chunk(c))-1].tensor {
				t.Fatalf("chunk %d has %d elements of %d, yet the next starts a new tensor", c, got, size)
			}
		}
		for ; next < len(j.sizes); next, lo = next+1, 0 {
			if lo != j.sizes[next] {
				t.Fatalf("tensor %d covered to %d of %d", next, lo, j.sizes[next])
			}
		}
	}
}

// TestChunkLen: multiples of chunkAlign, about chunkBytes, and four
// chunks per worker when the step is small.
func TestChunkLen(t *testing.T) {
	for _, c := range []struct{ total, elemBytes, workers, want int }{
		{1 << 26, 4, 2, chunkBytes / 4},
		{1 << 26, 8, 2, chunkBytes / 8},
		{20_000, 4, 2, 5_056},   // 80 KB: only four chunks of at least minChunkBytes
		{100_000, 4, 2, 12_544}, // four chunks per worker
		{100_000, 4, 3, 8_384},  // four chunks per worker
	} {
		got := chunkLen(c.total, c.elemBytes, chunkBytes, c.workers)
		if got != c.want || got%chunkAlign != 0 {
			t.Errorf("chunkLen(%d, %d, %d) = %d, want %d", c.total, c.elemBytes, c.workers, got, c.want)
		}
	}
}

// TestPoolPanicReachesCaller: a panic in any chunk, on a helper or on the
// caller, is re-raised in the caller with its value, after every running
// chunk has finished; the pool keeps working.
func TestPoolPanicReachesCaller(t *testing.T) {
	for _, w := range []int{1, 2, 4} {
		p := NewPool(w)
		for _, at := range []int{0, 40_000, parBig() - 1} {
			j := &parPanicJob{sizes: []int{parBig()}, at: at}
			got := parPanicValue(func() { p.do(j, 4) })
			want := fmt.Sprintf("chunk with element %d", at)
			if got != want {
				t.Errorf("workers %d: panic %v, want %q", w, got, want)
			}
			if n := j.running.Load(); n != 0 {
				t.Errorf("workers %d: %d chunks still running after the panic", w, n)
			}
		}
		// A runtime error keeps its type.
		j := &parPanicJob{sizes: []int{parBig()}, at: parBig() / 2, index: true}
		if _, ok := parPanicValue(func() { p.do(j, 4) }).(runtime.Error); !ok {
			t.Errorf("workers %d: an index panic lost its runtime.Error type", w)
		}
		c := &parCountJob{sizes: []int{parBig()}}
		p.do(c, 4)
		if err := c.check(); err != "" {
			t.Errorf("workers %d, after panics: %s", w, err)
		}
		p.Close()
	}
}

func parPanicValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// parCountJob counts how often each element is run.
type parCountJob struct {
	sizes []int
	once  sync.Once
	hits  [][]atomic.Int32
}

func (j *parCountJob) tensors() int   { return len(j.sizes) }
func (j *parCountJob) size(i int) int { return j.sizes[i] }
func (j *parCountJob) run(i, lo, hi int) {
	j.once.Do(func() {
		j.hits = make([][]atomic.Int32, len(j.sizes))
		for k, n := range j.sizes {
			j.hits[k] = make([]atomic.Int32, n)
		}
	})
	for k := lo; k < hi; k++ {
		j.hits[i][k].Add(1)
	}
}

func (j *parCountJob) check() string {
	for i, n := range j.sizes {
		for k := range n {
			if j.hits == nil {
				return "nothing ran"
			}
			if h := j.hits[i][k].Load(); h != 1 {
				return fmt.Sprintf("tensor %d element %d ran %d times", i, k, h)
			}
		}
	}
	return ""
}

// parPanicJob panics in the chunk holding element at of tensor 0 (with a
// string, or an index out of range), after the other chunks had time to
// start; it counts the chunks running.
type parPanicJob struct {
	sizes   []int
	at      int
	index   bool
	running atomic.Int32
}

func (j *parPanicJob) tensors() int   { return len(j.sizes) }
func (j *parPanicJob) size(i int) int { return j.sizes[i] }
func (j *parPanicJob) run(i, lo, hi int) {
	j.running.Add(1)
	defer j.running.Add(-1)
	if i == 0 && lo <= j.at && j.at < hi {
		time.Sleep(time.Millisecond)
		if j.index {
			var s []int
			_ = s[j.at]
		}
		panic(fmt.Sprintf("chunk with element %d", j.at))
	}
	time.Sleep(100 * time.Microsecond)
}

func parBtoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
