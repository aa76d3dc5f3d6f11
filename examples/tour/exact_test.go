//go:build amd64 && !amd64.v3

package main

// exactPixels says whether this build draws the committed pictures'
// exact bytes. They were made on amd64 with the default GOAMD64=v1. The
// paths are the same bits everywhere, but the rasterizer's anti-aliasing
// (freetype and gg, in float64) is not: Go fuses x*y+z into one rounding
// on arm64, ppc64le, s390x and riscv64 and, with GOAMD64=v3, on amd64, so
// a pixel's coverage can differ in its last bits there, and the
// compressed bytes with it.
const exactPixels = true
