package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestTinyRunBF16 runs -precision f32,bf16 on a tiny size: every bfloat16
// form of Adam, SGD and Lion, and SumSquares' one, at every level with
// its bytes and its speedup over float32, none for Adagrad, which has no
// bfloat16 kernels, and the table, CSV, benchstat and chart of those rows.
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
	kernelRows := map[string]int{}
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
		case r.Kind == kindKernel && !(r.VsF32 > 0 && r.Speedup > 0 && r.GBps > 0):
			t.Errorf("%s %s: no speedup over float32 or generic: %+v", key, r.Level, r)
		case r.Kind != kindKernel && r.Kind != kindCall:
			t.Errorf("%s: a %s row; bf16 has no limits", key, r.Kind)
		}
		if r.Kind == kindKernel {
			kernelRows[key]++
		}
	}
	for key := range bytesOf {
		if kernelRows[key] != len(cfg.levels) {
			t.Errorf("%s: %d kernel rows, want one per level (%d)", key, kernelRows[key], len(cfg.levels))
		}
	}

	var buf bytes.Buffer
	if err := writeTable(&buf, m, cfg, rs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"adam bf16 plain.sr: 14 B moved per element", "sgd bf16 momentum.sr-f32grad: 12 B moved per element",
		"lion bf16 plain.nearest: 10 B moved per element",
		"vs f32", "no roofline (the float32 Traffic kernels move other bytes)", "adagrad f32 plain"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), "adagrad bf16") {
		t.Error("the table has bfloat16 Adagrad rows")
	}
	buf.Reset()
	if err := writeBenchstat(&buf, m, rs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "BenchmarkAdam/bf16/variant=plain.sr-f32grad/n=256/level=generic") {
		t.Errorf("benchstat lacks the bf16 rows:\n%s", buf.String())
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
