// Command gen writes every generated file of package kernels and of
// internal/limits from the optimizer descriptions in package optimizers.
// In each of the two packages:
//
//	generic.go             the pure-Go kernels (every target) and their tables' types
//	<family>_amd64.s/.go   AVX2 and AVX-512 kernels and their stubs (avo)
//	tables_amd64.go        the kernel table of each amd64 level
//	<family>_arm64.s/.go   NEON kernels and their stubs (gen/neon)
//	tables_arm64.go        the NEON kernel table
//	families_test.go       every family described alike, for internal/famtest
//	<family>_parallel.go   kernels only: the tensor types and the parallel and
//	                       multi-tensor steps (optimizers.APIs)
//	<family>_bf16_api.go   kernels only: the same for bfloat16, with the single
//	                       steps (optimizers.BF16APIs)
//
// kernels gets the optimizers and the reductions (reduce_*); internal/limits
// gets the memory-roofline (Traffic) and arithmetic-bound (Arith) kernels
// derived from each optimizer, and the Traffic kernels of its bfloat16
// families, which only the benchmarks use, entries.go, their table by
// optimizer name, and the reductions' read-only roofline (reduce_*).
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
	"slices"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"

	"github.com/fusedopt/fusedopt/gen/amd64"
	"github.com/fusedopt/fusedopt/gen/families"
	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/neon"
	"github.com/fusedopt/fusedopt/gen/optimizers"
)

var amd64Levels = []amd64.Level{amd64.AVX2, amd64.AVX512}

func main() {
	root := flag.String("root", "..", "root directory of module github.com/fusedopt/fusedopt")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	base := families.All()
	limits := golang.LimitFamilies(base)

	// kernels' kernelsFor takes a Level, internal/limits' a uint8.
	kernelsDir := filepath.Join(*root, "kernels")
	writePackage(kernelsDir, "kernels", "Level(l)", base, families.BF16())
	writeReductions(kernelsDir, "kernels", optimizers.Reductions())
	writeFused(kernelsDir, "kernels")
	writeParallel(kernelsDir, base)
	writeParallelBF16(kernelsDir, base, families.BF16())
	limitsDir := filepath.Join(*root, "internal", "limits")
	writePackage(limitsDir, "limits", "l", limits, golang.TrafficFamilies(families.BF16()))
	writeReductions(limitsDir, "limits", optimizers.ReductionLimits())
	src, err := golang.Limits("limits", base, families.BF16())
	check(err)
	write(limitsDir, "entries.go", src)

	removeStale(kernelsDir)
	removeStale(limitsDir)
}

// writeParallel writes kernels/<name>_parallel.go, the tensor types and
// the parallel and multi-tensor steps, for every optimizer that
// optimizers.APIs describes.
func writeParallel(dir string, fams []golang.Family) {
	for _, a := range optimizers.APIs() {
		i := slices.IndexFunc(fams, func(f golang.Family) bool { return f.Name == a.Name })
		if i < 0 {
			log.Fatalf("optimizers.APIs describes %q, which is no family", a.Name)
		}
		src, err := golang.Parallel(fams[i], a)
		check(err)
		write(dir, a.Name+"_parallel.go", src)
	}
}

// writeParallelBF16 writes kernels/<name>_bf16_api.go, the bfloat16
// tensor types and steps, for every optimizer that optimizers.BF16APIs
// describes, on its families <name>BF16 and <name>BF16Grad of typed.
func writeParallelBF16(dir string, base, typed []golang.Family) {
	family := func(fams []golang.Family, name string) golang.Family {
		i := slices.IndexFunc(fams, func(f golang.Family) bool { return f.Name == name })
		if i < 0 {
			log.Fatalf("optimizers.BF16APIs: no family %s", name)
		}
		return fams[i]
	}
	apis := optimizers.APIs()
	ref := ""
	for _, b := range optimizers.BF16APIs() {
		i := slices.IndexFunc(apis, func(a optimizers.API) bool { return a.Name == b.Name })
		if i < 0 {
			log.Fatalf("optimizers.BF16APIs describes %q, which optimizers.APIs does not", b.Name)
		}
		src, err := golang.ParallelBF16(family(base, b.Name), family(typed, b.Name+"BF16"), family(typed, b.Name+"BF16Grad"),
			apis[i], b, ref)
		check(err)
		write(dir, b.Name+"_bf16_api.go", src)
		if ref == "" {
			ref = apis[i].Title + "TensorBF16" // the first documents Offset
		}
	}
}

