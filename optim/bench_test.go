package optim

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// The benchmarks measure what the Optimizer adds to the kernels: its Step
// against one StepTensors32 call over the same tensors, on a model-like
// list (where the work dominates) and on many tiny tensors (where the
// overhead does), and the speed of checkpoints.
//
// Measured on the development VM (AMD EPYC Zen 3, 2 cores, AVX2), see
// bench/README.md for the figures and the command.

// modelSizes are the 200 tensor sizes of the kernels' BenchmarkTensorList,
// 64 to 4M elements, log-uniform: 75M elements in all.
func modelSizes() []int {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := make([]int, 200)
	for i := range sizes {
		sizes[i] = int(math.Exp(math.Log(64) + rng.Float64()*(math.Log(4<<20)-math.Log(64))))
	}
	return sizes
}

// benchOptimizer is an Adam Optimizer on pool p over float32 tensors of the
// given sizes, and the same tensors as the kernels' list, with their own
// state.
func benchOptimizer(b *testing.B, p *kernels.Pool, sizes []int) (*Optimizer[kernels.Adam], []kernels.AdamTensor32, int) {
	o, err := New(kernels.DefaultAdam(), nil, &Config{Pool: p})
	if err != nil {
		b.Fatal(err)
	}
	var ts []kernels.AdamTensor32
	total := 0
	for i, n := range sizes {
		data, grad := make([]float32, n), make([]float32, n)
		for j := range grad {
			grad[j] = float32(j%7) - 3
		}
		if err := o.Add32(0, Param32{Name: "t" + strconv.Itoa(i), Data: data, Grad: grad}); err != nil {
			b.Fatal(err)
		}
		ts = append(ts, kernels.AdamTensor32{Param: make([]float32, n), Grad: grad, M: make([]float32, n), V: make([]float32, n)})
		total += n
	}
	return o, ts, total
}

// BenchmarkModelList is Step over BenchmarkTensorList's 200 tensors against
// StepTensors32 over them, both on the default pool. The target: Step
// within 5% of StepTensors32.
func BenchmarkModelList(b *testing.B) {
	if testing.Short() {
		b.Skip("DRAM-sized benchmark; not in -short mode")
	}
	o, ts, total := benchOptimizer(b, kernels.DefaultPool(), modelSizes())
	a := kernels.DefaultAdam()
	b.Run("StepTensors32", func(b *testing.B) {
		b.SetBytes(int64(total) * 4)
		for i := 0; b.Loop(); i++ {
			if err := a.StepTensors32(nil, i%1000+1, ts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Step", func(b *testing.B) {
		b.SetBytes(int64(total) * 4)
		for b.Loop() {
			if err := o.Step(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkClipModelList is ClipGradNorm followed by Step over the 200
// tensors, in place and fused, against Step alone. The target: clipping
// plus Step within 1.25x of Step. maxNorm is below every norm the gradients
// have, so that every step clips.
func BenchmarkClipModelList(b *testing.B) {
	if testing.Short() {
		b.Skip("DRAM-sized benchmark; not in -short mode")
	}
	o, _, total := benchOptimizer(b, kernels.DefaultPool(), modelSizes())
	for _, c := range []struct {
		name string
		clip bool
		opts *ClipOptions
	}{{"Step", false, nil}, {"ClipGradNorm+Step", true, nil}, {"ClipGradNorm-fused+Step", true, &ClipOptions{Fused: true}}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(total) * 4)
			for b.Loop() {
				if c.clip {
					if _, err := o.ClipGradNorm(1e-3, c.opts); err != nil {
						b.Fatal(err)
					}
				}
				if err := o.Step(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTinyTensors is Step over 100 tensors of 16 elements against
// StepTensors32 over them, on the calling goroutine: the difference is the
// Optimizer's overhead per Step. The target: at most 2 µs.
func BenchmarkTinyTensors(b *testing.B) {
	sizes := make([]int, 100)
	for i := range sizes {
		sizes[i] = 16
	}
	serial := kernels.NewPool(1)
	o, ts, _ := benchOptimizer(b, serial, sizes)
	a := kernels.DefaultAdam()
	b.Run("StepTensors32", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if err := a.StepTensors32(serial, i%1000+1, ts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Step", func(b *testing.B) {
		for b.Loop() {
			if err := o.Step(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCheckpoint is Save and Load of a 64M-element Adam state
// (exp_avg and exp_avg_sq: 512 MiB) through the page cache, the target
// being 1 GB/s or more each; and SaveFile, whose fsync waits for the disk.
func BenchmarkCheckpoint(b *testing.B) {
	if testing.Short() {
		b.Skip("DRAM-sized benchmark; not in -short mode")
	}
	const n = 64 << 20
	o, _, _ := benchOptimizer(b, nil, []int{n})
	if err := o.Step(); err != nil {
		b.Fatal(err)
	}
	dir := os.Getenv("FUSEDOPT_BENCH_DIR") // e.g. /dev/shm: the page cache alone, no disk behind it
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, "fusedopt-bench.safetensors")
	defer os.Remove(path)
	b.Run("Save", func(b *testing.B) {
		b.SetBytes(2 * n * 4)
		for b.Loop() {
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			w := bufio.NewWriterSize(f, 1<<20)
			if err := o.Save(w); err != nil {
				b.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SaveFile", func(b *testing.B) {
		b.SetBytes(2 * n * 4)
		for b.Loop() {
			if err := o.SaveFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LoadFile", func(b *testing.B) {
		b.SetBytes(2 * n * 4)
		for b.Loop() {
			if err := o.LoadFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}
