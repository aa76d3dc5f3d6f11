package main

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// TestTinyRunAll runs the tool over every optimizer at one tiny size and
// checks that each has its rows: kernels, rooflines (but LAMB and LARS),
// arithmetic bounds where the kernel has square roots or divisions, C
// baselines for Adam.
func TestTinyRunAll(t *testing.T) {
	cfg, err := parseFlags([]string{"-sizes", "256", "-precision", "f32", "-reps", "1", "-mintime", "1ms", "-q"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	m := detectMachine()
	rs := (&suite{cfg: cfg, machine: m}).run()
	levels, limitLevels := len(cfg.levels), len(cfg.limitLevels())
	count := map[string]int{}
	for _, r := range rs {
		count[r.Optimizer]++
		if !(r.NsPerElement.Median > 0) || !(r.GBps > 0 || r.Kind == kindCall) {
			t.Errorf("bad result %+v", r)
		}
		o := findOptimizer(r.Optimizer)
		v, _ := o.findVariant(r.Variant)
		hasLimits := o.limits().Traffic32 != nil
		if r.Kind == kindKernel && !((r.RooflinePct > 0) == hasLimits && r.Speedup > 0 && (r.ArithPct > 0) == v.arith) {
			t.Errorf("%s %s: roofline %v%%, speedup %v, arith %v%% (has arith: %v)", r.Optimizer, r.Level,
				r.RooflinePct, r.Speedup, r.ArithPct, v.arith)
		}
	}
	for _, o := range optimizers {
		v := o.variants[0]
		want := levels + limitLevels + 1 // kernels, rooflines, one call
		if o.limits().Traffic32 == nil {
			want -= limitLevels // LAMB and LARS: no limit kernels
		}
		if v.arith {
			want += limitLevels
		}
		if cfg.cBaseline && o.c32 != nil {
			want += 2
		}
		if count[o.name] != want {
			t.Errorf("%s: %d results, want %d", o.name, count[o.name], want)
		}
	}

	var buf bytes.Buffer
	if err := writeTable(&buf, m, cfg, rs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sgd f32 momentum: 20 B moved per element", "lion f32 plain: 20 B moved per element",
		"rmsprop f32 plain: 20 B", "adadelta f32 plain: 28 B", "radam f32 plain: 28 B",
		"no arithmetic bound: no square root or division"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	buf.Reset()
	if err := writeBenchstat(&buf, m, rs); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"BenchmarkSGD/f32/n=256/level=generic", "BenchmarkRMSpropRoofline/f32/n=256/level=generic",
		"BenchmarkNAdamArith/f32/n=", "BenchmarkLion/f32/n=256/level=generic"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name)).MatchString(buf.String()) {
			t.Errorf("no benchstat line %s...", name)
		}
	}
}

