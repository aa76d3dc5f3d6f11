package golang

import (
	"fmt"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// intExpr prints e if it is an integer operation: on uint32 values, which
// Go computes modulo 2^32 like every backend.
func intExpr(e *ir.Expr, bits int) (string, bool) {
	arg := func(i int) string { return expr(e.Args[i], bits, false) }
	switch e.Op {
	case ir.OpBits:
		return "math.Float32bits(" + arg(0) + ")", true
	case ir.OpFromBits:
		return "math.Float32frombits(" + arg(0) + ")", true
	case ir.OpConst:
		return fmt.Sprintf("uint32(%#x)", e.Imm), true
	case ir.OpIndex:
		return e.Name + " + uint32(i)", true
	case ir.OpCanonNaN:
		return "canonNaN32(" + arg(0) + ")", true
	case ir.OpShr, ir.OpShl:
		return fmt.Sprintf("(%s %s %d)", arg(0), map[ir.Op]string{ir.OpShr: ">>", ir.OpShl: "<<"}[e.Op], e.Imm), true
	case ir.OpSra:
		return fmt.Sprintf("uint32(int32(%s) >> %d)", arg(0), e.Imm), true
	}
	sym, ok := map[ir.Op]string{ir.OpIAdd: "+", ir.OpISub: "-", ir.OpIMul: "*", ir.OpXor: "^",
		ir.OpAnd: "&", ir.OpOr: "|", ir.OpAndNot: "&^"}[e.Op]
	if !ok {
		return "", false
	}
	return "(" + arg(0) + " " + sym + " " + arg(1) + ")", true
}

// elemType is the Go element type (a bfloat16 is its bits, uint16) of stream s of a kernel of the given
// precision.
func elemType(s ir.Stream, bits int) string {
	if s.Elem == ir.BF16 {
		return bf16GoType
	}
	return fmt.Sprintf("float%d", bits)
}

// bf16GoType is the Go element type of a bfloat16 stream in a generated
// kernel: its bits (package kernels passes a []BF16 as []uint16).
const bf16GoType = "uint16"

// widenBF16 is the Go expression of the bfloat16 bits b widened to
// float32, exactly: the bits shifted into a float32's high half.
func widenBF16(b string) string { return "math.Float32frombits(uint32(" + b + ") << 16)" }

// typedSignature is Signature for a kernel with bfloat16 streams: each
// slice with its own element type.
func typedSignature(k *ir.Kernel, bits int) string {
	s := "("
	for _, st := range k.Streams {
		s += fmt.Sprintf("%s []%s, ", st.Name, elemType(st, bits))
	}
	return s + fmt.Sprintf("s [%d]float%d)", len(k.Scalars), bits)
}

// widenedLoads returns a copy of the body of k in which each load of a
// bfloat16 stream s reads the variable sW, and the statements that define
// those variables (exact widening), to print at the top of the loop.
func widenedLoads(k *ir.Kernel) (body []ir.Stmt, defs []string) {
	var walk func(e *ir.Expr) *ir.Expr
	walk = func(e *ir.Expr) *ir.Expr {
		if e.Op == ir.OpLoad && k.StreamOf(e.Name).Elem == ir.BF16 {
			return &ir.Expr{Op: ir.OpVar, Name: e.Name + "W"}
		}
		c := *e
		c.Args = nil
		for _, a := range e.Args {
			c.Args = append(c.Args, walk(a))
		}
		return &c
	}
	for _, st := range k.Body {
		st.Value = walk(st.Value)
		body = append(body, st)
	}
	for _, s := range k.Streams {
		if s.Elem == ir.BF16 && k.Reads(s.Name) {
			defs = append(defs, fmt.Sprintf("%sW := %s", s.Name, widenBF16(s.Name+"[i]")))
		}
	}
	return body, defs
}

// intHelpers is the helper functions of the integer operations, if a
// kernel of fams uses them: canonNaN32, for the bfloat16 kernels' float32
// gradients (not their Traffic kernels, which read it as it is).
func intHelpers(fams []Family) string {
	for _, f := range fams {
		for _, k := range f.Variants {
			if k.Uses(ir.OpCanonNaN) {
				return fmt.Sprintf(`// canonNaN32 is x, or the NaN with bits %#x (low 16 bits zero) if x
// is NaN.
func canonNaN32(x float32) float32 {
	if x != x {
		return math.Float32frombits(%#x)
	}
	return x
}

`, ir.CanonicalNaN, ir.CanonicalNaN)
			}
		}
	}
	return ""
}
