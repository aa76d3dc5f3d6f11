package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

// rejectCase is one crafted file that Decode must refuse, with fragments
// its error must mention.
type rejectCase struct {
	name string
	file []byte
	want []string
}

func runRejects(t *testing.T, cases []rejectCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, _, err := decodeBytes(c.file)
			if h != nil {
				t.Errorf("returned a header with the error")
			}
			wantErr(t, err, c.want...)
		})
	}
}

// good is a valid two-tensor file used as the base of several mutations.
const goodHeader = `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[],"data_offsets":[8,16]}}`

func withLen(n uint64, rest []byte) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
}

// Rule 1: the header length against the file size and the limit.
func TestDecodeRejectsLength(t *testing.T) {
	good := file(goodHeader, 16)
	flipHigh := bytes.Clone(good)
	flipHigh[7] ^= 0x01 // N += 2^56
	flipMid := bytes.Clone(good)
	flipMid[2] ^= 0x10 // N += 2^20: over the file, under the limit
	flipLow := bytes.Clone(good)
	flipLow[0] ^= 0x01 // N off by one: the JSON is cut or runs into the data
	runRejects(t, []rejectCase{
		{"empty file", nil, []string{"0 bytes", "8-byte"}},
		{"7 bytes", make([]byte, 7), []string{"7 bytes"}},
		{"over limit", withLen(100_000_001, []byte("{}")), []string{"100000001", "100000000"}},
		{"8+N overflows", withLen(1<<64-1, []byte("{}")), []string{"18446744073709551615", "limit"}},
		{"8+N wraps to small", withLen(1<<64-8, nil), []string{"18446744073709551608", "limit"}},
		{"header longer than file", withLen(64, []byte("{}")), []string{"64", "72", "10 bytes"}},
		{"flipped high byte", flipHigh, []string{"header length", "limit"}},
		{"flipped middle byte", flipMid, []string{"header length", "file is"}},
		{"flipped low byte", flipLow, []string{"header"}},
	})
}

// Rule 2: the header must be one UTF-8 JSON object without duplicate keys.
func TestDecodeRejectsSyntax(t *testing.T) {
	runRejects(t, []rejectCase{
		{"empty header", file("", 0), []string{"not valid JSON"}},
		{"invalid UTF-8", file("{\"a\xff\":1}", 0), []string{"UTF-8"}},
		{"truncated JSON", file(`{"a":{"dtype":"F32"`, 0), []string{"not valid JSON"}},
		{"bad JSON", file(`{"a" 1}`, 0), []string{"not valid JSON"}},
		{"trailing comma", file(`{"__metadata__":{},}`, 0), []string{"not valid JSON"}},
		{"array", file(`[]`, 0), []string{"not a JSON object", "array"}},
		{"string", file(`"x"`, 0), []string{"not a JSON object", `"x"`}},
		{"number", file(`8`, 0), []string{"not a JSON object", "8"}},
		{"null", file(`null`, 0), []string{"not a JSON object", "null"}},
		{"trailing garbage", file(`{}  x`, 0), []string{"after the header", "byte 4"}},
		{"second object", file(`{} {}`, 0), []string{"after the header", "byte 3"}},
		{"trailing NUL", file("{}\x00", 0), []string{"after the header"}},
		{"duplicate tensor", file(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}`, 8), []string{"duplicate key", `"a"`}},
		{"duplicate metadata key", file(`{"__metadata__":{"k":"1","k":"2"}}`, 0), []string{"duplicate key", `"k"`, "__metadata__"}},
		{"duplicate __metadata__", file(`{"__metadata__":{},"__metadata__":{}}`, 0), []string{"duplicate key", "__metadata__"}},
		{"duplicate field", file(`{"a":{"dtype":"F32","shape":[],"dtype":"F32","data_offsets":[0,4]}}`, 4), []string{`"a"`, "duplicate field", "dtype"}},
		{"duplicate offsets", file(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4],"data_offsets":[0,4]}}`, 4), []string{`"a"`, "duplicate field", "data_offsets"}},
	})
}