// writePackage writes the kernels of fams, at every level, into package
// pkg in dir; level converts a uint8 level l to the argument of the
// package's kernelsFor. The families of typed (bfloat16 streams) are
// compiled like the others but have no famtest registry, which takes
// float slices only.
func writePackage(dir, pkg, level string, fams, typed []golang.Family) {
	src, err := golang.Registry(pkg, level, fams)
	check(err)
	write(dir, "families_test.go", src)
	fams = append(fams, typed...)
	src, err = golang.Generic(pkg, fams)
	check(err)
	write(dir, "generic.go", src)

	for _, f := range fams {
		asm, stubs := amd64File(pkg, f)
		write(dir, fileName(f)+"_amd64.s", asm)
		write(dir, fileName(f)+"_amd64.go", stubs)
	}
	write(dir, "tables_amd64.go", amd64Tables(pkg, fams))

	for _, f := range fams {
		asm, stubs, err := neon.Family(pkg, f)
		check(err)
		write(dir, fileName(f)+"_arm64.s", asm)
		write(dir, fileName(f)+"_arm64.go", stubs)
	}
	tables, err := neon.Tables(pkg, fams)
	check(err)
	write(dir, "tables_arm64.go", tables)
}

// amd64File assembles every level, precision and variant of one optimizer.
func amd64File(pkg string, f golang.Family) (asm, stubs []byte) {
	return avoFile(pkg, func(ctx *build.Context) {
		for _, lvl := range amd64Levels {
			for _, bits := range f.Precisions() {
				for _, k := range f.Kernels() {
					amd64.Kernel(ctx, lvl, k, bits, "func"+golang.Signature(k, bits))
				}
			}
		}
	})
}

// avoFile runs emit on a fresh avo context for amd64 (without the purego
// tag) and returns package pkg's assembly and Go stubs of what it emitted.
func avoFile(pkg string, emit func(ctx *build.Context)) (asm, stubs []byte) {
	ctx := build.NewContext()
	ctx.ConstraintExpr("amd64,!purego")
	emit(ctx)
	file, err := ctx.Result()
	check(err)
	check(pass.Compile.Execute(file))
	amd64.PruneVectorSelfMoves(file)
	cfg := printer.Config{Name: "go generate in gen/", Pkg: pkg}
	asm, err = printer.NewGoAsm(cfg).Print(file)
	check(err)
	stubs, err = printer.NewStubs(cfg).Print(file)
	check(err)
	return asm, stubs
}

func amd64Tables(pkg string, fams []golang.Family) []byte {
	var w bytes.Buffer
	fmt.Fprintf(&w, "%s\n//go:build amd64 && !purego\n\npackage %s\n\n", golang.Header, pkg)
	for _, lvl := range amd64Levels {
		fmt.Fprintf(&w, "// %sKernels are the %s kernels.\n", lower(lvl.Name), lvl.Name)
		w.WriteString(golang.SetLiteral(lower(lvl.Name)+"Kernels", lvl.Name, fams))
	}
	src, err := format.Source(w.Bytes())
	check(err)
	return src
}

// fileName is the family's file name stem: adamTraffic becomes
// adam_traffic, adamBF16 adam_bf16.
func fileName(f golang.Family) string {
	var b []byte
	for i, r := range []byte(f.Name) {
		if r >= 'A' && r <= 'Z' {
			if i == 0 || f.Name[i-1] < 'A' || f.Name[i-1] > 'Z' {
				b = append(b, '_')
			}
			b = append(b, r+'a'-'A')
		} else {
			b = append(b, r)
		}
	}
	return string(b)
}

func lower(s string) string { return string(bytes.ToLower([]byte(s))) }

// written is every file this run wrote.
var written = map[string]bool{}

func write(dir, name string, b []byte) {
	path := filepath.Join(dir, name)
	check(os.WriteFile(path, b, 0o644))
	written[path] = true
}

// removeStale deletes the files of dir that an earlier run generated and
// this one did not (a family removed, or moved to another package), so
// that they cannot linger: they start with golang.Header.
func removeStale(dir string) {
	entries, err := os.ReadDir(dir)
	check(err)
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if e.IsDir() || written[path] {
			continue
		}
		b, err := os.ReadFile(path)
		check(err)
		if bytes.HasPrefix(b, []byte(golang.Header)) {
			check(os.Remove(path))
			log.Printf("removed %s: no longer generated", path)
		}
	}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
