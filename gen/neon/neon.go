// Package neon translates ir kernels into arm64 Advanced SIMD (NEON)
// assembly for Go's assembler. avo only targets amd64, so this is a small
// emitter of its own; it mirrors package amd64: each expression node
// becomes one instruction (max: a fixed sequence), in the order of the ir
// statements, so the assembly computes exactly what the pure-Go kernel
// computes. It never fuses a multiply into an add (FMLA): the pure-Go
// kernel rounds every product.
//
// Go's arm64 assembler has no vector floating-point arithmetic, so those
// instructions are WORD directives built from the one table Encodings,
// each followed by the instruction in GNU syntax.
package neon

import (
	"bytes"
	"fmt"
	"go/format"
	"text/tabwriter"

	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/ir"
)

// Level is the name of the level in function names and tables.
const Level = "NEON"

// Unroll is the number of vectors the main loop handles per iteration.
const Unroll = 4

// buildConstraint selects the generated files.
const buildConstraint = "//go:build arm64 && !purego"

// Family returns the assembly and the Go declarations (stubs), in package
// pkg, of every precision and variant of one family: the contents of
// <name>_arm64.s and <name>_arm64.go.
func Family(pkg string, f golang.Family) (asm, stubs []byte, err error) {
	var a, s bytes.Buffer
	fmt.Fprintf(&a, "%s\n%s\n\n#include \"textflag.h\"\n", golang.Header, buildConstraint)
	fmt.Fprintf(&s, "%s\n%s\n\npackage %s\n\n", golang.Header, buildConstraint, pkg)
	for _, bits := range f.Precisions() {
		for _, k := range f.Kernels() {
			text, err := Kernel(k, bits)
			if err != nil {
				return nil, nil, err
			}
			a.WriteString("\n")
			a.Write(text)
			name := k.FuncName(Level, bits)
			fmt.Fprintf(&s, "// %s is the %s form of %s; see there.\n//\n//go:noescape\nfunc %s%s\n\n",
				name, Level, k.FuncName("", bits), name, golang.Signature(k, bits))
		}
	}
	stubs, err = format.Source(s.Bytes())
	return a.Bytes(), stubs, err
}

// Tables returns tables_arm64.go of package pkg: the kernel table of the
// NEON level.
func Tables(pkg string, fams []golang.Family) ([]byte, error) {
	var w bytes.Buffer
	fmt.Fprintf(&w, "%s\n%s\n\npackage %s\n\n", golang.Header, buildConstraint, pkg)
	fmt.Fprintf(&w, "// neonKernels are the %s kernels.\n", Level)
	w.WriteString(golang.SetLiteral("neonKernels", Level, fams))
	return format.Source(w.Bytes())
}

// fn is the state of one function being written.
type fn struct {
	w    *tabwriter.Writer
	arr  Arrangement
	base map[string]string // stream name: register holding its pointer
	left string            // register counting the elements not yet updated

	// fused kernels: the first register of the partial sums, and the
	// vector of the current block the body is written for
	accBase, quarter int

	bf16  map[string]bool // the bfloat16 streams
	fixed map[string]int  // registers of the integer constants and the index counter (see intFixed)
}

