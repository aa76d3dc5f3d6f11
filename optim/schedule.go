package optim

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/fusedopt/fusedopt/kernels"
)

// A Schedule gives the learning rate of each step as a pure function of the
// number of steps already completed, so that resuming needs nothing but the count.
//
// The schedules of this package match torch.optim.lr_scheduler's closed
// forms (each type names its equivalent), computed in PyTorch's order of
// operations; and they give the same bits on every architecture: they use
// no math.Cos, math.Pow, math.Exp or math.Log (whose results differ
// between amd64, arm64 and s390x), and round every product before it is
// added, so that no compiler fuses a multiply-add (each LR that ends in a
// product rounds it too, so that not even a caller into which LR is
// inlined can fuse it).
//
// Their LR methods return NaN for done < 0, a count no optimizer reaches,
// rather than extrapolate backwards. For a schedule that fails Validate
// the result is unspecified, but LR does not panic.
type Schedule interface {
	// LR is the learning rate of the step taken after done completed steps
	// (done >= 0; the first step uses LR(base, 0)), where base is the group's
	// LR hyperparameter (PyTorch's initial_lr).
	LR(base float64, done int64) float64
	// Validate reports the first bad field as a *kernels.ParamError, or nil.
	// (A nested schedule that is nil, or that fails with an error of
	// another kind, is reported as a plain error naming the field.)
	Validate() error
	// String describes the schedule and all its fields, e.g.
	// "Cosine{Steps: 1000, Min: 1e-05}"; it is recorded in checkpoints.
	String() string
}

// schedError is the *kernels.ParamError of a schedule's bad field.
func schedError(typ, field string, v float64, want string) error {
	return &kernels.ParamError{Optimizer: typ, Field: field, Value: v, Want: want}
}

// schedCheckSteps requires a step count > 0.
func schedCheckSteps(typ, field string, n int64) error {
	if n <= 0 {
		return schedError(typ, field, float64(n), "> 0")
	}
	return nil
}

// schedCheckUnit requires a factor in [0, 1] (NaN fails).
func schedCheckUnit(typ, field string, x float64) error {
	if !(x >= 0 && x <= 1) {
		return schedError(typ, field, x, "in [0, 1]")
	}
	return nil
}

// schedCheckGamma requires a multiplicative factor that is finite and > 0.
// PyTorch accepts any gamma; 0 or a negative one would give a zero or
// negative learning rate, which no optimizer step accepts.
func schedCheckGamma(typ string, g float64) error {
	if !(g > 0 && g <= math.MaxFloat64) {
		return schedError(typ, "Gamma", g, "finite and > 0")
	}
	return nil
}

// schedCheckMilestones requires strictly increasing milestones, the first
// >= 0 (MultiStep) or > 0 (Sequential, whose milestone 0 would skip its
// first schedule).
func schedCheckMilestones(typ string, ms []int64, allowZero bool) error {
	for i, m := range ms {
		var want string
		switch {
		case i > 0 && m <= ms[i-1]:
			want = "> " + strconv.FormatInt(ms[i-1], 10) + " (strictly increasing)"
		case i == 0 && allowZero && m < 0:
			want = ">= 0"
		case i == 0 && !allowZero && m <= 0:
			want = "> 0"
		default:
			continue
		}
		return schedError(typ, "Milestones["+strconv.Itoa(i)+"]", float64(m), want)
	}
	return nil
}

// schedValidateChild validates a nested schedule, reporting its bad field
// by its path from the outer schedule: a bad Steps of Warmup.Then is
// "fusedopt: Warmup.Then.Steps = 0: must be > 0". A missing schedule (nil,
// or a nil pointer, whose methods would panic) is a plain error naming
// the field.
func schedValidateChild(typ, field string, s Schedule) error {
	if schedIsNil(s) {
		return fmt.Errorf("fusedopt: %s.%s is nil: must be a Schedule", typ, field)
	}
	err := s.Validate()
	var pe *kernels.ParamError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return &kernels.ParamError{Optimizer: typ, Field: field + "." + pe.Field, Value: pe.Value, Want: pe.Want}
	default:
		return fmt.Errorf("fusedopt: %s.%s: %w", typ, field, err)
	}
}

// schedIsNil reports whether s is nil or a nil pointer: a child that LR
// must not call.
func schedIsNil(s Schedule) bool {
	if s == nil {
		return true
	}
	v := reflect.ValueOf(s)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// schedFields formats "Type{Name: value, ...}" from alternating names and
// values; floats print in Go's shortest form that reads back exactly
// (1e-05, 0.1), so a checkpoint's record names the exact values.
func schedFields(typ string, kv ...any) string {
	var b strings.Builder
	b.WriteString(typ)
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %s", kv[i], schedValue(kv[i+1]))
	}
	b.WriteByte('}')
	return b.String()
}

// schedValue formats one field of schedFields.
func schedValue(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case Schedule:
		if schedIsNil(v) {
			return "nil"
		}
		return v.String()
	case []Schedule:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = schedValue(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []int64:
		parts := make([]string, len(v))
		for i, m := range v {
			parts[i] = strconv.FormatInt(m, 10)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case nil:
		return "nil"
	default:
		return fmt.Sprint(v)
	}
}
