package optim_test

import (
	"fmt"

	"github.com/fusedopt/fusedopt/optim"
)

// A linear warm-up over 100 steps, then a cosine decay to 1e-5 that ends
// at step 1000 in all: PyTorch's SequentialLR of LinearLR and
// CosineAnnealingLR(T_max=900, eta_min=1e-5). LR(base, done) is the LR of
// the step taken after done completed steps; from done = 1000 on it holds
// Min, where PyTorch's cosine would rise again.
func ExampleWarmup() {
	s := optim.Warmup{Steps: 100, StartFactor: 0.01, Then: optim.Cosine{Steps: 900, Min: 1e-5}}
	if err := s.Validate(); err != nil {
		panic(err)
	}
	const base = 3e-4 // the group's LR hyperparameter
	for _, done := range []int64{0, 50, 99, 100, 550, 999, 1000, 5000} {
		fmt.Printf("done %4d: lr %.6g\n", done, s.LR(base, done))
	}
	fmt.Println(s)
	// Output:
	// done    0: lr 3e-06
	// done   50: lr 0.0001515
	// done   99: lr 0.00029703
	// done  100: lr 0.0003
	// done  550: lr 0.000155
	// done  999: lr 1.00009e-05
	// done 1000: lr 1e-05
	// done 5000: lr 1e-05
	// Warmup{Steps: 100, StartFactor: 0.01, Then: Cosine{Steps: 900, Min: 1e-05}}
}
