package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// TestTinyRunBF16 runs -precision f32,bf16 on a tiny size: every bfloat16
// form of Adam, SGD and Lion, and SumSquares' one, at every level with
// its bytes, its speedup over float32 and its share of the roofline of
// the bfloat16 Traffic kernels of its form, timed at every level; none
// for Adagrad, which has no bfloat16 kernels; and the table, CSV,
// benchstat and chart of those rows.
func TestTinyRunBF16(t *testing.T) {
	args := []string{"-optimizer", "adam,sgd,lion,adagrad,sumsq", "-precision", "f32,bf16", "-sizes", "256", "-reps", "1",
		"-mintime", "1ms", "-q"}
	cfg, err := parseFlags(args, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	m := detectMachine()
	rs := (&suite{cfg: cfg, machine: m}).run()
	bytesOf := map[string]int{"adam/plain.sr": 14, "adam/plain.sr-f32grad": 16, "adam/plain.nearest": 14,
		"sgd/momentum.sr": 10, "sgd/momentum.sr-f32grad": 12, "sgd/momentum.nearest": 10,
		"lion/plain.sr": 10, "lion/plain.sr-f32grad": 12, "lion/plain.nearest": 10,
		"sumsq/norm.bf16grad": 2}
	kernelRows, roofRows := map[string]int{}, map[string]int{}
	for _, r := range rs {
		if r.Precision != "bf16" {
			continue
		}
		key := r.Optimizer + "/" + r.Variant
		want, ok := bytesOf[key]
		switch {
		case !ok:
			t.Errorf("unexpected bf16 row %s", key)
		case r.BytesPerElement != want:
			t.Errorf("%s: %d bytes per element, want %d", key, r.BytesPerElement, want)
		case r.Kind == kindKernel && !(r.VsF32 > 0 && r.Speedup > 0 && r.GBps > 0 && r.RooflinePct > 0):
			t.Errorf("%s %s: no speedup over float32 or generic, or no roofline: %+v", key, r.Level, r)
		case r.Kind == kindKernel && !slices.ContainsFunc(cfg.limitLevels(), func(l kernels.Level) bool { return l.String() == r.RooflineBy }):
			t.Errorf("%s %s: roofline set by %q, not a level's Traffic kernel", key, r.Level, r.RooflineBy)
		case r.Kind == kindRoofline && !(r.GBps > 0 && r.RooflinePct == 0):
			t.Errorf("%s: bad roofline row %+v", key, r)
		case r.Kind != kindKernel && r.Kind != kindCall && r.Kind != kindRoofline:
			t.Errorf("%s: a %s row; bf16 has no arithmetic bound or C baseline", key, r.Kind)
		}
		switch r.Kind {
		case kindKernel:
			kernelRows[key]++
		case kindRoofline:
			roofRows[key]++
		}
	}
	for key := range bytesOf {
		if kernelRows[key] != len(cfg.levels) || roofRows[key] != len(cfg.limitLevels()) {
			t.Errorf("%s: %d kernel and %d roofline rows, want one of each per level (%d, %d)", key,
				kernelRows[key], roofRows[key], len(cfg.levels), len(cfg.limitLevels()))
		}
	}

	var buf bytes.Buffer
	if err := writeTable(&buf, m, cfg, rs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"adam bf16 plain.sr: 14 B moved per element", "sgd bf16 momentum.sr-f32grad: 12 B moved per element",
		"lion bf16 plain.nearest: 10 B moved per element", "GB/s  speedup  %roofline  vs f32",
		"no C baseline; vs f32: float32 plain's time at the same level and size in this run / this time",
		"the bfloat16 Traffic kernels of every level (bfloat16 loads and truncating stores, a float32 gradient)",
		"the bfloat16 Traffic kernels of every level (bfloat16 loads and truncating stores, a bfloat16 gradient)",
		"no arithmetic bound: none is measured for the bfloat16 kernels", "adagrad f32 plain"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	// Every bfloat16 block has its roofline table: as many as the blocks.
	if got, want := strings.Count(buf.String(), "the bfloat16 Traffic kernels of every level"), len(bytesOf); got != want {
		t.Errorf("%d bfloat16 roofline tables, want %d:\n%s", got, want, buf.String())
	}
	if strings.Contains(buf.String(), "adagrad bf16") {
		t.Error("the table has bfloat16 Adagrad rows")
	}
	buf.Reset()
	if err := writeBenchstat(&buf, m, rs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"BenchmarkAdam/bf16/variant=plain.sr-f32grad/n=256/level=generic",
		"BenchmarkAdamRoofline/bf16/variant=plain.sr-f32grad/n=256/level=generic"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("benchstat lacks %s:\n%s", want, buf.String())
		}
	}
	buf.Reset()
	if err := writeCSV(&buf, rs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), ",vs_f32\n") {
		t.Error("the CSV has no vs_f32 column")
	}
	if err := writePlot(filepath.Join(t.TempDir(), "c.svg"), m, rs); err != nil {
		t.Fatal(err)
	}
}

