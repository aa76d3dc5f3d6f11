package kernels_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// A model of several tensors steps in one call on a pool of workers. The
// result is the same bits as Step32 on each tensor, whatever the pool.
func ExampleAdam_StepTensors32() {
	pool := kernels.NewPool(2) // or nil for the default pool of GOMAXPROCS workers
	defer pool.Close()

	// Two tensors and their gradients; the state starts at zero.
	model := make([]kernels.AdamTensor32, 2)
	for i, n := range []int{100_000, 3} {
		param, grad := make([]float32, n), make([]float32, n)
		for k := range param {
			param[k], grad[k] = 1, float32(i+1)
		}
		model[i] = kernels.AdamTensor32{Param: param, Grad: grad, M: make([]float32, n), V: make([]float32, n)}
	}

	opt := kernels.DefaultAdamW()
	for t := 1; t <= 3; t++ {
		if err := opt.StepTensors32(pool, t, model); err != nil {
			panic(err)
		}
	}
	fmt.Printf("%.6f %.6f\n", model[0].Param[99_999], model[1].Param[2])
	// Output: 0.996970 0.996970
}
