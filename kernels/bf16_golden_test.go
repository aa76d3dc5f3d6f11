package kernels

import (
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// The bfloat16 golden digests: ten steps of every bfloat16 case
// (bf16Cases) on fixed inputs, hashed, must be the same on every level of
// every architecture. NaNs are made canonical before hashing. Rewrite the
// file from the generic level with -update-golden.

const bf16GoldenFile = "testdata/bf16_golden_digests.txt"

//go:embed testdata/bf16_golden_digests.txt
var bf16GoldenText string

// bf16Digest is the SHA-256 of param, m and v after ten steps of case c on
// the active level, from inputs of goldenLen elements.
func bf16Digest(t *testing.T, c bf16Case) string {
	in := randomBF16Inputs(testbuf.NewRand(77), goldenLen, 50)
	for range goldenSteps {
		stepBF16At(t, ActiveLevel(), c, in)
		c.t++
	}
	h := sha256.New()
	for _, s := range [][]BF16{in.param, in.m, in.v} {
		for _, b := range s {
			if isNaN16(b) {
				b = 0x7fc0
			}
			binary.Write(h, binary.LittleEndian, uint16(b))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestBF16GoldenDigests checks every supported level against the file.
func TestBF16GoldenDigests(t *testing.T) {
	cases := bf16Cases()
	if *updateGolden {
		withLevel(t, Generic)
		var b strings.Builder
		for i, c := range cases {
			fmt.Fprintf(&b, "%d %s\n", i, bf16Digest(t, c))
		}
		if err := os.WriteFile(bf16GoldenFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := strings.Fields(bf16GoldenText)
	if len(want) != 2*len(cases) {
		t.Fatalf("%s has %d fields, want %d: rerun with -update-golden", bf16GoldenFile, len(want), 2*len(cases))
	}
	for _, l := range allLevels(t) {
		withLevel(t, l)
		for i, c := range cases {
			if got := bf16Digest(t, c); got != want[2*i+1] {
				t.Errorf("level %v case %d (%v): digest %s, want %s", l, i, c, got, want[2*i+1])
			}
		}
	}
}
