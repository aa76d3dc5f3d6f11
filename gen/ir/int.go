package ir

// Integer operations on 32-bit lanes, and bfloat16 streams.
//
// The bfloat16 kernels keep their arithmetic in float32 and need integer
// lanes only at the edges: to round a float32 result to bfloat16 (nearest
// even, or stochastically with bits from a counter-based hash) before it
// is stored. An integer value is a uint32 lane, the same width as a
// float32 lane, so every backend keeps both in the same registers; Bits
// and FromBits reinterpret one as the other. Integer operations wrap
// modulo 2^32 and are exact, so every backend gives the same bits.

// The integer operations, after the floating-point ones.
const (
	OpBits     Op = iota + OpWiden + 1 // the bits of float32 a, as a uint32 (exact)
	OpFromBits                         // the float32 with bits a (exact)
	OpIAdd                             // a + b mod 2^32
	OpISub                             // a - b mod 2^32
	OpIMul                             // a * b mod 2^32 (the low 32 bits of the product)
	OpXor                              // a ^ b
	OpAnd                              // a & b
	OpOr                               // a | b
	OpAndNot                           // a &^ b
	OpShr                              // a >> Imm, logical
	OpShl                              // a << Imm
	OpSra                              // a >> Imm, arithmetic (the sign bit copied)
	OpConst                            // the uint32 Imm in every lane
	OpIndex                            // the element's index i plus the int scalar Name, mod 2^32
	OpCanonNaN                         // float32 a, or the NaN CanonicalNaN if a is NaN
)

// The integer operations must follow the last floating-point one: this
// fails to compile if an operation is added to the first list without
// moving them.
var _ = [1]struct{}{}[int(OpBits)-len(opNames)]

var intOpNames = [...]string{"bits", "frombits", "iadd", "isub", "imul", "xor", "and", "or", "andnot",
	"shr", "shl", "sra", "const", "index", "canonnan"}

// Int reports whether the operation's result is a uint32 lane.
func (o Op) Int() bool { return o >= OpBits && o != OpFromBits && o != OpCanonNaN }

// BF16 is the element type of a stream of bfloat16 numbers ([]BF16 in Go,
// the high half of a float32's bits): a load widens an element to float32
// exactly (its bits shifted left by 16), and a store takes a uint32 value
// and writes its high 16 bits, so that rounding is the body's business.
const BF16 = "bf16"

// IntScalar marks a scalar holding a uint32 (passed in the float32 scalar
// array as its bit pattern), e.g. a hash key or an element offset.
const IntScalar = "uint32"

func intBin(op Op, a, b *Expr) *Expr { return &Expr{Op: op, Args: []*Expr{a, b}} }

// Bits is the bits of float32 a, as a uint32.
func Bits(a *Expr) *Expr { return &Expr{Op: OpBits, Args: []*Expr{a}} }

// FromBits is the float32 whose bits are the uint32 a.
func FromBits(a *Expr) *Expr { return &Expr{Op: OpFromBits, Args: []*Expr{a}} }

// IAdd is a + b mod 2^32.
func IAdd(a, b *Expr) *Expr { return intBin(OpIAdd, a, b) }

// ISub is a - b mod 2^32.
func ISub(a, b *Expr) *Expr { return intBin(OpISub, a, b) }

// IMul is the low 32 bits of a * b.
func IMul(a, b *Expr) *Expr { return intBin(OpIMul, a, b) }

// Xor is a ^ b.
func Xor(a, b *Expr) *Expr { return intBin(OpXor, a, b) }

// And is a & b.
func And(a, b *Expr) *Expr { return intBin(OpAnd, a, b) }

// Or is a | b.
func Or(a, b *Expr) *Expr { return intBin(OpOr, a, b) }

// AndNot is a &^ b.
func AndNot(a, b *Expr) *Expr { return intBin(OpAndNot, a, b) }

