package kernels

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// wantParamError checks that err, returned by op, is a *ParamError of
// optimizer opt blaming field and value, with a message that names both.
// Every optimizer's validation tests use it, the external ones through
// WantParamError (export_test.go).
func wantParamError(t *testing.T, op, opt, field string, value float64, err error) {
	t.Helper()
	var pe *ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: err = %v (%T), want a *ParamError", op, err, err)
	}
	if pe.Optimizer != opt || pe.Field != field || !testbuf.Same(pe.Value, value) || pe.Want == "" {
		t.Errorf("%s: %#v, want %s.%s = %v", op, *pe, opt, field, value)
	}
	msg := err.Error()
	if !strings.Contains(msg, opt+"."+field) || !strings.Contains(msg, strconv.FormatFloat(value, 'g', -1, 64)) {
		t.Errorf("%s: message %q does not name %s.%s and the value %v", op, msg, opt, field, value)
	}
}
