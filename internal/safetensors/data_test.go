package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"testing"
	"testing/iotest"
)

// Bit patterns at the edges of IEEE 754, given as bits so that the test
// is exact: signed zeros, subnormals, infinities, and quiet and signaling
// NaNs with payloads of both signs, which must pass through unchanged.
var (
	specialBits32 = []uint32{
		0x00000000, 0x80000000, // ±0
		0x00000001, 0x807fffff, // smallest and largest subnormals
		0x00800000, 0x7f7fffff, // smallest normal, largest finite
		0x7f800000, 0xff800000, // ±Inf
		0x7fc00000, 0xffc00000, // quiet NaNs
		0x7fc0beef, 0x7f800001, 0xff812345, // NaN payloads, signaling ones included
		0x3f800000, 0xbf400000, 0x3dcccccd, // 1, -0.75, 0.1
	}
	specialBits64 = []uint64{
		0x0000000000000000, 0x8000000000000000,
		0x0000000000000001, 0x800fffffffffffff,
		0x0010000000000000, 0x7fefffffffffffff,
		0x7ff0000000000000, 0xfff0000000000000,
		0x7ff8000000000000, 0xfff8000000000000,
		0x7ff800000000beef, 0x7ff0000000000001, 0xfff0000012345678,
		0x3ff0000000000000, 0xbfe8000000000000, 0x3fb999999999999a,
	}
	// bfloat16: the high halves of binary32 patterns of the same kinds.
	specialBits16 = []uint16{
		0x0000, 0x8000, 0x0001, 0x807f, 0x0080, 0x7f7f, 0x7f80, 0xff80,
		0x7fc0, 0xffc0, 0x7fef, 0x7f81, 0xff92, 0x3f80, 0xbf40, 0x3dcd,
	}
)