func shift(op Op, a *Expr, n uint32) *Expr {
	if n == 0 || n > 31 {
		panic("ir: shift count out of 1..31")
	}
	return &Expr{Op: op, Args: []*Expr{a}, Imm: n}
}

// Shr is a >> n, logical (zeros shifted in), 0 < n < 32.
func Shr(a *Expr, n uint32) *Expr { return shift(OpShr, a, n) }

// Shl is a << n, 0 < n < 32.
func Shl(a *Expr, n uint32) *Expr { return shift(OpShl, a, n) }

// Sra is a >> n, arithmetic (copies of the sign bit shifted in), 0 < n < 32.
func Sra(a *Expr, n uint32) *Expr { return shift(OpSra, a, n) }

// CanonicalNaN is the bits of the NaN that CanonNaN puts in place of
// any other: a quiet NaN (x86's default NaN) whose low 16 bits are zero.
const CanonicalNaN = 0xffc00000

// CanonNaN is float32 a, or the NaN with bits CanonicalNaN where a is NaN.
// A bfloat16 kernel applies it to each element of a float32 stream it
// reads (see Stream.CanonNaN), so that every NaN it computes has zero low
// 16 bits, as every NaN widened from a bfloat16 or made by an invalid
// operation has: adding a rounding bias to such a NaN's bits cannot carry
// into its high half, so RoundBF16 needs no NaN test.
func CanonNaN(a *Expr) *Expr { return &Expr{Op: OpCanonNaN, Args: []*Expr{a}} }

// Const is the uint32 c in every lane.
func Const(c uint32) *Expr { return &Expr{Op: OpConst, Imm: c} }

// Index is the element's index i in the slices plus the int scalar
// offset, mod 2^32: the element's index in the whole tensor when a call
// steps a chunk that starts at element offset.
func (b *Builder) Index(offset string) *Expr {
	b.Scalar(offset) // checks the name
	return &Expr{Op: OpIndex, Name: offset}
}

// Hash is the random bits of an element's stochastic roundings, from x =
// lowbias32(index + key) (Chris Wellons' two-round multiply-xorshift
// mixer, a bijection of uint32 with low bias): param takes x's high 16
// bits, m its low 16, and v the two halves' XOR. Halves of a uniform x are
// independent and uniform, and their XOR is independent of each, so the
// three streams are pairwise independent (no 48 bits from one 32-bit hash
// can be more). lowbias32's last step, x ^= x >> 16, only XORs the high
// half into the low one, so the hash stops before it: with hi and lo the
// halves before that step, param is hi, m is lo ^ hi and v is lo, three
// operations for three streams.
type Hash struct {
	b         *Builder
	x, hi, lo *Expr // hi and lo once a stream needs them
}

// NewHash emits the element's hash of keyed, its index plus the key.
func NewHash(b *Builder, keyed *Expr) *Hash {
	x := b.Let("h", keyed, "the rounding bits: lowbias32(index + key)")
	x = b.Let("h", Xor(x, Shr(x, 16)), "")
	x = b.Let("h", IMul(x, Const(0x7feb352d)), "")
	x = b.Let("h", Xor(x, Shr(x, 15)), "")
	return &Hash{b: b, x: b.Let("h", IMul(x, Const(0x846ca68b)), "")}
}

// Bits is the 16 random bits of stream j (0, 1 or 2), as a uint32 in
// 0..65535: lowbias32's high half, its low half, and the XOR of the two
// (see Hash). The halves are emitted where a stream first needs them.
func (h *Hash) Bits(j int) *Expr {
	if h.hi == nil {
		h.hi = h.b.Let("hi", Shr(h.x, 16), "")
	}
	if h.lo == nil && j > 0 {
		h.lo = h.b.Let("lo", And(h.x, Const(0xffff)), "")
	}
	switch j {
	case 0:
		return h.hi
	case 1:
		return Xor(h.hi, h.lo)
	case 2:
		return h.lo
	}
	panic("ir: a hash gives the bits of three streams")
}

