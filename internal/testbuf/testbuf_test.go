package testbuf

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

func TestSame(t *testing.T) {
	nan1, nan2 := math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc0beef)
	cases := []struct {
		a, b float32
		want bool
	}{
		{1, 1, true},
		{nan1, nan2, true}, // any NaN equals any NaN
		{nan1, 1, false},
		{1, nan1, false},
		{0, float32(math.Copysign(0, -1)), false}, // signed zeros differ
		{1, math.Nextafter32(1, 2), false},
	}
	for _, c := range cases {
		if got := Same(c.a, c.b); got != c.want {
			t.Errorf("Same(%s, %s) = %v, want %v", Hex(c.a), Hex(c.b), got, c.want)
		}
	}
	if i := FirstDiff([]float64{1, 2, 3}, []float64{1, 2, 4}); i != 2 {
		t.Errorf("FirstDiff = %d, want 2", i)
	}
	if i := FirstDiff([]float64{1, 2}, []float64{1, 2, 4}); i != 2 {
		t.Errorf("FirstDiff of different lengths = %d, want 2", i)
	}
	if i := FirstDiff([]float64{math.NaN()}, []float64{math.NaN()}); i != -1 {
		t.Errorf("FirstDiff of NaNs = %d, want -1", i)
	}
	if got := Hex(float32(1)); got != "0x3f800000 (1)" {
		t.Errorf("Hex(float32(1)) = %q", got)
	}
}

// TestSpecialTable checks that each bit pattern is what its name says, in
// both widths.
func TestSpecialTable(t *testing.T) {
	for _, sp := range SpecialTable {
		f32, f64 := SpecialValue[float32](sp), SpecialValue[float64](sp)
		for _, x := range []float64{float64(f32), f64} {
			wide := x == f64
			ok := true
			switch {
			case strings.Contains(sp.Name, "NaN"):
				ok = math.IsNaN(x)
			case strings.Contains(sp.Name, "Inf"):
				ok = math.IsInf(x, 0)
			case strings.Contains(sp.Name, "min-subnormal"):
				ok = math.Abs(x) == math.SmallestNonzeroFloat64 || !wide && math.Abs(x) == math.SmallestNonzeroFloat32
			case strings.Contains(sp.Name, "max-subnormal"):
				ok = wide && math.Abs(x) == math.Float64frombits(1<<52-1) ||
					!wide && math.Abs(x) == float64(math.Float32frombits(1<<23-1))
			case strings.Contains(sp.Name, "min-normal"):
				ok = wide && math.Abs(x) == 0x1p-1022 || !wide && math.Abs(x) == 0x1p-126
			case sp.Name == "+max":
				ok = wide && x == math.MaxFloat64 || !wide && x == math.MaxFloat32
			case strings.Contains(sp.Name, "huge"):
				ok = wide && math.Abs(x) > 0x1p1023 || !wide && math.Abs(x) > 0x1p127
			case sp.Name == "+1", sp.Name == "-0.75", strings.HasSuffix(sp.Name, "0"):
				ok = x == map[string]float64{"+1": 1, "-0.75": -0.75, "+0": 0, "-0": 0}[sp.Name] &&
					math.Signbit(x) == strings.HasPrefix(sp.Name, "-")
			case sp.Name == "+1e19":
				ok = wide && x == 1e19 || !wide && float32(x) == float32(1e19)
			}
			if !ok {
				t.Errorf("%s: %v is not what the name says", sp.Name, x)
			}
		}
	}
}

// TestRandPinned pins the first outputs of a seed: golden digests depend on
// the stream never changing, on any platform or Go release.
func TestRandPinned(t *testing.T) {
	r := NewRand(1)
	got := []uint64{Bits(r.Float64(-3, 3)), Bits(r.Float32(-3, 3)), uint64(r.Intn(1000))}
	want := []uint64{pinned[0], pinned[1], pinned[2]}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("output %d of NewRand(1) = %#x, want %#x: the generator changed and every golden digest with it", i, got[i], want[i])
		}
	}
	s := make([]float32, 1000)
	FillNonNeg(r, s, -5, 2)
	for _, x := range s {
		if !(x >= 0x1p-5 && x < 0x1p3) {
			t.Fatalf("FillNonNeg(-5, 2) gave %v", x)
		}
	}
}

var pinned = [3]uint64{0xc027a01d6329783f, 0xbe960cb2, 0x3a8}

