package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// Minimize f(x) = ((x0-1)² + (x1+2)²)/2 with RMSprop and momentum. The
// gradient of f is x - target; the state sq and buf starts at zero, and
// gavg is only needed with Centered, so it is nil here. The first step is
// LR*g/sqrt((1-Alpha)*g²) = 0.01/sqrt(0.01) = 0.1 in each coordinate,
// whatever the gradient's size; momentum then overshoots, and the
// normalized steps settle.
func ExampleRMSprop_Step32() {
	target := []float32{1, -2}
	x := []float32{0, 0}
	grad := make([]float32, len(x))
	sq, buf := make([]float32, len(x)), make([]float32, len(x))

	opt := kernels.DefaultRMSprop() // LR 1e-2, Alpha 0.99, Eps 1e-8
	opt.Momentum = 0.9
	for t := 1; t <= 200; t++ {
		for i := range x {
			grad[i] = x[i] - target[i]
		}
		if err := opt.Step32(t, x, grad, sq, nil, buf); err != nil {
			fmt.Println(err)
			return
		}
		if t == 1 || t == 2 || t == 10 || t == 200 {
			fmt.Printf("step %3d: x = [%.4f %.4f]\n", t, x[0], x[1])
		}
	}
	// Output:
	// step   1: x = [0.1000 -0.1000]
	// step   2: x = [0.2571 -0.2591]
	// step  10: x = [1.5359 -2.0196]
	// step 200: x = [1.0000 -2.0000]
}
