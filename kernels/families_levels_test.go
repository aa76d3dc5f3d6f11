package kernels

import (
	_ "embed"
	"flag"
	"testing"

	"github.com/fusedopt/fusedopt/internal/famtest"
)

// The family-wide tests run internal/famtest on every family of
// kernelSet (families, families_test.go, generated): every level gives
// the generic level's bits, touches nothing outside its slices, and
// reproduces the golden digests on every architecture. A family added to
// the generator is covered without a change here.

// TestFamiliesMatchGeneric is the core promise for every family: see
// famtest.MatchGeneric.
func TestFamiliesMatchGeneric(t *testing.T) { famtest.MatchGeneric(t, families) }

// TestFamiliesGuardPages runs every family with each stream touching an
// inaccessible page: see famtest.GuardPages.
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
		Cmd:    "go test ./kernels -run TestFamiliesGoldenDigests -update-families-golden",
		Update: *updateFamiliesGolden,
	})
}
