package optim_test

import (
	"fmt"
	"log"

	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
)

// Clipping the global gradient norm before a step, in place and fused.
func ExampleOptimizer_ClipGradNorm() {
	w, gw := []float32{1, 1}, []float32{3, 4}
	opt, err := optim.New(kernels.DefaultSGD(), nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	opt.Add32(0, optim.Param32{Name: "w", Data: w, Grad: gw})

	norm, err := opt.ClipGradNorm(1, nil) // the gradients now have norm 1
	fmt.Printf("norm %g, clipped %.4f, err %v\n", norm, gw, err)

	gw[0], gw[1] = 3, 4
	norm, _ = opt.ClipGradNorm(1, &optim.ClipOptions{Fused: true}) // the next Step scales
	fmt.Printf("norm %g, gradients %g, pending scale %.4f\n", norm, gw, opt.PendingGradScale())
	// Output:
	// norm 5, clipped [0.6000 0.8000], err <nil>
	// norm 5, gradients [3 4], pending scale 0.2000
}
