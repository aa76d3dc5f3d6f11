package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// docs is the repository's docs directory, where the pictures are
// committed.
var docs = filepath.Join("..", "..", "docs")

// The committed pictures' size limits, to keep the repository light.
const maxGIF, maxPNG = 300 << 10, 250 << 10

// TestPicturesReproduce runs the program and compares what it writes
// with the committed pictures, byte for byte (where the build draws the
// same pixels: see exactPixels), and checks that it writes all of them.
func TestPicturesReproduce(t *testing.T) {
	dir := t.TempDir()
	files, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		name := filepath.Base(f)
		names = append(names, name)
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		limit := maxPNG
		if strings.HasSuffix(name, ".gif") {
			limit = maxGIF
		}
		if len(got) > limit {
			t.Errorf("%s: %d bytes, more than %d", name, len(got), limit)
		}
		want, err := os.ReadFile(filepath.Join(docs, name))
		if err != nil {
			t.Errorf("%v: run go run ./examples/tour from the repository root", err)
			continue
		}
		if !exactPixels {
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("docs/%s differs from what the program draws (%d bytes, committed %d): run go run ./examples/tour from the repository root", name, len(got), len(want))
		}
	}
	if !exactPixels {
		t.Log("this build rasterizes with other roundings: the bytes were not compared")
	}
	// No committed picture that the program no longer draws.
	committed, err := filepath.Glob(filepath.Join(docs, "tour-*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range committed {
		if !slices.Contains(names, filepath.Base(c)) {
			t.Errorf("docs/%s: the program no longer writes it", filepath.Base(c))
		}
	}
}
