package kernels

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// The family digests extend the cross-architecture determinism proof of
// golden_test.go to every kernel of every family: a few calls on fixed
// inputs must give the same bits at every level of every architecture
// (amd64, arm64, big-endian s390x), so one file of SHA-256 digests, made
// once from the generic level, is checked everywhere. Every family and
// variant in families must have its digests, and the file may name no
// other: a new optimizer cannot slip through untested, and a removed one
// leaves no stale line behind.

var updateFamiliesGolden = flag.Bool("update-families-golden", false,
	"rewrite testdata/families_golden.txt from the generic level")

const famGoldenFile = "testdata/families_golden.txt"

// famGoldenCmd is how to regenerate the file, for messages and its header.
const famGoldenCmd = "go test ./kernels -run TestFamiliesGoldenDigests -update-families-golden"

// famGoldenText is the file as built into the test binary, so that the
// binary checks it from any directory (go test -c, qemu -exec).
//
//go:embed testdata/families_golden.txt
var famGoldenText string

const (
	// famGoldenLen leaves, after the unrolled loop of every level, at
	// least one whole vector and then a tail: 1723 = 26*64 + 59, and 59 is
	// 3*16 + 11, 27 (mod 32) = 8 + 8 + 8 + 3, 11 (mod 16) = 2*4 + 3 and
	// 3 (mod 8) = 2 + 1. (A length that leaves fewer than a vector after
	// the unrolled loop never runs the single-vector loop.)
	famGoldenLen   = 1723
	famGoldenCalls = 5
)

// famGoldenCase is one line of the file: a variant of a family in one
// precision.
type famGoldenCase struct {
	f   *family
	v   int
	f32 bool
}

func (c famGoldenCase) name() string {
	prec := "float64"
	if c.f32 {
		prec = "float32"
	}
	return c.f.name + "/" + famVariant(c.f, c.v) + "/" + prec
}

func famGoldenCases() []famGoldenCase {
	var cs []famGoldenCase
	for fi := range families {
		f := &families[fi]
		for v := range f.variants {
			for _, f32 := range []bool{true, false} {
				cs = append(cs, famGoldenCase{f, v, f32})
			}
		}
	}
	return cs
}

// TestFamiliesGoldenDigests checks every supported level against the
// digests in testdata; with -update-families-golden it first rewrites
// them from the generic level.
func TestFamiliesGoldenDigests(t *testing.T) {
	text := famGoldenText
	if *updateFamiliesGolden {
		text = famWriteGolden(t)
	}
	want := famParseGolden(t, text)
	cases := famGoldenCases()
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
		t.Errorf("%s has a digest for %s, which names no variant of any family in families: "+
			"the family or variant was removed or renamed; regenerate the file with %s", famGoldenFile, name, famGoldenCmd)
	}
	for _, l := range allLevels(t) {
		t.Run(l.String(), func(t *testing.T) {
			ks := kernelsFor(l)
			for _, c := range cases {
				got := famGoldenDigest(c, ks)
				switch w, ok := want[c.name()]; {
				case !ok:
					t.Errorf("%s: no digest in %s: a family or variant was added without its golden digests; "+
						"check that every level matches generic (TestFamiliesMatchGeneric), then regenerate the file with %s",
						c.name(), famGoldenFile, famGoldenCmd)
				case got != w:
					t.Errorf("%s at level %v on this platform: digest %s, want %s", c.name(), l, got, w)
				}
			}
		})
	}
}

// famGoldenDigest runs the case on the kernels of ks.
func famGoldenDigest(c famGoldenCase, ks *kernelSet) string {
	if c.f32 {
		return famGoldenRun[float32](c, ks)
	}
	return famGoldenRun[float64](c, ks)
}

// famGoldenRun makes fixed inputs (random mixed magnitudes and signs,
// special values in every stream) and the family's first plausible scalar
// set, calls the kernel famGoldenCalls times, the written streams carrying
// over from call to call and the read-only ones drawn afresh, and hashes
// every stream after every call, little-endian with NaNs made canonical
// (appendLE, golden_test.go). The seeds come from the names, so a family's
// digests do not change when others are added.
func famGoldenRun[F testbuf.Float](c famGoldenCase, ks *kernelSet) string {
	f := c.f
	r := testbuf.NewRand(famSeed("golden", f.name, famVariant(f, c.v), famPrec[F]()))
	in := famInputs[F](r, f, famGoldenLen, 64, false)
	s := famScalarSets[F](f)[0].s
	h := sha256.New()
	var buf []byte
	for call := range famGoldenCalls {
		if call > 0 {
			for i, w := range f.written {
				if !w {
					famFill(r, in[i], false)
					testbuf.Sprinkle(r, in[i], 256)
				}
			}
		}
		famRun(f, ks, c.v, in, s)
		for _, st := range in {
			buf = appendLE(buf[:0], st)
			h.Write(buf)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func famParseGolden(t *testing.T, text string) map[string]string {
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
			t.Fatalf("%s: malformed line %q; regenerate the file with %s", famGoldenFile, line, famGoldenCmd)
		}
		if _, dup := want[name]; dup {
			t.Fatalf("%s: %s appears twice; regenerate the file with %s", famGoldenFile, name, famGoldenCmd)
		}
		want[name] = digest
	}
	return want
}

// famWriteGolden computes every digest at the generic level, the
// definition of the results, rewrites the file (go test runs in the
// package directory) and returns the new text.
func famWriteGolden(t *testing.T) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# SHA-256 of every stream after each of %d calls of every kernel of every family on fixed\n", famGoldenCalls)
	b.WriteString("# inputs (see families_golden_test.go). Every level on every architecture must reproduce\n")
	b.WriteString("# them. Regenerate, from the generic level, when a family or variant is added or removed,\n")
	b.WriteString("# or when the kernels' results change on purpose:\n")
	b.WriteString("#   " + famGoldenCmd + "\n")
	gen := kernelsFor(Generic)
	for _, c := range famGoldenCases() {
		fmt.Fprintf(&b, "%s %s\n", c.name(), famGoldenDigest(c, gen))
	}
	if err := os.MkdirAll(filepath.Dir(famGoldenFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(famGoldenFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", famGoldenFile)
	return b.String()
}
