package main

import (
	"github.com/mmcloughlin/avo/build"

	"github.com/fusedopt/fusedopt/gen/amd64"
	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/ir"
	"github.com/fusedopt/fusedopt/gen/neon"
	"github.com/fusedopt/fusedopt/gen/optimizers"
)

// writeFused writes the fused kernels (optimizers.LAMB and LARS) of
// package pkg in dir at every level, and for every target the functions
// that run a level's kernel with the pure-Go tail:
//
//	fused_generic.go            the pure-Go kernels and the scalar indexes
//	fused_amd64.s/.go           AVX2 and AVX-512 (avo)
//	fused_arm64.s/.go           NEON (gen/neon)
//	fused_dispatch_<arch>.go    lambF32MomentsAt...: a level's kernel, called directly
func writeFused(dir, pkg string) {
	fused := append(optimizers.LAMB(), optimizers.LARS()...)
	src, err := golang.FusedGeneric(pkg, fused)
	check(err)
	write(dir, "fused_generic.go", src)

	asm, stubs := avoFile(pkg, func(ctx *build.Context) {
		for _, lvl := range amd64Levels {
			for _, k := range fused {
				for _, bits := range []int{32, 64} {
					amd64.Fused(ctx, lvl, k, bits, "func"+golang.FusedSignature(k, bits))
				}
			}
		}
	})
	write(dir, "fused_amd64.s", asm)
	write(dir, "fused_amd64.go", stubs)

	var levels []string
	for _, lvl := range amd64Levels {
		levels = append(levels, lvl.Name)
	}
	dispatch := func(name, constraint string, levels []string, fused []*ir.Fused) {
		src, err := golang.FusedDispatch(pkg, constraint, levels, fused)
		check(err)
		write(dir, name, src)
	}
	dispatch("fused_dispatch_amd64.go", "//go:build amd64 && !purego", levels, fused)

	asm, stubs, err = neon.FusedKernels(pkg, fused)
	check(err)
	write(dir, "fused_arm64.s", asm)
	write(dir, "fused_arm64.go", stubs)
	dispatch("fused_dispatch_arm64.go", "//go:build arm64 && !purego", []string{neon.Level}, fused)
	dispatch("fused_dispatch_other.go", "//go:build (!amd64 && !arm64) || purego", nil, fused)
}
