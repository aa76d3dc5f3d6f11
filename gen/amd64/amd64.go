// Package amd64 translates ir kernels into AVX2 and AVX-512 assembly with
// avo. Each expression node becomes one instruction, in the order of the
// ir statements, so the assembly computes exactly what the pure-Go kernel
// computes. No FMA is ever emitted: the pure-Go kernel has none either.
package amd64

import (
	"fmt"
	"math"
	"regexp"
	"sort"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	avoir "github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
	"github.com/mmcloughlin/avo/reg"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// Level is an amd64 instruction-set level.
type Level struct {
	Name     string // in function names: "AVX2", "AVX512"
	VecBytes int    // 32 (YMM) or 64 (ZMM)
	Unroll   int    // vectors per iteration of the main loop
	Masked   bool   // AVX-512: the tail is one K-masked vector iteration
}

var (
	// AVX2 works on YMM registers; its tail runs the scalar forms of the
	// same instructions one element at a time.
	AVX2 = Level{Name: "AVX2", VecBytes: 32, Unroll: 4}
	// AVX512 works on ZMM registers; its tail is one iteration with
	// zero-masked loads and merge-masked stores (zero-masked stores fault).
	AVX512 = Level{Name: "AVX512", VecBytes: 64, Unroll: 4, Masked: true}
)

// Kernel emits the kernel k for one level and precision into ctx.
// A kernel whose body does not fit the registers at the level's unroll
// factor (the integer work of the bfloat16 kernels on AVX2's 16
// registers) gets the largest factor, halving, at which it does.
func Kernel(ctx *build.Context, lvl Level, k *ir.Kernel, bits int, signature string) {
	for ; lvl.Unroll >= 1; lvl.Unroll /= 2 {
		if inRegs, ok := scalarsInRegisters(lvl, k, bits, signature); ok {
			emit(ctx, lvl, k, bits, signature, inRegs)
			return
		}
	}
	panic(fmt.Sprintf("amd64: %s does not fit the %s registers even one vector at a time with every scalar on the stack",
		k.FuncName(lvl.Name, bits), lvl.Name))
}

// scalarsInRegisters finds how many of the kernel's scalars can stay in
// vector registers (the busiest first) with registers left for the body;
// the rest are read from broadcast copies on the stack. It asks avo's
// register allocator itself, on a throwaway context, and reports false
// if the body does not fit even with every scalar on the stack.
func scalarsInRegisters(lvl Level, k *ir.Kernel, bits int, signature string) (int, bool) {
	for n := len(usedScalars(k)); n >= 0; n-- {
		if fits(lvl, func(ctx *build.Context) { emit(ctx, lvl, k, bits, signature, n) }) {
			return n, true
		}
	}
	return 0, false
}

// fits reports whether the function try emits assembles within the
// level's registers, on a throwaway context; an instruction avo rejects
// panics.
func fits(lvl Level, try func(ctx *build.Context)) bool {
	ctx := build.NewContext()
	try(ctx)
	f, err := ctx.Result()
	if err != nil {
		// An instruction avo rejects is a bug in the emitter, not a body
		// too big for the registers: fail loudly rather than unroll less.
		panic(fmt.Sprintf("amd64: %v", err))
	}
	return pass.Compile.Execute(f) == nil && (lvl.Masked || !usesEVEXRegisters(f))
}

// usesEVEXRegisters reports whether avo allocated any of X/Y16-31, which
// only AVX-512 can encode: an AVX2 kernel must stay within 16 registers.
func usesEVEXRegisters(f *avoir.File) bool {
	b, err := printer.NewGoAsm(printer.Config{Name: "trial"}).Print(f)
	return err != nil || highVec.Match(b)
}

var highVec = regexp.MustCompile(`\b[XYZ](1[6-9]|2[0-9]|3[01])\b`)

// usedScalars lists the scalars the body reads, busiest first (ties in
// array order), with their index in the scalar array.
func usedScalars(k *ir.Kernel) []int {
	uses := k.ScalarUses()
	var idx []int
	for i, s := range k.Scalars {
		if uses[s.Name] > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return uses[k.Scalars[idx[a]].Name] > uses[k.Scalars[idx[b]].Name]
	})
	return idx
}

