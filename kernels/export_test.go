package kernels

import "testing"

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
