package golang

import (
	"bytes"
	"fmt"
	"go/format"
	"strings"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// ReductionSignature is the Go parameter list every level's kernel of r
// shares: the streams, whose length need not be a multiple of
// ir.Partials (the kernel stops at the last whole block), and the
// partial sums, read and written.
func ReductionSignature(r *ir.Reduction, bits int) string {
	var names []string
	for _, s := range r.Streams {
		names = append(names, s.Name)
	}
	return fmt.Sprintf("(%s []%s, acc *[%d]float64)", strings.Join(names, ", "), reductionElemType(bits), ir.Partials)
}

// reductionElemType is the Go element type of a reduction's streams of
// the given width (see ir.ReductionBits).
func reductionElemType(bits int) string {
	if bits == ir.BF16Bits {
		return bf16GoType
	}
	return fmt.Sprintf("float%d", bits)
}

// ReductionsGeneric returns the source of reduce_generic.go: the pure-Go
// reduction kernels.
func ReductionsGeneric(pkg string, reds []*ir.Reduction) ([]byte, error) {
	var w bytes.Buffer
	fmt.Fprintf(&w, "%s\npackage %s\n\nimport \"math\"\n\n", Header, pkg)
	for _, r := range reds {
		for _, bits := range ir.ReductionBits {
			writeReduction(&w, r, bits)
		}
	}
	return format.Source(w.Bytes())
}

// ReductionDispatch returns the source of a file declaring, for each
// reduction and precision, a function <name>F<bits>At(l Level, ...) that
// calls level l's kernel directly (so that the partials' pointer does not
// escape, as it would through a func value): levels maps each level's
// constant name (e.g. "AVX2") to its function-name infix; any other level
// runs the pure-Go kernel.
func ReductionDispatch(pkg, constraint string, levels []string, reds []*ir.Reduction) ([]byte, error) {
	var w bytes.Buffer
	fmt.Fprintf(&w, "%s\n%s\n\npackage %s\n\n", Header, constraint, pkg)
	for _, r := range reds {
		for _, bits := range ir.ReductionBits {
			var args []string
			for _, s := range r.Streams {
				args = append(args, s.Name)
			}
			call := strings.Join(append(args, "acc"), ", ")
			sig := ReductionSignature(r, bits)
			fmt.Fprintf(&w, "// %sAt runs level l's %s kernel, %s.\n", r.FuncName("", bits), r.Title, r.FuncName("", bits))
			fmt.Fprintf(&w, "func %sAt(l Level, %s {\n", r.FuncName("", bits), sig[1:])
			if len(levels) == 0 {
				w.WriteString("\t_ = l\n")
			} else {
				w.WriteString("\tswitch l {\n")
				for _, lvl := range levels {
					fmt.Fprintf(&w, "\tcase %s:\n\t\t%s(%s)\n\t\treturn\n", lvl, r.FuncName(lvl, bits), call)
				}
				w.WriteString("\t}\n")
			}
			fmt.Fprintf(&w, "\t%s(%s)\n}\n\n", r.FuncName("", bits), call)
		}
	}
	return format.Source(w.Bytes())
}

func writeReduction(w *bytes.Buffer, r *ir.Reduction, bits int) {
	name := r.FuncName("", bits)
	const p = ir.Partials
	fmt.Fprintf(w, "// %s is the pure-Go %s kernel (%s): for each whole block of %d\n", name, r.Title, elemTitle(bits), p)
	fmt.Fprintf(w, "// elements it adds element j's term to acc[j], in element order. Every\n")
	fmt.Fprintf(w, "// assembly level performs exactly these additions in this order.\n")
	if bits == ir.BF16Bits {
		fmt.Fprintf(w, "// Each element is first widened exactly to float32: the terms are\n")
		fmt.Fprintf(w, "// %s's of the widened values.\n", r.FuncName("", 32))
	}
	fmt.Fprintf(w, "func %s%s {\n", name, ReductionSignature(r, bits))
	first := r.Streams[0].Name
	for _, s := range r.Streams[1:] {
		fmt.Fprintf(w, "\t%s = %s[:len(%s)]\n", s.Name, s.Name, first)
	}
	var ps []string
	var accs []string
	for j := range p {
		ps = append(ps, fmt.Sprintf("p%d", j))
		accs = append(accs, fmt.Sprintf("acc[%d]", j))
	}
	fmt.Fprintf(w, "\t%s := %s\n", strings.Join(ps, ", "), strings.Join(accs, ", "))
	fmt.Fprintf(w, "\tfor i := 0; i+%d <= len(%s); i += %d {\n", p, first, p)
	for _, s := range r.Streams {
		fmt.Fprintf(w, "\t\t%sb := (*[%d]%s)(%s[i : i+%d])\n", s.Name, p, reductionElemType(bits), s.Name, p)
	}
	for j := range p {
		// The conversion rounds the term before the sum: without it the
		// compiler may fuse a product into the addition (an FMA).
		t := reductionTerm(r.Term, bits, j)
		if !strings.HasPrefix(t, "float64(") || r.Term.Op != ir.OpMul {
			t = "float64(" + t + ")"
		}
		fmt.Fprintf(w, "\t\tp%d += %s\n", j, t)
	}
	w.WriteString("\t}\n")
	fmt.Fprintf(w, "\t%s = %s\n}\n\n", strings.Join(accs, ", "), strings.Join(ps, ", "))
}

// reductionTerm prints a reduction's term for element j of the block,
// in float64: every product is wrapped in a conversion, which rounds it.
func reductionTerm(e *ir.Expr, bits, j int) string {
	switch e.Op {
	case ir.OpLoad:
		return fmt.Sprintf("%sb[%d]", e.Name, j)
	case ir.OpWiden:
		switch bits {
		case 64:
			return reductionTerm(e.Args[0], bits, j)
		case ir.BF16Bits:
			return "float64(" + widenBF16(reductionTerm(e.Args[0], bits, j)) + ")"
		}
		return "float64(" + reductionTerm(e.Args[0], bits, j) + ")"
	case ir.OpMul:
		return "float64(" + reductionTerm(e.Args[0], bits, j) + " * " + reductionTerm(e.Args[1], bits, j) + ")"
	case ir.OpAdd:
		return "(" + reductionTerm(e.Args[0], bits, j) + " + " + reductionTerm(e.Args[1], bits, j) + ")"
	}
	panic("golang: reduction operation " + e.Op.String())
}

// elemTitle names the elements of the given width, for comments.
func elemTitle(bits int) string {
	if bits == ir.BF16Bits {
		return "bfloat16"
	}
	return fmt.Sprintf("float%d", bits)
}
