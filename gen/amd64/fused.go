package amd64

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// fusedPlan is one way to lay out a fused kernel: blocks of ir.Partials
// elements per iteration of the main loop, and whether the partial sums
// live in registers or, when the level has too few (AVX2's 16 YMM hold
// LAMB's two sums' 8 registers and little else), in the acc array, each
// block then adding to it in memory.
type fusedPlan struct {
	blocks   int
	accInMem bool
}

// Fused emits the fused kernel k for one level and precision into ctx:
// the first layout (most blocks per iteration, partials in registers)
// and the most scalars in registers that fit.
func Fused(ctx *build.Context, lvl Level, k *ir.Fused, bits int, signature string) {
	most := max(1, lvl.Unroll*lvl.VecBytes*8/bits/ir.Partials)
	for _, plan := range []fusedPlan{{most, false}, {1, false}, {1, true}} {
		for n := len(usedScalars(k.Kernel)); n >= 0; n-- {
			if fits(lvl, func(ctx *build.Context) { emitFused(ctx, lvl, k, bits, signature, n, plan) }) {
				emitFused(ctx, lvl, k, bits, signature, n, plan)
				return
			}
		}
	}
	panic(fmt.Sprintf("amd64: %s does not fit the %s registers", k.FuncName(lvl.Name, bits), lvl.Name))
}

// emitFused writes a loop of plan.blocks blocks of ir.Partials elements
// per iteration, then one of single blocks, and stops before the last
// partial block: the caller runs the pure-Go kernel on it. After the
// body has run for a block's vectors, each sum's variable is widened
// (float32: VCVTPS2PD, exact, half a vector at a time), squared and added
// to the partials: register r, lane l holds partial r·lanes64+l, the
// layout of Reduction, in element order, so that partial j receives
// element j mod ir.Partials of each block in turn, as in the pure-Go
// kernel.
func emitFused(ctx *build.Context, lvl Level, k *ir.Fused, bits int, signature string, inRegs int, plan fusedPlan) {
	f := newFn(ctx, lvl, k.Kernel, bits)
	n := f.prologue(signature, inRegs)
	lanes64 := lvl.VecBytes / 8
	perSum := ir.Partials / lanes64
	var accp reg.GPVirtual
	acc := make([][]operand.Op, len(k.Sums))
	if len(k.Sums) > 0 {
		accp = ctx.Load(ctx.Param("acc"), ctx.GP64()).(reg.GPVirtual)
		ctx.Comment("The partial sums: sum s, register r, lane l holds acc[s][r*lanes+l].")
	}
	for s := range acc {
		for r := range perSum {
			m := operand.Mem{Base: accp, Disp: (s*perSum + r) * lvl.VecBytes}
			if plan.accInMem {
				acc[s] = append(acc[s], m)
				continue
			}
			v := f.vec()
			ctx.VMOVUPD(m, v)
			acc[s] = append(acc[s], v)
		}
	}
	left := ctx.GP64()
	vecsPerBlock := ir.Partials / f.lanes
	loop := func(label, next string, blocks int) {
		ctx.Comment(fmt.Sprintf("%d block(s) of %d elements per iteration.", blocks, ir.Partials))
		ctx.Label(label)
		ctx.MOVQ(n, left)
		ctx.SUBQ(f.idx, left)
		ctx.CMPQ(left, operand.U32(blocks*ir.Partials))
		ctx.JL(operand.LabelRef(next))
		var disps []int
		for d := range blocks * vecsPerBlock {
			disps = append(disps, d*lvl.VecBytes)
		}
		f.body(false, disps...)
		for s, name := range k.Sums {
			ctx.Comment("Sum the squares of " + name + ".")
			for d := range disps {
				f.accumulate(f.bodyVars[d][name], d*f.lanes%ir.Partials, acc[s])
			}
		}
		ctx.ADDQ(operand.U32(blocks*ir.Partials), f.idx)
		ctx.JMP(operand.LabelRef(label))
	}
	if plan.blocks > 1 {
		loop("blocks", "block", plan.blocks)
	}
	loop("block", "done", 1)

	ctx.Label("done")
	for s := range acc {
		for r, a := range acc[s] {
			if v, ok := a.(reg.VecVirtual); ok {
				ctx.VMOVUPD(v, operand.Mem{Base: accp, Disp: (s*perSum + r) * lvl.VecBytes})
			}
		}
	}
	ctx.VZEROUPPER()
	ctx.RET()
}

// accumulate adds the squares of the vector v, elements q ... q+lanes-1
// of a block, to the partials acc (registers, or memory).
func (f *fn) accumulate(v reg.VecVirtual, q int, acc []operand.Op) {
	ctx := f.ctx
	lanes64 := f.lvl.VecBytes / 8
	// add squares x into t and adds t to partials register r.
	add := func(x, t reg.VecVirtual, r int) {
		ctx.VMULPD(x, x, t) // exact for widened float32
		if a, ok := acc[r].(reg.VecVirtual); ok {
			ctx.VADDPD(t, a, a)
			return
		}
		ctx.VADDPD(acc[r], t, t)
		ctx.VMOVUPD(t, acc[r])
	}
	if f.size == 8 {
		add(v, f.vec(), q/lanes64)
		return
	}
	for h := range 2 {
		t := f.vec()
		var src operand.Op
		switch {
		case h == 0 && f.lvl.VecBytes == 64:
			src = v.AsY()
		case h == 0:
			src = v.AsX()
		case f.lvl.VecBytes == 64:
			y := ctx.YMM()
			ctx.VEXTRACTF64X4(operand.U8(1), v, y)
			src = y
		default:
			x := ctx.XMM()
			ctx.VEXTRACTF128(operand.U8(1), v, x)
			src = x
		}
		ctx.VCVTPS2PD(src, t) // exact
		add(t, t, (q+h*lanes64)/lanes64)
	}
}
