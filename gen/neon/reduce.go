package neon

import (
	"bytes"
	"fmt"
	"go/format"
	"strings"
	"text/tabwriter"

	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/ir"
)

// Reductions returns the assembly and the Go declarations (stubs), in
// package pkg, of every precision of the reductions: the contents of
// reduce_arm64.s and reduce_arm64.go.
func Reductions(pkg string, reds []*ir.Reduction) (asm, stubs []byte, err error) {
	var a, s bytes.Buffer
	fmt.Fprintf(&a, "%s\n%s\n\n#include \"textflag.h\"\n", golang.Header, buildConstraint)
	fmt.Fprintf(&s, "%s\n%s\n\npackage %s\n\n", golang.Header, buildConstraint, pkg)
	for _, r := range reds {
		for _, bits := range ir.ReductionBits {
			text, err := Reduction(r, bits)
			if err != nil {
				return nil, nil, err
			}
			a.WriteString("\n")
			a.Write(text)
			name := r.FuncName(Level, bits)
			fmt.Fprintf(&s, "// %s is the %s form of %s; see there.\n//\n//go:noescape\nfunc %s%s\n\n",
				name, Level, r.FuncName("", bits), name, golang.ReductionSignature(r, bits))
		}
	}
	stubs, err = format.Source(s.Bytes())
	return a.Bytes(), stubs, err
}

// Reduction returns the assembly of one reduction for one element width.
// The ir.Partials float64 partial sums live in V0 to V7, two lanes each
// (Vu lane l holds partial 2u+l). Each iteration loads one block of
// ir.Partials elements of every stream with VLD1.P (float32: four S4
// registers, float64: eight D2, bfloat16: two H8, which SHLL and SHLL2
// widen exactly to four S4 of float32), widens float32 lanes exactly with
// FCVTL (lanes 0-1 of a register) and FCVTL2 (lanes 2-3), and adds each
// term to its partials: the pure-Go kernel's operations, lane by lane.
// Only whole blocks are summed; the caller adds the tail.
func Reduction(r *ir.Reduction, bits int) ([]byte, error) {
	const nacc = ir.Partials / 2
	name := r.FuncName(Level, bits)
	perBlock := ir.Partials * bits / 128 // registers one block of a stream fills
	loadBase := map[string]int{}         // a stream's block, as loaded
	f32Base := map[string]int{}          // its block in float32 (float32 and bfloat16 streams)
	next := nacc
	for _, s := range r.Streams {
		loadBase[s.Name], f32Base[s.Name] = next, next
		next += perBlock
		if bits == ir.BF16Bits {
			f32Base[s.Name] = next
			next += ir.Partials / S4.Lanes
		}
	}
	firstTemp := next

	var out bytes.Buffer
	f := &fn{w: tabwriter.NewWriter(&out, 0, 8, 1, ' ', tabwriter.TabIndent), arr: D2}
	const sliceBytes = 24
	accAt := len(r.Streams) * sliceBytes
	fmt.Fprintf(f.w, "// func %s%s\n", name, golang.ReductionSignature(r, bits))
	fmt.Fprintf(f.w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, accAt+8)
	for i, s := range r.Streams {
		f.op("MOVD", "%s_base+%d(FP), R%d", s.Name, i*sliceBytes, i)
	}
	ns := len(r.Streams)
	left, accp, accp2 := fmt.Sprintf("R%d", ns), fmt.Sprintf("R%d", ns+1), fmt.Sprintf("R%d", ns+2)
	f.op("MOVD", "%s_len+8(FP), %s", r.Streams[0].Name, left)
	f.op("MOVD", "acc+%d(FP), %s", accAt, accp)
	f.op("ADD", "$64, %s, %s", accp, accp2)
	f.line("")
	f.comment("The partial sums: Vu lane l holds acc[2u+l].")
	f.op("VLD1", "(%s), %s", accp, regList(0, 4, "D2"))
	f.op("VLD1", "(%s), %s", accp2, regList(4, 4, "D2"))

	f.line("")
	f.comment(fmt.Sprintf("One block of %d elements per iteration.", ir.Partials))
	f.label("block")
	f.op("CMP", "$%d, %s", ir.Partials, left)
	f.op("BLT", "done")
	arr := map[int]string{32: "S4", 64: "D2", ir.BF16Bits: "H8"}[bits]
	for i, s := range r.Streams {
		for k := 0; k < perBlock; k += 4 {
			n := min(4, perBlock-k)
			f.op("VLD1.P", "%d(R%d), %s", 16*n, i, regList(loadBase[s.Name]+k, n, arr))
		}
		if bits == ir.BF16Bits {
			for k := range perBlock {
				f.line(lookup("shll", S4, "#16").Directive(f32Base[s.Name]+2*k, loadBase[s.Name]+k, 0))
				f.line(lookup("shll2", S4, "#16").Directive(f32Base[s.Name]+2*k+1, loadBase[s.Name]+k, 0))
			}
		}
	}
	for u := range nacc {
		temp := firstTemp
		done := map[*ir.Expr]int{}
		var eval func(e *ir.Expr) (int, error)
		eval = func(e *ir.Expr) (int, error) {
			if v, ok := done[e]; ok {
				return v, nil
			}
			var v int
			switch e.Op {
			case ir.OpWiden: // of a load (ir.NewReduction checks)
				ld := e.Args[0]
				if bits == 64 {
					v = loadBase[ld.Name] + u
					break
				}
				v = temp
				temp++
				src := f32Base[ld.Name] + u/2
				if u%2 == 0 {
					f.line(lookup("fcvtl", D2).Directive(v, src, 0))
				} else {
					f.line(lookup("fcvtl2", D2).Directive(v, src, 0))
				}
			case ir.OpMul, ir.OpAdd:
				a, err := eval(e.Args[0])
				if err != nil {
					return 0, err
				}
				b, err := eval(e.Args[1])
				if err != nil {
					return 0, err
				}
				v = temp
				temp++
				f.word(wordMnemonic[e.Op], v, a, b)
			default:
				return 0, fmt.Errorf("%s: operation %s in a reduction", name, e.Op)
			}
			if temp > 32 {
				return 0, fmt.Errorf("%s: out of vector registers", name)
			}
			done[e] = v
			return v, nil
		}
		t, err := eval(r.Term)
		if err != nil {
			return nil, err
		}
		f.word("fadd", u, u, t)
	}
	f.op("SUB", "$%d, %s", ir.Partials, left)
	f.op("B", "block")
	f.line("")
	f.label("done")
	f.op("VST1", "%s, (%s)", regList(0, 4, "D2"), accp)
	f.op("VST1", "%s, (%s)", regList(4, 4, "D2"), accp2)
	f.op("RET", "")
	if err := f.w.Flush(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// regList is the register list [Vfirst.arr, ...] of n registers.
func regList(first, n int, arr string) string {
	var rs []string
	for i := range n {
		rs = append(rs, fmt.Sprintf("V%d.%s", first+i, arr))
	}
	return "[" + strings.Join(rs, ", ") + "]"
}