// TestParseFlagsBF16 checks that bf16 alone needs an optimizer with
// bfloat16 kernels, and that the default run has no bf16 rows.
func TestParseFlagsBF16(t *testing.T) {
	_, err := parseFlags([]string{"-optimizer", "rmsprop,adagrad", "-precision", "bf16"}, new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "no selected optimizer has bfloat16 kernels (have: ") {
		t.Errorf("bf16 for RMSprop and Adagrad: %v", err)
	}
	cfg, err := parseFlags(nil, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range cfg.optimizers {
		for _, p := range cfg.precisionsOf(o) {
			if p == "bf16" {
				t.Errorf("the default run has bf16 rows for %s", o.name)
			}
		}
	}
	cfg, err = parseFlags([]string{"-optimizer", "all", "-precision", "bf16"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.precisionsOf(findOptimizer("adagrad")); len(got) != 0 {
		t.Errorf("Adagrad at -precision bf16 runs %v, want nothing", got)
	}
}

// TestVariantsBF16 checks the bfloat16 rows' bookkeeping against the
// kernels, as TestVariants does the float rows': for each variant and
// form, the Traffic kernel of its index writes exactly the slices its
// bfloat16 step writes (v.writes of them) and reads v.reads (the float32
// gradient among them in a form that takes one), so that it moves the
// bytes bytesPerElement counts.
func TestVariantsBF16(t *testing.T) {
	const n = 64
	// ones is every slice of o holding 1, and a float32 gradient of 1s.
	ones := func(o *optimizer) bf16Data {
		d := newBF16Data(o, n, 1)
		for k := range d.s {
			for i := range d.s[k] {
				d.s[k][i] = kernels.BF16From32(1)
			}
		}
		for i := range d.grad32 {
			d.grad32[i] = 1
		}
		return d
	}
	changed := func(a, b bf16Data) (c []bool) {
		for k := range a.s {
			c = append(c, fmt.Sprint(a.s[k]) != fmt.Sprint(b.s[k]))
		}
		return c
	}
	// differ reports whether any of the written slices of a and b differ.
	differ := func(a, b bf16Data, written []bool) bool {
		for k, w := range written {
			if w && fmt.Sprint(a.s[k]) != fmt.Sprint(b.s[k]) {
				return true
			}
		}
		return false
	}
	for _, o := range optimizers {
		if o.stepBF16 == nil {
			continue
		}
		for _, v := range o.variants {
			for _, f := range o.bf16FormsOf() {
				name := o.name + " " + bf16Variant(v, f)
				if o.stepBF16(v, f) == nil {
					continue // AMSGrad: no bfloat16 step
				}
				limit := f.traffic(o.limits())
				if limit == nil {
					t.Errorf("%s: no Traffic kernel", name)
					continue
				}
				run := func(d bf16Data) { trafficStep(limit, kernels.Generic, v)(d) }
				s := ones(o)
				run(s)
				written := changed(ones(o), s)
				if v.writes == 0 {
					// A reduction: its read-only loop writes nothing, and
					// shows no read in what it writes.
					if slices.Contains(written, true) {
						t.Errorf("%s: a reduction's Traffic kernel writes %v", name, written)
					}
					continue
				}
				writes, reads := countTraffic(written, func(k int) bool {
					z := ones(o)
					clear(z.s[k]) // zero a read-only slice: the written ones change
					run(z)
					return differ(s, z, written)
				})
				z := ones(o)
				clear(z.grad32)
				if run(z); differ(s, z, written) {
					reads++
					if f.gradBF16 {
						t.Errorf("%s: the Traffic kernel of a bfloat16 gradient reads the float32 one", name)
					}
				}
				if writes != v.writes || reads != v.reads {
					t.Errorf("%s: index %d reads %d and writes %d slices, variant says %d and %d", name, v.index, reads, writes, v.reads, v.writes)
				}

				// The step writes the same slices, with a learning rate
				// that moves param by more than half a bfloat16 ulp.
				loud := withHP(thawed(v), func(hp reflect.Value) { hp.FieldByName("LR").SetFloat(10) })
				kernels.SetLevel(kernels.Generic)
				d, d0 := newBF16Data(o, n, 1), newBF16Data(o, n, 1)
				o.stepBF16(loud, f)(d)
				if got := changed(d0, d); fmt.Sprint(got) != fmt.Sprint(written) {
					t.Errorf("%s: step changes slices %v, the Traffic kernel of index %d %v", name, got, v.index, written)
				}
			}
		}
	}
	kernels.SetLevel(kernels.Levels()[0])
}
