package kernels

import (
	"fmt"
	"testing"

	"github.com/fusedopt/fusedopt/internal/testbuf"
)

// This file is what the LAMB and LARS tests share: each optimizer as a
// trustCase over a tensor's slices (param, grad, then the state), and
// random inputs for them.

// trustCase is one hyperparameter set of LAMB or LARS.
type trustCase struct {
	name  string
	slots []string // the tensor's slices: param, grad, state...
	lamb  *LAMB
	lars  *LARS
}

func lambCase(name string, o LAMB) trustCase {
	return trustCase{name: name, slots: []string{"param", "grad", "m", "v"}, lamb: &o}
}

func larsCase(name string, o LARS) trustCase {
	return trustCase{name: name, slots: []string{"param", "grad", "buf"}, lars: &o}
}

// trustCases mix every option of both optimizers.
func trustCases() []trustCase {
	lars := DefaultLARS()
	lars.WeightDecay, lars.Nesterov, lars.GradScale, lars.Eps = 1e-4, true, 0.25, 1e-9
	tuned := DefaultLARS()
	tuned.TrustCoefficient, tuned.Momentum, tuned.Maximize, tuned.LR = 0.02, 0.5, true, 0.1
	noRatio := DefaultLARS()
	noRatio.NoTrustRatio, noRatio.WeightDecay = true, 1e-3
	return []trustCase{
		lambCase("lamb", DefaultLAMB()),
		lambCase("lamb-tuned", LAMB{LR: 0.01, Beta1: 0.85, Beta2: 0.99, Eps: 1e-7, WeightDecay: 0.01, Maximize: true, GradScale: 1.0 / 3}),
		larsCase("lars", DefaultLARS()),
		larsCase("lars-nesterov", lars),
		larsCase("lars-tuned", tuned),
		larsCase("lars-noratio", noRatio),
	}
}

// step runs step t of c on one tensor at the active level.
func trustStepOf[F testbuf.Float](c trustCase, t int, s [][]F) error {
	switch s := any(s).(type) {
	case [][]float32:
		if c.lamb != nil {
			return c.lamb.Step32(t, s[0], s[1], s[2], s[3])
		}
		return c.lars.Step32(t, s[0], s[1], s[2])
	case [][]float64:
		if c.lamb != nil {
			return c.lamb.Step64(t, s[0], s[1], s[2], s[3])
		}
		return c.lars.Step64(t, s[0], s[1], s[2])
	}
	panic("unreachable")
}

// trustTensorsOf runs step t of c on every tensor of ts (each a list of
// slices) with StepTensors32/64 on pool p.
func trustTensorsOf[F testbuf.Float](c trustCase, p *Pool, t int, ts [][][]F) error {
	switch ts := any(ts).(type) {
	case [][][]float32:
		if c.lamb != nil {
			xs := make([]LAMBTensor32, len(ts))
			for i, s := range ts {
				xs[i] = LAMBTensor32{s[0], s[1], s[2], s[3]}
			}
			return c.lamb.StepTensors32(p, t, xs)
		}
		xs := make([]LARSTensor32, len(ts))
		for i, s := range ts {
			xs[i] = LARSTensor32{s[0], s[1], s[2]}
		}
		return c.lars.StepTensors32(p, t, xs)
	case [][][]float64:
		if c.lamb != nil {
			xs := make([]LAMBTensor64, len(ts))
			for i, s := range ts {
				xs[i] = LAMBTensor64{s[0], s[1], s[2], s[3]}
			}
			return c.lamb.StepTensors64(p, t, xs)
		}
		xs := make([]LARSTensor64, len(ts))
		for i, s := range ts {
			xs[i] = LARSTensor64{s[0], s[1], s[2]}
		}
		return c.lars.StepTensors64(p, t, xs)
	}
	panic("unreachable")
}

// trustParallelOf runs step t of c on one tensor with StepParallel32/64.
func trustParallelOf[F testbuf.Float](c trustCase, p *Pool, t int, s [][]F) error {
	switch s := any(s).(type) {
	case [][]float32:
		if c.lamb != nil {
			return c.lamb.StepParallel32(p, t, s[0], s[1], s[2], s[3])
		}
		return c.lars.StepParallel32(p, t, s[0], s[1], s[2])
	case [][]float64:
		if c.lamb != nil {
			return c.lamb.StepParallel64(p, t, s[0], s[1], s[2], s[3])
		}
		return c.lars.StepParallel64(p, t, s[0], s[1], s[2])
	}
	panic("unreachable")
}

// trustInputs returns random slices for c, n elements each: parameters
// and gradients of every sign and of many magnitudes, LAMB's second
// moment non-negative, with special values sprinkled in when every > 0.
func trustInputs[F testbuf.Float](c trustCase, r *testbuf.Rand, n, every int) [][]F {
	s := make([][]F, len(c.slots))
	for i := range s {
		s[i] = make([]F, n)
	}
	testbuf.Fill(r, s[0], -6, 2)
	testbuf.Fill(r, s[1], -14, 1)
	if c.lamb != nil {
		testbuf.Fill(r, s[2], -14, -2)
		testbuf.FillNonNeg(r, s[3], -28, -4)
	} else {
		testbuf.Fill(r, s[2], -12, -4)
	}
	if every > 0 {
		for _, x := range s[:2] {
			testbuf.Sprinkle(r, x, every)
		}
	}
	return s
}

func cloneSlices[F testbuf.Float](s [][]F) [][]F {
	c := make([][]F, len(s))
	for i := range s {
		c[i] = append([]F(nil), s[i]...)
	}
	return c
}

// diffSlices describes the first element where got and want differ (NaNs
// equal whatever their payload), or returns "".
func diffSlices[F testbuf.Float](slots []string, got, want [][]F) string {
	for i := range got {
		if j := testbuf.FirstDiff(got[i], want[i]); j >= 0 {
			return fmt.Sprintf("%s[%d] = %s, want %s", slots[i], j, testbuf.Hex(got[i][j]), testbuf.Hex(want[i][j]))
		}
	}
	return ""
}

// trustLevelRun runs steps 1..steps of c on a copy of in at level l, each
// slice offset elements past a 64-byte boundary in guard bands, and
// returns the result; it fails t if a band was written.
func trustLevelRun[F testbuf.Float](t *testing.T, c trustCase, l Level, in [][]F, offset, steps int) [][]F {
	t.Helper()
	withLevel(t, l)
	gs := make([]*testbuf.Guarded[F], len(in))
	s := make([][]F, len(in))
	for i := range in {
		gs[i] = testbuf.GuardedCopy(in[i], offset)
		s[i] = gs[i].S
	}
	for step := 1; step <= steps; step++ {
		if err := trustStepOf(c, step, s); err != nil {
			t.Fatal(err)
		}
	}
	for i, g := range gs {
		if err := g.Check(c.slots[i]); err != nil {
			t.Fatalf("%v n=%d offset=%d: %v", l, len(in[0]), offset, err)
		}
	}
	return s
}
