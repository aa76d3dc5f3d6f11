package optim_test

import (
	"fmt"
	"log"

	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
)

// A bfloat16 model: parameters, gradients and AdamW's state in 2 bytes
// each, rounded stochastically with the same bits on every machine. It
// fits y = 3x - 1 by least squares, as the float32 example does.
func ExampleOptimizer_AddBF16() {
	w, b := []kernels.BF16{0}, []kernels.BF16{0}
	gw, gb := []kernels.BF16{0}, []kernels.BF16{0}
	h := kernels.DefaultAdamW()
	h.LR = 0.1
	opt, err := optim.New(h, optim.Cosine{Steps: 300, Min: 1e-3},
		&optim.Config{Rounding: kernels.Rounding{Stochastic: true, Seed: 42}})
	if err != nil {
		log.Fatal(err)
	}
	if err := opt.AddBF16(0, optim.ParamBF16{Name: "w", Data: w, Grad: gw}); err != nil {
		log.Fatal(err)
	}
	if err := opt.AddBF16(0, optim.ParamBF16{Name: "b", Data: b, Grad: gb}); err != nil {
		log.Fatal(err)
	}
	for range 300 {
		// The backward pass computes in float32 and stores bfloat16
		// gradients, as a bfloat16 model's would.
		var dw, db float32
		for i := -2; i <= 2; i++ {
			x := float32(i) / 2
			e := w[0].Float32()*x + b[0].Float32() - (3*x - 1)
			dw += 2 * e * x / 5
			db += 2 * e / 5
		}
		gw[0], gb[0] = kernels.BF16From32(dw), kernels.BF16From32(db)
		if err := opt.Step(); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("y = %.1fx %+.1f\n", w[0].Float32(), b[0].Float32())

	// An algorithm without bfloat16 kernels refuses the parameter.
	ada, err := optim.New(kernels.DefaultAdagrad(), nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ada.AddBF16(0, optim.ParamBF16{Name: "w", Data: w, Grad: gw}))
	// Output:
	// y = 3.0x -1.0
	// optim: Add "w" to group 0: Adagrad has no bfloat16 kernels; bfloat16 parameters take Adam, AdamW, SGD or Lion
}
