package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// Minimize f(x) = ((x0-1)² + (x1+2)²)/2 with Adagrad. The gradient of f
// is x - target; the sum of squared gradients starts at zero (the default
// InitialAccumulatorValue), and t counts the steps from 1. The first step
// moves each coordinate by about LR, whatever the gradient's size.
func ExampleAdagrad_Step32() {
	target := []float32{1, -2}
	x := []float32{0, 0}
	grad := make([]float32, len(x))
	sum := make([]float32, len(x))

	opt := kernels.DefaultAdagrad()
	opt.LR = 0.5
	for t := 1; t <= 300; t++ {
		for i := range x {
			grad[i] = x[i] - target[i]
		}
		if err := opt.Step32(t, x, grad, sum); err != nil {
			fmt.Println(err)
			return
		}
		if t == 1 || t == 2 || t == 10 || t == 300 {
			fmt.Printf("step %3d: x = [%.4f %.4f]\n", t, x[0], x[1])
		}
	}
	// Output:
	// step   1: x = [0.5000 -0.5000]
	// step   2: x = [0.7236 -0.8000]
	// step  10: x = [0.9969 -1.7075]
	// step 300: x = [1.0000 -2.0000]
}

// A nonzero InitialAccumulatorValue is the state's starting value:
// InitSum64 writes it. With 0.75 and a gradient of 0.5, the first step
// divides by sqrt(0.75 + 0.25) = 1; EpsInSqrt would put Eps inside that
// square root, as Optax does.
func ExampleAdagrad_InitSum64() {
	opt := kernels.DefaultAdagrad()
	opt.InitialAccumulatorValue = 0.75
	param, grad := []float64{1}, []float64{0.5}
	sum := make([]float64, 1)
	if err := opt.InitSum64(sum); err != nil {
		fmt.Println(err)
		return
	}
	if err := opt.Step64(1, param, grad, sum); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("sum = %.2f, param = %.6f\n", sum[0], param[0])
	// Output:
	// sum = 1.00, param = 0.995000
}