// fn is the state of one function being emitted.
type fn struct {
	ctx   *build.Context
	lvl   Level
	k     *ir.Kernel
	isa   isa
	size  int // element size in bytes
	lanes int // elements per vector

	base    map[string]reg.GPVirtual  // stream base pointers
	consts  map[string]reg.VecVirtual // bit-pattern constants the body needs
	idx     reg.GPVirtual             // element index
	scalars map[string]operand.Op     // register or stack copy

	// per body instance
	scalarForm bool                  // scalar (one element) instructions
	disp       int                   // byte offset of this vector from idx
	loaded     map[string]operand.Op // masked tail: streams preloaded in registers
	mask       reg.OpmaskVirtual     // masked tail: the lanes in range
	vars       map[string]reg.VecVirtual
	bodyVars   []map[string]reg.VecVirtual // the variables of each vector after body

	// integer constants and the lane numbers plus the offset (register
	// or stack copy), for kernels with integer operations; see intPrologue
	intConsts map[string]operand.Op
	lanesAt   operand.Op

	// even/odd pairs (see pairs.go): whether the current body goes by
	// pairs, which half the current vector is, the lane numbers that
	// pick it from a float32 stream, the element index of the
	// iteration's first pair, and the even halves' values of the streams
	// stored so far
	pairs     bool
	half      int
	pickLanes [2]reg.VecVirtual
	pairIndex reg.VecVirtual
	highHalf  reg.VecVirtual // 0xffff0000 in every lane
	evenValue map[string]reg.VecVirtual
}

func emit(ctx *build.Context, lvl Level, k *ir.Kernel, bits int, signature string, inRegs int) {
	f := newFn(ctx, lvl, k, bits)
	n := f.prologue(signature, inRegs)
	left := ctx.GP64()

	ctx.Comment(fmt.Sprintf("Main loop: %d vectors of %d elements per iteration.", lvl.Unroll, f.lanes))
	ctx.Label("unrolled")
	ctx.MOVQ(n, left)
	ctx.SUBQ(f.idx, left)
	ctx.CMPQ(left, operand.U32(lvl.Unroll*f.lanes))
	ctx.JL(operand.LabelRef("single"))
	var disps []int
	for u := 0; u < lvl.Unroll; u++ {
		disps = append(disps, u*lvl.VecBytes)
	}
	f.pairs = pairable(lvl, k)
	if f.pairs {
		f.prefetchPairs()
	}
	f.body(false, disps...)
	if f.pairs {
		f.nextPairs()
	}
	f.pairs = false
	ctx.ADDQ(operand.U32(lvl.Unroll*f.lanes), f.idx)
	ctx.JMP(operand.LabelRef("unrolled"))

	ctx.Comment("One vector at a time.")
	ctx.Label("single")
	ctx.MOVQ(n, left)
	ctx.SUBQ(f.idx, left)
	ctx.CMPQ(left, operand.U32(f.lanes))
	ctx.JL(operand.LabelRef("tail"))
	f.body(false, 0)
	ctx.ADDQ(operand.U32(f.lanes), f.idx)
	ctx.JMP(operand.LabelRef("single"))

	ctx.Label("tail")
	if lvl.Masked {
		ctx.Comment("The last 0 to lanes-1 elements: one masked vector.")
		ctx.TESTQ(left, left)
		ctx.JZ(operand.LabelRef("done"))
		bitsReg := ctx.GP64()
		ctx.MOVQ(operand.I32(-1), bitsReg)
		ctx.BZHIQ(left, bitsReg, bitsReg)
		f.mask = ctx.K()
		ctx.KMOVW(bitsReg.As32(), f.mask)
		f.loaded = map[string]operand.Op{}
		for _, s := range k.Streams {
			switch {
			case k.Reads(s.Name) && s.Elem == ir.BF16:
				f.loaded[s.Name] = f.loadBF16(s.Name)
			case k.Reads(s.Name):
				v := f.vec()
				f.isa.movuZ(f.mem(s.Name), f.mask, v)
				f.loaded[s.Name] = v
			}
		}
		f.body(false, 0)
	} else {
		ctx.Comment("The last 0 to lanes-1 elements, one at a time.")
		ctx.CMPQ(f.idx, n)
		ctx.JGE(operand.LabelRef("done"))
		f.body(true, 0)
		ctx.INCQ(f.idx)
		ctx.JMP(operand.LabelRef("tail"))
	}
	ctx.Label("done")
	ctx.VZEROUPPER()
	ctx.RET()
}