func TestGuardedCatchesOverwrite(t *testing.T) {
	for offset := range 4 {
		g := NewGuarded[float64](5, offset)
		if a := uintptr(unsafe.Pointer(&g.S[0])) % align; a != uintptr(offset*8) {
			t.Errorf("offset %d: S[0] is %d bytes past a 64-byte boundary", offset, a)
		}
		for i := range g.S {
			g.S[i] = 42 // writing inside is fine
		}
		if err := g.Check("x"); err != nil {
			t.Fatalf("untouched bands reported: %v", err)
		}
		g.full[g.lo+5] = 1.5
		if err := g.Check("x"); err == nil || !strings.Contains(err.Error(), "x[5], 0 past the end") {
			t.Errorf("write one past the end: Check = %v", err)
		}
		g = NewGuarded[float64](5, offset)
		g.full[g.lo-1] = math.NaN()
		if err := g.Check("x"); err == nil || !strings.Contains(err.Error(), "1 elements before x[0]") {
			t.Errorf("write one before the start: Check = %v", err)
		}
	}
	if g := GuardedCopy([]float32{1, 2}, 3); g.S[1] != 2 || cap(g.S) != 2 {
		t.Errorf("GuardedCopy: %v, cap %d", g.S, cap(g.S))
	}
}

// TestGuardedBF16CatchesOverwrite: the bfloat16 bands sit around a
// slice placed as asked, and a write one element past either end shows.
func TestGuardedBF16CatchesOverwrite(t *testing.T) {
	for offset := range 4 {
		src := []uint16{1, 2, 3, 4, 5}
		g := GuardedCopyBF16(src, offset)
		if a := uintptr(unsafe.Pointer(&g.S[0])) % align; a != uintptr(offset*2) {
			t.Errorf("offset %d: S[0] is %d bytes past a 64-byte boundary", offset, a)
		}
		if g.S[4] != 5 || len(g.S) != 5 || cap(g.S) != 5 {
			t.Errorf("offset %d: GuardedCopyBF16 = %v, cap %d", offset, g.S, cap(g.S))
		}
		g.S[0], g.S[4] = 0x7fc0, 0xffff // writing inside is fine
		if err := g.Check("x"); err != nil {
			t.Fatalf("untouched bands reported: %v", err)
		}
		g.full[g.lo+5] = 0x3f80
		if err := g.Check("x"); err == nil || !strings.Contains(err.Error(), "x[5], 0 past the end") {
			t.Errorf("write one past the end: Check = %v", err)
		}
		g = GuardedCopyBF16(src, offset)
		g.full[g.lo-1] ^= 1
		if err := g.Check("x"); err == nil || !strings.Contains(err.Error(), "1 elements before x[0]") {
			t.Errorf("write one before the start: Check = %v", err)
		}
	}
}

func TestPagesFault(t *testing.T) {
	p, err := NewPages(100)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Free()
	if !p.Protected {
		if runtime.GOOS == "linux" {
			t.Fatal("no guard pages on linux")
		}
		t.Skipf("no guard pages on %s: the portable fallback is in use", runtime.GOOS)
	}
	end := AtEnd[float32](p, 3)
	end[2] = 1 // the last element is accessible
	past := unsafe.Slice(&end[0], 4)
	var sink float32
	err = CatchFault(func() { sink = past[3] })
	var fe *FaultError
	if !errors.As(err, &fe) {
		t.Fatalf("reading past AtEnd: err = %v, want a fault", err)
	}
	if w := Where(fe.Addr, end); w != "0 bytes past the end of a 12-byte slice" {
		t.Errorf("fault is %s", w)
	}
	start := AtStart[float64](p, 2, 0)
	start[0] = 1
	before := unsafe.Slice((*float64)(unsafe.Add(unsafe.Pointer(&start[0]), -8)), 1)
	if err := CatchFault(func() { sink = float32(before[0]) }); err == nil {
		t.Error("reading before AtStart(offset 0) did not fault")
	}
	if err := CatchFault(func() { sink = AtStart[float32](p, 2, 3)[1] }); err != nil {
		t.Errorf("reading inside faulted: %v", err)
	}
	// bfloat16 elements, 2 bytes each, touch the pages alike.
	end16 := AtEnd[uint16](p, 3)
	if err := CatchFault(func() { sink = float32(unsafe.Slice(&end16[0], 4)[3]) }); err == nil {
		t.Error("reading a bfloat16 past AtEnd did not fault")
	} else if w := Where(err.(*FaultError).Addr, end16); w != "0 bytes past the end of a 6-byte slice" {
		t.Errorf("bfloat16 fault is %s", w)
	}
	start16 := AtStart[uint16](p, 2, 1)
	before16 := unsafe.Slice((*uint16)(unsafe.Add(unsafe.Pointer(&start16[0]), -4)), 1)
	if err := CatchFault(func() { sink = float32(before16[0]) }); err == nil {
		t.Error("reading a bfloat16 before AtStart(offset 1) did not fault")
	}
	_ = sink
}
