package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// Adadelta with torch.optim.Adadelta's defaults (LR 1, Rho 0.9, Eps 1e-6)
// on f(x) = ((x0-1)² + (x1+2)²)/2, whose gradient is x - target. Its
// steps are sqrt(acc+Eps)/sqrt(sq+Eps) times the gradient, with acc the
// running average of the squared steps: they start at about sqrt(Eps)/
// sqrt(1-Rho) = 0.0032 whatever the gradient's size, and grow as acc
// builds up.
func ExampleAdadelta_Step64() {
	target := []float64{1, -2}
	x := []float64{0, 0}
	grad := make([]float64, len(x))
	sq, acc := make([]float64, len(x)), make([]float64, len(x))

	opt := kernels.DefaultAdadelta()
	for t := 1; t <= 1000; t++ {
		for i := range x {
			grad[i] = x[i] - target[i]
		}
		if err := opt.Step64(t, x, grad, sq, acc); err != nil {
			fmt.Println(err)
			return
		}
		if t == 1 || t == 10 || t == 100 || t == 300 || t == 1000 {
			fmt.Printf("step %4d: x = [%.4f %.4f]\n", t, x[0], x[1])
		}
	}
	// Output:
	// step    1: x = [0.0032 -0.0032]
	// step   10: x = [0.0334 -0.0336]
	// step  100: x = [0.3488 -0.3764]
	// step  300: x = [0.9085 -1.1853]
	// step 1000: x = [1.0000 -2.0000]
}
