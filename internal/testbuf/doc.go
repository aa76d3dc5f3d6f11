// Package testbuf holds the test fixtures of fusedopt's kernels: slices
// fenced by guard bands or by inaccessible guard pages, special and seeded
// random floating-point values, and comparisons that look at bits.
//
// It is an ordinary package, not a _test file, so that the tests of package
// kernels and the fuzz targets in fuzz/ share one implementation. Nothing
// in it is meant for production code.
//
// Everything it generates is the same on every platform: the random values
// come from a fixed PCG stream and are assembled from integer bits, never
// from arithmetic that a compiler could fuse differently per architecture.
package testbuf
