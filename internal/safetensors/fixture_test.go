package safetensors

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"strings"
	"testing"
)

// Python's safetensors is not packaged for this Debian release, so this
// fixture is built by hand, byte by byte, the way its reference writer
// (safetensors.numpy.save_file) lays out a file: compact JSON with
// "__metadata__" first, tensors sorted by dtype alignment (F64 before F32)
// and then by name, offsets back to back from 0, the header padded with
// spaces to a multiple of 8, and little-endian row-major data. The values
// are encoded with encoding/binary here, independently of Write.
//
// The file it describes, in Python:
//
//	save_file({
//	    "weight": np.array([[1, -2.5, 0.1], [np.inf, -0.0, 1e-45]], np.float32),
//	    "bias":   np.array([1/3, -1e300], np.float64),
//	    "step":   np.array(7.0, np.float64),
//	}, path, metadata={"format": "np", "optimizer": "adam"})
var (
	fixtureWeight = []float32{1, -2.5, 0.1, float32(math.Inf(1)), float32(math.Copysign(0, -1)), math.Float32frombits(1)}
	fixtureBias   = []float64{1.0 / 3, -1e300}
	fixtureStep   = []float64{7}
)

const fixtureJSON = `{"__metadata__":{"format":"np","optimizer":"adam"},` +
	`"bias":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},` +
	`"step":{"dtype":"F64","shape":[],"data_offsets":[16,24]},` +
	`"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[24,48]}}`

func fixtureFile() []byte {
	header := fixtureJSON + strings.Repeat(" ", (8-len(fixtureJSON)%8)%8)
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	for _, v := range append(append([]float64{}, fixtureBias...), fixtureStep...) {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	for _, v := range fixtureWeight {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func TestFixtureDecode(t *testing.T) {
	f := fixtureFile()
	if len(f) != 8+232+48 {
		t.Fatalf("fixture is %d bytes; the layout above has changed", len(f))
	}
	r := bytes.NewReader(f)
	h, start, err := Decode(r, int64(len(f)))
	if err != nil {
		t.Fatal(err)
	}
	if start != 240 {
		t.Errorf("data starts at %d, want 240", start)
	}
	want := []Tensor{
		{Name: "bias", DType: F64, Shape: []int64{2}, Begin: 0, End: 16},
		{Name: "step", DType: F64, Shape: []int64{}, Begin: 16, End: 24},
		{Name: "weight", DType: F32, Shape: []int64{2, 3}, Begin: 24, End: 48},
	}
	if !sameTensors(h.Tensors, want) {
		t.Fatalf("tensors %+v\nwant    %+v", h.Tensors, want)
	}
	if !sameMetadata(h.Metadata, map[string]string{"format": "np", "optimizer": "adam"}) {
		t.Errorf("metadata %v", h.Metadata)
	}
	// The reader is at the data; read the tensors in order, as optim does.
	bias, step, weight := make([]float64, 2), make([]float64, 1), make([]float32, 6)
	for _, err := range []error{Read(r, bias), Read(r, step), Read(r, weight)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(leBytes64(bits64(bias)), leBytes64(bits64(fixtureBias))) ||
		!bytes.Equal(leBytes64(bits64(step)), leBytes64(bits64(fixtureStep))) ||
		!bytes.Equal(leBytes32(bits32(weight)), leBytes32(bits32(fixtureWeight))) {
		t.Errorf("values differ: bias %v step %v weight %v", bias, step, weight)
	}
}

// Given the reference writer's tensor order, Encode and Write produce the
// fixture byte for byte.
func TestFixtureEncode(t *testing.T) {
	h := Header{
		Tensors: []Tensor{
			{Name: "bias", DType: F64, Shape: []int64{2}},
			{Name: "step", DType: F64, Shape: []int64{}},
			{Name: "weight", DType: F32, Shape: []int64{2, 3}},
		},
		Metadata: map[string]string{"optimizer": "adam", "format": "np"},
	}
	prefix, err := Encode(&h)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(prefix)
	for _, err := range []error{Write(&b, fixtureBias), Write(&b, fixtureStep), Write(&b, fixtureWeight)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if want := fixtureFile(); !bytes.Equal(b.Bytes(), want) {
		t.Errorf("got  %q\nwant %q", b.Bytes(), want)
	}
}

// TestWriteFixtureForOtherReaders writes the fixture through Encode and
// Write to the path in FUSEDOPT_SAFETENSORS_OUT, so that another
// implementation (Python's safetensors where it is installed) can be
// pointed at a file this package produced. It is skipped otherwise.
func TestWriteFixtureForOtherReaders(t *testing.T) {
	path := os.Getenv("FUSEDOPT_SAFETENSORS_OUT")
	if path == "" {
		t.Skip("FUSEDOPT_SAFETENSORS_OUT is not set")
	}
	h := Header{
		Tensors: []Tensor{
			{Name: "bias", DType: F64, Shape: []int64{2}},
			{Name: "step", DType: F64, Shape: []int64{}},
			{Name: "weight", DType: F32, Shape: []int64{2, 3}},
		},
		Metadata: map[string]string{"format": "np", "optimizer": "adam"},
	}
	prefix, err := Encode(&h)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, err := range []error{writeAll(f, prefix), Write(f, fixtureBias), Write(f, fixtureStep), Write(f, fixtureWeight), f.Close()} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func writeAll(w io.Writer, b []byte) error {
	_, err := w.Write(b)
	return err
}
