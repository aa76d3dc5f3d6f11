package kernels_test

import (
	"fmt"
	"math"

	"github.com/fusedopt/fusedopt/kernels"
)

// LAMB scales a tensor's Adam update u by ‖param‖/‖u‖: whatever the
// gradient's size, a step moves the tensor by LR times its own norm (in
// the first step, where u is ±1 per element, exactly so). Here two
// tensors of a model, one ten times larger than the other, each move by
// a thousandth of their norm.
func ExampleLAMB_StepTensors32() {
	small := []float32{0.3, -0.4}
	large := []float32{3, -4}
	ts := []kernels.LAMBTensor32{
		{Param: small, Grad: []float32{1, 1}, M: make([]float32, 2), V: make([]float32, 2)},
		{Param: large, Grad: []float32{-1e-3, 2e-3}, M: make([]float32, 2), V: make([]float32, 2)},
	}
	opt := kernels.DefaultLAMB() // LR 1e-3
	if err := opt.StepTensors32(nil, 1, ts); err != nil {
		fmt.Println(err)
		return
	}
	moved := func(p, was []float32) float64 {
		return math.Hypot(float64(p[0]-was[0]), float64(p[1]-was[1]))
	}
	fmt.Printf("small: %.4f, moved %.5f\n", small, moved(small, []float32{0.3, -0.4}))
	fmt.Printf("large: %.4f, moved %.4f\n", large, moved(large, []float32{3, -4}))
	// Output:
	// small: [0.2996 -0.4004], moved 0.00050
	// large: [3.0035 -4.0035], moved 0.0050
}

// LARS's trust coefficient makes its step a fraction of the parameter's
// norm too: tc·‖param‖/‖u‖ times LR times u, so the first step moves a
// tensor by LR·tc·‖param‖. A group of biases and norms would set
// NoTrustRatio (and WeightDecay 0), as optax's masks do.
func ExampleLARS_Step64() {
	opt := kernels.DefaultLARS()
	opt.LR, opt.TrustCoefficient = 0.1, 0.01
	param := []float64{3, 4} // ‖param‖ = 5
	grad := []float64{100, 0}
	buf := make([]float64, 2)
	if err := opt.Step64(1, param, grad, buf); err != nil {
		fmt.Println(err)
		return
	}
	// ratio = 0.01*5/100, so the step is -0.1*0.0005*100 = -0.005 on x0.
	fmt.Printf("param = [%.4f %.4f], buf = [%.4f %.4f]\n", param[0], param[1], buf[0], buf[1])
	// Output:
	// param = [2.9950 4.0000], buf = [-0.0050 0.0000]
}
