package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// parser walks the header's JSON tokens. A token stream, unlike decoding
// into a map or struct, sees every key, so duplicates and unknown fields
// cannot slip through, and no value is materialized before it is checked.
type parser struct {
	dec *json.Decoder
}

// token returns the next JSON token, wrapping syntax errors.
func (p *parser) token() (json.Token, error) {
	t, err := p.dec.Token()
	if err == io.EOF {
		// Not io.ErrUnexpectedEOF: the header bytes were all read, and it
		// is their JSON that stops short.
		return nil, errors.New("safetensors: header is not valid JSON: it ends inside a value")
	}
	if err != nil {
		return nil, fmt.Errorf("safetensors: header is not valid JSON: %w", err)
	}
	return t, nil
}

// parseHeader parses and checks the header object; the layout of the data
// section is checked afterwards by checkLayout.
func parseHeader(raw []byte) (*Header, error) {
	p := &parser{dec: json.NewDecoder(bytes.NewReader(raw))}
	p.dec.UseNumber() // keep numbers as text: 1.5, 1e3 and 2^70 must be rejected, not rounded
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('{') {
		return nil, fmt.Errorf("safetensors: header is not a JSON object (it starts with %s)", describe(t))
	}
	h := &Header{}
	seen := map[string]bool{}
	for p.dec.More() {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		key := t.(string) // the decoder only yields strings in key position
		if seen[key] {
			return nil, fmt.Errorf("safetensors: duplicate key %q in header", key)
		}
		seen[key] = true
		if key == metadataKey {
			if h.Metadata, err = p.metadata(); err != nil {
				return nil, err
			}
			continue
		}
		if key == "" {
			return nil, errors.New("safetensors: tensor with an empty name")
		}
		tn, err := p.tensor(key)
		if err != nil {
			return nil, err
		}
		h.Tensors = append(h.Tensors, tn)
	}
	if _, err := p.token(); err != nil { // the closing '}'
		return nil, err
	}
	// Only whitespace may follow: the writer's space padding (other JSON
	// whitespace is tolerated, as by the reference reader).
	off := p.dec.InputOffset()
	if i := bytes.IndexFunc(raw[off:], func(r rune) bool { return !strings.ContainsRune(" \t\r\n", r) }); i >= 0 {
		return nil, fmt.Errorf("safetensors: unexpected data after the header's JSON object at byte %d of %d", off+int64(i), len(raw))
	}
	return h, nil
}

// metadata parses the "__metadata__" value: an object of strings, or null.
func (p *parser) metadata() (map[string]string, error) {
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, nil
	}
	if t != json.Delim('{') {
		return nil, fmt.Errorf("safetensors: %s must be an object, not %s", metadataKey, describe(t))
	}
	m := map[string]string{}
	for p.dec.More() {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		k := t.(string)
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("safetensors: duplicate key %q in %s", k, metadataKey)
		}
		if t, err = p.token(); err != nil {
			return nil, err
		}
		v, ok := t.(string)
		if !ok {
			return nil, fmt.Errorf("safetensors: %s value of %q must be a string, not %s", metadataKey, k, describe(t))
		}
		m[k] = v
	}
	if _, err := p.token(); err != nil {
		return nil, err
	}
	return m, nil
}

