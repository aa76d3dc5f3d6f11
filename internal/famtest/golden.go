package famtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// The family digests extend the cross-architecture determinism proof of
// package kernels' golden tests to every kernel of every family: a few
// calls on fixed inputs must give the same bits at every level of every
// architecture (amd64, arm64, big-endian s390x), so one file of SHA-256
// digests, made once from the generic level, is checked everywhere. Every
// family and variant must have its digests, and the file may name no
// other: a new optimizer cannot slip through untested, and a removed one
// leaves no stale line behind.

// Golden is a package's file of family digests.
type Golden struct {
	File   string // its path from the package directory, e.g. "testdata/families_golden.txt"
	Text   string // its contents as built into the test binary (go:embed), so that it is checked from any directory
	Cmd    string // the command that rewrites it, for messages and its header
	Update bool   // rewrite File from the generic level first
}

const (
	// goldenLen leaves, after the unrolled loop of every level, at
	// least one whole vector and then a tail: 1723 = 26*64 + 59, and 59 is
	// 3*16 + 11, 27 (mod 32) = 8 + 8 + 8 + 3, 11 (mod 16) = 2*4 + 3 and
	// 3 (mod 8) = 2 + 1. (A length that leaves fewer than a vector after
	// the unrolled loop never runs the single-vector loop.)
	goldenLen   = 1723
	goldenCalls = 5
)

// goldenCase is one line of the file: a variant of a family in one
// precision.
type goldenCase struct {
	f   *Family
	v   int
	f32 bool
}

func (c goldenCase) name() string {
	p := "float64"
	if c.f32 {
		p = "float32"
	}
	return c.f.Name + "/" + variantName(c.f, c.v) + "/" + p
}

func goldenCases(fams []Family) []goldenCase {
	var cs []goldenCase
	for fi := range fams {
		f := &fams[fi]
		for v := range f.Variants {
			for _, f32 := range []bool{true, false} {
				cs = append(cs, goldenCase{f, v, f32})
			}
		}
	}
	return cs
}

// GoldenDigests checks every supported level against the digests of g;
// with g.Update it first rewrites them from the generic level.
func GoldenDigests(t *testing.T, fams []Family, g Golden) {
	text := g.Text
	if g.Update {
		text = writeGolden(t, fams, g)
	}
	want := parseGolden(t, text, g)
	cases := goldenCases(fams)
	known := map[string]bool{}
	for _, c := range cases {
		known[c.name()] = true
	}
	var stale []string
	for name := range want {
		if !known[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	for _, name := range stale {
		t.Errorf("%s has a digest for %s, which names no variant of any family: "+
			"the family or variant was removed or renamed; regenerate the file with %s", g.File, name, g.Cmd)
	}
	for _, l := range AllLevels(t) {
		t.Run(cpulevel.Name(l), func(t *testing.T) {
			for _, c := range cases {
				got := goldenDigest(c, l)
				switch w, ok := want[c.name()]; {
				case !ok:
					t.Errorf("%s: no digest in %s: a family or variant was added without its golden digests; "+
						"check that every level matches generic (TestFamiliesMatchGeneric), then regenerate the file with %s",
						c.name(), g.File, g.Cmd)
				case got != w:
					t.Errorf("%s at level %s on this platform: digest %s, want %s", c.name(), cpulevel.Name(l), got, w)
				}
			}
		})
	}
}

// goldenDigest runs the case at level l.
func goldenDigest(c goldenCase, l uint8) string {
	if c.f32 {
		return goldenRun[float32](c, l)
	}
	return goldenRun[float64](c, l)
}

// goldenRun makes fixed inputs (random mixed magnitudes and signs,
// special values in every stream) and the family's first plausible scalar
// set, calls the kernel goldenCalls times, the written streams carrying
// over from call to call and the read-only ones drawn afresh, and hashes
// every stream after every call, little-endian with NaNs made canonical
// (testbuf.AppendLE). The seeds come from the names, so a family's
// digests do not change when others are added.
func goldenRun[F testbuf.Float](c goldenCase, l uint8) string {
	f := c.f
	r := testbuf.NewRand(seed("golden", f.Name, variantName(f, c.v), prec[F]()))
	in := inputs[F](r, f, goldenLen, 64, false)
	s := scalarSets[F](f)[0].s
	h := sha256.New()
	var buf []byte
	for call := range goldenCalls {
		if call > 0 {
			for i, w := range f.Written {
				if !w {
					fill(r, in[i], false)
					testbuf.Sprinkle(r, in[i], 256)
				}
			}
		}
		run(f, l, c.v, in, s)
		for _, st := range in {
			buf = testbuf.AppendLE(buf[:0], st)
			h.Write(buf)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func parseGolden(t *testing.T, text string, g Golden) map[string]string {
	t.Helper()
	want := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, digest, ok := strings.Cut(line, " ")
		digest = strings.TrimSpace(digest)
		if !ok || len(digest) != 2*sha256.Size {
			t.Fatalf("%s: malformed line %q; regenerate the file with %s", g.File, line, g.Cmd)
		}
		if _, dup := want[name]; dup {
			t.Fatalf("%s: %s appears twice; regenerate the file with %s", g.File, name, g.Cmd)
		}
		want[name] = digest
	}
	return want
}

// writeGolden computes every digest at the generic level, the definition
// of the results, rewrites the file (go test runs in the package
// directory) and returns the new text.
func writeGolden(t *testing.T, fams []Family, g Golden) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# SHA-256 of every stream after each of %d calls of every kernel of every family on fixed\n", goldenCalls)
	b.WriteString("# inputs (see internal/famtest). Every level on every architecture must reproduce\n")
	b.WriteString("# them. Regenerate, from the generic level, when a family or variant is added or removed,\n")
	b.WriteString("# or when the kernels' results change on purpose:\n")
	b.WriteString("#   " + g.Cmd + "\n")
	for _, c := range goldenCases(fams) {
		fmt.Fprintf(&b, "%s %s\n", c.name(), goldenDigest(c, cpulevel.Generic))
	}
	if err := os.MkdirAll(filepath.Dir(g.File), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(g.File, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", g.File)
	return b.String()
}