// Rule 3: each entry's fields and values.
func TestDecodeRejectsFields(t *testing.T) {
	entry := func(body string) []byte { return file(`{"t":{`+body+`}}`, 4) }
	runRejects(t, []rejectCase{
		{"entry not object", file(`{"t":[1]}`, 0), []string{`"t"`, "object", "array"}},
		{"missing dtype", entry(`"shape":[],"data_offsets":[0,4]`), []string{`"t"`, "missing", "dtype"}},
		{"missing shape", entry(`"dtype":"F32","data_offsets":[0,4]`), []string{`"t"`, "missing", "shape"}},
		{"missing offsets", entry(`"dtype":"F32","shape":[]`), []string{`"t"`, "missing", "data_offsets"}},
		{"extra field", entry(`"dtype":"F32","shape":[],"data_offsets":[0,4],"offsets":[0,4]`), []string{`"t"`, `"offsets"`, "unexpected field"}},
		{"F16", entry(`"dtype":"F16","shape":[2],"data_offsets":[0,4]`), []string{`safetensors: tensor "t": dtype F16 is not supported (F32, F64 and BF16 are)`}},
		{"BF16 size", entry(`"dtype":"BF16","shape":[3],"data_offsets":[0,4]`), []string{`"t"`, "BF16"}},
		{"lowercase", entry(`"dtype":"f32","shape":[],"data_offsets":[0,4]`), []string{`"t"`, "f32", "not supported"}},
		{"dtype number", entry(`"dtype":4,"shape":[],"data_offsets":[0,4]`), []string{`"t"`, "dtype must be a string", "4"}},
		{"shape not array", entry(`"dtype":"F32","shape":1,"data_offsets":[0,4]`), []string{`"t"`, "shape must be an array"}},
		{"shape float", entry(`"dtype":"F32","shape":[1.0],"data_offsets":[0,4]`), []string{`"t"`, "shape", "1.0", "not an integer"}},
		{"shape exponent", entry(`"dtype":"F32","shape":[1e0],"data_offsets":[0,4]`), []string{`"t"`, "shape", "1e0", "not an integer"}},
		{"shape negative", entry(`"dtype":"F32","shape":[-1],"data_offsets":[0,4]`), []string{`"t"`, "shape", "negative", "-1"}},
		{"shape negative zero", entry(`"dtype":"F32","shape":[-0],"data_offsets":[0,4]`), []string{`"t"`, "negative", "-0"}},
		{"shape huge", entry(`"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]`), []string{`"t"`, "9223372036854775808", "int64"}},
		{"shape string", entry(`"dtype":"F32","shape":["1"],"data_offsets":[0,4]`), []string{`"t"`, "integers", `"1"`}},
		{"shape nested", entry(`"dtype":"F32","shape":[[1]],"data_offsets":[0,4]`), []string{`"t"`, "integers", "array"}},
		{"offsets float", entry(`"dtype":"F32","shape":[],"data_offsets":[0,1.5]`), []string{`"t"`, "data_offsets", "1.5"}},
		{"offsets negative", entry(`"dtype":"F32","shape":[],"data_offsets":[-4,0]`), []string{`"t"`, "data_offsets", "-4"}},
		{"offsets huge", entry(`"dtype":"F32","shape":[],"data_offsets":[0,18446744073709551616]`), []string{`"t"`, "18446744073709551616", "int64"}},
		{"offsets one", entry(`"dtype":"F32","shape":[],"data_offsets":[4]`), []string{`"t"`, "2 elements", "not 1"}},
		{"offsets three", entry(`"dtype":"F32","shape":[],"data_offsets":[0,4,8]`), []string{`"t"`, "2 elements", "not 3"}},
		{"offsets object", entry(`"dtype":"F32","shape":[],"data_offsets":{"0":4}`), []string{`"t"`, "data_offsets must be an array"}},
		{"empty name", file(`{"":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, 4), []string{"empty name"}},
		{"metadata number", file(`{"__metadata__":{"step":3}}`, 0), []string{"__metadata__", `"step"`, "string", "3"}},
		{"metadata null value", file(`{"__metadata__":{"k":null}}`, 0), []string{"__metadata__", `"k"`, "null"}},
		{"metadata nested", file(`{"__metadata__":{"k":{"a":"b"}}}`, 0), []string{"__metadata__", `"k"`, "object"}},
		{"metadata array", file(`{"__metadata__":["a"]}`, 0), []string{"__metadata__", "must be an object"}},
	})
}

// Rule 4: a tensor's shape, dtype and offsets must agree.
func TestDecodeRejectsSpan(t *testing.T) {
	entry := func(shape, offsets string, dataLen int) []byte {
		return file(`{"t":{"dtype":"F32","shape":`+shape+`,"data_offsets":`+offsets+`}}`, dataLen)
	}
	runRejects(t, []rejectCase{
		{"element overflow", entry(`[4294967296,4294967296]`, `[0,0]`, 0), []string{`"t"`, "[4294967296 4294967296]", "overflow"}},
		{"byte overflow", entry(`[4611686018427387904]`, `[0,0]`, 0), []string{`"t"`, "byte size overflows"}},
		{"end before begin", entry(`[0]`, `[8,4]`, 8), []string{`"t"`, "[8, 4]", "end before"}},
		{"too short", entry(`[3]`, `[0,8]`, 8), []string{`"t"`, "[0, 8]", "8 bytes", "[3]", "12"}},
		{"too long", entry(`[1]`, `[0,8]`, 8), []string{`"t"`, "8 bytes", "needs 4"}},
		{"scalar", entry(`[]`, `[0,0]`, 0), []string{`"t"`, "0 bytes", "needs 4"}},
		{"zero-size with bytes", entry(`[2,0]`, `[0,4]`, 4), []string{`"t"`, "4 bytes", "needs 0"}},
	})
}

// Rule 5: the tensors must tile the data section exactly.
func TestDecodeRejectsLayout(t *testing.T) {
	two := func(a, b string, dataLen int) []byte {
		return file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":`+a+`},"b":{"dtype":"F32","shape":[2],"data_offsets":`+b+`}}`, dataLen)
	}
	runRejects(t, []rejectCase{
		{"first not at 0", two(`[4,12]`, `[12,20]`, 20), []string{`"a"`, "begins at 4", "0"}},
		{"hole", two(`[0,8]`, `[12,20]`, 20), []string{`"b"`, "12", `"a"`, "8", "hole"}},
		{"overlap", two(`[0,8]`, `[4,12]`, 12), []string{`"b"`, "4", `"a"`, "8", "overlap"}},
		{"same range", two(`[0,8]`, `[0,8]`, 16), []string{"begins at 0", "ends at 8", "overlap"}},
		{"out of range", two(`[0,8]`, `[8,16]`, 12), []string{"truncated", "(16 bytes)", "128 bytes"}},
		{"far out of range", file(`{"a":{"dtype":"F64","shape":[1152921504606846975],"data_offsets":[0,9223372036854775800]}}`, 8), []string{"truncated", "9223372036854775800"}},
		{"truncated data", two(`[0,8]`, `[8,16]`, 15), []string{"truncated", "131", "132"}},
		{"over-long file", two(`[0,8]`, `[8,16]`, 17), []string{"too long", "133", "132"}},
		{"data without tensors", file(`{}`, 1), []string{"too long", "need 10 bytes", "11 bytes"}},
		{"zero-size past the end", file(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`, 0), []string{`"a"`, "begins at 4"}},
	})
}

func TestDecodeAccepts(t *testing.T) {
	for name, c := range map[string]struct {
		header  string
		dataLen int
		names   []string // in the order Decode returns them
	}{
		"offset order, not text order":    {`{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8, []string{"a", "b"}},
		"zero-size tensors share offsets": {`{"z2":{"dtype":"F64","shape":[0],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"z1":{"dtype":"F32","shape":[5,0],"data_offsets":[4,4]},"z0":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`, 4, []string{"z0", "a", "z1", "z2"}},
		"padding and whitespace":          {" \n{ \"a\" : {\"data_offsets\":[0,4], \"shape\":[ ], \"dtype\":\"F32\"} }\t\r\n    ", 4, []string{"a"}},
		"null metadata":                   {`{"__metadata__":null}`, 0, nil},
		"only zero-size":                  {`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`, 0, []string{"a"}},
		"escaped name":                    {`{"\u00e9\n":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, 4, []string{"é\n"}},
	} {
		t.Run(name, func(t *testing.T) {
			h, _, err := decodeBytes(file(c.header, c.dataLen))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tn := range h.Tensors {
				got = append(got, tn.Name)
			}
			if strings.Join(got, ",") != strings.Join(c.names, ",") {
				t.Errorf("tensors %q, want %q", got, c.names)
			}
		})
	}
}

// Decode reads exactly the prefix, so the reader is left at the data.
func TestDecodeLeavesReaderAtData(t *testing.T) {
	f := file(goodHeader+"    ", 16)
	copy(f[len(f)-16:], "0123456789abcdef")
	r := bytes.NewReader(f)
	_, start, err := Decode(r, int64(len(f)))
	if err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	if start != int64(8+len(goodHeader)+4) || string(rest) != "0123456789abcdef" {
		t.Errorf("start %d, rest %q", start, rest)
	}
}

// A reader shorter than the size it was declared to have is truncation.
func TestDecodeShortReader(t *testing.T) {
	f := file(goodHeader, 16)
	for _, n := range []int{0, 5, 8, 20} {
		_, _, err := Decode(bytes.NewReader(f[:n]), int64(len(f)))
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("reader of %d bytes: %v, want io.ErrUnexpectedEOF", n, err)
		}
	}
}

func TestDecodeLongStringInError(t *testing.T) {
	long := strings.Repeat("x", 1000)
	_, _, err := decodeBytes(file(`{"__metadata__":{"k":["`+long+`"]}}`, 0))
	wantErr(t, err, "an array")
	_, _, err = decodeBytes(file(`"`+long+`"`, 0))
	wantErr(t, err, "1000-byte string")
	if len(err.Error()) > 200 {
		t.Errorf("error is %d bytes long", len(err.Error()))
	}
}

// With an unknown size (a stream), Decode checks all but the file's
// length: the layout rules still hold, and a short stream is truncation.
func TestDecodeUnknownSize(t *testing.T) {
	two := func(a, b string, dataLen int) []byte {
		return file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":`+a+`},"b":{"dtype":"F32","shape":[2],"data_offsets":`+b+`}}`, dataLen)
	}
	if _, _, err := Decode(bytes.NewReader(two(`[0,8]`, `[8,16]`, 0)), -1); err != nil {
		t.Errorf("a valid header with no data yet: %v", err)
	}
	_, _, err := Decode(bytes.NewReader(two(`[0,8]`, `[4,12]`, 12)), -1)
	wantErr(t, err, "overlap")
	_, _, err = Decode(bytes.NewReader([]byte{1, 2, 3}), -1)
	wantErr(t, err, "header length", "unexpected EOF")
	_, _, err = Decode(bytes.NewReader(file(goodHeader, 0)[:20]), -1)
	wantErr(t, err, "header", "unexpected EOF")
}
