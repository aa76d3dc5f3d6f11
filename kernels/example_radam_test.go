package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// Minimize f(x) = ((x0-1)² + (x1+2)²)/2 with RAdam. Until the variance of
// the adaptive step can be estimated (rho_t > 5: the sixth step with the
// default betas), RAdam takes plain momentum steps LR*m/(1-Beta1^t); from
// then on, rectified Adam steps.
func ExampleRAdam_Step32() {
	target := []float32{1, -2}
	x := []float32{0, 0}
	grad := make([]float32, len(x))
	m, v := make([]float32, len(x)), make([]float32, len(x))

	opt := kernels.DefaultRAdam()
	opt.LR = 0.1
	for t := 1; t <= 300; t++ {
		for i := range x {
			grad[i] = x[i] - target[i]
		}
		if err := opt.Step32(t, x, grad, m, v); err != nil {
			fmt.Println(err)
			return
		}
		if t == 1 || t == 5 || t == 6 || t == 10 || t == 300 {
			fmt.Printf("step %3d (rectified %-5v): x = [%.4f %.4f]\n", t, opt.Rectified(t), x[0], x[1])
		}
	}
	// Output:
	// step   1 (rectified false): x = [0.1000 -0.2000]
	// step   5 (rectified false): x = [0.4476 -0.8953]
	// step   6 (rectified true ): x = [0.4501 -0.8977]
	// step  10 (rectified true ): x = [0.4653 -0.9129]
	// step 300 (rectified true ): x = [1.0000 -2.0000]
}
