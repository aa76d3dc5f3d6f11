package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

func TestDTypeSize(t *testing.T) {
	for d, want := range map[DType]int{F32: 4, F64: 8, BF16: 2, "F16": 0, "": 0, "f32": 0} {
		if got := d.Size(); got != want {
			t.Errorf("%q.Size() = %d, want %d", d, got, want)
		}
	}
	type myFloat float32
	type bf16 uint16
	if DTypeOf[float32]() != F32 || DTypeOf[myFloat]() != F32 || DTypeOf[float64]() != F64 || DTypeOf[bf16]() != BF16 {
		t.Error("DTypeOf maps a type to the wrong dtype")
	}
}

func TestElements(t *testing.T) {
	for _, c := range []struct {
		shape []int64
		want  int64
	}{
		{nil, 1},
		{[]int64{}, 1},
		{[]int64{2, 3}, 6},
		{[]int64{2, 0, 3}, 0},
		{[]int64{0, 1 << 62, 4}, 0},
		{[]int64{1 << 62, 4, 0}, -1},       // overflow is checked left to right, as by the reference
		{[]int64{1 << 31, 1 << 31, 2}, -1}, // 2^63 overflows
		{[]int64{-1}, -1},
		{[]int64{math.MaxInt64}, math.MaxInt64},
	} {
		if got := (Tensor{Shape: c.shape}).Elements(); got != c.want {
			t.Errorf("Elements(%v) = %d, want %d", c.shape, got, c.want)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	cases := map[string]Header{
		"empty":          {},
		"empty metadata": {Metadata: map[string]string{}},
		"metadata only":  {Metadata: map[string]string{"format": "pt", "step": "12"}},
		"one":            {Tensors: []Tensor{{Name: "w", DType: F32, Shape: []int64{2, 3}}}},
		"scalars": {Tensors: []Tensor{
			{Name: "step", DType: F64, Shape: []int64{}},
			{Name: "lr", DType: F32},
		}},
		"zero-size anywhere": {Tensors: []Tensor{
			{Name: "z0", DType: F32, Shape: []int64{0}},
			{Name: "a", DType: F64, Shape: []int64{5}},
			{Name: "z1", DType: F64, Shape: []int64{3, 0, 7}},
			{Name: "b", DType: F32, Shape: []int64{1, 1, 1, 3}},
			{Name: "z2", DType: F32, Shape: []int64{0, 0}},
		}},
		"mixed with metadata": {
			Tensors: []Tensor{
				{Name: "layer.0/exp_avg", DType: F32, Shape: []int64{4, 4}},
				{Name: "layer.0/exp_avg_sq", DType: F64, Shape: []int64{4, 4}},
				{Name: "ünïcode \"quoted\" <&>", DType: F32, Shape: []int64{1}},
			},
			Metadata: map[string]string{"optimizer": "adam", "json": `{"betas":[0.9,0.999]}`, "": "empty key", "π": "\n\t\\"},
		},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			prefix, err := Encode(&h)
			if err != nil {
				t.Fatal(err)
			}
			if len(prefix)%8 != 0 {
				t.Errorf("prefix is %d bytes, not a multiple of 8", len(prefix))
			}
			if n := binary.LittleEndian.Uint64(prefix); n != uint64(len(prefix)-8) {
				t.Errorf("length field %d, header %d bytes", n, len(prefix)-8)
			}
			var off int64
			for _, tn := range h.Tensors {
				if tn.Begin != off || tn.End-tn.Begin != tn.Elements()*int64(tn.DType.Size()) {
					t.Errorf("tensor %q laid out at [%d, %d), want to start at %d", tn.Name, tn.Begin, tn.End, off)
				}
				off = tn.End
			}
			f := append(prefix, make([]byte, off)...)
			got, start, err := decodeBytes(f)
			if err != nil {
				t.Fatal(err)
			}
			if start != int64(len(prefix)) {
				t.Errorf("data start %d, want %d", start, len(prefix))
			}
			// Decode sorts by offset; zero-length tensors at one offset
			// come ordered by name.
			want := sortedCopy(h.Tensors)
			if !sameTensors(got.Tensors, want) {
				t.Errorf("tensors\n got %+v\nwant %+v", got.Tensors, want)
			}
			if !sameMetadata(got.Metadata, h.Metadata) {
				t.Errorf("metadata %#v, want %#v", got.Metadata, h.Metadata)
			}
			// A scalar's shape comes back as [], not nil.
			for _, tn := range got.Tensors {
				if tn.Shape == nil {
					t.Errorf("tensor %q: nil shape", tn.Name)
				}
			}
		})
	}
}

