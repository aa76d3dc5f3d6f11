package amd64

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/fusedopt/fusedopt/gen/ir"
)

type op = func(...operand.Op)

// isa names the instructions of one precision. Operands follow Go's order:
// sources first, destination last; for a binary op (b, a, dst) computes
// dst = a op b, and only b may be a memory operand.
type isa struct {
	add, sub, mul, div, max, sqrt, cmp, movu, bcast op // packed
	and, or                                         op // bitwise, VEX only (EVEX needs AVX512DQ)
	adds, subs, muls, divs, maxs, sqrts, cmps, movs op // one element
	blendv                                          func(mask, a, t, dst operand.Op)
	blendm                                          op
	movuZ                                           func(src, k, dst operand.Op)
}

func isaFor(ctx *build.Context, bits int) isa {
	if bits == 32 {
		return isa{
			add: ctx.VADDPS, sub: ctx.VSUBPS, mul: ctx.VMULPS, div: ctx.VDIVPS, max: ctx.VMAXPS,
			sqrt: ctx.VSQRTPS, cmp: ctx.VCMPPS, movu: ctx.VMOVUPS, bcast: ctx.VBROADCASTSS,
			and: ctx.VANDPS, or: ctx.VORPS,
			adds: ctx.VADDSS, subs: ctx.VSUBSS, muls: ctx.VMULSS, divs: ctx.VDIVSS, maxs: ctx.VMAXSS,
			sqrts: ctx.VSQRTSS, cmps: ctx.VCMPSS, movs: ctx.VMOVSS,
			blendv: ctx.VBLENDVPS, blendm: ctx.VBLENDMPS, movuZ: ctx.VMOVUPS_Z,
		}
	}
	return isa{
		add: ctx.VADDPD, sub: ctx.VSUBPD, mul: ctx.VMULPD, div: ctx.VDIVPD, max: ctx.VMAXPD,
		sqrt: ctx.VSQRTPD, cmp: ctx.VCMPPD, movu: ctx.VMOVUPD, bcast: ctx.VBROADCASTSD,
		and: ctx.VANDPD, or: ctx.VORPD,
		adds: ctx.VADDSD, subs: ctx.VSUBSD, muls: ctx.VMULSD, divs: ctx.VDIVSD, maxs: ctx.VMAXSD,
		sqrts: ctx.VSQRTSD, cmps: ctx.VCMPSD, movs: ctx.VMOVSD,
		blendv: ctx.VBLENDVPD, blendm: ctx.VBLENDMPD, movuZ: ctx.VMOVUPD_Z,
	}
}

// VCMPPS/VCMPSS predicates: cmpUnord is true where either operand is NaN;
// cmpNeqOrdered where neither is NaN and they differ.
const (
	cmpUnord      = 0x03
	cmpNeqOrdered = 0x0c
)

// vec is a new virtual vector register of the level's width.
func (f *fn) vec() reg.VecVirtual {
	if f.lvl.VecBytes == 64 {
		return f.ctx.ZMM()
	}
	return f.ctx.YMM()
}

// mem is element idx of stream s, plus the current vector's offset.
func (f *fn) mem(s string) operand.Mem {
	return operand.Mem{Base: f.base[s], Index: f.idx, Scale: uint8(f.size), Disp: f.disp}
}

