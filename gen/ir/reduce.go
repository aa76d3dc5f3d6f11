package ir

import "fmt"

// Partials is the number of interleaved float64 partial sums of every
// reduction: element j of each block of Partials elements is added to
// partial j. Every backend keeps them in its own lane layout (AVX2: 4
// YMM registers of 4; AVX-512: 2 ZMM of 8; NEON: 8 registers of 2; pure
// Go: 16 variables), and all of them perform the same additions in the
// same order.
const Partials = 16

// Reduction is a sum over the elements of its streams: for each element
// i, Term is evaluated in float64 and added to partial i mod Partials.
// Term reads float32 streams through Widen, an exact conversion; in a
// float64 kernel Widen is the identity. The kernels of a reduction handle
// whole blocks of Partials elements only and take the partials in and
// out through a pointer, so that the caller (package kernels, by hand)
// owns the tail, the fixed tree that combines the partials, and the
// chunking that makes the order independent of the worker count.
type Reduction struct {
	Name    string // Go-style base name, e.g. "sumsq"
	Title   string // e.g. "sum of squares", for comments
	Streams []Stream
	Term    *Expr // over OpLoad, OpWiden, OpMul and OpAdd
}

// FuncName is the kernel's function name for a level and the precision
// of its streams, e.g. sumsqAVX2F32; level is "" for the pure-Go kernel.
func (r *Reduction) FuncName(level string, bits int) string {
	return fmt.Sprintf("%s%sF%d", r.Name, level, bits)
}

// NewReduction checks that term uses only the operations every backend's
// reduction loop implements, and only the given streams.
func NewReduction(name, title string, streams []Stream, term *Expr) *Reduction {
	r := &Reduction{Name: name, Title: title, Streams: streams, Term: term}
	var walk func(e *Expr)
	walk = func(e *Expr) {
		switch e.Op {
		case OpLoad:
			found := false
			for _, s := range streams {
				found = found || s.Name == e.Name
			}
			if !found {
				panic("ir: reduction " + name + " reads unknown stream " + e.Name)
			}
		case OpWiden:
			if e.Args[0].Op != OpLoad {
				panic("ir: reduction " + name + ": widen applies to loads only")
			}
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
