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

// bitsOf views x as its raw bit patterns (uint32 for 4-byte E, else
// uint64), so that conversion is a pure bit copy: no float instruction
// touches the values, and NaN payloads survive.
func bitsOf[E Float](x []E) (u32 []uint32, u64 []uint64) {
	var z E
	p := unsafe.Pointer(unsafe.SliceData(x))
	if unsafe.Sizeof(z) == 4 {
		return unsafe.Slice((*uint32)(p), len(x)), nil
	}
	return nil, unsafe.Slice((*uint64)(p), len(x))
}

// encodeLE puts the elements from i on into buf in little-endian order and
// returns the number of bytes filled and the next element index.
func encodeLE(buf []byte, u32 []uint32, u64 []uint64, i int) (int, int) {
	if u32 != nil {
		src := u32[i:min(len(u32), i+len(buf)/4)]
		for j, v := range src {
			binary.LittleEndian.PutUint32(buf[4*j:], v)
		}
		return 4 * len(src), i + len(src)
	}
	src := u64[i:min(len(u64), i+len(buf)/8)]
	for j, v := range src {
		binary.LittleEndian.PutUint64(buf[8*j:], v)
	}
	return 8 * len(src), i + len(src)
}

// decodeLE is the inverse of encodeLE: it reads the whole elements in buf
// into the slices from index i and returns the next index.
func decodeLE(buf []byte, u32 []uint32, u64 []uint64, i int) int {
	if u32 != nil {
		dst := u32[i : i+len(buf)/4]
		for j := range dst {
			dst[j] = binary.LittleEndian.Uint32(buf[4*j:])
		}
		return i + len(dst)
	}
	dst := u64[i : i+len(buf)/8]
	for j := range dst {
		dst[j] = binary.LittleEndian.Uint64(buf[8*j:])
	}
	return i + len(dst)
}

// writePortable is Write through the conversion buffer.
func writePortable[E Float](w io.Writer, x []E) error {
	if len(x) == 0 {
		return nil
	}
	u32, u64 := bitsOf(x)
	buf := newChunk(len(x) * DTypeOf[E]().Size())
	for i := 0; i < len(x); {
		var n int
		n, i = encodeLE(buf, u32, u64, i)
		m, err := w.Write(buf[:n])
		if err == nil && m < n {
			err = io.ErrShortWrite
		}
		if err != nil {
			return fmt.Errorf("safetensors: writing %d %s values: %w", len(x), DTypeOf[E](), err)
		}
	}
	return nil
}

// readPortable is Read through the conversion buffer.
func readPortable[E Float](r io.Reader, x []E) error {
	if len(x) == 0 {
		return nil
	}
	size := DTypeOf[E]().Size()
	u32, u64 := bitsOf(x)
	buf := newChunk(len(x) * size)
	for i := 0; i < len(x); {
		n := min(len(buf), (len(x)-i)*size)
		if _, err := io.ReadFull(r, buf[:n]); err != nil {
			return fmt.Errorf("safetensors: reading %d %s values: %w", len(x), DTypeOf[E](), noEOF(err))
		}
		i = decodeLE(buf[:n], u32, u64, i)
	}
	return nil
}

// checksumPortable is Checksum through the conversion buffer.
func checksumPortable[E Float](x []E) uint32 {
	if len(x) == 0 {
		return 0
	}
	u32, u64 := bitsOf(x)
	buf := newChunk(len(x) * DTypeOf[E]().Size())
	var crc uint32
	for i := 0; i < len(x); {
		var n int
		n, i = encodeLE(buf, u32, u64, i)
		crc = crc32.Update(crc, castagnoli, buf[:n])
	}
	return crc
}
