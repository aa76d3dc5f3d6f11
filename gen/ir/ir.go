// Package ir describes an optimizer's per-element update as a short list of
// statements over expression trees. It is the single definition of each
// update's order of operations: the Go backend prints it as the pure-Go
// kernel, the amd64 backend (avo) and the arm64 backend (NEON) translate the
// same trees into instructions, one instruction per node, in the same order.
// Because every node is one correctly rounded IEEE operation (no fused
// multiply-add), every backend produces the same bits.
package ir

import "fmt"

// Op is the operation at an expression node.
type Op int

// The operations. Every one of them is correctly rounded (or exact) on every
// backend, which is what makes the levels bit-identical.
const (
	OpLoad   Op = iota // element i of a stream (a slice argument)
	OpScalar           // a per-step scalar, the same for every element
	OpVar              // a value named by an earlier Let
	OpAdd              // a + b
	OpSub              // a - b
	OpMul              // a * b
	OpDiv              // a / b
	OpSqrt             // sqrt(a)
	OpMax              // a if a > b or a is NaN, else b (NaN-propagating max)
	OpAbs              // |a|: a with its sign bit cleared (NaN stays NaN)
	OpSign             // 1 if a > 0, -1 if a < 0, else a itself (±0 and NaN)
	OpWiden            // a converted to float64, exactly (reductions only; see Reduction)
)

var opNames = [...]string{"load", "scalar", "var", "add", "sub", "mul", "div", "sqrt", "max", "abs", "sign", "widen"}

// String is the operation's name, for error messages and tests.
func (o Op) String() string {
	if o >= OpBits {
		return intOpNames[o-OpBits]
	}
	return opNames[o]
}

// Commutative reports whether a op b == b op a bit for bit (NaN payloads aside).
func (o Op) Commutative() bool { return o == OpAdd || o == OpMul }

// Expr is a node of an expression tree.
type Expr struct {
	Op   Op
	Name string  // stream for OpLoad, scalar for OpScalar, variable for OpVar
	Args []*Expr // operands of arithmetic nodes, left to right
	Imm  uint32  // OpConst's value, a shift's count
}

// Stmt is one statement of a kernel body: either Let (Var is set) or Store
// (Stream is set).
type Stmt struct {
	Var    string // Let: the variable this statement (re)defines
	Stream string // Store: the stream written
	Value  *Expr
	Doc    string // what the statement means, printed as a comment
}

// Stream is a slice argument of a kernel.
type Stream struct {
	Name    string
	Written bool   // the kernel stores to it (it is then also read)
	Elem    string // "" for the kernel's float precision, or BF16
	// CanonNaN makes each load of a float32 stream CanonNaN(the element):
	// a bfloat16 kernel's float32 gradient, whose NaNs may have any payload.
	CanonNaN bool
}

// Scalar is a per-step scalar argument of a kernel.
type Scalar struct {
	Name string // Go identifier, e.g. "b1"
	Doc  string // what it holds, e.g. "beta1"
	Type string // "" for the kernel's float precision, or IntScalar
}

// Kernel is one optimizer variant: its streams, scalars and body.
type Kernel struct {
	Name    string   // Go-style base name, e.g. "adam"
	Variant []string // names of the options compiled in, e.g. {"Coupled", "AMSGrad"}
	Streams []Stream
	Scalars []Scalar
	Body    []Stmt
}

// FuncName is the kernel's function name for a level and precision, e.g.
// adamAVX2F32CoupledAMSGrad; level is "" for the pure-Go kernel.
func (k *Kernel) FuncName(level string, bits int) string {
	s := fmt.Sprintf("%s%sF%d", k.Name, level, bits)
	for _, v := range k.Variant {
		s += v
	}
	return s
}

// Builder records a kernel body. Its methods read like the update they
// describe; see package optimizers.
type Builder struct {
	k       Kernel
	scalars map[string]bool
	vars    map[string]bool
}

