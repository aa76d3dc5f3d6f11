package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// Minimize f(x) = ((x0-1)² + (x1+2)²)/2 with Adamax. The gradient of f is
// x - target; the state m and u starts at zero, and t counts the steps
// from 1. Adamax's first step moves each element by LR (m/u = 1-Beta1 and
// the bias correction divides by 1-Beta1), whatever the gradient's size.
func ExampleAdamax_Step32() {
	target := []float32{1, -2}
	x := []float32{0, 0}
	grad := make([]float32, len(x))
	m, u := make([]float32, len(x)), make([]float32, len(x))

	opt := kernels.DefaultAdamax()
	opt.LR = 0.1
	for t := 1; t <= 300; t++ {
		for i := range x {
			grad[i] = x[i] - target[i]
		}
		if err := opt.Step32(t, x, grad, m, u); err != nil {
			fmt.Println(err)
			return
		}
		if t == 1 || t == 2 || t == 10 || t == 300 {
			fmt.Printf("step %3d: x = [%.4f %.4f]  u = [%.4f %.4f]\n", t, x[0], x[1], u[0], u[1])
		}
	}
	// Output:
	// step   1: x = [0.1000 -0.1000]  u = [1.0000 2.0000]
	// step   2: x = [0.1948 -0.1975]  u = [0.9990 1.9980]
	// step  10: x = [0.7712 -0.8814]  u = [0.9910 1.9821]
	// step 300: x = [1.0000 -2.0000]  u = [0.7415 1.4829]
}
