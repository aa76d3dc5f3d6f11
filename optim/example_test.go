package optim_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
)

// linearModel is y = w·x + b fitted to points of y = 3x - 1 by least
// squares: a model small enough for an example, trained as a large one
// would be.
type linearModel struct {
	w, b         []float32 // the parameters
	gradW, gradB []float32 // their gradients, which the optimizer reads
}

func newLinearModel() *linearModel {
	return &linearModel{w: []float32{0}, b: []float32{0}, gradW: []float32{0}, gradB: []float32{0}}
}

// backward writes the gradient of the mean squared error over the
// points x = -1, -0.5, ..., 1, and returns the loss.
func (m *linearModel) backward() float32 {
	var loss, gw, gb float32
	for i := -2; i <= 2; i++ {
		x := float32(i) / 2
		e := m.w[0]*x + m.b[0] - (3*x - 1)
		loss += e * e / 5
		gw += 2 * e * x / 5
		gb += 2 * e / 5
	}
	m.gradW[0], m.gradB[0] = gw, gb
	return loss
}

// newOptimizer is AdamW with a warm-up and a cosine decay over 300 steps,
// without weight decay on the bias (a second group), and the parameters
// in its checkpoints.
func newOptimizer(m *linearModel) *optim.Optimizer[kernels.Adam] {
	h := kernels.DefaultAdamW()
	h.LR = 0.1
	sched := optim.Warmup{Steps: 20, StartFactor: 0.1, Then: optim.Cosine{Steps: 280, Min: 1e-3}}
	opt, err := optim.New(h, sched, &optim.Config{SaveParams: true})
	if err != nil {
		log.Fatal(err)
	}
	noDecay := h
	noDecay.WeightDecay = 0
	biases, err := opt.AddGroup(noDecay, sched)
	if err != nil {
		log.Fatal(err)
	}
	if err := opt.Add32(0, optim.Param32{Name: "w", Data: m.w, Grad: m.gradW}); err != nil {
		log.Fatal(err)
	}
	if err := opt.Add32(biases, optim.Param32{Name: "b", Data: m.b, Grad: m.gradB}); err != nil {
		log.Fatal(err)
	}
	return opt
}

// train takes steps until the optimizer has taken total, and returns the
// last loss.
func train(opt *optim.Optimizer[kernels.Adam], m *linearModel, total int64) float32 {
	var loss float32
	for opt.Steps(0) < total {
		opt.ZeroGrad()
		loss = m.backward()
		if err := opt.Step(); err != nil {
			log.Fatal(err)
		}
	}
	return loss
}

// Train a model for 150 steps, save a checkpoint, and resume from it in a
// fresh optimizer and model (as a new process would) for 150 more: the
// result is bit for bit that of 300 uninterrupted steps.
func Example() {
	dir, err := os.MkdirTemp("", "fusedopt-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ckpt := filepath.Join(dir, "ckpt.safetensors")

	m := newLinearModel()
	opt := newOptimizer(m)
	fmt.Printf("step 150: loss %.4f, lr %.4f\n", train(opt, m, 150), opt.LR(0))
	if err := opt.SaveFile(ckpt); err != nil {
		log.Fatal(err)
	}

	resumed := newLinearModel()
	ropt := newOptimizer(resumed)
	if err := ropt.LoadFile(ckpt); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("resumed at step %d: w %.4f, b %.4f\n", ropt.Steps(0), resumed.w[0], resumed.b[0])
	fmt.Printf("step 300: loss %.6f, w %.4f, b %.4f\n", train(ropt, resumed, 300), resumed.w[0], resumed.b[0])

	train(opt, m, 300)
	fmt.Println("same bits as uninterrupted:", m.w[0] == resumed.w[0] && m.b[0] == resumed.b[0])
	// Output:
	// step 150: loss 0.0006, lr 0.0560
	// resumed at step 150: w 2.9669, b -0.9998
	// step 300: loss 0.000314, w 2.9749, b -1.0000
	// same bits as uninterrupted: true
}