func leBytes16(bits []uint16) []byte {
	var b []byte
	for _, v := range bits {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	return b
}

func specials32() []float32 {
	x := make([]float32, len(specialBits32))
	for i, b := range specialBits32 {
		x[i] = math.Float32frombits(b)
	}
	return x
}

func specials64() []float64 {
	x := make([]float64, len(specialBits64))
	for i, b := range specialBits64 {
		x[i] = math.Float64frombits(b)
	}
	return x
}

// leBytes32 and leBytes64 encode bit patterns in the file's order without
// going through the package, as the independent expectation.
func leBytes32(bits []uint32) []byte {
	var b []byte
	for _, v := range bits {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

func leBytes64(bits []uint64) []byte {
	var b []byte
	for _, v := range bits {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func bits32(x []float32) []uint32 {
	b := make([]uint32, len(x))
	for i, v := range x {
		b[i] = math.Float32bits(v)
	}
	return b
}

func bits64(x []float64) []uint64 {
	b := make([]uint64, len(x))
	for i, v := range x {
		b[i] = math.Float64bits(v)
	}
	return b
}

// codec is one implementation of the data helpers: the exported ones
// (zero-copy here on little-endian hosts) or the portable ones.
type codec[E Element] struct {
	name     string
	write    func(io.Writer, []E) error
	read     func(io.Reader, []E) error
	checksum func([]E) uint32
}

func codecs[E Element]() []codec[E] {
	return []codec[E]{
		{"native", Write[E], Read[E], Checksum[E]},
		{"portable", writePortable[E], readPortable[E], checksumPortable[E]},
	}
}

func TestDataSpecials32(t *testing.T) {
	want := leBytes32(specialBits32)
	for _, c := range codecs[float32]() {
		t.Run(c.name, func(t *testing.T) {
			testSpecials(t, c, specials32(), want, func(x []float32) []byte { return leBytes32(bits32(x)) })
		})
	}
}

func TestDataSpecials64(t *testing.T) {
	want := leBytes64(specialBits64)
	for _, c := range codecs[float64]() {
		t.Run(c.name, func(t *testing.T) {
			testSpecials(t, c, specials64(), want, func(x []float64) []byte { return leBytes64(bits64(x)) })
		})
	}
}

func TestDataSpecials16(t *testing.T) {
	want := leBytes16(specialBits16)
	for _, c := range codecs[uint16]() {
		t.Run(c.name, func(t *testing.T) {
			testSpecials(t, c, append([]uint16(nil), specialBits16...), want, leBytes16)
		})
	}
}

func testSpecials[E Element](t *testing.T, c codec[E], x []E, want []byte, enc func([]E) []byte) {
	var buf bytes.Buffer
	if err := c.write(&buf, x); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("wrote % x\nwant  % x", buf.Bytes(), want)
	}
	got := make([]E, len(x))
	if err := c.read(bytes.NewReader(want), got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc(got), want) {
		t.Fatalf("read back bits % x\nwant           % x", enc(got), want)
	}
	if sum, ref := c.checksum(x), crc32.Checksum(want, crc32.MakeTable(crc32.Castagnoli)); sum != ref {
		t.Errorf("checksum %#08x, want %#08x", sum, ref)
	}
}

// Slices longer than the conversion buffer, of odd lengths, read one byte
// at a time, must round-trip and agree between the two implementations.
func TestDataLong(t *testing.T) {
	for _, n := range []int{0, 1, chunkBytes/4 - 1, chunkBytes / 4, chunkBytes/4 + 1, 3*chunkBytes/4 + 7} {
		x := make([]float32, n)
		y := make([]float64, n)
		for i := range x {
			x[i] = math.Float32frombits(uint32(i) * 2654435761)
			y[i] = math.Float64frombits(uint64(i) * 0x9e3779b97f4a7c15)
		}
		z := make([]uint16, 2*n+1) // the same number of bytes, and more
		for i := range z {
			z[i] = uint16(i * 40503)
		}
		want32, want64 := leBytes32(bits32(x)), leBytes64(bits64(y))
		for _, c := range codecs[uint16]() {
			roundTrip(t, c, z, leBytes16(z))
		}
		for _, c := range codecs[float32]() {
			roundTrip(t, c, x, want32)
		}
		for _, c := range codecs[float64]() {
			roundTrip(t, c, y, want64)
		}
	}
}

func roundTrip[E Element](t *testing.T, c codec[E], x []E, want []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.write(&buf, x); err != nil || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("%s %T len %d: write differs (err %v)", c.name, x, len(x), err)
	}
	got := make([]E, len(x))
	if err := c.read(iotest.OneByteReader(bytes.NewReader(want)), got); err != nil {
		t.Fatalf("%s %T len %d: %v", c.name, x, len(x), err)
	}
	var back bytes.Buffer
	_ = c.write(&back, got)
	if !bytes.Equal(back.Bytes(), want) {
		t.Fatalf("%s %T len %d: read differs", c.name, x, len(x))
	}
	if sum, ref := c.checksum(x), crc32.Checksum(want, crc32.MakeTable(crc32.Castagnoli)); sum != ref {
		t.Fatalf("%s %T len %d: checksum %#08x, want %#08x", c.name, x, len(x), sum, ref)
	}
}

func TestChecksumKnown(t *testing.T) {
	// CRC-32C's check value, to pin the polynomial.
	if got := crc32.Checksum([]byte("123456789"), castagnoli); got != 0xe3069283 {
		t.Fatalf("table is not Castagnoli: %#08x", got)
	}
	// 1.0f is 00 00 80 3f on disk.
	want := crc32.Checksum([]byte{0, 0, 0x80, 0x3f}, castagnoli)
	if got := Checksum([]float32{1}); got != want {
		t.Errorf("Checksum([1]) = %#08x, want %#08x", got, want)
	}
	if Checksum([]float64(nil)) != 0 || checksumPortable([]float32{}) != 0 {
		t.Error("checksum of nothing is not 0")
	}
	type weight float64
	if Checksum([]weight{1, 2}) != Checksum([]float64{1, 2}) {
		t.Error("a named float type checksums differently")
	}
}

func TestReadShort(t *testing.T) {
	for _, c := range codecs[float64]() {
		for _, avail := range []int{0, 1, 8, 15, 8*chunkBytes/8 + 3} {
			x := make([]float64, chunkBytes/8+2)
			err := c.read(bytes.NewReader(make([]byte, avail)), x)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%s: %d of %d bytes: %v, want io.ErrUnexpectedEOF", c.name, avail, 8*len(x), err)
			}
			if err != nil && !bytes.HasPrefix([]byte(err.Error()), []byte("safetensors: ")) {
				t.Errorf("%s: error %q lacks the package prefix", c.name, err)
			}
		}
		if err := c.read(bytes.NewReader(nil), []float64{}); err != nil {
			t.Errorf("%s: reading nothing: %v", c.name, err)
		}
	}
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestWriteErrors(t *testing.T) {
	boom := errors.New("disk full")
	for _, c := range codecs[float32]() {
		if err := c.write(failWriter{boom}, []float32{1}); !errors.Is(err, boom) {
			t.Errorf("%s: %v, want wrapped %v", c.name, err, boom)
		}
		if err := c.write(shortWriter{}, []float32{1, 2}); !errors.Is(err, io.ErrShortWrite) {
			t.Errorf("%s: %v, want io.ErrShortWrite", c.name, err)
		}
		if err := c.write(failWriter{boom}, nil); err != nil {
			t.Errorf("%s: writing nothing: %v", c.name, err)
		}
	}
}

type failWriter struct{ err error }

func (w failWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return 0, w.err
}

// On little-endian hosts the data helpers must not copy or allocate.
func TestDataZeroCopy(t *testing.T) {
	if !littleEndian {
		t.Skip("big-endian hosts convert through a buffer")
	}
	x := make([]float32, 1<<16)
	data := make([]byte, 4*len(x))
	r := bytes.NewReader(data)
	allocs := testing.AllocsPerRun(20, func() {
		_ = Write(io.Discard, x)
		r.Reset(data)
		_ = Read(r, x)
		_ = Checksum(x)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Write+Read+Checksum, want 0", allocs)
	}
}
