package kernels

import (
	"math"

	"github.com/fusedopt/fusedopt/internal/memspan"
)

// This file holds what the bfloat16 steps of every optimizer share in
// their tensor checks and their parallel chunks.

// checkSpansBF16 is the overlap check of a bfloat16 step's slices, after
// their lengths have been checked: spans are the slices' spans in the
// order of names, param's first (an unused optional slice's empty). It
// returns param's span, for checkTensors. An empty step skips the check,
// which would be most of an empty call's cost: every slice is empty, and
// nothing can overlap.
func checkSpansBF16(op string, names *argNames, spans ...memspan.Span) memspan.Span {
	if spans[0].Empty() {
		return memspan.Span{}
	}
	checkSpans(op, names, spans)
	return spans[0]
}

// atChunk moves s[off], the hash's offset among a bfloat16 step's scalars
// s, to the chunk that starts at element lo of a tensor whose Param[0] has
// index offset: a chunk then rounds with the bits the whole tensor's step
// would give its elements.
func atChunk(s []float32, off int, offset uint64, lo int) {
	s[off] = u32Scalar(math.Float32bits(s[off]) + uint32(offset) + uint32(lo))
}