// RoundBF16 is float32 x rounded to bfloat16, as a uint32 whose high 16
// bits are the bfloat16 (what a store to a BF16 stream writes): x's bits
// plus a bias, truncated. x's bits are first held in the variable uvar.
// The bias is in 0..65535: with stochastic (random non-nil), the 16 random
// bits random, which round up with probability equal to the
// distance from the bfloat16 below in units of its last place (Zamirai et
// al.; torchao's bf16_stochastic_round); else 0x7fff plus the lowest kept
// bit, which rounds to nearest, ties to even.
//
// ±Inf stays ±Inf (its low bits are zero and the bias cannot carry out of
// them). A finite value above the largest bfloat16 (0x1.fep127) rounds to
// ±Inf as IEEE rounding does: to nearest from the midpoint 0x1.ffp127 on;
// stochastically with probability (|x| - 0x1.fep127) / 2^120, as if 2^128
// were the next bfloat16. NaN stays NaN, with no test: every NaN a
// bfloat16 kernel computes has zero low 16 bits (see CanonNaN), so the
// bias cannot carry into its high half, which is the NaN truncated. Which
// NaN (sign, payload) follows each machine's NaN propagation, as in the
// float32 kernels.
func RoundBF16(b *Builder, x *Expr, uvar string, random *Expr) *Expr {
	var bias *Expr
	if random != nil {
		bias = b.Let("bias", random, "")
	}
	u := b.Let(uvar, Bits(x), "round to bfloat16")
	if random == nil {
		bias = b.Let("bias", IAdd(And(Shr(u, 16), Const(1)), Const(0x7fff)), "")
	}
	return IAdd(u, bias)
}

// StreamOf is the kernel's stream s.
func (k *Kernel) StreamOf(s string) Stream {
	for _, st := range k.Streams {
		if st.Name == s {
			return st
		}
	}
	panic("ir: unknown stream " + s)
}

// ScalarOf is the kernel's scalar s.
func (k *Kernel) ScalarOf(s string) Scalar {
	for _, sc := range k.Scalars {
		if sc.Name == s {
			return sc
		}
	}
	panic("ir: unknown scalar " + s)
}

// HasBF16 reports whether any stream of k holds bfloat16.
func (k *Kernel) HasBF16() bool {
	for _, s := range k.Streams {
		if s.Elem == BF16 {
			return true
		}
	}
	return false
}

// Uses reports whether k's body has an operation op.
func (k *Kernel) Uses(op Op) bool {
	found := false
	var walk func(e *Expr)
	walk = func(e *Expr) {
		found = found || e.Op == op
		for _, a := range e.Args {
			walk(a)
		}
	}
	for _, st := range k.Body {
		walk(st.Value)
	}
	return found
}

// IsInt reports whether e's value is a uint32 lane (else a float).
func (k *Kernel) IsInt(e *Expr, vars map[string]bool) bool {
	switch e.Op {
	case OpScalar:
		return k.ScalarOf(e.Name).Type == IntScalar
	case OpVar:
		return vars[e.Name]
	}
	return e.Op.Int()
}

// IntVars is the variables of k's body that hold uint32 lanes.
func (k *Kernel) IntVars() map[string]bool {
	vars := map[string]bool{}
	for _, st := range k.Body {
		if st.Stream == "" {
			vars[st.Var] = k.IsInt(st.Value, vars)
		}
	}
	return vars
}

// IndexOffset is the offset scalar of the element index, if k's body
// reads the index.
func (k *Kernel) IndexOffset() (offset string, ok bool) {
	var walk func(e *Expr)
	walk = func(e *Expr) {
		if e.Op == OpIndex {
			offset, ok = e.Name, true
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	for _, st := range k.Body {
		walk(st.Value)
	}
	return offset, ok
}
