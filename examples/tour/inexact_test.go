//go:build !amd64 || amd64.v3

package main

// exactPixels: see exact_test.go.
const exactPixels = false