// NewBuilder starts a kernel with the given streams (in argument order) and
// scalars (in array order).
func NewBuilder(name string, variant []string, streams []Stream, scalars []Scalar) *Builder {
	b := &Builder{
		k:       Kernel{Name: name, Variant: variant, Streams: streams, Scalars: scalars},
		scalars: map[string]bool{},
		vars:    map[string]bool{},
	}
	for _, s := range scalars {
		b.scalars[s.Name] = true
	}
	return b
}

// Load is element i of stream s.
func (b *Builder) Load(s string) *Expr {
	e := &Expr{Op: OpLoad, Name: s}
	if b.stream(s).CanonNaN {
		return CanonNaN(e)
	}
	return e
}

// Scalar is the per-step scalar s.
func (b *Builder) Scalar(s string) *Expr {
	if !b.scalars[s] {
		panic("ir: unknown scalar " + s)
	}
	return &Expr{Op: OpScalar, Name: s}
}

// Let evaluates e into the variable v (defining or redefining it) and
// returns a reference to it.
func (b *Builder) Let(v string, e *Expr, doc string) *Expr {
	if b.scalars[v] || b.isStream(v) {
		panic("ir: variable " + v + " shadows an argument")
	}
	b.k.Body = append(b.k.Body, Stmt{Var: v, Value: e, Doc: doc})
	b.vars[v] = true
	return &Expr{Op: OpVar, Name: v}
}

// Store writes e to element i of stream s.
func (b *Builder) Store(s string, e *Expr) {
	if !b.stream(s).Written {
		panic("ir: store to read-only stream " + s)
	}
	b.k.Body = append(b.k.Body, Stmt{Stream: s, Value: e})
}

// Kernel returns the finished kernel.
func (b *Builder) Kernel() *Kernel {
	k := b.k
	return &k
}

func (b *Builder) stream(s string) Stream {
	for _, st := range b.k.Streams {
		if st.Name == s {
			return st
		}
	}
	panic("ir: unknown stream " + s)
}

func (b *Builder) isStream(s string) bool {
	for _, st := range b.k.Streams {
		if st.Name == s {
			return true
		}
	}
	return false
}

func bin(op Op, a, b *Expr) *Expr { return &Expr{Op: op, Args: []*Expr{a, b}} }

// Add is a + b.
func Add(a, b *Expr) *Expr { return bin(OpAdd, a, b) }

// Sub is a - b.
func Sub(a, b *Expr) *Expr { return bin(OpSub, a, b) }

// Mul is a * b.
func Mul(a, b *Expr) *Expr { return bin(OpMul, a, b) }

// Div is a / b.
func Div(a, b *Expr) *Expr { return bin(OpDiv, a, b) }

// Max is a if a > b or a is NaN, else b: NaN from either side propagates,
// as torch.maximum does, and of two equal values (+0 and -0) it is b.
func Max(a, b *Expr) *Expr { return bin(OpMax, a, b) }

// Sqrt is the correctly rounded square root of a.
func Sqrt(a *Expr) *Expr { return &Expr{Op: OpSqrt, Args: []*Expr{a}} }

// Abs is |a|, exact: a with its sign bit cleared.
func Abs(a *Expr) *Expr { return &Expr{Op: OpAbs, Args: []*Expr{a}} }

// Sign is 1 for a > 0, -1 for a < 0, and a itself otherwise, so that
// sign(0) = 0 (of either sign) and sign(NaN) is NaN, as jnp.sign.
func Sign(a *Expr) *Expr { return &Expr{Op: OpSign, Args: []*Expr{a}} }

