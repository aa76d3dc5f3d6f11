package safetensors

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Decode reads the prefix of a file of size bytes from r and validates it completely.
// It returns the header (tensors sorted by Begin) and the data section's start (8+N).
// A size < 0 means the size is not known (a stream): then Decode checks
// everything but the file's length, and the caller must find the data
// section's end where the header puts it, 8+N plus the last tensor's End.
//
// Decode reads exactly 8+N bytes, so r is left at the start of the data
// section and the caller can go on to Read the tensors in order. Beyond the
// reference implementation's checks it is strict where a lenient reader
// would hide corruption or ambiguity: duplicate JSON keys, unknown or
// missing tensor fields, empty tensor names and trailing non-whitespace
// after the header are errors. A "__metadata__": null is read as no
// metadata, as the reference reader does.
func Decode(r io.Reader, size int64) (*Header, int64, error) {
	if size >= 0 && size < 8 {
		return nil, 0, fmt.Errorf("safetensors: file is %d bytes, shorter than the 8-byte header length", size)
	}
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, 0, fmt.Errorf("safetensors: reading header length: %w", noEOF(err))
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeaderLen {
		return nil, 0, fmt.Errorf("safetensors: header length %d exceeds the %d-byte limit", n, maxHeaderLen)
	}
	// n is at most 1e8 here, so 8+n cannot overflow.
	start := 8 + int64(n)
	if size >= 0 && start > size {
		return nil, 0, fmt.Errorf("safetensors: header length %d needs %d bytes but the file is %d bytes", n, start, size)
	}
	raw := make([]byte, n)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, 0, fmt.Errorf("safetensors: reading %d-byte header: %w", n, noEOF(err))
	}
	if !utf8.Valid(raw) {
		return nil, 0, errors.New("safetensors: header is not valid UTF-8")
	}
	h, err := parseHeader(raw)
	if err != nil {
		return nil, 0, err
	}
	if err := checkLayout(h.Tensors, start, size); err != nil {
		return nil, 0, err
	}
	return h, start, nil
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: the bytes were promised by
// the caller's size or by the header, so running out of them is truncation.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// checkLayout sorts ts by offset and checks that they tile the data
// section, from start to the end of a file of size bytes, exactly: no gap,
// no overlap, nothing left over (unless size < 0: not known). Each tensor's own span was checked by
// parser.tensor.
func checkLayout(ts []Tensor, start, size int64) error {
	sortTensors(ts)
	var end int64
	for i, t := range ts {
		if t.Begin != end {
			if i == 0 {
				return fmt.Errorf("safetensors: tensor %q begins at %d, but the first tensor must begin at 0", t.Name, t.Begin)
			}
			what := "a hole"
			if t.Begin < end {
				what = "an overlap"
			}
			return fmt.Errorf("safetensors: tensor %q begins at %d but the previous tensor %q ends at %d (%s)", t.Name, t.Begin, ts[i-1].Name, end, what)
		}
		end = t.End
	}
	if size >= 0 && end != size-start {
		what := "truncated"
		if end < size-start {
			what = "too long"
		}
		need := "more than " + strconv.FormatInt(maxInt64, 10)
		if end <= maxInt64-start {
			need = strconv.FormatInt(start+end, 10)
		}
		return fmt.Errorf("safetensors: file is %s: the length and header (%d bytes) and the tensor data (%d bytes) need %s bytes but the file is %d bytes", what, start, end, need, size)
	}
	return nil
}

// sortTensors puts ts in data order. Zero-length tensors may share an
// offset with each other and with the next tensor; ordering ties by End
// and then Name keeps the result deterministic.
func sortTensors(ts []Tensor) {
	slices.SortFunc(ts, func(a, b Tensor) int {
		return cmp.Or(cmp.Compare(a.Begin, b.Begin), cmp.Compare(a.End, b.End), strings.Compare(a.Name, b.Name))
	})
}
