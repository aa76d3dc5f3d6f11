package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// A bfloat16 AdamW step with stochastic rounding: the result is the same
// on every machine, level and worker count, because the random bits are a
// hash of the seed, the step and each element's index.
func ExampleAdam_StepBF16() {
	param := []kernels.BF16{kernels.BF16From32(1), kernels.BF16From32(-2)}
	grad := []float32{0.5, -0.25}
	m, v := make([]kernels.BF16, 2), make([]kernels.BF16, 2)
	r := kernels.Rounding{Stochastic: true, Seed: 3}
	for t := 1; t <= 3; t++ {
		if err := kernels.DefaultAdamW().StepBF16(t, r, param, grad, m, v); err != nil {
			panic(err)
		}
	}
	fmt.Println(param[0].Float32(), param[1].Float32())
	// Output: 0.99609375 -1.9921875
}
