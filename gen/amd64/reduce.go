package amd64

import (
	"fmt"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// Reduction emits the reduction r for one level and the element width of
// its streams into ctx. The ir.Partials float64 partial sums live in
// ir.Partials/lanes vector registers (AVX2: 4 YMM of 4 lanes; AVX-512: 2
// ZMM of 8), register u lane l holding partial u·lanes+l, so that each
// block of ir.Partials elements takes one load (for float32 one
// VCVTPS2PD, which is exact; for bfloat16 first its widening to float32,
// see widenBF16), one multiplication and one addition per register: the
// pure-Go kernel's operations, lane by lane. Only whole blocks are
// summed; the caller adds the tail.
func Reduction(ctx *build.Context, lvl Level, r *ir.Reduction, bits int, signature string) {
	name := r.FuncName(lvl.Name, bits)
	ctx.Function(name)
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr(signature)
	ctx.Doc(fmt.Sprintf("%s is the %s form of %s; see there.", name, lvl.Name, r.FuncName("", bits)))
	ctx.Pragma("noescape")

	lanes := lvl.VecBytes / 8 // float64 lanes of a register
	nregs := ir.Partials / lanes
	size := bits / 8
	vec := func() reg.VecVirtual {
		if lvl.VecBytes == 64 {
			return ctx.ZMM()
		}
		return ctx.YMM()
	}
	n := ctx.Load(ctx.Param(r.Streams[0].Name).Len(), ctx.GP64())
	base := map[string]reg.GPVirtual{}
	for _, s := range r.Streams {
		base[s.Name] = ctx.Load(ctx.Param(s.Name).Base(), ctx.GP64()).(reg.GPVirtual)
	}
	accp := ctx.Load(ctx.Param("acc"), ctx.GP64())
	ctx.Comment("The partial sums: register u, lane l holds acc[u*lanes+l].")
	acc := make([]reg.VecVirtual, nregs)
	for u := range acc {
		acc[u] = vec()
		ctx.VMOVUPD(operand.Mem{Base: accp, Disp: u * lvl.VecBytes}, acc[u])
	}
	idx, left := ctx.GP64(), ctx.GP64()
	ctx.XORQ(idx, idx)
	var zero reg.VecVirtual // the zero words widenBF16 interleaves on AVX2
	if bits == ir.BF16Bits && lvl.VecBytes == 32 {
		zero = ctx.XMM()
		ctx.VPXOR(zero, zero, zero)
	}

	ctx.Comment(fmt.Sprintf("One block of %d elements per iteration.", ir.Partials))
	ctx.Label("block")
	ctx.MOVQ(n, left)
	ctx.SUBQ(idx, left)
	ctx.CMPQ(left, operand.U32(ir.Partials))
	ctx.JL(operand.LabelRef("done"))
	for u := range acc {
		done := map[*ir.Expr]reg.VecVirtual{}
		var eval func(e *ir.Expr) reg.VecVirtual
		eval = func(e *ir.Expr) reg.VecVirtual {
			if v, ok := done[e]; ok {
				return v
			}
			v := vec()
			switch e.Op {
			case ir.OpWiden: // of a load (ir.NewReduction checks)
				m := operand.Mem{Base: base[e.Args[0].Name], Index: idx, Scale: uint8(size), Disp: u * lanes * size}
				switch bits {
				case 64:
					ctx.VMOVUPD(m, v)
				case 32:
					ctx.VCVTPS2PD(m, v) // exact
				case ir.BF16Bits:
					ctx.VCVTPS2PD(widenBF16(ctx, lvl, m, u, zero), v) // exact
				}
			case ir.OpMul:
				ctx.VMULPD(eval(e.Args[1]), eval(e.Args[0]), v)
			case ir.OpAdd:
				ctx.VADDPD(eval(e.Args[1]), eval(e.Args[0]), v)
			default:
				panic("amd64: reduction operation " + e.Op.String())
			}
			done[e] = v
			return v
		}
		ctx.VADDPD(eval(r.Term), acc[u], acc[u])
	}
	ctx.ADDQ(operand.U32(ir.Partials), idx)
	ctx.JMP(operand.LabelRef("block"))

	ctx.Label("done")
	for u := range acc {
		ctx.VMOVUPD(acc[u], operand.Mem{Base: accp, Disp: u * lvl.VecBytes})
	}
	ctx.VZEROUPPER()
	ctx.RET()
}

// widenBF16 loads the lanes bfloat16 elements of register u's partials,
// at m, as float32 (exact: each element's bits in a float32's high
// half), into an XMM (AVX2) or YMM (AVX-512). AVX2 interleaves zero
// words below the words of m's 16-byte group (u's four elements are its
// low half for even u, its high half for odd u); AVX-512 zero-extends
// its eight words to 32 bits and shifts them into the high halves.
func widenBF16(ctx *build.Context, lvl Level, m operand.Mem, u int, zero reg.VecVirtual) reg.VecVirtual {
	if lvl.VecBytes == 32 {
		v := ctx.XMM()
		if u%2 == 0 {
			ctx.VPUNPCKLWD(m, zero, v)
		} else {
			m.Disp -= 8
			ctx.VPUNPCKHWD(m, zero, v)
		}
		return v
	}
	v := ctx.YMM()
	ctx.VPMOVZXWD(m, v)
	ctx.VPSLLD(operand.U8(16), v, v)
	return v
}
