package limits

import (
	"math"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
)

// Level is a level as the generated reduction dispatch
// (reduce_dispatch_*.go) takes it: internal/cpulevel's numbering.
type Level = uint8

// The levels under the names the generated reduction dispatch uses.
const (
	AVX2   = cpulevel.AVX2
	AVX512 = cpulevel.AVX512
	NEON   = cpulevel.NEON
)

// reductions are the limit kernels of package kernels' reductions, by the
// benchmark's name: a read-only Traffic loop (each element widened and
// added to the 16 partials, as every reduction does, without the
// reduction's own arithmetic), in each precision (TrafficBF16Grad: of a
// bfloat16 gradient), and no Arith kernel, since a reduction has no
// square root or division.
var reductions = map[string]Entry{
	"sumsq": {
		Traffic32:       func(l uint8, _ int, s [][]float32) { readOnly(l, s[0]) },
		Traffic64:       func(l uint8, _ int, s [][]float64) { readOnly(l, s[0]) },
		TrafficBF16Grad: func(l uint8, _ int, s [][]uint16, _ []float32) { readOnly(l, s[0]) },
	},
}

// readOnly reads every element of x (bfloat16 bits, if uint16) once at
// level l, which must be supported, and returns their sum: the kernel
// takes the whole blocks of 16, the loop here the tail.
func readOnly[E float32 | float64 | uint16](l uint8, x []E) float64 {
	kernelsFor(l) // panics for an unsupported level, which would fault in the kernel
	var acc [16]float64
	switch x := any(x).(type) {
	case []float32:
		readonlyF32At(l, x, &acc)
	case []float64:
		readonlyF64At(l, x, &acc)
	case []uint16:
		readonlyBF16At(l, x, &acc)
	}
	for j, v := range x[len(x)&^15:] {
		if b, ok := any(v).(uint16); ok {
			acc[j] += float64(math.Float32frombits(uint32(b) << 16)) // widened, as the kernel does
		} else {
			acc[j] += float64(v)
		}
	}
	var sum float64
	for _, p := range acc {
		sum += p
	}
	return sum
}
