package limits

import (
	_ "embed"
	"flag"
	"testing"

	"github.com/fusedopt/fusedopt/internal/famtest"
)

// The limit kernels are generated like the optimizers' kernels and held
// to the same tests (internal/famtest, on families, families_test.go): a
// limit measured at one level measures the same work as at any other.

// TestFamiliesMatchGeneric: every level gives the generic kernel's bits;
// see famtest.MatchGeneric.
func TestFamiliesMatchGeneric(t *testing.T) { famtest.MatchGeneric(t, families) }

// TestFamiliesGuardPages: no kernel touches anything outside its slices;
// see famtest.GuardPages.
func TestFamiliesGuardPages(t *testing.T) { famtest.GuardPages(t, families) }

var updateFamiliesGolden = flag.Bool("update-families-golden", false,
	"rewrite testdata/families_golden.txt from the generic level")

//go:embed testdata/families_golden.txt
var famGoldenText string

// TestFamiliesGoldenDigests checks every supported level against the
// digests in testdata (see famtest.GoldenDigests); with
// -update-families-golden it first rewrites them from the generic level.
func TestFamiliesGoldenDigests(t *testing.T) {
	famtest.GoldenDigests(t, families, famtest.Golden{
		File:   "testdata/families_golden.txt",
		Text:   famGoldenText,
		Cmd:    "go test ./internal/limits -run TestFamiliesGoldenDigests -update-families-golden",
		Update: *updateFamiliesGolden,
	})
}
