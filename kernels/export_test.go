package kernels

import (
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// Test helpers of package kernels that the external tests (package
// kernels_test) share.
var WantParamError = wantParamError

// RefMag is refMag (errmodel_test.go): ±10^U(lo, hi), or 0 one time in 25.
var RefMag = refMag

// ErrCheck is the reference tests' checker, errCheck (errmodel_test.go).
type ErrCheck = errCheck

// NewErrCheck is a checker that fails t.
func NewErrCheck(t *testing.T) *ErrCheck { return &errCheck{t: t} }

// Check is check: got against want within tol, where named lazily.
func (c *errCheck) Check(where func() string, what string, got, want, tol float64) {
	c.check(where, what, got, want, tol)
}

// Worst is the largest ratio |got-want|/tol seen.
func (c *errCheck) Worst() float64 { return c.worst }

// The harness of the parallel tests (parallel_harness_test.go).
type (
	ParSlot                        = parSlot
	ParOps[F testbuf.Float, S any] = parOps[F, S]
	ParCase[S any]                 = parCase[S]
	ParTest[S any]                 = parTest[S]
)

// ParNoAlloc is parNoAlloc: StepTensors and StepParallel do not allocate.
func ParNoAlloc[S any](t *testing.T, slots []ParSlot, c ParCase[S]) { parNoAlloc(t, slots, c) }

// ParSmall is parSmall: keep the parallel tests small.
var ParSmall = parSmall

// ParOps3 is parOps3: an optimizer's parOps of three slices.
func ParOps3[F testbuf.Float, S, T any](step func(S, []F, []F, []F) error,
	par func(*Pool, S, []F, []F, []F) error, list func(*Pool, S, []T) error) ParOps[F, S] {
	return parOps3(step, par, list)
}

// ParOps4 is parOps4: an optimizer's parOps of four slices.
func ParOps4[F testbuf.Float, S, T any](step func(S, []F, []F, []F, []F) error,
	par func(*Pool, S, []F, []F, []F, []F) error, list func(*Pool, S, []T) error) ParOps[F, S] {
	return parOps4(step, par, list)
}

// The harness of the validation tests (reject_harness_test.go).
type (
	RejectCase[S any] = rejectCase[S]
	RejectTest[S any] = rejectTest[S]
)