// TestVariants checks every variant's bookkeeping against the kernels:
// the Traffic kernel of its index writes exactly the slices its Step
// writes (writes), reads reads slices, and its Arith kernel does some
// arithmetic exactly when arith says so.
func TestVariants(t *testing.T) {
	const n = 64
	ones := func(k int) [][]float32 {
		s := make([][]float32, k)
		for i := range s {
			s[i] = make([]float32, n)
			for j := range s[i] {
				s[i][j] = 1
			}
		}
		return s
	}
	changed := func(a, b [][]float32) (c []bool) {
		for k := range a {
			c = append(c, fmt.Sprint(a[k]) != fmt.Sprint(b[k]))
		}
		return c
	}
	for _, o := range optimizers {
		e := o.limits()
		if e.Traffic32 == nil {
			if o.name != "lamb" && o.name != "lars" { // two-pass steps have none
				t.Fatalf("%s: no limit kernels registered", o.name)
			}
			continue
		}
		k := len(o.slices)
		for _, v := range o.variants {
			name := o.name + " " + v.name
			if v.writes == 0 {
				// A reduction: its Traffic loop and its step only read,
				// and it has no Arith kernel.
				s := ones(k)
				e.Traffic32(uint8(kernels.Generic), v.index, s)
				o.step32(v)(s)
				if c := changed(ones(k), s); slices.Contains(c, true) || e.Arith32 != nil || v.arith {
					t.Errorf("%s: a reduction writes %v, has an Arith kernel %v, arith %v", name, c, e.Arith32 != nil, v.arith)
				}
				continue
			}
			// Traffic: x = sum of the read-only streams; each written
			// stream += x.
			s := ones(k)
			e.Traffic32(uint8(kernels.Generic), v.index, s)
			written := changed(ones(k), s)
			writes, reads := countTraffic(written, func(i int) bool {
				z := ones(k)
				z[i] = make([]float32, n) // zero a read-only stream: the written ones change
				e.Traffic32(uint8(kernels.Generic), v.index, z)
				for j, w := range written {
					if w && fmt.Sprint(z[j]) != fmt.Sprint(s[j]) {
						return true
					}
				}
				return false
			})
			if writes != v.writes || reads != v.reads {
				t.Errorf("%s: index %d reads %d and writes %d slices, variant says %d and %d", name, v.index, reads, writes, v.reads, v.writes)
			}

			// The step writes the same slices.
			kernels.SetLevel(kernels.Generic)
			d, d0 := newSlices[float32](o, n, 1), newSlices[float32](o, n, 1)
			o.step32(thawed(v))(d)
			if got := changed(d0, d); fmt.Sprint(got) != fmt.Sprint(written) {
				t.Errorf("%s: step changes slices %v, the Traffic kernel of index %d %v", name, got, v.index, written)
			}

			// Arith: without square roots or divisions it copies its input.
			a := positiveSlices[float32](k, n, 3)
			in := fmt.Sprint(a[1])
			e.Arith32(uint8(kernels.Generic), v.index, a)
			if copied := fmt.Sprint(a[0]) == in; copied == v.arith {
				t.Errorf("%s: Arith kernel copies its input: %v, variant says arith %v", name, copied, v.arith)
			}
		}
	}
	kernels.SetLevel(kernels.Levels()[0])

	r := kernels.DefaultRAdam()
	if !r.Rectified(stepT) || r.Rectified(radamWarmupT) {
		t.Errorf("RAdam rectifies step %d: %v, step %d: %v; want true, false",
			stepT, r.Rectified(stepT), radamWarmupT, r.Rectified(radamWarmupT))
	}
}

// countTraffic counts the slices a Traffic kernel writes (those of
// written, which it changed) and reads: the written ones, and each other
// slice i for which reads(i) (zeroing it changes what it writes).
func countTraffic(written []bool, reads func(i int) bool) (nWrites, nReads int) {
	for i, w := range written {
		switch {
		case w:
			nWrites++
			nReads++
		case reads(i):
			nReads++
		}
	}
	return nWrites, nReads
}

// thawed is v with the hyperparameters that freeze some state for the
// benchmarks (LR 0, see l2Note; RMSprop's Alpha 1) set to move it, so
// that a step changes every slice it writes.
func thawed(v variant) variant {
	return withHP(v, func(hp reflect.Value) {
		if f := hp.FieldByName("LR"); f.Float() == 0 {
			f.SetFloat(1e-3)
		}
		if f := hp.FieldByName("Alpha"); f.IsValid() && f.Float() == 1 {
			f.SetFloat(0.99)
		}
	})
}

// withHP is v with hyperparameters that set changes in a copy of v's.
func withHP(v variant, set func(hp reflect.Value)) variant {
	hp := reflect.New(reflect.TypeOf(v.hp)).Elem()
	hp.Set(reflect.ValueOf(v.hp))
	set(hp)
	v.hp = hp.Interface()
	return v
}

// TestStateStaysNormal checks that every variant's inputs, and its state
// after many steps on them (as the benchmarks take), hold normal numbers:
// no zero state, no denormals, no NaN, which would time something else.
func TestStateStaysNormal(t *testing.T) {
	for _, o := range optimizers {
		for _, v := range o.variants {
			for _, l := range kernels.Levels() {
				kernels.SetLevel(l)
				d := newSlices[float32](o, 1000, 1)
				check := func(when string) {
					for k, s := range d {
						for i, x := range s {
							if a := math.Abs(float64(x)); !(a >= 0x1p-126) || math.IsInf(a, 0) {
								t.Fatalf("%s %s at %v %s: %s[%d] = %g", o.name, v.name, l, when, o.slices[k], i, x)
							}
						}
					}
				}
				check("initially")
				step := o.step32(v)
				for range stateSteps {
					step(d)
				}
				check(fmt.Sprintf("after %d steps", stateSteps))
			}
		}
	}
	kernels.SetLevel(kernels.Levels()[0])
}

// stateSteps is how many steps TestStateStaysNormal takes. A default run
// takes about a million at small sizes; 300000 pass too (in minutes).
var stateSteps = 2000
