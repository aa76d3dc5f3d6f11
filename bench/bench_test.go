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

// One benchmark per optimizer (its default variant, float32 and float64,
// and bfloat16 where it has bfloat16 kernels), and one per limit:
// Roofline times the Traffic kernel (the optimizer's reads and writes
// without its arithmetic: the memory roofline at each size; bfloat16 too),
// Arith the Arith kernel on L1-resident slices (its square roots and
// divisions alone: the arithmetic bound). SGD and Lion have no square
// root or division, hence no Arith benchmark.

func BenchmarkAdam(b *testing.B)             { benchOptimizer(b, "adam", kindKernel) }
func BenchmarkAdamRoofline(b *testing.B)     { benchOptimizer(b, "adam", kindRoofline) }
func BenchmarkAdamArith(b *testing.B)        { benchOptimizer(b, "adam", kindArith) }
func BenchmarkSGD(b *testing.B)              { benchOptimizer(b, "sgd", kindKernel) }
func BenchmarkSGDRoofline(b *testing.B)      { benchOptimizer(b, "sgd", kindRoofline) }
func BenchmarkAdagrad(b *testing.B)          { benchOptimizer(b, "adagrad", kindKernel) }
func BenchmarkAdagradRoofline(b *testing.B)  { benchOptimizer(b, "adagrad", kindRoofline) }
func BenchmarkAdagradArith(b *testing.B)     { benchOptimizer(b, "adagrad", kindArith) }
func BenchmarkRMSprop(b *testing.B)          { benchOptimizer(b, "rmsprop", kindKernel) }
func BenchmarkRMSpropRoofline(b *testing.B)  { benchOptimizer(b, "rmsprop", kindRoofline) }
func BenchmarkRMSpropArith(b *testing.B)     { benchOptimizer(b, "rmsprop", kindArith) }
func BenchmarkAdadelta(b *testing.B)         { benchOptimizer(b, "adadelta", kindKernel) }
func BenchmarkAdadeltaRoofline(b *testing.B) { benchOptimizer(b, "adadelta", kindRoofline) }
func BenchmarkAdadeltaArith(b *testing.B)    { benchOptimizer(b, "adadelta", kindArith) }
func BenchmarkNAdam(b *testing.B)            { benchOptimizer(b, "nadam", kindKernel) }
func BenchmarkNAdamRoofline(b *testing.B)    { benchOptimizer(b, "nadam", kindRoofline) }
func BenchmarkNAdamArith(b *testing.B)       { benchOptimizer(b, "nadam", kindArith) }
func BenchmarkRAdam(b *testing.B)            { benchOptimizer(b, "radam", kindKernel) }
func BenchmarkRAdamRoofline(b *testing.B)    { benchOptimizer(b, "radam", kindRoofline) }
func BenchmarkRAdamArith(b *testing.B)       { benchOptimizer(b, "radam", kindArith) }
func BenchmarkAdamax(b *testing.B)           { benchOptimizer(b, "adamax", kindKernel) }
func BenchmarkAdamaxRoofline(b *testing.B)   { benchOptimizer(b, "adamax", kindRoofline) }
func BenchmarkAdamaxArith(b *testing.B)      { benchOptimizer(b, "adamax", kindArith) }
func BenchmarkLion(b *testing.B)             { benchOptimizer(b, "lion", kindKernel) }
func BenchmarkLionRoofline(b *testing.B)     { benchOptimizer(b, "lion", kindRoofline) }

// benchOptimizer runs one kind of benchmark of an optimizer's default
// variant at both precisions, and its kernels also in bfloat16 (each
// form, as variant=<variant>.<form>) where it has bfloat16 kernels.
func benchOptimizer(b *testing.B, name, kind string) {
	o := findOptimizer(name)
	v := o.variants[0]
	if kind == kindArith && !v.arith {
		b.Skipf("%s %s has no square root or division: no arithmetic bound", name, v.name)
	}
	for _, p := range []string{"f32", "f64"} {
		b.Run(p, func(b *testing.B) {
			switch {
			case kind == kindKernel && p == "f32":
				benchKernels[float32](b, o, v)
			case kind == kindKernel:
				benchKernels[float64](b, o, v)
			case p == "f32":
				benchLimit[float32](b, o, v, kind)
			default:
				benchLimit[float64](b, o, v, kind)
			}
		})
	}
	if kind != kindArith && o.stepBF16 != nil {
		b.Run("bf16", func(b *testing.B) { benchBF16(b, o, v, kind) })
	}
}

// benchBF16 times each bfloat16 form's step (kindKernel) or its Traffic
// kernel (kindRoofline).
func benchBF16(b *testing.B, o *optimizer, v variant, kind string) {
	for _, f := range o.bf16FormsOf() {
		limit := f.traffic(o.limits())
		if kind == kindRoofline && limit == nil {
			continue
		}
		b.Run("variant="+bf16Variant(v, f), func(b *testing.B) {
			for _, n := range benchSizes() {
				b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
					d := newBF16Data(o, n, 1)
					for _, l := range benchLevels() {
						step := o.stepBF16(v, f)
						if kind == kindRoofline {
							step = trafficStep(limit, l, v)
						}
						b.Run("level="+l.String(), func(b *testing.B) {
							runJob(b, bf16Job(kind, l, step, d, 1), f.bytesPerElement(v))
						})
					}
				})
			}
		})
	}
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
			if cBaselineAvailable && o.c32 != nil {
				for _, fast := range []bool{false, true} {
					j := cJob(o, v, fast, d, 1)
					b.Run("level="+j.level, func(b *testing.B) { runJob(b, j, bpe) })
				}
			}
		})
	}
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
