package fusedspago_test

import "github.com/fusedopt/fusedopt/internal/adaptertest"

// The reference steps and the data are shared with the other adapter's
// tests.
type direct[E float32 | float64] = adaptertest.Direct[E]

const (
	nPoints  = adaptertest.NPoints
	nClasses = adaptertest.NClasses
	nHidden  = adaptertest.NHidden
)

var (
	schedule = adaptertest.Schedule
	spirals  = adaptertest.Spirals
	initial  = adaptertest.Initial
)