// sortedCopy orders tensors as Decode returns them.
func sortedCopy(ts []Tensor) []Tensor {
	c := append([]Tensor(nil), ts...)
	sortTensors(c)
	return c
}

// The reference writer's exact bytes for a small file, so that our output
// is what Python's safetensors would write for the same tensor (the
// reference sorts by dtype and name; here the slice is given in that order).
func TestEncodeMatchesReferenceBytes(t *testing.T) {
	h := Header{Tensors: []Tensor{{Name: "attn.0", DType: F32, Shape: []int64{1, 2, 3}}}}
	got, err := Encode(&h)
	if err != nil {
		t.Fatal(err)
	}
	want := file(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`, 0)
	if !bytes.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	// No tensors: "{}" padded with six spaces.
	got, _ = Encode(&Header{})
	if want := file("{}      ", 0); !bytes.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	got, _ = Encode(&Header{Metadata: map[string]string{"framework": "pt"}})
	if want := file(`{"__metadata__":{"framework":"pt"}}     `, 0); !bytes.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	cases := []struct {
		name string
		h    Header
		want []string
	}{
		{"empty name", Header{Tensors: []Tensor{{Name: "", DType: F32}}}, []string{"empty name"}},
		{"reserved", Header{Tensors: []Tensor{{Name: "__metadata__", DType: F32}}}, []string{`"__metadata__"`, "reserved"}},
		{"duplicate", Header{Tensors: []Tensor{{Name: "a", DType: F32}, {Name: "b", DType: F32}, {Name: "a", DType: F64}}}, []string{"duplicate", `"a"`}},
		{"dtype", Header{Tensors: []Tensor{{Name: "a", DType: "F16"}}}, []string{`"a"`, "F16", "not supported"}},
		{"no dtype", Header{Tensors: []Tensor{{Name: "a"}}}, []string{`"a"`, "not supported"}},
		{"negative", Header{Tensors: []Tensor{{Name: "a", DType: F32, Shape: []int64{2, -3}}}}, []string{`"a"`, "[2 -3]", "negative"}},
		{"elements overflow", Header{Tensors: []Tensor{{Name: "a", DType: F32, Shape: []int64{1 << 32, 1 << 32}}}}, []string{`"a"`, "overflow"}},
		{"bytes overflow", Header{Tensors: []Tensor{{Name: "a", DType: F64, Shape: []int64{1 << 61}}}}, []string{`"a"`, "overflow"}},
		{"total overflow", Header{Tensors: []Tensor{{Name: "a", DType: F64, Shape: []int64{1 << 59}}, {Name: "b", DType: F64, Shape: []int64{1 << 59}}}}, []string{`"b"`, "overflow"}},
		{"bad utf-8 name", Header{Tensors: []Tensor{{Name: "a\xff", DType: F32}}}, []string{"UTF-8"}},
		{"bad utf-8 metadata", Header{Metadata: map[string]string{"k": "\xc3"}}, []string{`"k"`, "UTF-8"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := sortedCopy(c.h.Tensors)
			_, err := Encode(&c.h)
			wantErr(t, err, c.want...)
			if !sameTensors(sortedCopy(c.h.Tensors), before) {
				t.Error("Encode changed the header despite failing")
			}
		})
	}
	if _, err := Encode(nil); err == nil {
		t.Error("Encode(nil) succeeded")
	}
}

func TestEncodeHeaderTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100 MB header")
	}
	h := Header{Metadata: map[string]string{"big": string(bytes.Repeat([]byte{'x'}, maxHeaderLen))}}
	_, err := Encode(&h)
	wantErr(t, err, "100000000")
}
