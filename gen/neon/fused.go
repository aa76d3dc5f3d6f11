package neon

import (
	"bytes"
	"fmt"
	"go/format"
	"text/tabwriter"

	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/ir"
)

// FusedKernels returns the assembly and the Go declarations (stubs), in
// package pkg, of every precision of the fused kernels: the contents of
// fused_arm64.s and fused_arm64.go.
func FusedKernels(pkg string, fused []*ir.Fused) (asm, stubs []byte, err error) {
	var a, s bytes.Buffer
	fmt.Fprintf(&a, "%s\n%s\n\n#include \"textflag.h\"\n", golang.Header, buildConstraint)
	fmt.Fprintf(&s, "%s\n%s\n\npackage %s\n\n", golang.Header, buildConstraint, pkg)
	for _, k := range fused {
		for _, bits := range []int{32, 64} {
			text, err := Fused(k, bits)
			if err != nil {
				return nil, nil, err
			}
			a.WriteString("\n")
			a.Write(text)
			name := k.FuncName(Level, bits)
			fmt.Fprintf(&s, "// %s is the %s form of %s; see there.\n//\n//go:noescape\nfunc %s%s\n\n",
				name, Level, k.FuncName("", bits), name, golang.FusedSignature(k, bits))
		}
	}
	stubs, err = format.Source(s.Bytes())
	return a.Bytes(), stubs, err
}

// Fused returns the assembly of one fused kernel for one precision: a
// loop of whole blocks of ir.Partials elements, the body written once per
// vector of the block (four S4 vectors, or eight D2), which stops before
// the last partial block (the caller runs the pure-Go kernel on it).
// Sum s's partials live in the ir.Partials/2 registers from
// accBase+8s, register r lane l holding partial 2r+l, the layout of
// Reduction. After the body of vector q, each sum's variable is widened
// (FCVTL: lanes 0-1, FCVTL2: lanes 2-3; exact), squared and added to the
// partials of its elements: the pure-Go kernel's operations, in element
// order.
func Fused(k *ir.Fused, bits int) ([]byte, error) {
	const perSum = ir.Partials / 2
	name := k.FuncName(Level, bits)
	scalars, fixed := scalarRegisters(k.Kernel)
	l := lowerStatements(k.Kernel, scalars, len(fixed))
	for s, v := range k.Sums {
		l.emit(instr{store: true, sum: s, args: []value{l.vars[v]}, temps: []value{l.newValue()}, early: true, dst: -1})
	}
	markLastAccesses(l.instrs)
	b := l.body
	accBase := len(fixed)
	var free []int
	for r := accBase + perSum*len(k.Sums); r < 32; r++ {
		free = append(free, r)
	}
	regs, err := allocate(b, fixed, free)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}

	var out bytes.Buffer
	f := &fn{
		w:       tabwriter.NewWriter(&out, 0, 8, 1, ' ', tabwriter.TabIndent),
		arr:     arrangementFor(bits),
		base:    map[string]string{},
		accBase: accBase,
	}
	const sliceBytes = 24
	extra := 0
	accAt := len(k.Streams)*sliceBytes + len(k.Scalars)*bits/8
	if len(k.Sums) > 0 {
		extra = (accAt+7)&^7 + 8 - accAt
		accAt = (accAt + 7) &^ 7
	}
	f.prologue(k.Kernel, b, bits, golang.FusedSignature(k, bits), extra)
	accp := fmt.Sprintf("R%d", len(k.Streams)+1) // above the prologue's stream pointers and count
	accIO := func(mnemonic string) {
		if len(k.Sums) == 0 {
			return
		}
		f.line("")
		f.op("MOVD", "acc+%d(FP), %s", accAt, accp)
		for g := range len(k.Sums) * perSum / 4 {
			list := regList(accBase+4*g, 4, "D2")
			if mnemonic == "VLD1.P" {
				f.op(mnemonic, "64(%s), %s", accp, list)
			} else {
				f.op(mnemonic, "%s, 64(%s)", list, accp)
			}
		}
	}
	if len(k.Sums) > 0 {
		f.comment(fmt.Sprintf("The partial sums: sum s, V%d+%d*s+r lane l holds acc[s][2r+l].", accBase, perSum))
	}
	accIO("VLD1.P")
	vecs := ir.Partials / f.arr.Lanes
	f.loop("block", "done", ir.Partials, fmt.Sprintf("One block of %d elements per iteration.", ir.Partials), func() {
		for q := range vecs {
			f.quarter = q
			f.body(b, regs, false)
		}
	})
	f.line("")
	f.label("done")
	accIO("VST1.P")
	f.op("RET", "")
	if err := f.w.Flush(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// accumulate writes a fused kernel's accumulation in: the squares of the
// current vector's elements added to their partials of sum in.sum.
func (f *fn) accumulate(in instr, regs map[value]int) {
	v, t := regs[in.args[0]], regs[in.temps[0]]
	first := f.accBase + in.sum*ir.Partials/2
	add := func(r int) {
		f.line(lookup("fmul", D2).Directive(t, t, t)) // exact for widened float32
		f.line(lookup("fadd", D2).Directive(r, r, t))
	}
	if f.arr.Bits == 64 {
		f.line(lookup("fmul", D2).Directive(t, v, v))
		f.line(lookup("fadd", D2).Directive(first+f.quarter, first+f.quarter, t))
		return
	}
	f.line(lookup("fcvtl", D2).Directive(t, v, 0))
	add(first + 2*f.quarter)
	f.line(lookup("fcvtl2", D2).Directive(t, v, 0))
	add(first + 2*f.quarter + 1)
}
