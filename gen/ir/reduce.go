package ir

import "fmt"

// Partials is the number of interleaved float64 partial sums of every
// reduction: element j of each block of Partials elements is added to
// partial j. Every backend keeps them in its own lane layout (AVX2: 4
// YMM registers of 4; AVX-512: 2 ZMM of 8; NEON: 8 registers of 2; pure
// Go: 16 variables), and all of them perform the same additions in the
// same order.
const Partials = 16

// ReductionBits are the element widths every reduction is emitted for:
// float32, float64 and bfloat16 (BF16Bits).
var ReductionBits = []int{32, 64, BF16Bits}

// BF16Bits is the width of a bfloat16 element, the only 16-bit one. A
// reduction over bfloat16 streams widens each element exactly to float32
// as it loads it (its bits shifted left by 16, as the update kernels
// do), and then computes the float32 kernel's term: its result is the
// float32 kernel's over the widened values, bit for bit.
const BF16Bits = 16

// Reduction is a sum over the elements of its streams: for each element
// i, Term is evaluated in float64 and added to partial i mod Partials.
// Term reads its streams through Widen, an exact conversion to float64
// (the identity in a float64 kernel). The kernels of a reduction handle
// whole blocks of Partials elements only and take the partials in and
// out through a pointer, so that the caller (package kernels, by hand)
// owns the tail, the fixed tree that combines the partials, and the
// chunking that makes the order independent of the worker count.
type Reduction struct {
	Name    string // Go-style base name, e.g. "sumsq"
	Title   string // e.g. "sum of squares", for comments
	Streams []Stream
	Term    *Expr // over OpWiden (of an OpLoad), OpMul and OpAdd
}

// FuncName is the kernel's function name for a level and the element
// width of its streams, e.g. sumsqAVX2F32 or sumsqNEONBF16; level is ""
// for the pure-Go kernel.
func (r *Reduction) FuncName(level string, bits int) string {
	return r.Name + level + ElemSuffix(bits)
}

// ElemSuffix names the elements of the given width in a function name:
// F32, F64, or BF16.
func ElemSuffix(bits int) string {
	if bits == BF16Bits {
		return "BF16"
	}
	return fmt.Sprintf("F%d", bits)
}

// NewReduction checks that term uses only the operations every backend's
// reduction loop implements, and only the given streams, each element
// through Widen (which gives every width its float64 value).
func NewReduction(name, title string, streams []Stream, term *Expr) *Reduction {
	r := &Reduction{Name: name, Title: title, Streams: streams, Term: term}
	var walk func(e *Expr)
	walk = func(e *Expr) {
		switch e.Op {
		case OpLoad:
			panic("ir: reduction " + name + " reads " + e.Name + " without widening it")
		case OpWiden:
			ld := e.Args[0]
			if ld.Op != OpLoad {
				panic("ir: reduction " + name + ": widen applies to loads only")
			}
			found := false
			for _, s := range streams {
				found = found || s.Name == ld.Name
			}
			if !found {
				panic("ir: reduction " + name + " reads unknown stream " + ld.Name)
			}
			return
		case OpMul, OpAdd:
		default:
			panic("ir: reduction " + name + ": operation " + e.Op.String() + " is not supported in a reduction")
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	walk(term)
	return r
}

// LoadOf is element i of stream s, for a reduction's term.
func LoadOf(s string) *Expr { return &Expr{Op: OpLoad, Name: s} }

// Widen is a converted exactly to float64 (the identity on float64).
func Widen(a *Expr) *Expr { return &Expr{Op: OpWiden, Args: []*Expr{a}} }
