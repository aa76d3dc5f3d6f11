package amd64

import (
	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// Even/odd pairs. In the unrolled loop of a kernel whose stores are all
// bfloat16, vectors go by pairs over 32 elements (ZMM; 16 on YMM): the
// first vector holds the even elements, the second the odd ones. Then 64
// bytes of a bfloat16 stream, read as 16 32-bit words, widen with one
// operation per vector (even: the word shifted left by 16, a load and a
// shift on YMM; odd: its high half masked), and a pair stores with two
// ((even >> 16) | the odd's high halves), where the element order would
// take a zero-extending move and a shift per load, and a shift and a
// narrowing move (two µops on Zen 4) per store. A float32 stream is split
// with one permutation per vector (two shuffles on YMM; see loadPairF32),
// and the element index comes from the even or odd lane numbers. Every
// element still gets the same operations, so the bits are the same.

// pairable reports whether lvl's unrolled loop of k goes by pairs.
func pairable(lvl Level, k *ir.Kernel) bool {
	if lvl.Unroll%2 != 0 || !k.HasBF16() {
		return false
	}
	for _, s := range k.Streams {
		if k.Writes(s.Name) && s.Elem != ir.BF16 {
			return false
		}
	}
	return true
}

// pairTables holds the even and odd lane-number tables of each file
// being built: 2j and 2j+1 for lane j.
var pairTables = map[*build.Context][2]operand.Mem{}

// pairPrologue broadcasts the high-half mask (a register: the odd
// elements widen with one AND that reads memory), loads the even and odd
// lane numbers, which pick a float32 stream's elements, and adds the
// offset to the even ones: the element index of the first pair, which the
// unrolled loop carries forward.
func (f *fn) pairPrologue() {
	tables, ok := pairTables[f.ctx]
	if !ok {
		for half, name := range []string{"evenLanes", "oddLanes"} {
			tables[half] = f.ctx.StaticGlobal(name)
			f.ctx.DataAttributes(attr.RODATA | attr.NOPTR)
			for j := range 16 {
				f.ctx.AddDatum(4*j, operand.U32(2*j+half))
			}
		}
		pairTables[f.ctx] = tables
	}
	if f.lvl.Masked {
		f.highHalf = f.vec()
		f.ctx.VPBROADCASTD(f.intConst(0xffff0000), f.highHalf)
	} else {
		f.highHalf = f.broadcastBits(0xffff0000)
	}
	offset, indexed := f.k.IndexOffset()
	for half := range 2 {
		if f.lvl.Masked && readsFloat32(f.k) {
			f.pickLanes[half] = f.vec()
			f.ctx.VMOVDQU32(tables[half], f.pickLanes[half])
		}
	}
	if indexed {
		f.pairIndex = f.vec()
		f.ctx.VPADDD(tables[0], f.reg(f.scalars[offset]), f.pairIndex)
	}
}

// indexPair is the element index of the current half: the first pair's,
// plus the pair's start and the half (one operation, where broadcasting
// the loop counter takes three; none for the first pair's even half,
// whose index is the first pair's: nothing writes a register it reads).
func (f *fn) indexPair() reg.VecVirtual {
	c := uint32(f.disp/f.size + f.half)
	if c == 0 {
		return f.pairIndex
	}
	v := f.vec()
	f.addConst(c, f.pairIndex, v)
	return v
}

// nextPairs moves the first pair's index on by one iteration.
func (f *fn) nextPairs() {
	if f.pairIndex != nil {
		f.addConst(uint32(f.lvl.Unroll*f.lanes), f.pairIndex, f.pairIndex)
	}
}

// addConst is dst = a + c in every lane: an embedded broadcast on ZMM, a
// stack copy on YMM (see pairConstants).
func (f *fn) addConst(c uint32, a, dst reg.VecVirtual) {
	if f.lvl.Masked {
		f.ctx.VPADDD_BCST(f.intConst(c), a, dst)
		return
	}
	f.ctx.VPADDD(f.intConst(c), a, dst)
}

// pairConstants is the constants of the pair loop's element indices on
// YMM, which intPrologue broadcasts to the stack: each half's nonzero
// offset from the iteration's first pair, and one iteration's elements.
func pairConstants(lvl Level) []uint32 {
	lanes := lvl.VecBytes / 4
	cs := []uint32{uint32(lvl.Unroll * lanes)}
	for p := 0; p < lvl.Unroll; p += 2 {
		if p > 0 { // the first pair's even half needs no addition (indexPair)
			cs = append(cs, uint32(p*lanes))
		}
		cs = append(cs, uint32(p*lanes+1))
	}
	return cs
}

// pairMem is the 64 bytes of bfloat16 stream s of the current pair.
func (f *fn) pairMem(s string) operand.Mem { return f.bf16Mem(s) }

// loadPairBF16 widens the current half of bfloat16 stream s's pair.
func (f *fn) loadPairBF16(s string) reg.VecVirtual {
	v := f.vec()
	switch {
	case f.half == 1 && f.lvl.Masked:
		f.ctx.VPANDD(f.pairMem(s), f.highHalf, v)
	case f.half == 1:
		f.ctx.VPAND(f.pairMem(s), f.highHalf, v)
	case f.lvl.Masked:
		f.ctx.VPSLLD(operand.U8(16), f.pairMem(s), v)
	default: // VEX shifts take no memory operand
		f.ctx.VMOVDQU(f.pairMem(s), v)
		f.ctx.VPSLLD(operand.U8(16), v, v)
	}
	return v
}

// loadPairF32 is the current half of the pair's elements of float32
// stream s (two vectors' worth). ZMM picks them with one two-table permutation. YMM has none: VSHUFPS
// takes elements 0, 2 (or 1, 3) of each 128-bit lane of the two vectors,
// which leaves the 64-bit pairs of elements in the order 0 2 1 3, and
// VPERMPD puts them in order.
func (f *fn) loadPairF32(s string) reg.VecVirtual {
	v := f.vec()
	f.isa.movu(f.mem(s), v)
	next := f.mem(s)
	next.Disp += f.lvl.VecBytes
	if f.lvl.Masked {
		f.ctx.VPERMT2PS(next, f.pickLanes[f.half], v)
		return v
	}
	f.ctx.VSHUFPS(operand.U8([2]uint8{0x88, 0xdd}[f.half]), next, v, v)
	f.ctx.VPERMPD(operand.U8(0xd8), v, v)
	return v
}

// storePairBF16 keeps the even half's value of bfloat16 stream s, and
// with the odd half's, writes the pair: the even values' high halves
// shifted down, under the odd values' high halves (ZMM: VPTERNLOGD's
// truth table 0xf8 is A | B&C, C the mask 0xffff0000; YMM: VPBLENDW
// takes the odd words, 0xaa, from the odd values).
func (f *fn) storePairBF16(v reg.VecVirtual, s string) {
	if f.half == 0 {
		f.evenValue[s] = v
		return
	}
	t := f.vec()
	f.ctx.VPSRLD(operand.U8(16), f.evenValue[s], t)
	if f.lvl.Masked {
		f.ctx.VPTERNLOGD(operand.U8(0xf8), f.highHalf, v, t)
		f.ctx.VMOVDQU32(t, f.pairMem(s))
		return
	}
	f.ctx.VPBLENDW(operand.U8(0xaa), v, t, t)
	f.ctx.VMOVDQU(t, f.pairMem(s))
}

// prefetchAhead is how many elements ahead of the pair loop prefetchPairs
// fetches: two ZMM iterations, 256 bytes of a bfloat16 stream. Adam's
// bfloat16 step at 16M elements, best of three, three runs each: 64 ahead
// 0.456-0.469 ns per element, 128 0.437-0.449, 192 0.437-0.440, 256
// 0.469-0.480, 512 and 1024 about 0.50.
const prefetchAhead = 128

// prefetchPairs fetches into L1 the cache lines of every stream that the
// pair loop will touch prefetchAhead elements on. Out of cache, the
// bfloat16 kernels spend so many instructions per byte that the hardware
// prefetchers, which follow the loads as they retire, fall behind: with
// these hints Adam's bfloat16 step at 16M elements took 0.44 ns per
// element instead of 0.53. A prefetch past a slice's end is harmless: it
// never faults.
func (f *fn) prefetchPairs() {
	for _, s := range f.k.Streams {
		base, ok := f.base[s.Name]
		if !ok { // a stream this variant never touches (plain SGD's buf)
			continue
		}
		size := 4
		if s.Elem == ir.BF16 {
			size = 2
		}
		for line := 0; line < f.lvl.Unroll*f.lanes*size; line += 64 {
			f.ctx.PREFETCHT0(operand.Mem{Base: base, Index: f.idx, Scale: uint8(size), Disp: prefetchAhead*size + line})
		}
	}
}

// readsFloat32 reports whether k reads a float32 stream.
func readsFloat32(k *ir.Kernel) bool {
	for _, s := range k.Streams {
		if k.Reads(s.Name) && s.Elem != ir.BF16 {
			return true
		}
	}
	return false
}