// body emits the ir statements for the vectors at the given byte offsets
// from idx (or, scalarForm, for the single element at idx). Statements are
// interleaved across the vectors, so that the long square-root and
// division chains of several vectors sit close together in the
// instruction stream and overlap.
func (f *fn) body(scalarForm bool, disps ...int) {
	f.scalarForm = scalarForm
	f.evenValue = map[string]reg.VecVirtual{}
	vars := make([]map[string]reg.VecVirtual, len(disps))
	for i := range vars {
		vars[i] = map[string]reg.VecVirtual{}
	}
	for _, st := range f.k.Body {
		if st.Doc != "" {
			f.ctx.Comment(st.Doc)
		}
		for lane, disp := range disps {
			f.disp, f.vars = disp, vars[lane]
			if f.pairs {
				f.disp, f.half = disps[lane&^1], lane&1
			}
			v := f.reg(f.eval(st.Value))
			if st.Stream == "" {
				f.vars[st.Var] = v
				continue
			}
			switch {
			case f.pairs:
				f.storePairBF16(v, st.Stream)
			case f.k.StreamOf(st.Stream).Elem == ir.BF16:
				f.storeBF16(v, st.Stream)
			case f.mask != nil:
				f.isa.movu(f.narrow(v), f.mask, f.mem(st.Stream)) // merge-masked store
			case scalarForm:
				f.isa.movs(f.narrow(v), f.mem(st.Stream))
			default:
				f.isa.movu(v, f.mem(st.Stream))
			}
		}
	}
	f.bodyVars = vars
}

// narrow is v as the register the current instructions take: the XMM
// half for scalar instructions.
func (f *fn) narrow(v reg.VecVirtual) operand.Op {
	if f.scalarForm {
		return v.AsX()
	}
	return v
}

// eval emits e and returns its value: a register, or a memory operand for
// loads and stack scalars, which instructions read directly.
func (f *fn) eval(e *ir.Expr) operand.Op {
	if v, ok := f.evalInt(e); ok {
		return v
	}
	switch e.Op {
	case ir.OpLoad:
		switch {
		case f.loaded != nil:
			return f.loaded[e.Name]
		case f.pairs && f.k.StreamOf(e.Name).Elem == ir.BF16:
			return f.loadPairBF16(e.Name)
		case f.pairs:
			return f.loadPairF32(e.Name)
		case f.k.StreamOf(e.Name).Elem == ir.BF16:
			return f.loadBF16(e.Name)
		}
		return f.mem(e.Name)
	case ir.OpScalar:
		return f.scalars[e.Name]
	case ir.OpVar:
		return f.vars[e.Name]
	case ir.OpSqrt:
		a := f.eval(e.Args[0])
		dst := f.vec()
		if f.scalarForm {
			// VSQRTSS copies the upper lanes from its second source; they
			// are never stored, but the register must be one already set.
			ar := f.reg(a)
			f.isa.sqrts(f.narrow(ar), f.narrow(ar), f.narrow(dst))
		} else {
			f.isa.sqrt(a, dst)
		}
		return dst
	case ir.OpMax:
		return f.max(f.reg(f.eval(e.Args[0])), f.eval(e.Args[1]))
	case ir.OpAbs:
		dst := f.vec()
		f.and(f.eval(e.Args[0]), f.consts[constAbsMask], dst)
		return dst
	case ir.OpSign:
		return f.sign(f.reg(f.eval(e.Args[0])))
	}
	a, b := f.eval(e.Args[0]), f.eval(e.Args[1])
	if operand.IsMem(a) {
		if e.Op.Commutative() {
			a, b = b, a
		}
		a = f.reg(a)
	}
	dst := f.vec()
	f.binary(e.Op)(f.operand(b), f.operand(a), f.narrow(dst))
	return dst
}

// max emits ir.Max(a, b): VMAXPS gives a > b ? a : b, which is b when
// either is NaN; a blend then puts a back where a is NaN.
func (f *fn) max(a reg.VecVirtual, b operand.Op) reg.VecVirtual {
	t, dst := f.vec(), f.vec()
	switch {
	case f.scalarForm:
		f.isa.maxs(f.operand(b), a.AsX(), t.AsX())
		nan := f.vec()
		f.isa.cmps(operand.U8(cmpUnord), a.AsX(), a.AsX(), nan.AsX())
		f.isa.blendv(nan.AsX(), a.AsX(), t.AsX(), dst.AsX())
	case f.lvl.Masked:
		f.isa.max(b, a, t)
		nan := f.ctx.K()
		f.isa.cmp(operand.U8(cmpUnord), a, a, nan)
		f.isa.blendm(a, t, nan, dst)
	default:
		f.isa.max(b, a, t)
		nan := f.vec()
		f.isa.cmp(operand.U8(cmpUnord), a, a, nan)
		f.isa.blendv(nan, a, t, dst)
	}
	return dst
}

