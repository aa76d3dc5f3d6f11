package limits

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
)

// TestForEveryOptimizer: For has all four kernels of every optimizer the
// generator derived limit kernels from, and nothing else.
func TestForEveryOptimizer(t *testing.T) {
	n := 0
	for _, f := range families {
		name, ok := strings.CutSuffix(f.Name, "Traffic")
		if !ok {
			continue
		}
		n++
		e, ok := For(name)
		if !ok || e.Traffic32 == nil || e.Traffic64 == nil || e.Arith32 == nil || e.Arith64 == nil {
			t.Errorf("For(%q) = %+v, %v: want all four kernels", name, e, ok)
		}
	}
	if n == 0 || n != len(entries) {
		t.Errorf("%d optimizers have Traffic kernels, For knows %d", n, len(entries))
	}
	if _, ok := For("nope"); ok {
		t.Error(`For("nope") found an entry`)
	}
}

// TestLevels: every supported level runs (Adam's Traffic kernel adds grad
// to the written streams), and every other level panics, naming it,
// rather than running instructions this CPU lacks.
func TestLevels(t *testing.T) {
	e, _ := For("adam")
	for l := uint8(0); l < 8; l++ {
		s := [][]float32{{1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {4, 4, 4}, {5, 5, 5}}
		err := catch(func() { e.Traffic32(l, 0, s) })
		switch {
		case cpulevel.Supported(l) && err != "":
			t.Errorf("level %d (%s): %s", l, cpulevel.Name(l), err)
		case cpulevel.Supported(l) && (s[0][2] != 3 || s[1][2] != 2 || s[2][2] != 5 || s[3][2] != 6 || s[4][2] != 5):
			t.Errorf("level %d (%s): Traffic kernel gave %v", l, cpulevel.Name(l), s)
		case !cpulevel.Supported(l) && !strings.Contains(err, fmt.Sprintf("level %d ", l)):
			t.Errorf("level %d (%q) is not supported here, yet the kernel ran or panicked with %q", l, cpulevel.Name(l), err)
		}
	}
}

func catch(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = r.(string)
		}
	}()
	f()
	return ""
}

// TestReadOnly: the sum of squares' read-only loop reads every element once
// at every supported level, in every precision: small integers sum
// exactly.
func TestReadOnly(t *testing.T) {
	for _, l := range cpulevel.Detect() {
		for _, n := range []int{0, 1, 15, 16, 17, 33, 1000} {
			x32, x64, x16 := make([]float32, n), make([]float64, n), make([]uint16, n)
			want := 0.0
			for i := range x32 {
				x32[i], x64[i] = float32(i%7), float64(i%7)
				x16[i] = uint16(math.Float32bits(x32[i]) >> 16) // exact
				want += float64(i % 7)
			}
			if got := readOnly(l, x32); got != want {
				t.Errorf("%s n=%d float32: sum %v, want %v", cpulevel.Name(l), n, got, want)
			}
			if got := readOnly(l, x64); got != want {
				t.Errorf("%s n=%d float64: sum %v, want %v", cpulevel.Name(l), n, got, want)
			}
			if got := readOnly(l, x16); got != want {
				t.Errorf("%s n=%d bfloat16: sum %v, want %v", cpulevel.Name(l), n, got, want)
			}
		}
	}
	e, ok := For("sumsq")
	if !ok || e.Traffic32 == nil || e.Traffic64 == nil || e.TrafficBF16Grad == nil ||
		e.Arith32 != nil || e.Arith64 != nil || e.TrafficBF16 != nil {
		t.Errorf(`For("sumsq") = %+v, %v: want the Traffic kernels only, of a bfloat16 gradient too`, e, ok)
	}
}
