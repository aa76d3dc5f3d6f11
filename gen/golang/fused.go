package golang

import (
	"bytes"
	"fmt"
	"go/format"
	"strings"

	"github.com/fusedopt/fusedopt/gen/ir"
)

// FusedSignature is the Go parameter list every level's kernel of f
// shares: the streams, the scalars and, with sums, their partials.
func FusedSignature(f *ir.Fused, bits int) string {
	sig := Signature(f.Kernel, bits)
	if len(f.Sums) == 0 {
		return sig
	}
	return sig[:len(sig)-1] + ", acc " + f.AccType() + ")"
}

// FusedGeneric returns the source of fused_generic.go: the scalar
// indexes of each fused optimizer and the pure-Go fused kernels, which
// handle any length (the assembly levels whole blocks only).
func FusedGeneric(pkg string, fused []*ir.Fused) ([]byte, error) {
	var w, kernels bytes.Buffer
	for _, f := range fused {
		for _, bits := range []int{32, 64} {
			writeFused(&kernels, f, bits)
		}
	}
	fmt.Fprintf(&w, "%s\npackage %s\n\n", Header, pkg)
	if bytes.Contains(kernels.Bytes(), []byte("math.")) {
		w.WriteString("import \"math\"\n\n")
	}
	consts := map[string]bool{}
	for _, f := range fused {
		if consts[f.Name] {
			continue
		}
		consts[f.Name] = true
		fmt.Fprintf(&w, "// Indexes of %s's per-step scalars in the array its kernels take.\nconst (\n", f.Name)
		for i, s := range f.Scalars {
			if i == 0 {
				fmt.Fprintf(&w, "\t%s = iota // %s\n", ScalarConst(f.Kernel, s.Name), s.Doc)
			} else {
				fmt.Fprintf(&w, "\t%s // %s\n", ScalarConst(f.Kernel, s.Name), s.Doc)
			}
		}
		fmt.Fprintf(&w, "\t%sScalarCount\n)\n\n", f.Name)
	}
	w.Write(kernels.Bytes())
	return format.Source(w.Bytes())
}

func writeFused(w *bytes.Buffer, f *ir.Fused, bits int) {
	name := f.FuncName("", bits)
	fmt.Fprintf(w, "// %s is the pure-Go %s kernel (float%d).\n", name, f.Title, bits)
	if len(f.Sums) > 0 {
		fmt.Fprintf(w, "// After element i it adds the square of %s to acc[k][i mod %d]\n", strings.Join(f.Sums, ", "), ir.Partials)
		fmt.Fprintf(w, "// (k the sum's index), the reductions' order.\n")
	}
	fmt.Fprintf(w, "// Every assembly level performs exactly these operations in this order.\n")
	fmt.Fprintf(w, "func %s%s {\n", name, FusedSignature(f, bits))
	writeLocals(w, f.Kernel)
	fmt.Fprintf(w, "\tfor i := range %s {\n", f.Streams[0].Name)
	writeStatements(w, f.Kernel, bits)
	for k, s := range f.Sums {
		// The conversion rounds the square (exact for float32) before
		// the sum: Go could otherwise fuse them into an FMA.
		sq := fmt.Sprintf("float64(%s * %s)", s, s)
		if bits == 32 {
			sq = fmt.Sprintf("float64(float64(%s) * float64(%s))", s, s)
		}
		fmt.Fprintf(w, "\t\tacc[%d][i&%d] += %s\n", k, ir.Partials-1, sq)
	}
	w.WriteString("\t}\n}\n\n")
}

// FusedDispatch returns the source of a file declaring, for each fused
// kernel and precision, a function <name>At(l Level, ...) that runs level
// l's kernel on the whole blocks of ir.Partials elements and the pure-Go
// kernel on the rest (any level not in levels runs the pure-Go kernel
// throughout). It calls the kernels directly, so that acc does not
// escape as it would through a func value.
func FusedDispatch(pkg, constraint string, levels []string, fused []*ir.Fused) ([]byte, error) {
	var w bytes.Buffer
	fmt.Fprintf(&w, "%s\n%s\n\npackage %s\n\n", Header, constraint, pkg)
	for _, f := range fused {
		for _, bits := range []int{32, 64} {
			var args, tail []string
			for _, s := range f.Streams {
				args = append(args, s.Name)
				tail = append(tail, s.Name+"[n:]")
			}
			args, tail = append(args, "s"), append(tail, "s")
			if len(f.Sums) > 0 {
				args, tail = append(args, "acc"), append(tail, "acc")
			}
			sig := FusedSignature(f, bits)
			name := f.FuncName("", bits)
			fmt.Fprintf(&w, "// %sAt runs level l's %s kernel on the whole blocks of %d elements\n", name, f.Title, ir.Partials)
			fmt.Fprintf(&w, "// and %s on the rest.\n", name)
			fmt.Fprintf(&w, "func %sAt(l Level, %s {\n", name, sig[1:])
			if len(levels) == 0 {
				fmt.Fprintf(&w, "\t_ = l\n\t%s(%s)\n}\n\n", name, strings.Join(args, ", "))
				continue
			}
			fmt.Fprintf(&w, "\tn := 0\n\tswitch l {\n")
			for _, lvl := range levels {
				fmt.Fprintf(&w, "\tcase %s:\n\t\t%s(%s)\n\t\tn = len(%s) &^ %d\n", lvl, f.FuncName(lvl, bits),
					strings.Join(args, ", "), f.Streams[0].Name, ir.Partials-1)
			}
			fmt.Fprintf(&w, "\t}\n\t%s(%s)\n}\n\n", name, strings.Join(tail, ", "))
		}
	}
	return format.Source(w.Bytes())
}