// newFn starts the emission of kernel k for one level and precision.
func newFn(ctx *build.Context, lvl Level, k *ir.Kernel, bits int) *fn {
	return &fn{ctx: ctx, lvl: lvl, k: k, isa: isaFor(ctx, bits), size: bits / 8, lanes: lvl.VecBytes * 8 / bits}
}

// prologue declares the function, loads the stream pointers, broadcasts
// the scalars (the inRegs busiest into registers) and the constants, and
// zeroes the element index; it returns the register holding the length.
func (f *fn) prologue(signature string, inRegs int) reg.Register {
	ctx, lvl, k, bits := f.ctx, f.lvl, f.k, f.size*8
	name := k.FuncName(lvl.Name, bits)
	ctx.Function(name)
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr(signature)
	ctx.Doc(fmt.Sprintf("%s is the %s form of %s; see there.", name, lvl.Name, k.FuncName("", bits)))
	ctx.Pragma("noescape")

	// Arguments.
	n := ctx.Load(ctx.Param(k.Streams[0].Name).Len(), ctx.GP64())
	f.base = map[string]reg.GPVirtual{}
	for _, s := range k.Streams {
		if k.Reads(s.Name) || k.Writes(s.Name) {
			f.base[s.Name] = ctx.Load(ctx.Param(s.Name).Base(), ctx.GP64()).(reg.GPVirtual)
		}
	}
	ctx.Comment("Broadcast the per-step scalars: the busiest into registers, the rest to the stack.")
	f.scalars = map[string]operand.Op{}
	for j, i := range usedScalars(k) {
		src := ctx.Param("s").Index(i)
		v := f.vec()
		f.isa.bcast(srcMem(src), v)
		if j < inRegs {
			f.scalars[k.Scalars[i].Name] = v
		} else {
			local := ctx.AllocLocal(lvl.VecBytes)
			f.isa.movu(v, local)
			f.scalars[k.Scalars[i].Name] = local
		}
	}
	f.consts = map[string]reg.VecVirtual{}
	for _, c := range constantsOf(k) {
		ctx.Comment("Constant: " + c)
		f.consts[c] = f.broadcastBits(constBits(c, bits))
	}
	f.intConsts = map[string]operand.Op{}
	f.intPrologue()
	if pairable(lvl, k) {
		f.pairPrologue()
	}
	f.idx = ctx.GP64()
	ctx.XORQ(f.idx, f.idx)
	return n
}

// srcMem is the memory operand of an argument component.
func srcMem(c gotypes.Component) operand.Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// Bit-pattern constants, broadcast once in the prologue when the body
// needs them.
const (
	constAbsMask = "abs mask"
	constSignBit = "sign bit"
	constOne     = "one"
	constZero    = "zero"
)

// constantsOf lists the constants k's body needs, in a fixed order.
func constantsOf(k *ir.Kernel) []string {
	need := map[string]bool{}
	var walk func(e *ir.Expr)
	walk = func(e *ir.Expr) {
		switch e.Op {
		case ir.OpAbs:
			need[constAbsMask] = true
		case ir.OpSign:
			need[constSignBit], need[constOne], need[constZero] = true, true, true
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	for _, st := range k.Body {
		walk(st.Value)
	}
	var cs []string
	for _, c := range []string{constAbsMask, constSignBit, constOne, constZero} {
		if need[c] {
			cs = append(cs, c)
		}
	}
	return cs
}

// constBits is constant c as an element of the given precision.
func constBits(c string, bits int) uint64 {
	sign := uint64(1) << (bits - 1)
	switch c {
	case constAbsMask:
		return sign - 1
	case constSignBit:
		return sign
	case constOne:
		if bits == 32 {
			return uint64(math.Float32bits(1))
		}
		return math.Float64bits(1)
	}
	return 0
}

// broadcastBits puts the element bit pattern x in every lane of a new
// vector register, through a general-purpose register.
func (f *fn) broadcastBits(x uint64) reg.VecVirtual {
	gp, v := f.ctx.GP64(), f.vec()
	f.ctx.MOVQ(operand.U64(x), gp)
	if f.size == 4 {
		f.ctx.VMOVD(gp.As32(), v.AsX())
	} else {
		f.ctx.VMOVQ(gp, v.AsX())
	}
	f.isa.bcast(v.AsX(), v)
	return v
}