// Kernel returns the assembly of one kernel for one precision (32 or 64):
// an unrolled loop of whole vectors, a loop of single vectors, and a
// scalar tail, all running the same lowered body with the same registers.
func Kernel(k *ir.Kernel, bits int) ([]byte, error) {
	name := k.FuncName(Level, bits)
	scalars, fixed := scalarRegisters(k)
	b := lower(k, scalars, len(fixed))
	var free []int
	for r := len(fixed); r < 32; r++ {
		free = append(free, r)
	}
	regs, err := allocate(b, fixed, free)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}

	var out bytes.Buffer
	f := &fn{
		w:     tabwriter.NewWriter(&out, 0, 8, 1, ' ', tabwriter.TabIndent),
		arr:   arrangementFor(bits),
		base:  map[string]string{},
		bf16:  map[string]bool{},
		fixed: map[string]int{},
	}
	for _, s := range k.Streams {
		f.bf16[s.Name] = s.Elem == ir.BF16
	}
	for name, v := range scalars {
		f.fixed[name] = fixed[v]
	}
	f.prologue(k, b, bits, golang.Signature(k, bits), 0)
	f.intPrologue(k)
	lanes := f.arr.Lanes
	f.loop("unrolled", "single", Unroll*lanes,
		fmt.Sprintf("Main loop: %d vectors of %d elements per iteration.", Unroll, lanes),
		func() {
			for range Unroll {
				f.body(b, regs, false)
			}
		})
	f.loop("single", "tail", lanes, "One vector at a time.", func() { f.body(b, regs, false) })
	f.loop("tail", "done", 1, fmt.Sprintf("The last 0 to %d elements, one at a time.", lanes-1),
		func() { f.body(b, regs, true) })
	f.line("")
	f.label("done")
	f.op("RET", "")
	if err := f.w.Flush(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// scalarRegisters gives each scalar the body reads a value and a register
// of its own for the whole kernel: V0 upwards, in array order; then the
// same to the integer constants and the index counter (intFixed).
func scalarRegisters(k *ir.Kernel) (map[string]value, map[value]int) {
	scalars := map[string]value{}
	fixed := map[value]int{}
	for _, s := range k.Scalars {
		if k.UsesScalar(s.Name) {
			v := value(len(fixed))
			scalars[s.Name], fixed[v] = v, int(v)
		}
	}
	for _, n := range intFixed(k) {
		v := value(len(fixed))
		scalars[n], fixed[v] = v, int(v)
	}
	return scalars, fixed
}

// prologue writes the TEXT line, loads the stream pointers and the length,
// and broadcasts the scalars into the registers scalarRegisters chose.
// Arguments follow Go's ABI0 layout: each slice is base, len, cap (24
// bytes), then the scalar array, then extraArgs bytes of further
// arguments (a fused kernel's acc pointer); sig is the Go parameter list.
func (f *fn) prologue(k *ir.Kernel, b body, bits int, sig string, extraArgs int) {
	const sliceBytes = 24
	size := bits / 8
	scalarsAt := len(k.Streams) * sliceBytes
	name := k.FuncName(Level, bits)
	fmt.Fprintf(f.w, "// func %s%s\n", name, sig)
	fmt.Fprintf(f.w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, scalarsAt+len(k.Scalars)*size+extraArgs)
	gp := 0
	for i, s := range k.Streams {
		if streamUsed(b, s.Name) {
			f.base[s.Name] = fmt.Sprintf("R%d", gp)
			gp++
			f.op("MOVD", "%s_base+%d(FP), %s", s.Name, i*sliceBytes, f.base[s.Name])
		}
	}
	f.left = fmt.Sprintf("R%d", gp)
	f.op("MOVD", "%s_len+8(FP), %s", k.Streams[0].Name, f.left)

	fmov := map[int]string{32: "FMOVS", 64: "FMOVD"}[bits]
	r := 0
	for i, s := range k.Scalars {
		if !k.UsesScalar(s.Name) {
			continue
		}
		if r == 0 {
			f.line("")
			f.comment("Broadcast the per-step scalars; lane 0 also serves the scalar tail.")
		}
		f.op(fmov, "s_%d+%d(FP), F%d", i, scalarsAt+i*size, r)
		f.op("VDUP", "V%d.%s[0], V%d.%s", r, f.arr.Go[:1], r, f.arr.Go)
		r++
	}
}

// loop writes a loop that runs emitBody while at least step elements are
// left, then falls through to the label next.
func (f *fn) loop(label, next string, step int, doc string, emitBody func()) {
	f.line("")
	f.comment(doc)
	f.label(label)
	if step == 1 {
		f.op("CBZ", "%s, %s", f.left, next)
	} else {
		f.op("CMP", "$%d, %s", step, f.left)
		f.op("BLT", "%s", next)
	}
	emitBody()
	f.op("SUB", "$%d, %s", step, f.left)
	f.op("B", "%s", label)
}

// line writes one line of the function body (instructions are indented).
func (f *fn) line(s string) {
	if s == "" {
		fmt.Fprintln(f.w)
		return
	}
	fmt.Fprintf(f.w, "\t%s\n", s)
}

// op writes one native instruction.
func (f *fn) op(mnemonic, operands string, args ...any) {
	if operands == "" {
		f.line(mnemonic)
		return
	}
	f.line(mnemonic + "\t" + fmt.Sprintf(operands, args...))
}

func (f *fn) comment(s string) { f.line("// " + s) }

func (f *fn) label(s string) { fmt.Fprintf(f.w, "%s:\n", s) }

// body writes the lowered body once: for one vector, or (scalar) for one
// element.
func (f *fn) body(b body, regs map[value]int, scalar bool) {
	for _, in := range b.instrs {
		if in.doc != "" {
			f.line("")
			f.comment(in.doc)
		}
		if scalar {
			f.scalarInstr(in, regs)
		} else {
			f.vectorInstr(in, regs)
		}
	}
}

// streamUsed reports whether the body loads or stores stream s.
func streamUsed(b body, s string) bool {
	for _, in := range b.instrs {
		if in.stream == s {
			return true
		}
	}
	return false
}
