// Package families lists every optimizer the kernels package ships, in the
// order of its generated tables: the one list the generator and the
// backends' tests share. (The benchmarks' limit kernels, in
// internal/limits, are derived from it: golang.LimitFamilies.)
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
