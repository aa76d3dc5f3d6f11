package main

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

// pathsDigest is the SHA-256 of every position of every racer of every
// problem, as float64 bits. It pins the paths: when a hyperparameter or a
// problem changes on purpose, the new value is in the failure message
// (and the committed pictures must be drawn again).
const pathsDigest = "72a1247b03a786ad0008489ad8a29a08adad7d201e5e63ec9f0abc24b2505cf9"

// TestPathsDigest checks that the paths are the same bits on every
// machine, as fusedopt's steps are: the pictures' pixels may differ
// between architectures (see exactPixels), the paths they draw may not.
// The gradients round every product on its own (mul) for this, and the
// gradient noise comes from integer arithmetic.
func TestPathsDigest(t *testing.T) {
	h := sha256.New()
	var b [8]byte
	for _, p := range problems() {
		for _, r := range p.racers {
			pt := mustRun(t, p, r)
			for k := range pt.x {
				for _, v := range []float64{pt.x[k], pt.y[k]} {
					binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
					h.Write(b[:])
				}
			}
		}
	}
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != pathsDigest {
		t.Errorf("the paths' digest is %s, want %s", got, pathsDigest)
	}
}
