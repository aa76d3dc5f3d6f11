//go:build arm64 && !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"unsafe"
)

// TestNEONMatchesGeneric runs every NEON kernel of every table (every
// optimizer, variant and precision) and the pure-Go kernel on the same
// inputs, and requires the same bits in every output (any NaN matches any
// NaN: payloads are not part of the contract).
// Lengths 0..70 cover the unrolled loop, the one-vector loop and every
// tail length; inputs mix ordinary values with zeros of both signs,
// subnormals, huge values, infinities and NaNs in gradient and state.
func TestNEONMatchesGeneric(t *testing.T) {
	if !Supported(NEON) {
		t.Skip("the NEON level is not supported here (GODEBUG=cpu.asimd=off?)")
	}
	neon := reflect.ValueOf(&neonKernels).Elem()
	generic := reflect.ValueOf(&genericKernels).Elem()
	for i := range neon.NumField() {
		name := neon.Type().Field(i).Name
		if neon.Field(i).Type().Elem().In(0).Elem().Kind() == reflect.Uint16 {
			continue // bfloat16 kernels: TestBF16LevelsMatchGeneric
		}
		tab, ref := callable(neon.Field(i)), callable(generic.Field(i))
		for variant := range tab.Len() {
			t.Run(fmt.Sprintf("%s/%d", name, variant), func(t *testing.T) {
				compareKernels(t, tab.Index(variant), ref.Index(variant))
			})
		}
	}
}

// callable is the table field f without the read-only flag reflect puts
// on unexported fields, so that its functions can be called.
func callable(f reflect.Value) reflect.Value {
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

func compareKernels(t *testing.T, neon, generic reflect.Value) {
	typ := neon.Type()
	streams := typ.NumIn() - 1
	elem := typ.In(0).Elem()
	nscalars := typ.In(streams).Len()
	rng := rand.New(rand.NewPCG(1, uint64(nscalars)))
	for _, scalars := range scalarSets(rng, nscalars) {
		for n := 0; n <= 70; n++ {
			for _, special := range []float64{0, 0.3} {
				off := n % 2 // every other length starts misaligned
				in := make([][]float64, streams)
				for s := range in {
					in[s] = make([]float64, n)
					for j := range in[s] {
						in[s][j] = testValue(rng, special)
					}
				}
				got := run(neon, elem, in, scalars, off)
				want := run(generic, elem, in, scalars, 0)
				for s := range got {
					for j := range got[s] {
						if !sameBits(got[s][j], want[s][j], elem) {
							t.Fatalf("n=%d scalars=%v: stream %d element %d: NEON %v (%#x), generic %v (%#x); inputs %v",
								n, scalars, s, j, got[s][j], bitsOf(got[s][j], elem), want[s][j], bitsOf(want[s][j], elem), column(in, j))
						}
					}
				}
			}
		}
	}
}

// run calls kernel k on copies of in (converted to the kernel's element
// type) that start off elements into slices with guard elements on both
// sides, checks the guards, and returns the streams after the call.
func run(k reflect.Value, elem reflect.Type, in [][]float64, scalars []float64, off int) [][]float64 {
	const guard = 5
	const sentinel = 12345.5
	args := make([]reflect.Value, len(in)+1)
	bufs := make([]reflect.Value, len(in))
	for s, xs := range in {
		buf := reflect.MakeSlice(reflect.SliceOf(elem), off+len(xs)+guard, off+len(xs)+guard)
		for j := range buf.Len() {
			buf.Index(j).SetFloat(sentinel)
		}
		for j, x := range xs {
			buf.Index(off + j).SetFloat(x)
		}
		bufs[s] = buf
		args[s] = buf.Slice(off, off+len(xs))
	}
	arr := reflect.New(reflect.ArrayOf(len(scalars), elem)).Elem()
	for i, x := range scalars {
		arr.Index(i).SetFloat(x)
	}
	args[len(in)] = arr
	k.Call(args)

	out := make([][]float64, len(in))
	for s, buf := range bufs {
		for j := range buf.Len() {
			x := buf.Index(j).Float()
			if j < off || j >= off+len(in[s]) {
				if x != sentinel {
					panic(fmt.Sprintf("stream %d: guard element %d overwritten with %v", s, j, x))
				}
				continue
			}
			out[s] = append(out[s], x)
		}
	}
	return out
}

// scalarSets are the per-step scalars the kernels are run with: Adam's
// (as adam.go computes them at step 3 with weight decay), the same
// maximizing with a gradient scale, and random ones including specials.
func scalarSets(rng *rand.Rand, n int) [][]float64 {
	const b1, b2, lr, wd, t = 0.9, 0.999, 1e-3, 1e-2, 3
	adam := []float64{1, wd, b1, 1 - b1, b2, 1 - b2, 1 / math.Sqrt(1-math.Pow(b2, t)), 1e-8, lr / (1 - math.Pow(b1, t)), 1 - lr*wd}
	var sets [][]float64
	if n == len(adam) {
		maximize := slices.Clone(adam)
		maximize[0] = -1.0 / 64
		sets = append(sets, adam, maximize)
	}
	for range 3 {
		s := make([]float64, n)
		for i := range s {
			s[i] = testValue(rng, 0.2)
		}
		sets = append(sets, s)
	}
	return sets
}

var specials = []float64{
	0, math.Copysign(0, -1), 1, -1,
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1e-39, 1.1754942e-38, // float32 subnormals
	math.SmallestNonzeroFloat64, 2.2250738585072e-308, // float64 subnormals (0 in float32)
	math.MaxFloat32, -math.MaxFloat32, 1e300, -1e300, // huge (Inf in float32)
	math.Inf(1), math.Inf(-1), math.NaN(),
}

// testValue is a special value with probability special, else a random
// value of either sign and a magnitude between 2^-30 and 2^30.
func testValue(rng *rand.Rand, special float64) float64 {
	if rng.Float64() < special {
		return specials[rng.IntN(len(specials))]
	}
	x := (1 + rng.Float64()) * math.Ldexp(1, rng.IntN(61)-30)
	if rng.IntN(2) == 0 {
		x = -x
	}
	return x
}

func sameBits(a, b float64, elem reflect.Type) bool {
	if a != a && b != b {
		return true
	}
	return bitsOf(a, elem) == bitsOf(b, elem)
}

func bitsOf(x float64, elem reflect.Type) uint64 {
	if elem.Kind() == reflect.Float32 {
		return uint64(math.Float32bits(float32(x)))
	}
	return math.Float64bits(x)
}

// column is element j of every stream, for failure messages.
func column(in [][]float64, j int) []float64 {
	var c []float64
	for _, s := range in {
		c = append(c, s[j])
	}
	return c
}

// TestNEONFeatures checks that Features reports what the level detection
// saw: asimd exactly when NEON is supported.
func TestNEONFeatures(t *testing.T) {
	if got := slices.Contains(Features(), "asimd"); got != Supported(NEON) {
		t.Errorf("Features() = %v, but Supported(NEON) = %v", Features(), Supported(NEON))
	}
}
