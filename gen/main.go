// Command gen writes every generated file of package kernels from the
// optimizer descriptions in package optimizers:
//
//	kernels/generic.go         the pure-Go kernels (every target)
//	kernels/<opt>_amd64.s/.go  AVX2 and AVX-512 kernels and their stubs (avo)
//	kernels/tables_amd64.go    the kernel table of each amd64 level
//	kernels/<opt>_arm64.s/.go  NEON kernels and their stubs (gen/neon)
//	kernels/tables_arm64.go    the NEON kernel table
//	kernels/families_test.go   every family described alike, for the level tests
//	kernels/limits.go          the memory-roofline and arithmetic-bound kernels
//	                           of each optimizer, registered for the benchmarks
//
// Run it with go generate in this directory.
package main

//go:generate go run .

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"

	"github.com/fusedopt/fusedopt/gen/amd64"
	"github.com/fusedopt/fusedopt/gen/families"
	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/neon"
)

var amd64Levels = []amd64.Level{amd64.AVX2, amd64.AVX512}

func main() {
	out := flag.String("dir", "../kernels", "directory of package kernels")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	base := families.All()
	fams := golang.WithLimits(base)

	src, err := golang.Generic("kernels", fams)
	check(err)
	write(*out, "generic.go", src)
	src, err = golang.Limits("kernels", base)
	check(err)
	write(*out, "limits.go", src)
	src, err = golang.Registry("kernels", "Level(l)", fams)
	check(err)
	write(*out, "families_test.go", src)

	for _, f := range fams {
		asm, stubs := amd64File(f)
		write(*out, fileName(f)+"_amd64.s", asm)
		write(*out, fileName(f)+"_amd64.go", stubs)
	}
	write(*out, "tables_amd64.go", amd64Tables(fams))

	for _, f := range fams {
		asm, stubs, err := neon.Family(f)
		check(err)
		write(*out, fileName(f)+"_arm64.s", asm)
		write(*out, fileName(f)+"_arm64.go", stubs)
	}
	tables, err := neon.Tables(fams)
	check(err)
	write(*out, "tables_arm64.go", tables)
}

// amd64File assembles every level, precision and variant of one optimizer.
func amd64File(f golang.Family) (asm, stubs []byte) {
	ctx := build.NewContext()
	ctx.ConstraintExpr("amd64,!purego")
	for _, lvl := range amd64Levels {
		for _, bits := range []int{32, 64} {
			for _, k := range f.Kernels() {
				amd64.Kernel(ctx, lvl, k, bits, "func"+golang.Signature(k, bits))
			}
		}
	}
	file, err := ctx.Result()
	check(err)
	check(pass.Compile.Execute(file))
	cfg := printer.Config{Name: "go generate in gen/", Pkg: "kernels"}
	asm, err = printer.NewGoAsm(cfg).Print(file)
	check(err)
	stubs, err = printer.NewStubs(cfg).Print(file)
	check(err)
	return asm, stubs
}

func amd64Tables(fams []golang.Family) []byte {
	var w bytes.Buffer
	fmt.Fprintf(&w, "%s\n//go:build amd64 && !purego\n\npackage kernels\n\n", golang.Header)
	for _, lvl := range amd64Levels {
		fmt.Fprintf(&w, "// %sKernels are the %s kernels.\n", lower(lvl.Name), lvl.Name)
		w.WriteString(golang.SetLiteral(lower(lvl.Name)+"Kernels", lvl.Name, fams))
	}
	src, err := format.Source(w.Bytes())
	check(err)
	return src
}

// fileName is the family's file name stem: adamTraffic becomes adam_traffic.
func fileName(f golang.Family) string {
	var b []byte
	for _, r := range []byte(f.Name) {
		if r >= 'A' && r <= 'Z' {
			b = append(b, '_', r+'a'-'A')
		} else {
			b = append(b, r)
		}
	}
	return string(b)
}

func lower(s string) string { return string(bytes.ToLower([]byte(s))) }

func write(dir, name string, b []byte) {
	check(os.WriteFile(filepath.Join(dir, name), b, 0o644))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
