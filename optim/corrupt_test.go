package optim

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// savedAdam is an Adam optimizer over a model after three steps, and its
// checkpoint with the parameters.
func savedAdam(t *testing.T) (*Optimizer[kernels.Adam], *model, []byte) {
	t.Helper()
	c := adamCase()
	m := newModel(7)
	o := c.build(t, m)
	for k := int64(1); k <= 3; k++ {
		m.fillGrads(k)
		if err := o.Step(); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := o.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return o, m, buf.Bytes()
}

// rewriteHeader returns file with its JSON header replaced by edit's
// change of it (numbers kept exact), re-padded, and the same data.
func rewriteHeader(t *testing.T, file []byte, edit func(h map[string]any)) []byte {
	t.Helper()
	n := binary.LittleEndian.Uint64(file)
	d := json.NewDecoder(bytes.NewReader(file[8 : 8+n]))
	d.UseNumber()
	var h map[string]any
	if err := d.Decode(&h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
	out = append(out, js...)
	return append(out, file[8+n:]...)
}

// editMeta changes one metadata string.
func editMeta(key string, f func(string) string) func(h map[string]any) {
	return func(h map[string]any) {
		meta := h["__metadata__"].(map[string]any)
		meta[key] = f(meta[key].(string))
	}
}

// TestLoadRejects checks that each kind of corrupt, truncated or
// mismatched checkpoint is an error naming what is wrong, and that the
// optimizer and its parameters are unchanged after it.
func TestLoadRejects(t *testing.T) {
	_, _, good := savedAdam(t)
	dataStart := 8 + int(binary.LittleEndian.Uint64(good))
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x10
		return b
	}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty file", nil, "shorter than the 8-byte"},
		{"truncated in the header", good[:dataStart-3], "header"},
		{"truncated in the data", good[:len(good)-1], "bytes"},
		{"a byte too many", append(bytes.Clone(good), 0), ""},
		{"header longer than the file", func() []byte {
			b := bytes.Clone(good)
			binary.LittleEndian.PutUint64(b, uint64(len(b)))
			return b
		}(), "header length"},
		{"flipped byte in the header length", flip(1), "header"},
		{"flipped byte in the JSON", flip(9), ""},
		{"flipped byte in the first tensor", flip(dataStart + 5), "corrupt"},
		{"flipped byte in the last tensor", flip(len(good) - 2), "corrupt"},
		{"overlapping offsets", rewriteHeader(t, good, func(h map[string]any) {
			e := h["state.enc.weight.exp_avg"].(map[string]any)
			offs := e["data_offsets"].([]any)
			lo, _ := offs[0].(json.Number).Int64()
			hi, _ := offs[1].(json.Number).Int64()
			e["data_offsets"] = []any{lo - 4, hi - 4}
		}), "state.enc.weight"},
		{"offsets past the end", rewriteHeader(t, good, func(h map[string]any) {
			e := h["state.big.exp_avg_sq"].(map[string]any)
			offs := e["data_offsets"].([]any)
			lo, _ := offs[0].(json.Number).Int64()
			e["data_offsets"] = []any{lo, lo + 1<<40}
		}), "state.big.exp_avg_sq"},
		{"newer format version", rewriteHeader(t, good, editMeta(metaVersion, func(string) string { return "2" })), "newer"},
		{"another format", rewriteHeader(t, good, editMeta(metaFormat, func(string) string { return "something" })), "not a fusedopt"},
		{"another optimizer", rewriteHeader(t, good, editMeta(metaOptimizer, func(string) string { return "SGD" })), "SGD"},
		{"a bad checksum", rewriteHeader(t, good, editMeta(metaChecksums, func(s string) string {
			return strings.Replace(s, `"param.big":"`, `"param.big":"0`, 1)
		})), "param.big"},
		{"a missing checksum", rewriteHeader(t, good, editMeta(metaChecksums, func(s string) string {
			return strings.Replace(s, `"param.big"`, `"param.bigger"`, 1)
		})), "checksum"},
		{"a bad hyperparameter", rewriteHeader(t, good, editMeta(metaGroups, func(s string) string {
			return strings.Replace(s, `"Beta1":0.9`, `"Beta1":1.5`, 1)
		})), "Beta1"},
		{"a negative step", rewriteHeader(t, good, editMeta(metaGroups, func(s string) string {
			return strings.Replace(s, `"step":3`, `"step":-3`, 1)
		})), "step = -3"},
		{"an unknown group field", rewriteHeader(t, good, editMeta(metaGroups, func(s string) string {
			return strings.Replace(s, `"step":3`, `"step":3,"stepz":1`, 1)
		})), "stepz"},
		{"a state tensor of the wrong shape", rewriteHeader(t, good, func(h map[string]any) {
			h["state.enc.weight.exp_avg"].(map[string]any)["shape"] = []any{13, 7}
		}), "shape"},
		{"a missing tensor", rewriteHeader(t, good, func(h map[string]any) {
			e := h["state.scale.max_exp_avg_sq"].(map[string]any)
			delete(h, "state.scale.max_exp_avg_sq")
			h["state.scale.other"] = e
		}), "state.scale"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, m, _ := savedAdam(t)
			before, values := digest(t, o), m.clone()
			err := o.Load(bytes.NewReader(tc.file))
			if err == nil {
				t.Fatal("Load accepted it")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			t.Log(err)
			if digest(t, o) != before {
				t.Error("the failed Load changed the optimizer")
			}
			equalModels(t, "after a failed Load", m, values)
		})
	}
}

