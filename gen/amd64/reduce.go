package amd64

import (
	"fmt"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// Reduction emits the reduction r for one level and the precision of its
// streams into ctx. The ir.Partials float64 partial sums live in
// ir.Partials/lanes vector registers (AVX2: 4 YMM of 4 lanes; AVX-512: 2
// ZMM of 8), register u lane l holding partial u·lanes+l, so that each
// block of ir.Partials elements takes one load (and for float32 one
// VCVTPS2PD, which is exact), one multiplication and one addition per
// register: the pure-Go kernel's operations, lane by lane. Only whole
// blocks are summed; the caller adds the tail.
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
			case ir.OpLoad, ir.OpWiden:
				ld := e
				if e.Op == ir.OpWiden {
					ld = e.Args[0]
				} else if bits == 32 {
					panic("amd64: reduction " + r.Name + " reads float32 " + e.Name + " without widening it")
				}
				m := operand.Mem{Base: base[ld.Name], Index: idx, Scale: uint8(size), Disp: u * lanes * size}
				if bits == 32 {
					ctx.VCVTPS2PD(m, v) // exact
				} else {
					ctx.VMOVUPD(m, v)
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
