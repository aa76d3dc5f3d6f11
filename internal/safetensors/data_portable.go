package safetensors

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"unsafe"
)

// The portable paths convert between a float slice and its little-endian
// bytes through one fixed buffer, for machines whose native order is not
// the file's (s390x, ppc64). They work on any machine, which lets the
// tests exercise them on little-endian hosts too.

// chunkBytes is the conversion buffer's size: large enough that each
// Write or Read call on the underlying file moves a useful amount, small
// enough to stay in L2 while it is filled and drained.
const chunkBytes = 64 << 10

// newChunk returns a conversion buffer for total bytes, no larger than
// needed. Both bounds are multiples of the element size, so the buffer
// always holds whole elements.
func newChunk(total int) []byte {
	return make([]byte, min(total, chunkBytes))
}

// word is the unsigned integer of an element's size: the portable paths
// copy bit patterns, so that no float instruction touches the values and
// NaN payloads survive.
type word interface{ uint16 | uint32 | uint64 }

// encodeLE puts the elements of src from i on into buf in little-endian
// order and returns the number of bytes filled and the next element index.
func encodeLE[W word](buf []byte, src []W, i int) (int, int) {
	var z W
	size := int(unsafe.Sizeof(z))
	s := src[i:min(len(src), i+len(buf)/size)]
	for j, v := range s {
		b := buf[size*j:]
		switch size {
		case 2:
			binary.LittleEndian.PutUint16(b, uint16(v))
		case 4:
			binary.LittleEndian.PutUint32(b, uint32(v))
		default:
			binary.LittleEndian.PutUint64(b, uint64(v))
		}
	}
	return size * len(s), i + len(s)
}

// decodeLE is the inverse of encodeLE: it reads the whole elements in buf
// into dst from index i and returns the next index.
func decodeLE[W word](buf []byte, dst []W, i int) int {
	var z W
	size := int(unsafe.Sizeof(z))
	d := dst[i : i+len(buf)/size]
	for j := range d {
		b := buf[size*j:]
		switch size {
		case 2:
			d[j] = W(binary.LittleEndian.Uint16(b))
		case 4:
			d[j] = W(binary.LittleEndian.Uint32(b))
		default:
			d[j] = W(binary.LittleEndian.Uint64(b))
		}
	}
	return i + len(d)
}

// wordsOf views x as its raw bit patterns, words of W of its size.
func wordsOf[W word, E Element](x []E) []W {
	return unsafe.Slice((*W)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// encodeAll calls emit with x's little-endian bytes, a buffer at a time.
func encodeAll[E Element](x []E, emit func([]byte) error) error {
	var z E
	switch unsafe.Sizeof(z) {
	case 2:
		return encodeWords(wordsOf[uint16](x), emit)
	case 4:
		return encodeWords(wordsOf[uint32](x), emit)
	}
	return encodeWords(wordsOf[uint64](x), emit)
}

func encodeWords[W word](src []W, emit func([]byte) error) error {
	var z W
	buf := newChunk(len(src) * int(unsafe.Sizeof(z)))
	for i := 0; i < len(src); {
		var n int
		n, i = encodeLE(buf, src, i)
		if err := emit(buf[:n]); err != nil {
			return err
		}
	}
	return nil
}

// decodeAll fills x from the little-endian bytes that fill gives it, a
// buffer at a time.
func decodeAll[E Element](x []E, fill func([]byte) error) error {
	var z E
	switch unsafe.Sizeof(z) {
	case 2:
		return decodeWords(wordsOf[uint16](x), fill)
	case 4:
		return decodeWords(wordsOf[uint32](x), fill)
	}
	return decodeWords(wordsOf[uint64](x), fill)
}

func decodeWords[W word](dst []W, fill func([]byte) error) error {
	var z W
	size := int(unsafe.Sizeof(z))
	buf := newChunk(len(dst) * size)
	for i := 0; i < len(dst); {
		n := min(len(buf), (len(dst)-i)*size)
		if err := fill(buf[:n]); err != nil {
			return err
		}
		i = decodeLE(buf[:n], dst, i)
	}
	return nil
}

// writePortable is Write through the conversion buffer.
func writePortable[E Element](w io.Writer, x []E) error {
	err := encodeAll(x, func(b []byte) error {
		m, err := w.Write(b)
		if err == nil && m < len(b) {
			err = io.ErrShortWrite
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("safetensors: writing %d %s values: %w", len(x), DTypeOf[E](), err)
	}
	return nil
}

// readPortable is Read through the conversion buffer.
func readPortable[E Element](r io.Reader, x []E) error {
	err := decodeAll(x, func(b []byte) error {
		_, err := io.ReadFull(r, b)
		return err
	})
	if err != nil {
		return fmt.Errorf("safetensors: reading %d %s values: %w", len(x), DTypeOf[E](), noEOF(err))
	}
	return nil
}

// checksumPortable is Checksum through the conversion buffer.
func checksumPortable[E Element](x []E) uint32 {
	var crc uint32
	_ = encodeAll(x, func(b []byte) error {
		crc = crc32.Update(crc, castagnoli, b)
		return nil
	})
	return crc
}
