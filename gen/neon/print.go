package neon

import (
	"fmt"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// wordMnemonic is the vector instruction of each arithmetic ir node.
var wordMnemonic = map[ir.Op]string{
	ir.OpAdd: "fadd", ir.OpSub: "fsub", ir.OpMul: "fmul", ir.OpDiv: "fdiv", ir.OpSqrt: "fsqrt",
}

// scalarMnemonic is the scalar (one element) instruction of each
// arithmetic ir node, without its S or D suffix.
var scalarMnemonic = map[ir.Op]string{
	ir.OpAdd: "FADD", ir.OpSub: "FSUB", ir.OpMul: "FMUL", ir.OpDiv: "FDIV", ir.OpSqrt: "FSQRT",
}

// vectorInstr writes in as vector instructions on whole registers.
func (f *fn) vectorInstr(in instr, regs map[value]int) {
	v := func(x value) string { return fmt.Sprintf("V%d.%s", regs[x], f.arr.Go) }
	b16 := func(x value) string { return fmt.Sprintf("V%d.B16", regs[x]) }
	vecBytes := f.arr.Lanes * f.arr.Bits / 8
	if f.intInstr(in, regs, false) {
		return
	}
	switch {
	case in.store && in.stream == "":
		f.accumulate(in, regs)
	case in.store && in.post:
		f.op("VST1.P", "[%s], %d(%s)", v(in.args[0]), vecBytes, f.base[in.stream])
	case in.store:
		f.op("VST1", "[%s], (%s)", v(in.args[0]), f.base[in.stream])
	case in.op == ir.OpLoad && in.post:
		f.op("VLD1.P", "%d(%s), [%s]", vecBytes, f.base[in.stream], v(in.dst))
	case in.op == ir.OpLoad:
		f.op("VLD1", "(%s), [%s]", f.base[in.stream], v(in.dst))
	case in.op == ir.OpSqrt:
		f.word("fsqrt", regs[in.dst], regs[in.args[0]], 0)
	case in.op == ir.OpMax:
		// a if a > b or a is NaN, else b. gt = a > b is false where
		// either is NaN; eq = a == a is false exactly where a is NaN.
		// gt implies eq, so eq XOR gt = eq AND NOT gt: the lanes where
		// a is a number not above b, which take b.
		a, b, gt, sel := in.args[0], in.args[1], in.temps[0], in.dst
		f.word("fcmgt", regs[gt], regs[a], regs[b])
		f.word("fcmeq", regs[sel], regs[a], regs[a])
		f.op("VEOR", "%s, %s, %s", b16(gt), b16(sel), b16(sel))
		f.op("VBSL", "%s, %s, %s", b16(a), b16(b), b16(sel)) // sel = sel ? b : a
	case in.op == ir.OpAbs || in.op == ir.OpSign:
		f.bitwise(in, regs)
	default:
		f.word(wordMnemonic[in.op], regs[in.dst], regs[in.args[0]], regs[in.args[1]])
	}
}

// bitwise writes abs and sign, the same instructions for vectors and for
// the scalar tail (whose element is lane 0 of the same registers).
func (f *fn) bitwise(in instr, regs map[value]int) {
	b16 := func(x value) string { return fmt.Sprintf("V%d.B16", regs[x]) }
	a := in.args[0]
	if in.op == ir.OpAbs {
		f.word("fabs", regs[in.dst], regs[a], 0)
		return
	}
	// sign(a): 1 where a > 0, -1 where a < 0, a itself elsewhere (±0,
	// NaN: both compares are false there).
	pos, c, d := in.temps[0], in.temps[1], in.dst
	f.line(lookup("fcmgt", f.arr, "#0.0").Directive(regs[pos], regs[a], 0))
	f.line(lookup("fmov", f.arr, "#1.0").Directive(regs[c], 0, 0))
	f.op("VBSL", "%s, %s, %s", b16(a), b16(c), b16(pos)) // pos = pos ? 1 : a
	f.line(lookup("fcmlt", f.arr, "#0.0").Directive(regs[d], regs[a], 0))
	f.line(lookup("fmov", f.arr, "#-1.0").Directive(regs[c], 0, 0))
	f.op("VBSL", "%s, %s, %s", b16(pos), b16(c), b16(d)) // d = d ? -1 : pos
}

// scalarInstr writes in as scalar instructions on lane 0 of the same
// registers; the broadcast scalars serve as they are.
func (f *fn) scalarInstr(in instr, regs map[value]int) {
	r := func(x value) string { return fmt.Sprintf("F%d", regs[x]) }
	sfx := "S"
	if f.arr.Bits == 64 {
		sfx = "D"
	}
	size := f.arr.Bits / 8
	if f.intInstr(in, regs, true) {
		return
	}
	switch {
	case in.store && in.post:
		f.op("FMOV"+sfx+".P", "%s, %d(%s)", r(in.args[0]), size, f.base[in.stream])
	case in.store:
		f.op("FMOV"+sfx, "%s, (%s)", r(in.args[0]), f.base[in.stream])
	case in.op == ir.OpLoad && in.post:
		f.op("FMOV"+sfx+".P", "%d(%s), %s", size, f.base[in.stream], r(in.dst))
	case in.op == ir.OpLoad:
		f.op("FMOV"+sfx, "(%s), %s", f.base[in.stream], r(in.dst))
	case in.op == ir.OpSqrt:
		f.op(scalarMnemonic[in.op]+sfx, "%s, %s", r(in.args[0]), r(in.dst))
	case in.op == ir.OpMax:
		// a if a > b or a is NaN, else b: GT after comparing a with b
		// is false when either is NaN; VS after comparing a with itself
		// is true exactly when a is NaN.
		a, b, d := in.args[0], in.args[1], in.dst
		f.op("FCMP"+sfx, "%s, %s", r(b), r(a)) // flags of a - b
		f.op("FCSEL"+sfx, "GT, %s, %s, %s", r(a), r(b), r(d))
		f.op("FCMP"+sfx, "%s, %s", r(a), r(a))
		f.op("FCSEL"+sfx, "VS, %s, %s, %s", r(a), r(d), r(d))
	case in.op == ir.OpAbs || in.op == ir.OpSign:
		f.bitwise(in, regs)
	default:
		// Go's operand order: FSUBS Fm, Fn, Fd computes Fd = Fn - Fm.
		f.op(scalarMnemonic[in.op]+sfx, "%s, %s, %s", r(in.args[1]), r(in.args[0]), r(in.dst))
	}
}

// word writes the table's instruction mnemonic for the kernel's
// arrangement as a WORD directive.
func (f *fn) word(mnemonic string, d, n, m int) {
	f.line(lookup(mnemonic, f.arr).Directive(d, n, m))
}
