package kernels_test

import (
	"errors"
	"fmt"
	"math"

	"github.com/fusedopt/fusedopt/kernels"
)

// Minimize f(x) = ((x0-1)² + (x1+2)²)/2 with Adam. The gradient of f is
// x - target; Adam's state m and v starts at zero, and t counts the steps
// from 1.
func ExampleAdam_Step32() {
	target := []float32{1, -2}
	x := []float32{0, 0}
	grad := make([]float32, len(x))
	m, v := make([]float32, len(x)), make([]float32, len(x))

	opt := kernels.DefaultAdam()
	opt.LR = 0.1
	for t := 1; t <= 300; t++ {
		for i := range x {
			grad[i] = x[i] - target[i]
		}
		if err := opt.Step32(t, x, grad, m, v, nil); err != nil {
			fmt.Println(err)
			return
		}
		if t == 1 || t == 2 || t == 10 || t == 300 {
			fmt.Printf("step %3d: x = [%.4f %.4f]\n", t, x[0], x[1])
		}
	}
	// Output:
	// step   1: x = [0.1000 -0.1000]
	// step   2: x = [0.1996 -0.1998]
	// step  10: x = [0.9238 -0.9754]
	// step 300: x = [1.0000 -2.0000]
}

// AdamW (torch.optim.AdamW's defaults: LR 1e-3, weight decay 1e-2) shrinks
// every parameter by LR*WeightDecay before the Adam update, whatever its
// gradient: the second parameter, with a zero gradient, only decays.
func ExampleDefaultAdamW() {
	opt := kernels.DefaultAdamW()
	param := []float64{1, -2}
	grad := []float64{0.5, 0}
	m, v := make([]float64, 2), make([]float64, 2)
	if err := opt.Step64(1, param, grad, m, v, nil); err != nil {
		fmt.Println(err)
		return
	}
	// param[0] = 1*(1 - 1e-3*1e-2) - 1e-3 (the first Adam step is LR*sign(grad))
	// param[1] = -2*(1 - 1e-3*1e-2)
	fmt.Printf("param = [%.8f %.8f]\n", param[0], param[1])
	// Output:
	// param = [0.99899000 -1.99998000]
}

// Pin a level, here the pure-Go kernels that every machine has (Levels
// always ends with Generic). Every level computes the same bits, so the
// choice changes speed only; this example checks that on every level this
// machine supports.
func ExampleSetLevel() {
	ls := kernels.Levels()
	fmt.Println("always supported:", ls[len(ls)-1])

	old, err := kernels.SetLevel(kernels.Generic)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer kernels.SetLevel(old) // restore the best level
	fmt.Println("active:", kernels.ActiveLevel())

	step := func() []float32 {
		param := []float32{0.5, -1.25, 2, 0, 3, 1e-3, -7, 0.25, 9}
		grad := []float32{0.1, -0.2, 3, 1e-9, 0, -1, 0.5, 2, -4}
		n := len(param)
		m, v := make([]float32, n), make([]float32, n)
		kernels.DefaultAdamW().Step32(1, param, grad, m, v, nil)
		return param
	}
	want := step() // on Generic
	same := true
	for _, l := range ls {
		kernels.SetLevel(l)
		for i, x := range step() {
			same = same && math.Float32bits(x) == math.Float32bits(want[i])
		}
	}
	fmt.Println("identical bits on every level:", same)

	// FUSEDOPT_LEVEL=generic pins the level at start-up instead; names
	// parse with ParseLevel.
	l, err := kernels.ParseLevel("avx512")
	fmt.Println(l, err)
	_, err = kernels.ParseLevel("sse4")
	fmt.Println(err)
	// Output:
	// always supported: generic
	// active: generic
	// identical bits on every level: true
	// avx512 <nil>
	// fusedopt: unknown level "sse4" (want one of generic, avx2, avx512, neon)
}

// A hyperparameter outside its domain makes a step return a *ParamError
// before it touches any slice.
func ExampleParamError() {
	opt := kernels.DefaultAdam()
	opt.Beta1 = 1 // must be in [0, 1)
	param := []float32{1, 2}
	grad := []float32{0.1, 0.2}
	m, v := make([]float32, 2), make([]float32, 2)

	err := opt.Step32(1, param, grad, m, v, nil)
	fmt.Println(err)
	var pe *kernels.ParamError
	if errors.As(err, &pe) {
		fmt.Printf("field %s, value %g, want %s\n", pe.Field, pe.Value, pe.Want)
	}
	fmt.Println("param unchanged:", param)
	// Output:
	// fusedopt: Adam.Beta1 = 1: must be in [0, 1)
	// field Beta1, value 1, want in [0, 1)
	// param unchanged: [1 2]
}
