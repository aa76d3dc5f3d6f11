package main

import (
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// The Go benchmarks time the same jobs as the tool, under go test's
// control, with names benchstat can compare against the tool's -benchstat
// lines:
//
//	go test -run '^$' -bench . -short ./bench   (1K, 64K, 1M)
//	go test -run '^$' -bench . ./bench          (and 16M)

// benchSizes are one size per level of the memory hierarchy on a typical
// core (L1, L2/L3, L3, DRAM for float32 Adam).
func benchSizes() []int {
	if testing.Short() {
		return []int{1 << 10, 1 << 16, 1 << 20}
	}
	return []int{1 << 10, 1 << 16, 1 << 20, 1 << 24}
}

// benchLevels are this machine's levels, generic first.
func benchLevels() []kernels.Level { return reverse(kernels.Levels()) }

func BenchmarkAdam(b *testing.B) {
	o, v := adamOptimizer(), adamOptimizer().variants[0]
	b.Run("f32", func(b *testing.B) { benchKernels[float32](b, o, v) })
	b.Run("f64", func(b *testing.B) { benchKernels[float64](b, o, v) })
}

func benchKernels[T float](b *testing.B, o *optimizer, v variant) {
	bpe := v.bytesPerElement(int(sizeOf[T]()))
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			d := newSlices[T](o, n, 1)
			for _, l := range benchLevels() {
				b.Run("level="+l.String(), func(b *testing.B) {
					runJob(b, kernelJob(o, v, l, d, 1), bpe)
				})
			}
			if cBaselineAvailable {
				for _, fast := range []bool{false, true} {
					j := cJob(o, v, fast, d, 1)
					b.Run("level="+j.level, func(b *testing.B) { runJob(b, j, bpe) })
				}
			}
		})
	}
}

// BenchmarkAdamRoofline times the Traffic kernel: Adam's reads and writes
// without its arithmetic, the memory roofline at each size.
func BenchmarkAdamRoofline(b *testing.B) {
	o, v := adamOptimizer(), adamOptimizer().variants[0]
	b.Run("f32", func(b *testing.B) { benchLimit[float32](b, o, v, kindRoofline) })
	b.Run("f64", func(b *testing.B) { benchLimit[float64](b, o, v, kindRoofline) })
}

// BenchmarkAdamArith times the Arith kernel on L1-resident slices: Adam's
// square root and division alone, the arithmetic bound.
func BenchmarkAdamArith(b *testing.B) {
	o, v := adamOptimizer(), adamOptimizer().variants[0]
	b.Run("f32", func(b *testing.B) { benchLimit[float32](b, o, v, kindArith) })
	b.Run("f64", func(b *testing.B) { benchLimit[float64](b, o, v, kindArith) })
}

func benchLimit[T float](b *testing.B, o *optimizer, v variant, kind string) {
	size := int(sizeOf[T]())
	bpe := v.bytesPerElement(size)
	sizes := benchSizes()
	if kind == kindArith {
		sizes = []int{arithSize(detectMachine(), size)}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var d [][]T
			if kind == kindArith {
				d = positiveSlices[T](len(o.slices), n, 3)
			} else {
				d = newSlices[T](o, n, 2)
			}
			for _, l := range benchLevels() {
				b.Run("level="+l.String(), func(b *testing.B) {
					runJob(b, limitJob(o, v, kind, l, d, 1), bpe)
				})
			}
		})
	}
}

// runJob runs b.N steps of a job, reporting the bytes a step moves.
func runJob(b *testing.B, j *job, bytesPerElement int) {
	if j.setup != nil {
		j.setup()
		defer kernels.SetLevel(kernels.Levels()[0])
	}
	b.SetBytes(int64(bytesPerElement * j.n))
	j.run(1) // warm the caches before the clock starts
	b.ResetTimer()
	j.run(b.N)
}

func sizeOf[T float]() uintptr {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}