// sign emits ir.Sign(a): the sign bit of a on 1.0, where a is a nonzero
// number; a itself (±0, NaN) elsewhere.
func (f *fn) sign(a reg.VecVirtual) reg.VecVirtual {
	dst := f.vec()
	zero := f.narrow(f.consts[constZero])
	if f.lvl.Masked && !f.scalarForm {
		// a, and in the nonzero lanes (a & sign bit) | 1.0: one
		// merge-masked ternary logic (truth table 0xea: A&B | C), whose
		// mask goes by elements: Q for float64.
		nonzero := f.ctx.K()
		f.isa.cmp(operand.U8(cmpNeqOrdered), zero, a, nonzero)
		f.ctx.VMOVAPS(a, dst)
		ternlog := f.ctx.VPTERNLOGD
		if f.size == 8 {
			ternlog = f.ctx.VPTERNLOGQ
		}
		ternlog(operand.U8(0xea), f.consts[constOne], f.consts[constSignBit], nonzero, dst)
		return dst
	}
	s := f.vec()
	f.and(a, f.consts[constSignBit], s)
	f.or(f.consts[constOne], s, s)
	switch {
	case f.scalarForm:
		nonzero := f.vec()
		f.isa.cmps(operand.U8(cmpNeqOrdered), zero, a.AsX(), nonzero.AsX())
		f.isa.blendv(nonzero.AsX(), s.AsX(), a.AsX(), dst.AsX())
	default:
		nonzero := f.vec()
		f.isa.cmp(operand.U8(cmpNeqOrdered), zero, a, nonzero)
		f.isa.blendv(nonzero, s, a, dst)
	}
	return dst
}

// and and or are bitwise: VANDPS/VORPS (their EVEX forms need AVX512DQ,
// so ZMM uses AVX512F's VPANDD/VPORD, the same bits).
func (f *fn) and(b operand.Op, a, dst reg.VecVirtual) {
	if f.lvl.Masked && !f.scalarForm {
		f.ctx.VPANDD(b, a, dst)
		return
	}
	f.isa.and(f.operand(b), f.narrow(a), f.narrow(dst))
}

func (f *fn) or(b operand.Op, a, dst reg.VecVirtual) {
	if f.lvl.Masked && !f.scalarForm {
		f.ctx.VPORD(b, a, dst)
		return
	}
	f.isa.or(f.operand(b), f.narrow(a), f.narrow(dst))
}

func (f *fn) binary(o ir.Op) op {
	if f.scalarForm {
		return map[ir.Op]op{ir.OpAdd: f.isa.adds, ir.OpSub: f.isa.subs, ir.OpMul: f.isa.muls, ir.OpDiv: f.isa.divs}[o]
	}
	return map[ir.Op]op{ir.OpAdd: f.isa.add, ir.OpSub: f.isa.sub, ir.OpMul: f.isa.mul, ir.OpDiv: f.isa.div}[o]
}

// operand narrows registers for scalar instructions; memory operands
// (element loads, stack scalars) are used as they are.
func (f *fn) operand(o operand.Op) operand.Op {
	if v, ok := o.(reg.VecVirtual); ok {
		return f.narrow(v)
	}
	return o
}

// reg returns o in a register, loading it if it is a memory operand.
func (f *fn) reg(o operand.Op) reg.VecVirtual {
	if v, ok := o.(reg.VecVirtual); ok {
		return v
	}
	v := f.vec()
	if f.scalarForm {
		f.isa.movs(o, v.AsX())
	} else {
		f.isa.movu(o, v)
	}
	return v
}
