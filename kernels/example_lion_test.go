package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// Minimize f(x) = ((x0-1)² + (x1+2)²)/2 with Lion. Every step moves each
// element by exactly LR in the direction of -sign(Beta1*m + (1-Beta1)*grad),
// so x walks towards the target at a fixed speed whatever the gradient's
// size, overshoots while the slow momentum (Beta2 0.99) still points the
// old way, and settles. Lion takes no step number: it has no bias
// correction.
func ExampleLion_Step32() {
	target := []float32{1, -2}
	x := []float32{0, 0}
	grad := make([]float32, len(x))
	m := make([]float32, len(x))

	opt := kernels.DefaultLion()
	opt.LR, opt.WeightDecay = 0.05, 0
	for step := 1; step <= 200; step++ {
		for i := range x {
			grad[i] = x[i] - target[i]
		}
		if err := opt.Step32(x, grad, m); err != nil {
			fmt.Println(err)
			return
		}
		if step == 1 || step == 10 || step == 30 || step == 60 || step == 200 {
			fmt.Printf("step %3d: x = [%.4f %.4f]\n", step, x[0], x[1])
		}
	}
	// Output:
	// step   1: x = [0.0500 -0.0500]
	// step  10: x = [0.5000 -0.5000]
	// step  30: x = [1.5000 -1.5000]
	// step  60: x = [1.0000 -3.0000]
	// step 200: x = [1.0000 -2.0000]
}

// Lion's decay is decoupled: a parameter whose gradient and momentum are
// zero has sign(c) = 0, and only shrinks by LR*WeightDecay of itself.
// Step64 shows the exact factor; Step32 rounds 1 - LR*WeightDecay to
// float32 (see Lion).
func ExampleDefaultLion() {
	opt := kernels.DefaultLion() // LR 1e-4, WeightDecay 1e-3
	param := []float64{1, -2}
	grad := []float64{0.5, 0}
	m := make([]float64, 2)
	if err := opt.Step64(param, grad, m); err != nil {
		fmt.Println(err)
		return
	}
	// param[0] = 1*(1 - 1e-4*1e-3) - 1e-4 (sign(0.1*0.5) = 1)
	// param[1] = -2*(1 - 1e-4*1e-3)
	fmt.Printf("param = [%.10f %.10f], m = [%.3f %.3f]\n", param[0], param[1], m[0], m[1])
	// Output:
	// param = [0.9998999000 -1.9999998000], m = [0.005 0.000]
}
