//go:build !cgo

package main

// Without cgo there is no C baseline; the tool says so in its header and
// the c levels are left out.

const cBaselineAvailable = false

const cOptFlags = ""

func cAdam32(bool, int, *[10]float32, []float32, []float32, []float32, []float32, []float32, int) {
	panic("fusedopt bench: built without cgo, no C baseline")
}

func cAdam64(bool, int, *[10]float64, []float64, []float64, []float64, []float64, []float64, int) {
	panic("fusedopt bench: built without cgo, no C baseline")
}

func cSumSquares32(bool, []float32, int) float64 {
	panic("fusedopt bench: built without cgo, no C baseline")
}

func cSumSquares64(bool, []float64, int) float64 {
	panic("fusedopt bench: built without cgo, no C baseline")
}
