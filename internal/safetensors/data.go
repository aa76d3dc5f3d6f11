package safetensors

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"unsafe"
)

// littleEndian reports whether the machine stores floats in the file's
// byte order, in which case a float slice's memory already is its encoding
// and Write, Read and Checksum use it in place. It is computed once; the
// branch on it costs nothing next to the I/O.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// castagnoli is the CRC-32C table; hash/crc32 uses the SSE4.2 or ARMv8
// CRC instructions for it where they exist, which a software table for
// IEEE would not match in speed.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// asBytes views x's memory as bytes, without copying.
func asBytes[E Element](x []E) []byte {
	if len(x) == 0 {
		return nil
	}
	var z E
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), len(x)*int(unsafe.Sizeof(z)))
}

// Write writes x's little-endian bytes to w.
func Write[E Element](w io.Writer, x []E) error {
	if !littleEndian {
		return writePortable(w, x)
	}
	b := asBytes(x)
	n, err := w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("safetensors: writing %d %s values: %w", len(x), DTypeOf[E](), err)
	}
	return nil
}

// Read fills x from r's little-endian bytes (io.ReadFull semantics: a short read is io.ErrUnexpectedEOF, wrapped).
// Reaching the end of r before any byte, when x is not empty, is also
// io.ErrUnexpectedEOF: the data was promised by the header. After an error
// the contents of x are unspecified.
func Read[E Element](r io.Reader, x []E) error {
	if !littleEndian {
		return readPortable(r, x)
	}
	if _, err := io.ReadFull(r, asBytes(x)); err != nil {
		return fmt.Errorf("safetensors: reading %d %s values: %w", len(x), DTypeOf[E](), noEOF(err))
	}
	return nil
}

// Checksum is the CRC-32C (Castagnoli) of x's little-endian bytes.
func Checksum[E Element](x []E) uint32 {
	if !littleEndian {
		return checksumPortable(x)
	}
	return crc32.Checksum(asBytes(x), castagnoli)
}
