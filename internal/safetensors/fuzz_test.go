package safetensors

import (
	"bytes"
	"testing"
)

// FuzzDecode checks that Decode never panics and that every header it
// accepts is one Encode would write: re-encoding the decoded tensors in
// data order reproduces their offsets, and decoding that gives the same
// header back.
func FuzzDecode(f *testing.F) {
	for _, h := range []Header{
		{},
		{Metadata: map[string]string{"k": "v"}},
		{Tensors: []Tensor{{Name: "a", DType: F32, Shape: []int64{2, 3}}, {Name: "s", DType: F64}}},
		{Tensors: []Tensor{{Name: "z", DType: F32, Shape: []int64{0}}, {Name: "b", DType: F64, Shape: []int64{1}}}, Metadata: map[string]string{}},
	} {
		prefix, err := Encode(&h)
		if err != nil {
			f.Fatal(err)
		}
		var end int64
		if len(h.Tensors) > 0 {
			end = h.Tensors[len(h.Tensors)-1].End
		}
		f.Add(append(prefix, make([]byte, end)...))
	}
	f.Add(fixtureFile())
	f.Add(file(goodHeader, 16))
	for _, s := range []string{
		``, `{`, `[]`, `{}x`, `{"__metadata__":null}`, `{"__metadata__":{"a":1}}`,
		`{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}`,
		`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`,
		`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`,
		`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`,
		`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`,
		`{"\ud800":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`,
	} {
		f.Add(file(s, 8))
	}
	f.Add(withLen(1<<64-1, nil))
	f.Add([]byte{1, 2, 3})

	f.Fuzz(func(t *testing.T, data []byte) {
		h, start, err := decodeBytes(data)
		if err != nil {
			return
		}
		if start < 8 || start > int64(len(data)) {
			t.Fatalf("data start %d outside a %d-byte file", start, len(data))
		}
		h2 := Header{Tensors: append([]Tensor(nil), h.Tensors...), Metadata: h.Metadata}
		prefix, err := Encode(&h2)
		if err != nil {
			t.Fatalf("accepted header does not re-encode: %v", err)
		}
		if !sameTensors(h2.Tensors, h.Tensors) {
			t.Fatalf("re-encoded layout differs:\n got %+v\nwant %+v", h2.Tensors, h.Tensors)
		}
		dataLen := int64(len(data)) - start
		h3, start3, err := Decode(bytes.NewReader(prefix), int64(len(prefix))+dataLen)
		if err != nil {
			t.Fatalf("re-encoded header does not decode: %v", err)
		}
		if start3 != int64(len(prefix)) || !sameTensors(h3.Tensors, h.Tensors) || !sameMetadata(h3.Metadata, h.Metadata) {
			t.Fatalf("re-decoded header differs:\n got %+v\nwant %+v", h3, h)
		}
	})
}
