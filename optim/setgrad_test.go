package optim

import (
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// TestSetGrad checks that a re-pointed gradient is the one the next Step
// reads, and that bad gradients are refused without a change.
func TestSetGrad(t *testing.T) {
	m := newModel(11)
	ref := newRefRun(adamCase(), m.clone(), Constant{})
	o, err := New(adamCase().h, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	register(t, o, m, adamCase().h2)
	for k := int64(1); k <= 3; k++ {
		// A new gradient every step, as spaGO allocates them.
		fresh := m.clone()
		fresh.fillGrads(k)
		ref.m.fillGrads(k)
		for i, name := range m.names {
			if m.d32[i] != nil {
				err = o.SetGrad32(name, fresh.g32[i])
			} else {
				err = o.SetGrad64(name, fresh.g64[i])
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := o.Step(); err != nil {
			t.Fatal(err)
		}
		ref.step()
		equalModels(t, "with re-pointed gradients", m, ref.m)
	}
	enc := o.byName["enc.weight"].f32
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"unknown", o.SetGrad32("nope", make([]float32, 1)), "no such parameter"},
		{"dtype", o.SetGrad64("enc.weight", make([]float64, 91)), "is F32, not F64"},
		{"nil", o.SetGrad32("enc.weight", nil), "nil"},
		{"length", o.SetGrad32("enc.weight", make([]float32, 5)), "len(grad) = 5, want len(Data) = 91"},
		{"data", o.SetGrad32("enc.weight", enc.data), "shares memory with Data"},
		{"other", o.SetGrad32("enc.weight", o.byName["big"].f32.data[:91]), "parameter big"},
	}
	before := enc.grad
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", c.name, c.err, c.want)
		}
	}
	if &enc.grad[0] != &before[0] {
		t.Error("a refused SetGrad changed the gradient")
	}
	// The old gradient's memory is free for another parameter after a
	// successful SetGrad, and the new one's is taken.
	freed := enc.grad
	if err := o.SetGrad32("enc.weight", make([]float32, 91)); err != nil {
		t.Fatal(err)
	}
	g, err := o.AddGroup(kernels.DefaultAdam(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Add32(g, Param32{Name: "reuse", Data: freed, Grad: make([]float32, 91)}); err != nil {
		t.Errorf("Add32 over the freed gradient: %v", err)
	}
	if err := o.Add32(g, Param32{Name: "clash", Data: enc.grad, Grad: make([]float32, 91)}); err == nil || !strings.Contains(err.Error(), "gradient of enc.weight") {
		t.Errorf("Add32 over the new gradient: %v", err)
	}
}