// TestLoadMismatch checks that a checkpoint is refused by an optimizer
// whose parameters or algorithm differ, naming the difference.
func TestLoadMismatch(t *testing.T) {
	_, _, file := savedAdam(t)
	c := adamCase()
	cases := []struct {
		name  string
		build func(t *testing.T) (load func() error)
		want  string
	}{
		{"another algorithm", func(t *testing.T) func() error {
			o, err := New(kernels.DefaultSGD(), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			register(t, o, newModel(7), kernels.DefaultSGD())
			return func() error { return o.Load(bytes.NewReader(file)) }
		}, "of the Adam algorithm, this optimizer runs SGD"},
		{"an extra parameter", func(t *testing.T) func() error {
			o := c.build(t, newModel(7))
			if err := o.Add32(0, Param32{Name: "extra", Data: make([]float32, 2), Grad: make([]float32, 2)}); err != nil {
				t.Fatal(err)
			}
			return func() error { return o.Load(bytes.NewReader(file)) }
		}, `"extra" is registered but not in the checkpoint`},
		{"a missing parameter", func(t *testing.T) func() error {
			m := newModel(7)
			m.names, m.group, m.shape = m.names[:6], m.group[:6], m.shape[:6]
			m.d32, m.g32, m.d64, m.g64 = m.d32[:6], m.g32[:6], m.d64[:6], m.g64[:6]
			o := c.build(t, m)
			return func() error { return o.Load(bytes.NewReader(file)) }
		}, `parameter "empty" is not registered`},
		{"a renamed parameter", func(t *testing.T) func() error {
			m := newModel(7)
			m.names[1] = "enc.b"
			o := c.build(t, m)
			return func() error { return o.Load(bytes.NewReader(file)) }
		}, `"enc.bias" is not registered`},
		{"another shape", func(t *testing.T) func() error {
			m := newModel(7)
			m.shape[0] = []int64{13, 7}
			o := c.build(t, m)
			return func() error { return o.Load(bytes.NewReader(file)) }
		}, "shape [7 13] in the checkpoint, [13 7] here"},
		{"another dtype", func(t *testing.T) func() error {
			m := newModel(7)
			m.d64[1], m.g64[1] = make([]float64, 13), make([]float64, 13)
			m.d32[1], m.g32[1] = nil, nil
			o := c.build(t, m)
			return func() error { return o.Load(bytes.NewReader(file)) }
		}, `"enc.bias" is F32 in the checkpoint, F64 here`},
		{"another order", func(t *testing.T) func() error {
			m := newModel(7)
			m.names[0], m.names[5] = m.names[5], m.names[0]
			m.shape[0], m.shape[5] = m.shape[5], m.shape[0]
			m.d32[0], m.d32[5] = m.d32[5], m.d32[0]
			m.g32[0], m.g32[5] = m.g32[5], m.g32[0]
			o := c.build(t, m)
			return func() error { return o.Load(bytes.NewReader(file)) }
		}, "registered number"},
		{"another shard", func(t *testing.T) func() error {
			o, err := New(c.h, nil, &Config{Shard: &Shard{0, 100}})
			if err != nil {
				t.Fatal(err)
			}
			register(t, o, newModel(7), c.h2)
			return func() error { return o.Load(bytes.NewReader(file)) }
		}, "shard"},
		{"another group count", func(t *testing.T) func() error {
			o := c.build(t, newModel(7))
			if _, err := o.AddGroup(c.h, nil); err != nil {
				t.Fatal(err)
			}
			return func() error { return o.Load(bytes.NewReader(file)) }
		}, "2 parameter groups, this optimizer 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.build(t)()
			if err == nil {
				t.Fatal("Load accepted it")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// TestLoadFileTrailing checks the file path's own size checks: LoadFile
// knows the size, so an over-long file is refused by the header check.
func TestLoadFileTrailing(t *testing.T) {
	o, _, file := savedAdam(t)
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := os.WriteFile(path, append(bytes.Clone(file), 1, 2, 3), 0o644); err != nil {
		t.Fatal(err)
	}
	err := o.LoadFile(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("LoadFile of an over-long file: %v", err)
	}
}

// TestLoadStream checks Load from a reader whose size is unknown: it
// resumes as from a file, and truncated or over-long streams are refused.
func TestLoadStream(t *testing.T) {
	_, _, good := savedAdam(t)
	o, m, _ := savedAdam(t)
	before, values := digest(t, o), m.clone()
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"truncated", good[:len(good)-3], "unexpected EOF"},
		{"over-long", append(bytes.Clone(good), 0), "past the last tensor"},
	} {
		err := o.Load(io.MultiReader(bytes.NewReader(tc.file)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Load: %v, want an error mentioning %q", tc.name, err, tc.want)
		}
	}
	if digest(t, o) != before {
		t.Error("a failed Load changed the optimizer")
	}
	equalModels(t, "after failed Loads", m, values)
	if err := o.Load(io.MultiReader(bytes.NewReader(good))); err != nil {
		t.Fatal(err)
	}
}
