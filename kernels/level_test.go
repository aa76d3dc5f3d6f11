package kernels

import (
	"slices"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
)

// TestParseLevelRoundTrip: every level's name parses back to it, and
// names are exact (no case folding, no unknown names).
func TestParseLevelRoundTrip(t *testing.T) {
	ls := knownLevels()
	if len(ls) < 4 {
		t.Fatalf("knownLevels = %v, want at least generic, avx2, avx512, neon", ls)
	}
	for _, l := range ls {
		got, err := ParseLevel(l.String())
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", l.String(), got, err, l)
		}
	}
	for _, s := range []string{"", "AVX2", "sse", "Level(1)"} {
		if l, err := ParseLevel(s); err == nil {
			t.Errorf("ParseLevel(%q) = %v, want an error", s, l)
		}
	}
	if s := Level(200).String(); s != "Level(200)" {
		t.Errorf("Level(200).String() = %q", s)
	}
}

// TestLevelsList: Levels is best first, ends with Generic, lists only
// supported levels, and is a copy the caller may change.
func TestLevelsList(t *testing.T) {
	ls := Levels()
	if len(ls) == 0 || ls[len(ls)-1] != Generic {
		t.Fatalf("Levels() = %v, want it to end with generic", ls)
	}
	for i, l := range ls {
		if !Supported(l) {
			t.Errorf("Levels() lists %v, which is not Supported", l)
		}
		if i > 0 && l >= ls[i-1] {
			t.Errorf("Levels() = %v is not best first", ls)
		}
	}
	ls[0] = 99
	if Levels()[0] == 99 {
		t.Error("Levels() returns the package's own slice")
	}
}

// TestSetLevel: every supported level can be made active, and every other
// level is refused with an error, leaving the active level as it was.
func TestSetLevel(t *testing.T) {
	orig := ActiveLevel()
	defer SetLevel(orig)
	for _, l := range append(knownLevels(), Level(200)) {
		before := ActiveLevel()
		old, err := SetLevel(l)
		if !Supported(l) {
			if err == nil {
				t.Errorf("SetLevel(%v) on a machine without it succeeded", l)
			} else if !strings.Contains(err.Error(), l.String()) {
				t.Errorf("SetLevel(%v): error %q does not name the level", l, err)
			}
			if ActiveLevel() != before || old != before {
				t.Errorf("refused SetLevel(%v) changed the level to %v (returned %v)", l, ActiveLevel(), old)
			}
			continue
		}
		if err != nil || old != before || ActiveLevel() != l {
			t.Errorf("SetLevel(%v) = %v, %v; active now %v, was %v", l, old, err, ActiveLevel(), before)
		}
	}
}

// TestLevelNumbering: internal/cpulevel, which detects the levels for
// this package and for internal/limits, numbers and names them as Level
// does, and finds the levels Levels lists.
func TestLevelNumbering(t *testing.T) {
	for _, l := range knownLevels() {
		if got := cpulevel.Name(uint8(l)); got != l.String() {
			t.Errorf("cpulevel.Name(%d) = %q, want %q", uint8(l), got, l.String())
		}
	}
	if n := len(knownLevels()); cpulevel.Name(uint8(n)) != "" {
		t.Errorf("cpulevel names level %d (%q), which Level does not", n, cpulevel.Name(uint8(n)))
	}
	var got []Level
	for _, l := range cpulevel.Detect() {
		got = append(got, Level(l))
	}
	if !slices.Equal(got, Levels()) {
		t.Errorf("cpulevel.Detect() = %v, Levels() = %v", got, Levels())
	}
}
