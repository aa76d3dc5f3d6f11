package kernels

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// The golden digests are the cross-architecture determinism proof: ten
// Adam steps on fixed inputs must give the same bits on every level of
// every architecture (amd64, arm64, big-endian s390x, any GOAMD64), so one
// file of SHA-256 digests, made once, is checked everywhere. The inputs
// come from testbuf.Rand, whose stream is pinned, and the bytes hashed are
// written little-endian with every NaN made canonical, since NaN payloads
// are the one thing allowed to differ between architectures.

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden_digests.txt from the generic level")

const goldenFile = "testdata/golden_digests.txt"

// goldenText is the golden file as built into the test binary, so that the
// binary checks it from any directory (go test -c, qemu -exec).
//
//go:embed testdata/golden_digests.txt
var goldenText string

const (
	goldenLen   = 2107 // 2048+59: at every level and precision the main loop, the one-vector loop and the tail all run
	goldenSteps = 10
)

// goldenSets are the hyperparameter sets, each run in every variant and
// both precisions. In "tuned", 1 - LR*WeightDecay rounds differently when
// a compiler fuses it into one FMA (0.93 against 0.9299999999999999), so
// its float64 digests catch per-step scalars computed differently on an
// architecture that fuses.
var goldenSets = []struct {
	name string
	a    Adam
}{
	{"adamw", DefaultAdamW()},
	{"tuned", Adam{LR: 0.02, Beta1: 0.85, Beta2: 0.995, Eps: 1e-7, WeightDecay: 3.5, Maximize: true, GradScale: 1.0 / 3}},
}

// goldenCase is one line of the golden file.
type goldenCase struct {
	name string
	set  int
	a    Adam
	f32  bool
}

func goldenCases() []goldenCase {
	var cs []goldenCase
	for si, set := range goldenSets {
		for _, f32 := range []bool{true, false} {
			for _, vr := range variants {
				prec := "float64"
				if f32 {
					prec = "float32"
				}
				cs = append(cs, goldenCase{set.name + "/" + prec + "/" + vr.name, si, variantOf(set.a, vr.coupled, vr.amsgrad), f32})
			}
		}
	}
	return cs
}

// TestGoldenDigests checks every supported level against the digests in
// testdata; with -update-golden it first rewrites them from the generic
// level.
func TestGoldenDigests(t *testing.T) {
	text := goldenText
	if *updateGolden {
		text = writeGolden(t)
	}
	want := parseGolden(t, text)
	for _, l := range allLevels(t) {
		t.Run(l.String(), func(t *testing.T) {
			withLevel(t, l)
			for _, c := range goldenCases() {
				got := goldenDigest(t, c)
				switch w, ok := want[c.name]; {
				case !ok:
					t.Errorf("%s: no digest in %s; run go test ./kernels -run TestGoldenDigests -update-golden", c.name, goldenFile)
				case got != w:
					t.Errorf("%s at level %v on this platform: digest %s, want %s", c.name, l, got, w)
				}
			}
		})
	}
}

// goldenDigest runs the case at the active level through the public API.
func goldenDigest(t *testing.T, c goldenCase) string {
	if c.f32 {
		return goldenRun[float32](t, c)
	}
	return goldenRun[float64](t, c)
}

func goldenRun[F testbuf.Float](t *testing.T, c goldenCase) string {
	r := testbuf.NewRand(20250101 + uint64(c.set))
	in := randomInputs[F](r, goldenLen, 64) // special values in param, grad and every state slice
	h := sha256.New()
	var buf []byte
	for step := 1; step <= goldenSteps; step++ {
		if step > 1 {
			testbuf.Fill(r, in[1], -12, 2)
			testbuf.Sprinkle(r, in[1], 256)
		}
		if err := stepPublic(c.a, step, in); err != nil {
			t.Fatalf("%s, step %d: %v", c.name, step, err)
		}
		for _, i := range []int{0, 2, 3, 4} { // every slice the step writes
			buf = testbuf.AppendLE(buf[:0], in[i])
			h.Write(buf)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stepPublic is Step32 or Step64, whichever F asks for.
func stepPublic[F testbuf.Float](a Adam, t int, in adamInputs[F]) error {
	switch s := any(in).(type) {
	case adamInputs[float32]:
		return a.Step32(t, s[0], s[1], s[2], s[3], s[4])
	case adamInputs[float64]:
		return a.Step64(t, s[0], s[1], s[2], s[3], s[4])
	}
	panic("unreachable")
}

func parseGolden(t *testing.T, text string) map[string]string {
	want := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, digest, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: malformed line %q", goldenFile, line)
		}
		want[name] = strings.TrimSpace(digest)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}

// writeGolden computes every digest at the generic level, the definition
// of the results, rewrites the golden file (run it through go test, which
// starts in the package directory) and returns the new text.
func writeGolden(t *testing.T) string {
	withLevel(t, Generic)
	var b strings.Builder
	b.WriteString("# SHA-256 of every slice written by 10 Adam steps on fixed inputs (see golden_test.go).\n")
	b.WriteString("# Every level on every architecture must reproduce them. Regenerate, from the generic\n")
	b.WriteString("# level, only when the kernels' results change on purpose:\n")
	b.WriteString("#   go test ./kernels -run TestGoldenDigests -update-golden\n")
	for _, c := range goldenCases() {
		fmt.Fprintf(&b, "%s %s\n", c.name, goldenDigest(t, c))
	}
	if err := os.MkdirAll(filepath.Dir(goldenFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", goldenFile)
	return b.String()
}
