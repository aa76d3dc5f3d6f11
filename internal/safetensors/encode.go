package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// metadataKey is the reserved top-level header key holding the string map.
const metadataKey = "__metadata__"

// maxHeaderLen is the largest header the reference implementation reads.
const maxHeaderLen = 100_000_000

// Encode lays the tensors out back to back in slice order, setting Begin and End, and
// returns the file prefix: 8-byte LE length + JSON header padded with spaces to a
// multiple of 8. Errors: empty or duplicate names, the name "__metadata__", unknown
// dtypes, negative dims, element-count overflow. Names and metadata must also be
// valid UTF-8 (JSON cannot carry anything else unchanged), and the header must
// not exceed the 100,000,000 bytes that readers accept. On error h is unchanged.
//
// The JSON mirrors the reference writer's: compact, "__metadata__" first
// (keys sorted, for reproducible files), then each tensor with its fields in
// the order dtype, shape, data_offsets. The padding keeps the data section
// 8-byte aligned so that readers which map the file can view it in place.
func Encode(h *Header) ([]byte, error) {
	if h == nil {
		return nil, errors.New("safetensors: nil header")
	}
	offsets := make([][2]int64, len(h.Tensors))
	seen := make(map[string]bool, len(h.Tensors))
	var off int64
	for i, t := range h.Tensors {
		switch {
		case t.Name == "":
			return nil, fmt.Errorf("safetensors: tensor %d has an empty name", i)
		case t.Name == metadataKey:
			return nil, fmt.Errorf("safetensors: tensor %d: the name %q is reserved", i, t.Name)
		case !utf8.ValidString(t.Name):
			return nil, fmt.Errorf("safetensors: tensor %d: name %q is not valid UTF-8", i, t.Name)
		case seen[t.Name]:
			return nil, fmt.Errorf("safetensors: duplicate tensor name %q", t.Name)
		}
		seen[t.Name] = true
		size := t.DType.Size()
		if size == 0 {
			return nil, fmt.Errorf("safetensors: tensor %q: dtype %q is not supported (F32, F64 and BF16 are)", t.Name, string(t.DType))
		}
		for _, d := range t.Shape {
			if d < 0 {
				return nil, fmt.Errorf("safetensors: tensor %q: shape %v has a negative dimension", t.Name, t.Shape)
			}
		}
		n, ok := elements(t.Shape)
		if !ok {
			return nil, fmt.Errorf("safetensors: tensor %q: shape %v: element count overflows int64", t.Name, t.Shape)
		}
		nb, ok := byteLen(n, size)
		if !ok || nb > maxInt64-off {
			return nil, fmt.Errorf("safetensors: tensor %q: shape %v of %s: byte size overflows int64", t.Name, t.Shape, t.DType)
		}
		offsets[i] = [2]int64{off, off + nb}
		off += nb
	}
	for k, v := range h.Metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("safetensors: metadata %q: %q is not valid UTF-8", k, v)
		}
	}

	var b bytes.Buffer
	b.Write(make([]byte, 8)) // length, filled in below
	b.WriteByte('{')
	if h.Metadata != nil {
		appendString(&b, metadataKey)
		b.WriteString(":{")
		keys := make([]string, 0, len(h.Metadata))
		for k := range h.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			appendString(&b, k)
			b.WriteByte(':')
			appendString(&b, h.Metadata[k])
		}
		b.WriteByte('}')
	}
	for i, t := range h.Tensors {
		if i > 0 || h.Metadata != nil {
			b.WriteByte(',')
		}
		appendString(&b, t.Name)
		b.WriteString(`:{"dtype":`)
		appendString(&b, string(t.DType))
		b.WriteString(`,"shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatInt(d, 10))
		}
		fmt.Fprintf(&b, `],"data_offsets":[%d,%d]}`, offsets[i][0], offsets[i][1])
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	out := b.Bytes()
	n := len(out) - 8
	if n > maxHeaderLen {
		return nil, fmt.Errorf("safetensors: header is %d bytes, more than the %d that readers accept", n, maxHeaderLen)
	}
	binary.LittleEndian.PutUint64(out, uint64(n))

	for i := range h.Tensors {
		h.Tensors[i].Begin, h.Tensors[i].End = offsets[i][0], offsets[i][1]
	}
	return out, nil
}

// appendString writes s as a JSON string. HTML escaping is off so that the
// bytes match what the reference writer (serde_json) produces; both forms
// are valid JSON and decode to the same string.
func appendString(b *bytes.Buffer, s string) {
	e := json.NewEncoder(b)
	e.SetEscapeHTML(false)
	_ = e.Encode(s)         // cannot fail for a string into a bytes.Buffer
	b.Truncate(b.Len() - 1) // Encode ends the value with a newline
}
