package neon

import (
	"fmt"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// Integer lanes and bfloat16 streams. An integer value lives in the same
// V registers as a float32 one (Bits and FromBits emit nothing); every
// integer operation is one WORD-encoded vector instruction, in the vector
// body and in the scalar tail alike (whose upper lanes are never stored).
// The element index is a counter register, the offset plus each lane's
// number at the start, that each body advances by the elements it covers.

var (
	// B16 is sixteen bytes, the arrangement of the bitwise instructions.
	B16 = Arrangement{Go: "B16", GNU: "16b", Lanes: 16, Bits: 8}
	// H4 is four 16-bit lanes: the bfloat16 of one float32 vector.
	H4 = Arrangement{Go: "H4", GNU: "4h", Lanes: 4, Bits: 16}
	// H8 is eight 16-bit lanes: the bfloat16 of two float32 vectors.
	H8 = Arrangement{Go: "H8", GNU: "8h", Lanes: 8, Bits: 16}
)

// intEncodings are the integer instructions: Advanced SIMD three-same
// and shift-by-immediate groups, each shift count an entry of its own.
func intEncodings() []Encoding {
	es := []Encoding{
		{Mnemonic: "add", Arr: S4, Base: 0x4ea08400},
		{Mnemonic: "sub", Arr: S4, Base: 0x6ea08400},
		{Mnemonic: "mul", Arr: S4, Base: 0x4ea09c00}, // the low 32 bits of each product
		{Mnemonic: "eor", Arr: B16, Base: 0x6e201c00},
		{Mnemonic: "and", Arr: B16, Base: 0x4e201c00},
		{Mnemonic: "orr", Arr: B16, Base: 0x4ea01c00},
		{Mnemonic: "bic", Arr: B16, Base: 0x4e601c00}, // Vn &^ Vm
		{Mnemonic: "bsl", Arr: B16, Base: 0x6e601c00}, // Vd = Vd&Vn | ^Vd&Vm
		// bfloat16 to float32 bits (zero-extend, shift left 16), and back
		// (the high halves, narrowed).
		{Mnemonic: "shll", Arr: S4, Src: H4, Base: 0x2e613800, Unary: true, Operand: "#16"},
		{Mnemonic: "shll2", Arr: S4, Src: H8, Base: 0x6e613800, Unary: true, Operand: "#16"}, // the high four of eight
		{Mnemonic: "shrn", Arr: H4, Src: S4, Base: 0x0f108400, Unary: true, Operand: "#16"},
	}
	for n := uint32(1); n < 32; n++ {
		imm := fmt.Sprintf("#%d", n)
		es = append(es,
			Encoding{Mnemonic: "ushr", Arr: S4, Base: 0x6f000400 | (64-n)<<16, Unary: true, Operand: imm},
			Encoding{Mnemonic: "sshr", Arr: S4, Base: 0x4f000400 | (64-n)<<16, Unary: true, Operand: imm},
			Encoding{Mnemonic: "shl", Arr: S4, Base: 0x4f005400 | (32+n)<<16, Unary: true, Operand: imm})
	}
	return es
}

func init() { Encodings = append(Encodings, intEncodings()...) }

// intMnemonic is the instruction of each integer ir operation.
var intMnemonic = map[ir.Op]string{
	ir.OpIAdd: "add", ir.OpISub: "sub", ir.OpIMul: "mul", ir.OpXor: "eor", ir.OpAnd: "and",
	ir.OpOr: "orr", ir.OpAndNot: "bic", ir.OpShr: "ushr", ir.OpShl: "shl", ir.OpSra: "sshr",
}

// intArr is the arrangement an integer instruction is written with.
func intArr(mnemonic string) Arrangement {
	switch mnemonic {
	case "eor", "and", "orr", "bic":
		return B16
	}
	return S4
}

// constName is the fixed value's name of the uint32 constant c.
func constName(c uint32) string { return fmt.Sprintf("const %#x", c) }

// Fixed values besides the scalars: the index counter and its steps.
const (
	counterName = "index counter"
	step4Name   = "const 4 (index step)"
	step1Name   = "const 1 (index step)"
)

// intFixed lists the fixed values the integer operations of k need, after
// its scalars: the constants, and the counter and its steps if k reads
// the element index.
func intFixed(k *ir.Kernel) []string {
	var names []string
	seen := map[string]bool{}
	index := false
	var walk func(e *ir.Expr)
	walk = func(e *ir.Expr) {
		c, ok := e.Imm, e.Op == ir.OpConst
		if e.Op == ir.OpCanonNaN { // its NaN, which bsl blends in
			c, ok = ir.CanonicalNaN, true
		}
		if ok && !seen[constName(c)] {
			seen[constName(c)] = true
			names = append(names, constName(c))
		}
		index = index || e.Op == ir.OpIndex
		for _, a := range e.Args {
			walk(a)
		}
	}
	for _, st := range k.Body {
		walk(st.Value)
	}
	if index {
		names = append(names, counterName, step4Name, step1Name)
	}
	return names
}

// intPrologue sets the fixed values of intFixed (register f.fixed[name],
// after the scalars'). R9 is scratch.
func (f *fn) intPrologue(k *ir.Kernel) {
	regs := f.fixed
	names := intFixed(k)
	if len(names) == 0 {
		return
	}
	f.line("")
	f.comment("Broadcast the integer constants.")
	for _, n := range names {
		var c uint32
		switch n {
		case counterName:
			r := regs[n]
			f.comment("The index counter: the offset plus each lane's number.")
			f.op("MOVD", "$0x0000000100000000, R9")
			f.op("VMOV", "R9, V%d.D[0]", r)
			f.op("MOVD", "$0x0000000300000002, R9")
			f.op("VMOV", "R9, V%d.D[1]", r)
			off, _ := k.IndexOffset()
			f.line(lookup("add", S4).Directive(r, r, regs[off]))
			continue
		case step4Name:
			c = 4
		case step1Name:
			c = 1
		default:
			fmt.Sscanf(n, "const %v", &c)
		}
		f.op("MOVW", "$%#x, R9", c)
		f.op("VDUP", "R9, V%d.S4", regs[n])
	}
}

// intInstr writes an integer instruction, a bfloat16 load or store, or
// the index, for a vector or (scalar) for lane 0; it reports false for
// any other instruction.
func (f *fn) intInstr(in instr, regs map[value]int, scalar bool) bool {
	bf16 := in.stream != "" && f.bf16[in.stream]
	switch {
	case in.store && bf16 && scalar:
		f.op("VMOV", "V%d.H[1], R9", regs[in.args[0]])
		f.op(post("MOVH", in.post), "R9, %s", addr(2, f.base[in.stream], in.post))
	case in.store && bf16:
		t := regs[in.temps[0]]
		f.line(lookup("shrn", H4, "#16").Directive(t, regs[in.args[0]], 0))
		f.op(post("VST1", in.post), "[V%d.H4], %s", t, addr(8, f.base[in.stream], in.post))
	case in.op == ir.OpLoad && bf16:
		d := regs[in.dst]
		if scalar {
			f.op(post("MOVHU", in.post), "%s, R9", addr(2, f.base[in.stream], in.post))
			f.op("VMOV", "R9, V%d.S[0]", d)
		} else {
			f.op(post("VLD1", in.post), "%s, [V%d.H4]", addr(8, f.base[in.stream], in.post), d)
		}
		f.line(lookup("shll", S4, "#16").Directive(d, d, 0))
	case in.store || in.op == ir.OpLoad:
		return false
	case in.op == ir.OpCanonNaN:
		// fcmeq is all ones where a equals itself, that is, is not NaN;
		// bsl then keeps a there and takes the NaN constant elsewhere.
		d, a := regs[in.dst], regs[in.args[0]]
		f.line(lookup("fcmeq", S4).Directive(d, a, a))
		f.line(lookup("bsl", B16).Directive(d, a, regs[in.args[1]]))
	case in.op == ir.OpIndex:
		c, step := f.fixed[counterName], f.fixed[step4Name]
		if scalar {
			step = f.fixed[step1Name]
		}
		f.line(lookup("orr", B16).Directive(regs[in.dst], c, c))
		f.line(lookup("add", S4).Directive(c, c, step))
	case in.op == ir.OpShr || in.op == ir.OpShl || in.op == ir.OpSra:
		m := intMnemonic[in.op]
		f.line(lookup(m, S4, fmt.Sprintf("#%d", in.imm)).Directive(regs[in.dst], regs[in.args[0]], 0))
	default:
		m, ok := intMnemonic[in.op]
		if !ok {
			return false
		}
		f.line(lookup(m, intArr(m)).Directive(regs[in.dst], regs[in.args[0]], regs[in.args[1]]))
	}
	return true
}

// post is the mnemonic with the post-increment suffix if the access
// advances the pointer.
func post(mnemonic string, advance bool) string {
	if advance {
		return mnemonic + ".P"
	}
	return mnemonic
}

// addr is the memory operand (base), with the post-increment by size if
// the access advances the pointer.
func addr(size int, base string, advance bool) string {
	if advance {
		return fmt.Sprintf("%d(%s)", size, base)
	}
	return "(" + base + ")"
}
