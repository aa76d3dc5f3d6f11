package safetensors

import "unsafe"

// DType names a tensor element type as spelled in a safetensors header.
type DType string

// The element types this package reads and writes. Others exist in the
// format (F16, I64, ...) but optimizer state is never stored in them, so
// Decode rejects them instead of handing back data nobody can convert.
const (
	F32  DType = "F32"  // IEEE 754 binary32, little-endian
	F64  DType = "F64"  // IEEE 754 binary64, little-endian
	BF16 DType = "BF16" // bfloat16 (the high half of a binary32), little-endian
)

// Size returns the size in bytes of one element: 2 for BF16, 4 for F32, 8
// for F64 and 0 for any other dtype.
func (d DType) Size() int {
	switch d {
	case BF16:
		return 2
	case F32:
		return 4
	case F64:
		return 8
	}
	return 0
}

// Tensor describes one tensor of a file: its name, element type, shape and
// where its bytes lie in the data section.
type Tensor struct {
	Name       string
	DType      DType
	Shape      []int64 // [] is a scalar (one element); a 0 dimension means no elements
	Begin, End int64   // byte offsets in the data section
}

// Elements returns the number of elements of t's shape: 1 for a scalar and
// 0 if any dimension is 0. It returns -1 if a dimension is negative or the
// product overflows int64.
func (t Tensor) Elements() int64 {
	n, ok := elements(t.Shape)
	if !ok {
		return -1
	}
	return n
}

// elements multiplies the dimensions of shape, reporting false for a
// negative dimension or an int64 overflow. The product is checked left to
// right, as in the reference implementation, so that both accept the same
// files: [0, 1<<62, 4] has 0 elements but [1<<62, 4, 0] overflows.
func elements(shape []int64) (int64, bool) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > maxInt64/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// byteLen returns elements*size, reporting false on overflow.
func byteLen(elems int64, size int) (int64, bool) {
	s := int64(size)
	if s == 0 || elems > maxInt64/s {
		return 0, false
	}
	return elems * s, true
}

const maxInt64 = 1<<63 - 1

// Header is the parsed or to-be-written header of a file.
type Header struct {
	Tensors  []Tensor          // in data order (ascending Begin)
	Metadata map[string]string // may be nil
}

// Element is the set of element types that Write, Read and Checksum
// accept: float32 and float64, and uint16 holding the bits of a bfloat16.
type Element interface{ ~float32 | ~float64 | ~uint16 }

// DTypeOf returns the dtype that stores E: BF16 for uint16-based types,
// F32 for float32-based ones and F64 for float64-based ones.
func DTypeOf[E Element]() DType {
	var z E
	switch unsafe.Sizeof(z) {
	case 2:
		return BF16
	case 4:
		return F32
	}
	return F64
}
