package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// Minimize f(x) = ((x0-1)² + (x1+2)²)/2 with SGD and momentum 0.9 (it
// overshoots, then settles). The gradient of f is x - target; the
// momentum buffer starts at zero, and t counts the steps from 1 (on the
// first, the buffer takes the gradient itself, as in PyTorch).
func ExampleSGD_Step32() {
	target := []float32{1, -2}
	x := []float32{0, 0}
	grad := make([]float32, len(x))
	buf := make([]float32, len(x))

	opt := kernels.DefaultSGD()
	opt.LR, opt.Momentum = 0.1, 0.9
	for t := 1; t <= 200; t++ {
		for i := range x {
			grad[i] = x[i] - target[i]
		}
		if err := opt.Step32(t, x, grad, buf); err != nil {
			fmt.Println(err)
			return
		}
		if t == 1 || t == 2 || t == 10 || t == 200 {
			fmt.Printf("step %3d: x = [%.4f %.4f]\n", t, x[0], x[1])
		}
	}
	// Output:
	// step   1: x = [0.1000 -0.2000]
	// step   2: x = [0.2800 -0.5600]
	// step  10: x = [1.5888 -3.1776]
	// step 200: x = [1.0000 -2.0000]
}

// Nesterov momentum needs a momentum and no dampening, as in PyTorch; the
// error names the field. Without momentum the buffer is not used and may
// be nil: plain SGD with weight decay moves a parameter whose gradient is
// zero by LR*WeightDecay*param.
func ExampleSGD_Validate() {
	bad := kernels.SGD{LR: 0.1, Nesterov: true}
	fmt.Println(bad.Validate())

	opt := kernels.SGD{LR: 0.1, WeightDecay: 0.5}
	param := []float64{1, -2}
	grad := []float64{0.25, 0}
	if err := opt.Step64(1, param, grad, nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("param = [%.3f %.3f]\n", param[0], param[1])
	// Output:
	// fusedopt: SGD.Momentum = 0: must be > 0 with Nesterov
	// param = [0.925 -1.900]
}
