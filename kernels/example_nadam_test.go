package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// Minimize f(x) = ((x0-1)² + (x1+2)²)/2 with NAdam. NAdam's momentum
// schedule needs the running product of its coefficients, which the
// caller carries in an NAdamSchedule (PyTorch's state["mu_product"]):
// advance it once per training step with Next, and pass it to the step of
// every tensor.
func ExampleNAdam_Step32() {
	target := []float32{1, -2}
	x := []float32{0, 0}
	grad := make([]float32, len(x))
	m, v := make([]float32, len(x)), make([]float32, len(x))

	opt := kernels.DefaultNAdam()
	opt.LR = 0.1
	var sched kernels.NAdamSchedule // the zero value: before the first step
	for range 300 {
		for i := range x {
			grad[i] = x[i] - target[i]
		}
		sched = opt.Next(sched)
		if err := opt.Step32(sched, x, grad, m, v); err != nil {
			fmt.Println(err)
			return
		}
		if t := sched.T; t == 1 || t == 2 || t == 10 || t == 300 {
			fmt.Printf("step %3d: x = [%.4f %.4f]  mu_product = %.3g\n", t, x[0], x[1], sched.MuProduct)
		}
	}
	// Output:
	// step   1: x = [0.1056 -0.1056]  mu_product = 0.45
	// step   2: x = [0.1800 -0.1821]  mu_product = 0.203
	// step  10: x = [0.6766 -0.7487]  mu_product = 0.000344
	// step 300: x = [1.0000 -2.0000]  mu_product = 1.16e-101
}
