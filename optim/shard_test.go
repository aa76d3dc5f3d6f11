package optim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// TestShards checks that three optimizers that each own a Shard of the
// same parameters, boundaries falling inside tensors (at parameter
// boundaries for LAMB and LARS), step them to the
// bits of the unsharded steps, and that each shard's checkpoint resumes.
func TestShards(t *testing.T) {
	for _, c := range allCases() {
		t.Run(c.Name(), c.shards)
	}
}

func (c algoCase[H]) shards(t *testing.T) {
	m := c.model(2)
	ref := newRefRun(c, m.clone(), wavy{})
	bounds := []int64{0, 50, 700, 1 << 40} // the model has 1206 elements (1844 with bfloat16 ones)
	if c.whole {
		bounds = []int64{0, 91, 175, 1 << 40} // at parameter boundaries: enc.weight, dec.bias's end
	}
	var os []*Optimizer[H]
	for i := range 3 {
		cfg := c.config()
		cfg.Shard = &Shard{bounds[i], bounds[i+1]}
		o, err := New(c.h, wavy{}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		register(t, o, m, c.h2)
		if err := o.SetSchedule(1, wavy{}); err != nil {
			t.Fatal(err)
		}
		os = append(os, o)
	}
	for k := int64(1); k <= 9; k++ {
		m.fillGrads(k)
		ref.m.fillGrads(k)
		if k == 5 {
			// Each shard saves, and a fresh optimizer of that shard resumes.
			for i, o := range os {
				var buf bytes.Buffer
				if err := o.Save(&buf); err != nil {
					t.Fatal(err)
				}
				cfg := c.config()
				cfg.Shard = &Shard{bounds[i], bounds[i+1]}
				fresh, err := New(c.h, wavy{}, cfg)
				if err != nil {
					t.Fatal(err)
				}
				register(t, fresh, m, c.h2)
				if err := fresh.SetSchedule(1, wavy{}); err != nil {
					t.Fatal(err)
				}
				if err := fresh.Load(&buf); err != nil {
					t.Fatalf("shard %d: %v", i, err)
				}
				os[i] = fresh
			}
		}
		for i, o := range os {
			if err := o.Step(); err != nil {
				t.Fatalf("shard %d, step %d: %v", i, k, err)
			}
		}
		ref.step()
		equalModels(t, "sharded", m, ref.m)
	}
	// Each shard holds state for its own elements only.
	var owned int
	for _, o := range os {
		for _, p := range o.params {
			owned += p.owned()
		}
	}
	if owned != m.size() {
		t.Errorf("the shards own %d elements in all, want %d", owned, m.size())
	}
}

// TestShardMustNotCutTrustRatio: LAMB's and LARS's Optimizers refuse a
// parameter that their Shard cuts (its trust ratio would be the window's),
// and accept one the Shard holds whole or not at all.
func TestShardMustNotCutTrustRatio(t *testing.T) {
	data, grad := make([]float32, 10), make([]float32, 10)
	o, err := New(kernels.DefaultLAMB(), nil, &Config{Shard: &Shard{Lo: 10, Hi: 15}})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Add32(0, Param32{Name: "a", Data: data, Grad: grad}); err != nil {
		t.Fatalf("outside the shard: %v", err)
	}
	err = o.Add32(0, Param32{Name: "b", Data: make([]float32, 10), Grad: make([]float32, 10)})
	if err == nil || !strings.Contains(err.Error(), "trust ratio") {
		t.Fatalf("cut by the shard: error %v, want one about the trust ratio", err)
	}
	l, err := New(kernels.DefaultLARS(), nil, &Config{Shard: &Shard{Lo: 0, Hi: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add32(0, Param32{Name: "a", Data: data, Grad: grad}); err != nil {
		t.Fatalf("whole in the shard: %v", err)
	}
}