// ScalarUses counts how often each scalar is read by the body, so backends
// short of registers can keep the busiest ones in registers.
func (k *Kernel) ScalarUses() map[string]int {
	n := map[string]int{}
	var walk func(e *Expr)
	walk = func(e *Expr) {
		if e.Op == OpScalar || e.Op == OpIndex {
			n[e.Name]++
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	for _, s := range k.Body {
		walk(s.Value)
	}
	return n
}

// UsesScalar reports whether the body reads scalar s.
func (k *Kernel) UsesScalar(s string) bool { return k.ScalarUses()[s] > 0 }

// Traffic derives from k the memory-roofline kernel: the same streams read
// and written as k, with one addition per written element instead of k's
// arithmetic. Benchmarks time it at the same size to show how close k
// comes to the memory bandwidth.
//
// A kernel with bfloat16 streams keeps their width: a bfloat16 stream is
// widened as k loads it and stored truncated (the sum's bits, whose high
// half a bfloat16 store keeps), and a float32 stream is read as it is,
// without CanonNaN. The rounding bias, its hash and CanonNaN are k's
// arithmetic, not its traffic: they only make k's rounding exact. (A NaN
// the sum makes is quiet, so its high half is a NaN too.)
func Traffic(k *Kernel) *Kernel {
	streams := append([]Stream(nil), k.Streams...)
	for i := range streams {
		streams[i].CanonNaN = false
	}
	b := NewBuilder(k.Name+"Traffic", k.Variant, streams, k.Scalars)
	var in *Expr
	for _, s := range k.Streams {
		if k.reads(s.Name) && !k.writes(s.Name) {
			if in == nil {
				in = b.Load(s.Name)
			} else {
				in = Add(in, b.Load(s.Name))
			}
		}
	}
	x := b.Let("x", in, "the read-only streams, summed")
	for _, s := range k.Streams {
		if !k.writes(s.Name) {
			continue
		}
		sum := Add(b.Load(s.Name), x)
		if s.Elem == BF16 {
			sum = Bits(sum) // truncated by the store
		}
		b.Store(s.Name, sum)
	}
	return b.Kernel()
}

// Arith derives from k the arithmetic-bound kernel: k's square roots and
// divisions (the instructions that bound an exact kernel in cache), as a
// chain per element over the first read-only stream, stored to the first
// written stream. Benchmarks time it on L1-resident slices.
func Arith(k *Kernel) *Kernel {
	var sqrts, divs int
	var walk func(e *Expr)
	walk = func(e *Expr) {
		switch e.Op {
		case OpSqrt:
			sqrts++
		case OpDiv:
			divs++
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	for _, s := range k.Body {
		walk(s.Value)
	}
	var in, out string
	for _, s := range k.Streams {
		switch {
		case out == "" && k.writes(s.Name):
			out = s.Name
		case in == "" && k.reads(s.Name) && !k.writes(s.Name):
			in = s.Name
		}
	}
	b := NewBuilder(k.Name+"Arith", k.Variant, k.Streams, k.Scalars)
	x := b.Let("x", b.Load(in), "")
	for i := 0; i < sqrts; i++ {
		x = b.Let("x", Sqrt(x), "")
	}
	for i := 0; i < divs; i++ {
		x = b.Let("x", Div(x, b.Load(in)), "")
	}
	b.Store(out, x)
	return b.Kernel()
}

func (k *Kernel) writes(s string) bool {
	for _, st := range k.Body {
		if st.Stream == s {
			return true
		}
	}
	return false
}

func (k *Kernel) reads(s string) bool {
	found := false
	var walk func(e *Expr)
	walk = func(e *Expr) {
		if e.Op == OpLoad && e.Name == s {
			found = true
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	for _, st := range k.Body {
		walk(st.Value)
	}
	return found
}

// Reads reports whether the body loads stream s.
func (k *Kernel) Reads(s string) bool { return k.reads(s) }

// Writes reports whether the body stores to stream s.
func (k *Kernel) Writes(s string) bool { return k.writes(s) }

// SameBody reports whether a and b compute the same thing: the same
// statements over the same streams and scalars (comments aside), so that
// one compiled function can serve both.
func SameBody(a, b *Kernel) bool { return a.bodyKey() == b.bodyKey() }

func (k *Kernel) bodyKey() string {
	var w []byte
	var walk func(e *Expr)
	walk = func(e *Expr) {
		w = append(w, '(')
		w = append(w, e.Op.String()...)
		w = append(w, ' ')
		w = append(w, e.Name...)
		w = fmt.Appendf(w, " %d", e.Imm)
		for _, a := range e.Args {
			walk(a)
		}
		w = append(w, ')')
	}
	for _, st := range k.Body {
		w = append(w, st.Var+"|"+st.Stream+"="...)
		walk(st.Value)
		w = append(w, ';')
	}
	return string(w)
}