// tensor parses one tensor entry and checks it on its own: fields, dtype,
// shape and that its offsets span exactly its bytes.
func (p *parser) tensor(name string) (Tensor, error) {
	fail := func(format string, args ...any) (Tensor, error) {
		return Tensor{}, fmt.Errorf("safetensors: tensor %q: "+format, append([]any{name}, args...)...)
	}
	t, err := p.token()
	if err != nil {
		return Tensor{}, err
	}
	if t != json.Delim('{') {
		return fail("entry must be an object, not %s", describe(t))
	}
	tn := Tensor{Name: name}
	var offsets []int64
	var haveDType, haveShape bool
	for p.dec.More() {
		t, err := p.token()
		if err != nil {
			return Tensor{}, err
		}
		field := t.(string)
		dup := false
		switch field {
		case "dtype":
			dup, haveDType = haveDType, true
		case "shape":
			dup, haveShape = haveShape, true
		case "data_offsets":
			dup = offsets != nil
		default:
			return fail("unexpected field %q (only dtype, shape and data_offsets are allowed)", field)
		}
		if dup {
			return fail("duplicate field %q", field)
		}
		switch field {
		case "dtype":
			if t, err = p.token(); err != nil {
				return Tensor{}, err
			}
			s, ok := t.(string)
			if !ok {
				return fail("dtype must be a string, not %s", describe(t))
			}
			tn.DType = DType(s)
		case "shape":
			if tn.Shape, err = p.ints(name, field); err != nil {
				return Tensor{}, err
			}
		case "data_offsets":
			if offsets, err = p.ints(name, field); err != nil {
				return Tensor{}, err
			}
			if len(offsets) != 2 {
				return fail("data_offsets must have 2 elements, not %d", len(offsets))
			}
		}
	}
	if _, err := p.token(); err != nil {
		return Tensor{}, err
	}
	switch {
	case !haveDType:
		return fail("missing field \"dtype\"")
	case !haveShape:
		return fail("missing field \"shape\"")
	case offsets == nil:
		return fail("missing field \"data_offsets\"")
	}
	size := tn.DType.Size()
	if size == 0 {
		return fail("dtype %s is not supported (F32, F64 and BF16 are)", tn.DType)
	}
	tn.Begin, tn.End = offsets[0], offsets[1]
	elems, ok := elements(tn.Shape)
	if !ok {
		return fail("shape %v: element count overflows int64", tn.Shape)
	}
	nb, ok := byteLen(elems, size)
	if !ok {
		return fail("shape %v of %s: byte size overflows int64", tn.Shape, tn.DType)
	}
	if tn.End < tn.Begin {
		return fail("data_offsets [%d, %d] end before they begin", tn.Begin, tn.End)
	}
	if tn.End-tn.Begin != nb {
		return fail("data_offsets [%d, %d] span %d bytes but shape %v of %s needs %d", tn.Begin, tn.End, tn.End-tn.Begin, tn.Shape, tn.DType, nb)
	}
	return tn, nil
}

// ints parses an array of non-negative integers that fit in int64. It
// returns a non-nil slice, so a scalar's shape reads as [] rather than nil.
func (p *parser) ints(name, field string) ([]int64, error) {
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('[') {
		return nil, fmt.Errorf("safetensors: tensor %q: %s must be an array, not %s", name, field, describe(t))
	}
	out := []int64{}
	for p.dec.More() {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		num, ok := t.(json.Number)
		if !ok {
			return nil, fmt.Errorf("safetensors: tensor %q: %s must hold integers, not %s", name, field, describe(t))
		}
		s := string(num)
		v, err := strconv.ParseInt(s, 10, 64)
		switch {
		case strings.HasPrefix(s, "-"):
			return nil, fmt.Errorf("safetensors: tensor %q: %s has the negative number %s", name, field, s)
		case errors.Is(err, strconv.ErrRange):
			return nil, fmt.Errorf("safetensors: tensor %q: %s has %s, which does not fit in int64", name, field, s)
		case err != nil:
			return nil, fmt.Errorf("safetensors: tensor %q: %s has %s, which is not an integer", name, field, s)
		}
		out = append(out, v)
	}
	if _, err := p.token(); err != nil {
		return nil, err
	}
	return out, nil
}

// describe names a JSON token for error messages.
func describe(t json.Token) string {
	switch v := t.(type) {
	case nil:
		return "null"
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return string(v)
	case string:
		if len(v) > 40 { // a header may hold megabytes in one string
			return fmt.Sprintf("a %d-byte string starting %q", len(v), v[:40])
		}
		return "the string " + strconv.Quote(v)
	case json.Number:
		return "the number " + string(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(t)
}
