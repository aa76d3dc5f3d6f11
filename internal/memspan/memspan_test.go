package memspan

import "testing"

func TestOverlaps(t *testing.T) {
	a := make([]float32, 8)
	b := make([]float64, 8)
	cases := []struct {
		name string
		s, u Span
		want bool
	}{
		{"same", Of(a), Of(a), true},
		{"shifted by one", Of(a[1:]), Of(a[:7]), true},
		{"adjacent", Of(a[:4]), Of(a[4:]), false},
		{"last and first element", Of(a[:5]), Of(a[4:]), true},
		{"different arrays", Of(a), Of(b), false},
		{"empty", Of(a[3:3]), Of(a), false},
		{"nil", Of[float64](nil), Of(b), false},
	}
	for _, c := range cases {
		if got := c.s.Overlaps(c.u); got != c.want {
			t.Errorf("%s: Overlaps = %v, want %v", c.name, got, c.want)
		}
		if got := c.u.Overlaps(c.s); got != c.want {
			t.Errorf("%s (swapped): Overlaps = %v, want %v", c.name, got, c.want)
		}
	}
	if s := Of(b[2:5]); s.Hi-s.Lo != 24 {
		t.Errorf("three float64s span %d bytes, want 24", s.Hi-s.Lo)
	}
	if !Of(a[:0]).Empty() || Of(a[:0]) != (Span{}) {
		t.Error("an empty slice's span is not the zero Span")
	}
}
