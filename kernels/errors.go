package kernels

import (
	"fmt"
	"strconv"
)

// ParamError reports a hyperparameter (or step number) outside its domain.
// Steps return it before touching any slice.
type ParamError struct {
	Optimizer string  // e.g. "Adam"
	Field     string  // the struct field, or "t" for the step number
	Value     float64 // the rejected value
	Want      string  // the domain, e.g. "in [0, 1)"
}

// Error names the optimizer, the field, the value and its domain:
// "fusedopt: Adam.Beta1 = 1.5: must be in [0, 1)".
func (e *ParamError) Error() string {
	return "fusedopt: " + e.Optimizer + "." + e.Field + " = " +
		strconv.FormatFloat(e.Value, 'g', -1, 64) + ": must be " + e.Want
}

// lengthPanic panics with the Go convention for slice kernels: the
// mismatched lengths, named.
func lengthPanic(op, name string, got, want int) { lengthPanicOf(op, name, got, "param", want) }

// lengthPanicOf is lengthPanic against a slice other than param: len(name)
// = got where len(of) = want was needed.
func lengthPanicOf(op, name string, got int, of string, want int) {
	panic(fmt.Sprintf("fusedopt: %s: len(%s) = %d, want len(%s) = %d", op, name, got, of, want))
}
