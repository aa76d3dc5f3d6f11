//go:build !race

package kernels

// raceEnabled keeps the parallel tests small under the race detector.
const raceEnabled = false
