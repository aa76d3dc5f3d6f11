package safetensors

import (
	"bytes"
	"encoding/binary"
	"maps"
	"slices"
	"strings"
	"testing"
)

// file builds a file from a header's JSON text (used as is, unpadded) and
// dataLen bytes of data, so tests control every byte of the header.
func file(header string, dataLen int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, make([]byte, dataLen)...)
}

// decodeBytes decodes a whole file held in memory.
func decodeBytes(b []byte) (*Header, int64, error) {
	return Decode(bytes.NewReader(b), int64(len(b)))
}

// sameTensors compares tensor lists, treating nil and empty shapes alike.
func sameTensors(a, b []Tensor) bool {
	return slices.EqualFunc(a, b, func(x, y Tensor) bool {
		return x.Name == y.Name && x.DType == y.DType && x.Begin == y.Begin && x.End == y.End &&
			slices.Equal(x.Shape, y.Shape)
	})
}

// sameMetadata compares metadata maps, distinguishing nil from empty:
// an absent "__metadata__" and an empty one are different headers.
func sameMetadata(a, b map[string]string) bool {
	return (a == nil) == (b == nil) && maps.Equal(a, b)
}

// wantErr fails unless err is non-nil and mentions every fragment.
func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one mentioning %q", fragments)
	}
	if !strings.HasPrefix(err.Error(), "safetensors: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}
