// Package families lists every optimizer the kernels package ships, in the
// order of its generated tables: the one list the generator and the
// backends' tests share. (The benchmarks' limit kernels, in
// internal/limits, are derived from it: golang.LimitFamilies, and
// golang.TrafficFamilies for the bfloat16 ones.)
package families

import (
	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/optimizers"
)

// All is every optimizer family, without the derived limit kernels (see
// golang.LimitFamilies).
func All() []golang.Family {
	return []golang.Family{
		{Name: "adam", Title: "Adam", Variants: optimizers.Adam()},
		{Name: "sgd", Title: "SGD", Variants: optimizers.SGD()},
		{Name: "adagrad", Title: "Adagrad", Variants: optimizers.Adagrad()},
		{Name: "rmsprop", Title: "RMSprop", Variants: optimizers.RMSprop()},
		{Name: "adadelta", Title: "Adadelta", Variants: optimizers.Adadelta()},
		{Name: "nadam", Title: "NAdam", Variants: optimizers.NAdam()},
		{Name: "radam", Title: "RAdam", Variants: optimizers.RAdam()},
		{Name: "adamax", Title: "Adamax", Variants: optimizers.Adamax()},
		{Name: "lion", Title: "Lion", Variants: optimizers.Lion()},
	}
}

// BF16 is every family with bfloat16 streams: compiled for float32
// arithmetic only, and tested by package kernels' own bfloat16 tests
// rather than internal/famtest, which takes float slices.
func BF16() []golang.Family {
	return []golang.Family{
		{Name: "adamBF16", Title: "Adam (bfloat16 storage)", Variants: optimizers.AdamBF16(false), Bits: []int{32}},
		{Name: "adamBF16Grad", Title: "Adam (bfloat16 storage and gradient)", Variants: optimizers.AdamBF16(true), Bits: []int{32}},
		{Name: "sgdBF16", Title: "SGD (bfloat16 storage)", Variants: optimizers.SGDBF16(false), Bits: []int{32}},
		{Name: "sgdBF16Grad", Title: "SGD (bfloat16 storage and gradient)", Variants: optimizers.SGDBF16(true), Bits: []int{32}},
		{Name: "lionBF16", Title: "Lion (bfloat16 storage)", Variants: optimizers.LionBF16(false), Bits: []int{32}},
		{Name: "lionBF16Grad", Title: "Lion (bfloat16 storage and gradient)", Variants: optimizers.LionBF16(true), Bits: []int{32}},
	}
}
