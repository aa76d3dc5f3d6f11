package main

import (
	"bytes"
	"fmt"
	"go/format"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"

	"github.com/fusedopt/fusedopt/gen/amd64"
	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/neon"
	"github.com/fusedopt/fusedopt/gen/optimizers"
)

// writeReductions writes the reduction kernels (optimizers.Reductions) of
// package pkg in dir at every level, and reductionsFor, which picks a
// level's set, for every target:
//
//	reduce_generic.go            the pure-Go kernels
//	reduce_amd64.s/.go           AVX2 and AVX-512 (avo)
//	reduce_arm64.s/.go           NEON (gen/neon)
//	reduce_tables_<arch>.go      each level's set and reductionsFor
func writeReductions(dir, pkg string) {
	reds := optimizers.Reductions()
	src, err := golang.ReductionsGeneric(pkg, reds)
	check(err)
	write(dir, "reduce_generic.go", src)

	ctx := build.NewContext()
	ctx.ConstraintExpr("amd64,!purego")
	for _, lvl := range amd64Levels {
		for _, r := range reds {
			for _, bits := range []int{32, 64} {
				amd64.Reduction(ctx, lvl, r, bits, "func"+golang.ReductionSignature(r, bits))
			}
		}
	}
	file, err := ctx.Result()
	check(err)
	check(pass.Compile.Execute(file))
	cfg := printer.Config{Name: "go generate in gen/", Pkg: pkg}
	asm, err := printer.NewGoAsm(cfg).Print(file)
	check(err)
	stubs, err := printer.NewStubs(cfg).Print(file)
	check(err)
	write(dir, "reduce_amd64.s", asm)
	write(dir, "reduce_amd64.go", stubs)

	var w bytes.Buffer
	fmt.Fprintf(&w, "%s\n//go:build amd64 && !purego\n\npackage %s\n\n", golang.Header, pkg)
	for _, lvl := range amd64Levels {
		fmt.Fprintf(&w, "// %sReductions are the %s reduction kernels.\n", lower(lvl.Name), lvl.Name)
		w.WriteString(golang.ReductionSetLiteral(lower(lvl.Name)+"Reductions", lvl.Name, reds))
	}
	w.WriteString("// reductionsFor is the reduction kernels of level l.\nfunc reductionsFor(l Level) *reductionSet {\n\tswitch l {\n")
	for _, lvl := range amd64Levels {
		fmt.Fprintf(&w, "\tcase %s:\n\t\treturn &%sReductions\n", lvl.Name, lower(lvl.Name))
	}
	w.WriteString("\t}\n\treturn &genericReductions\n}\n")
	write(dir, "reduce_tables_amd64.go", gofmt(w.Bytes()))

	asm, stubs, err = neon.Reductions(pkg, reds)
	check(err)
	write(dir, "reduce_arm64.s", asm)
	write(dir, "reduce_arm64.go", stubs)
	w.Reset()
	fmt.Fprintf(&w, "%s\n//go:build arm64 && !purego\n\npackage %s\n\n", golang.Header, pkg)
	fmt.Fprintf(&w, "// neonReductions are the %s reduction kernels.\n", neon.Level)
	w.WriteString(golang.ReductionSetLiteral("neonReductions", neon.Level, reds))
	fmt.Fprintf(&w, "// reductionsFor is the reduction kernels of level l.\nfunc reductionsFor(l Level) *reductionSet {\n\tif l == %s {\n\t\treturn &neonReductions\n\t}\n\treturn &genericReductions\n}\n", neon.Level)
	write(dir, "reduce_tables_arm64.go", gofmt(w.Bytes()))

	w.Reset()
	fmt.Fprintf(&w, "%s\n//go:build (!amd64 && !arm64) || purego\n\npackage %s\n\n", golang.Header, pkg)
	w.WriteString("// reductionsFor is the reduction kernels of level l: the pure-Go ones.\nfunc reductionsFor(Level) *reductionSet { return &genericReductions }\n")
	write(dir, "reduce_tables_other.go", gofmt(w.Bytes()))
}

func gofmt(b []byte) []byte {
	src, err := format.Source(b)
	check(err)
	return src
}
