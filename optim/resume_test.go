package optim

import (
	"bytes"
	"testing"
)

// TestResume checks that N steps, a checkpoint with the parameters, a
// Load into a fresh optimizer over other values, and M more steps give
// the bits of N+M uninterrupted steps, for every algorithm.
func TestResume(t *testing.T) {
	for _, c := range allCases() {
		t.Run(c.Name(), c.resume)
	}
}

func (c algoCase[H]) resume(t *testing.T) {
	const n, more = 5, 7
	whole := c.model(3)
	ow := c.build(t, whole)
	part := c.model(3)
	op := c.build(t, part)
	for k := int64(1); k <= n; k++ {
		stepBoth(t, k, ow, whole, op, part)
	}
	var buf bytes.Buffer
	if err := op.Save(&buf); err != nil {
		t.Fatal(err)
	}
	resumed := c.model(4) // other values: Load must restore them
	or := c.build(t, resumed)
	if err := or.Load(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	equalModels(t, "loaded", resumed, whole)
	for k := int64(n + 1); k <= n+more; k++ {
		stepBoth(t, k, ow, whole, or, resumed)
	}
	equalModels(t, "resumed", resumed, whole)
	var a, b bytes.Buffer
	if err := ow.Save(&a); err != nil {
		t.Fatal(err)
	}
	if err := or.Save(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the resumed optimizer's checkpoint differs from the uninterrupted one's")
	}
}

// build is an optimizer of c over m, in two groups with the wavy schedule,
// saving the parameters in its checkpoints.
func (c algoCase[H]) build(t testing.TB, m *model) *Optimizer[H] {
	t.Helper()
	cfg := c.config()
	cfg.SaveParams = true
	o, err := New(c.h, wavy{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	register(t, o, m, c.h2)
	if err := o.SetSchedule(1, wavy{}); err != nil {
		t.Fatal(err)
	}
	return o
}

// stepBoth fills step k's gradients and steps two optimizers.
func stepBoth[H Algorithm](t testing.TB, k int64, o1 *Optimizer[H], m1 *model, o2 *Optimizer[H], m2 *model) {
	t.Helper()
	m1.fillGrads(k)
	m2.fillGrads(k)
	if err := o1.Step(); err != nil {
		t.Fatal(err)
	}
	if err := o2.Step(); err != nil {
		t.Fatal(err)
	}
}
