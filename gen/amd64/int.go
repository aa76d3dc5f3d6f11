package amd64

import (
	"fmt"
	"slices"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// Integer lanes and bfloat16 streams. An integer value lives in the same
// vector registers as a float32 one (Bits and FromBits emit nothing); the
// operations are the VEX forms on YMM (and on XMM in AVX2's scalar tail,
// whose upper lanes are never stored) and the AVX-512F forms on ZMM.

// intOps names the instructions of each integer operation: VEX, EVEX.
var intOps = map[ir.Op][2]string{
	ir.OpIAdd: {"VPADDD", "VPADDD"}, ir.OpISub: {"VPSUBD", "VPSUBD"}, ir.OpIMul: {"VPMULLD", "VPMULLD"},
	ir.OpXor: {"VPXOR", "VPXORD"}, ir.OpAnd: {"VPAND", "VPANDD"}, ir.OpOr: {"VPOR", "VPORD"},
	ir.OpShr: {"VPSRLD", "VPSRLD"}, ir.OpShl: {"VPSLLD", "VPSLLD"}, ir.OpSra: {"VPSRAD", "VPSRAD"},
}

func (f *fn) intInstr(name string) func(a, b, c operand.Op) {
	c := f.ctx
	variadic := map[string]op{
		"VPADDD": c.VPADDD, "VPSUBD": c.VPSUBD, "VPMULLD": c.VPMULLD, "VPXORD": c.VPXORD,
		"VPANDD": c.VPANDD, "VPORD": c.VPORD, "VPSRLD": c.VPSRLD, "VPSLLD": c.VPSLLD, "VPSRAD": c.VPSRAD,
	}
	if o, ok := variadic[name]; ok {
		return func(a, b, d operand.Op) { o(a, b, d) }
	}
	return map[string]func(a, b, c operand.Op){"VPXOR": c.VPXOR, "VPAND": c.VPAND, "VPOR": c.VPOR}[name]
}

// evex reports whether the current instructions are ZMM ones.
func (f *fn) evex() bool { return f.lvl.Masked && !f.scalarForm }

// evalInt emits an integer operation, or reports that e is not one.
func (f *fn) evalInt(e *ir.Expr) (operand.Op, bool) {
	switch e.Op {
	case ir.OpBits, ir.OpFromBits:
		return f.eval(e.Args[0]), true
	case ir.OpConst:
		return f.intConst(e.Imm), true
	case ir.OpIndex:
		return f.index(), true
	case ir.OpCanonNaN:
		return f.canonNaN(e.Args[0]), true
	case ir.OpAndNot:
		// VPANDN b, a, dst is dst = ^a & b: a &^ b is VPANDN a, b, dst.
		a, b := f.eval(e.Args[0]), f.reg(f.eval(e.Args[1]))
		dst := f.vec()
		if f.evex() {
			f.ctx.VPANDND(a, b, dst)
		} else {
			f.ctx.VPANDN(f.operand(a), f.narrow(b), f.narrow(dst))
		}
		return dst, true
	case ir.OpShr, ir.OpShl, ir.OpSra:
		a := f.reg(f.eval(e.Args[0]))
		dst := f.vec()
		f.intInstr(f.intName(e.Op))(operand.U8(e.Imm), f.narrow(a), f.narrow(dst))
		return dst, true
	}
	if _, ok := intOps[e.Op]; !ok {
		return nil, false
	}
	if f.evex() && (e.Args[0].Op == ir.OpConst || e.Args[1].Op == ir.OpConst) {
		return f.intBcst(e), true
	}
	a, b := f.eval(e.Args[0]), f.eval(e.Args[1])
	if operand.IsMem(a) {
		if e.Op != ir.OpISub {
			a, b = b, a
		}
		a = f.reg(a)
	}
	dst := f.vec()
	f.intInstr(f.intName(e.Op))(f.operand(b), f.operand(a), f.narrow(dst))
	return dst, true
}

// canonNaN is a, with ir.CanonicalNaN in its NaN lanes. On ZMM,
// VFIXUPIMMPS does it in one instruction, in place on a fresh copy of a:
// its table gives each input class a token, here 3 (the default NaN,
// 0xffc00000) for quiet and signaling NaNs and 0 (the destination, a,
// unchanged) for the other six. Elsewhere a compare and a blend.
func (f *fn) canonNaN(arg *ir.Expr) reg.VecVirtual {
	a := f.eval(arg)
	if f.evex() {
		v, ok := a.(reg.VecVirtual)
		if ok && !(f.pairs && arg.Op == ir.OpLoad) { // a register that may be read again: copy it
			v = f.vec()
			f.ctx.VMOVDQA32(a, v)
		} else if !ok {
			v = f.reg(a)
		}
		f.ctx.VFIXUPIMMPS_BCST(operand.U8(0), f.intConst(0x33), v, v)
		return v
	}
	x := f.reg(a)
	nan, dst := f.vec(), f.vec()
	if f.scalarForm {
		f.ctx.VCMPSS(operand.U8(cmpUnord), x.AsX(), x.AsX(), nan.AsX())
	} else {
		f.ctx.VCMPPS(operand.U8(cmpUnord), x, x, nan)
	}
	f.isa.blendv(f.narrow(nan), f.operand(f.intConst(ir.CanonicalNaN)), f.narrow(x), f.narrow(dst))
	return dst
}

func (f *fn) intName(o ir.Op) string {
	if f.evex() {
		return intOps[o][1]
	}
	return intOps[o][0]
}

// intConst is the uint32 c in every lane: on ZMM a 4-byte read-only
// datum, which the instructions broadcast as they read it (EVEX embedded
// broadcast), so that constants take no registers; else a register or a
// stack copy from the prologue.
func (f *fn) intConst(c uint32) operand.Op {
	if !f.lvl.Masked {
		return f.intConsts[fmt.Sprintf("uint32 %#x", c)]
	}
	consts, ok := constData[f.ctx]
	if !ok {
		consts = map[uint32]operand.Mem{}
		constData[f.ctx] = consts
	}
	m, ok := consts[c]
	if !ok {
		m = f.ctx.StaticGlobal(fmt.Sprintf("uint32_%08x", c))
		f.ctx.DataAttributes(attr.RODATA | attr.NOPTR)
		f.ctx.AddDatum(0, operand.U32(c))
		consts[c] = m
	}
	return m
}

// constData holds the constants of each file being built, by value.
var constData = map[*build.Context]map[uint32]operand.Mem{}

// bcstOps are the embedded-broadcast forms of the EVEX integer operations.
func (f *fn) bcstOps() map[ir.Op]op {
	c := f.ctx
	return map[ir.Op]op{ir.OpIAdd: c.VPADDD_BCST, ir.OpISub: c.VPSUBD_BCST, ir.OpIMul: c.VPMULLD_BCST,
		ir.OpXor: c.VPXORD_BCST, ir.OpAnd: c.VPANDD_BCST, ir.OpOr: c.VPORD_BCST}
}

// intBcst emits a binary integer operation with a constant operand on
// ZMM, reading the constant with an embedded broadcast.
func (f *fn) intBcst(e *ir.Expr) reg.VecVirtual {
	x, c := e.Args[0], e.Args[1]
	if x.Op == ir.OpConst {
		if e.Op == ir.OpISub {
			panic("amd64: constant minus a vector")
		}
		x, c = c, x
	}
	dst := f.vec()
	f.bcstOps()[e.Op](f.intConst(c.Imm), f.reg(f.eval(x)), dst)
	return dst
}

// intConstants lists the integer constants k's body needs, in order of
// first use.
func intConstants(k *ir.Kernel) []uint32 {
	var cs []uint32
	seen := map[uint32]bool{}
	var walk func(e *ir.Expr)
	walk = func(e *ir.Expr) {
		c, ok := e.Imm, e.Op == ir.OpConst
		if e.Op == ir.OpCanonNaN { // see canonNaN
			c, ok = ir.CanonicalNaN, true
		}
		if ok && !seen[c] {
			seen[c] = true
			cs = append(cs, c)
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	for _, st := range k.Body {
		walk(st.Value)
	}
	return cs
}

// iotas holds the lane-number table of each file being built: 0, 1, ...
// 15 as uint32, read once per kernel.
var iotas = map[*build.Context]operand.Mem{}

// intPrologue broadcasts the integer constants, and for a kernel that
// reads the element index, the offset plus each lane's number (f.lanesAt).
// On AVX2, short of registers, both go to the stack, which the integer
// instructions read directly.
func (f *fn) intPrologue() {
	keep := func(v reg.VecVirtual) operand.Op {
		if f.lvl.Masked {
			return v
		}
		local := f.ctx.AllocLocal(f.lvl.VecBytes)
		f.isa.movu(v, local)
		return local
	}
	if !f.lvl.Masked { // ZMM reads its constants from memory; see intConst
		cs := intConstants(f.k)
		if _, indexed := f.k.IndexOffset(); indexed && pairable(f.lvl, f.k) {
			for _, c := range pairConstants(f.lvl) {
				if !slices.Contains(cs, c) {
					cs = append(cs, c)
				}
			}
		}
		for _, c := range cs {
			f.ctx.Comment(fmt.Sprintf("Constant: %#x", c))
			f.intConsts[fmt.Sprintf("uint32 %#x", c)] = keep(f.broadcastBits(uint64(c)))
		}
	}
	offset, ok := f.k.IndexOffset()
	if !ok {
		return
	}
	iota, ok := iotas[f.ctx]
	if !ok {
		iota = f.ctx.StaticGlobal("laneNumbers")
		f.ctx.DataAttributes(attr.RODATA | attr.NOPTR)
		for i := range 16 {
			f.ctx.AddDatum(4*i, operand.U32(i))
		}
		iotas[f.ctx] = iota
	}
	f.ctx.Comment("The offset plus each lane's number: the index of the vector at element 0.")
	v := f.vec()
	f.ctx.VPADDD(iota, f.reg(f.scalars[offset]), v)
	f.lanesAt = keep(v)
}

// index is the global index of each element of the current vector (or,
// in the scalar form, of the element at idx in lane 0): the element index
// broadcast, plus f.lanesAt.
func (f *fn) index() reg.VecVirtual {
	if f.pairs {
		return f.indexPair()
	}
	gp := f.ctx.GP64()
	f.ctx.LEAQ(operand.Mem{Base: f.idx, Disp: f.disp / f.size}, gp)
	v := f.vec()
	switch {
	case f.evex():
		f.ctx.VPBROADCASTD(gp.As32(), v)
	case f.scalarForm:
		f.ctx.VMOVD(gp.As32(), v.AsX())
	default:
		f.ctx.VMOVD(gp.As32(), v.AsX())
		f.ctx.VPBROADCASTD(v.AsX(), v)
	}
	f.ctx.VPADDD(f.operand(f.lanesAt), f.narrow(v), f.narrow(v))
	return v
}

// bf16Mem is element idx of bfloat16 stream s plus the current vector's
// offset: half the byte offsets of a float32 stream.
func (f *fn) bf16Mem(s string) operand.Mem {
	return operand.Mem{Base: f.base[s], Index: f.idx, Scale: 2, Disp: f.disp / 2}
}

// loadBF16 widens the current vector (or element) of bfloat16 stream s to
// float32: zero-extended to 32 bits and shifted into the high half.
func (f *fn) loadBF16(s string) reg.VecVirtual {
	v := f.vec()
	switch {
	case f.scalarForm:
		gp := f.ctx.GP32()
		f.ctx.MOVWLZX(f.bf16Mem(s), gp)
		f.ctx.VMOVD(gp, v.AsX())
	case f.mask != nil:
		f.ctx.VPMOVZXWD_Z(f.bf16Mem(s), f.mask, v)
	default:
		f.ctx.VPMOVZXWD(f.bf16Mem(s), v)
	}
	f.intInstr(f.intName(ir.OpShl))(operand.U8(16), f.narrow(v), f.narrow(v))
	return v
}

// storeBF16 writes the high halves of v's lanes to bfloat16 stream s.
func (f *fn) storeBF16(v reg.VecVirtual, s string) {
	if f.scalarForm {
		f.ctx.VPEXTRW(operand.U8(1), v.AsX(), f.bf16Mem(s))
		return
	}
	t := f.vec()
	f.intInstr(f.intName(ir.OpShr))(operand.U8(16), v, t)
	switch {
	case f.mask != nil:
		f.ctx.VPMOVDW(t, f.mask, f.bf16Mem(s))
	case f.lvl.Masked:
		// Through a register: VPMOVDW's memory form is slow on Zen 4.
		y := f.ctx.YMM()
		f.ctx.VPMOVDW(t, y)
		f.ctx.VMOVDQU32(y, f.bf16Mem(s))
	default:
		// The words of each 128-bit half are packed separately.
		hi := f.ctx.XMM()
		f.ctx.VEXTRACTI128(operand.U8(1), t, hi)
		f.ctx.VPACKUSDW(hi, t.AsX(), hi)
		f.ctx.VMOVDQU(hi, f.bf16Mem(s))
	}
}
