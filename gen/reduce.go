package main

import (
	"github.com/mmcloughlin/avo/build"

	"github.com/fusedopt/fusedopt/gen/amd64"
	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/ir"
	"github.com/fusedopt/fusedopt/gen/neon"
)

// writeReductions writes the reduction kernels reds of package pkg in dir
// at every level, and for every target the functions
// that call a level's kernel:
//
//	reduce_generic.go            the pure-Go kernels
//	reduce_amd64.s/.go           AVX2 and AVX-512 (avo)
//	reduce_arm64.s/.go           NEON (gen/neon)
//	reduce_dispatch_<arch>.go    sumsqF32At...: a level's kernel, called directly
//
// for every element width of ir.ReductionBits.
func writeReductions(dir, pkg string, reds []*ir.Reduction) {
	src, err := golang.ReductionsGeneric(pkg, reds)
	check(err)
	write(dir, "reduce_generic.go", src)

	asm, stubs := avoFile(pkg, func(ctx *build.Context) {
		for _, lvl := range amd64Levels {
			for _, r := range reds {
				for _, bits := range ir.ReductionBits {
					amd64.Reduction(ctx, lvl, r, bits, "func"+golang.ReductionSignature(r, bits))
				}
			}
		}
	})
	write(dir, "reduce_amd64.s", asm)
	write(dir, "reduce_amd64.go", stubs)

	var levels []string
	for _, lvl := range amd64Levels {
		levels = append(levels, lvl.Name)
	}
	src, err = golang.ReductionDispatch(pkg, "//go:build amd64 && !purego", levels, reds)
	check(err)
	write(dir, "reduce_dispatch_amd64.go", src)

	asm, stubs, err = neon.Reductions(pkg, reds)
	check(err)
	write(dir, "reduce_arm64.s", asm)
	write(dir, "reduce_arm64.go", stubs)
	src, err = golang.ReductionDispatch(pkg, "//go:build arm64 && !purego", []string{neon.Level}, reds)
	check(err)
	write(dir, "reduce_dispatch_arm64.go", src)
	src, err = golang.ReductionDispatch(pkg, "//go:build (!amd64 && !arm64) || purego", nil, reds)
	check(err)
	write(dir, "reduce_dispatch_other.go", src)
}
