// Package fusedgorgonia steps Gorgonia models with fusedopt: a Solver, for
// every fusedopt optimizer and for float32 or float64 graphs, that
// gorgonia's training loops take in place of gorgonia.NewAdamSolver() and
// its siblings:
//
//	solver := fusedgorgonia.NewSolver(kernels.DefaultAdam()) // was gorgonia.NewAdamSolver()
//	for ... {
//		vm.RunAll()
//		solver.Step(gorgonia.NodesToValueGrads(learnables))
//		vm.Reset()
//	}
//
// A Solver is an optim.Optimizer underneath (Optimizer returns it), so a
// Gorgonia model gets parameter groups, learning-rate schedules and
// safetensors checkpoints that resume bit for bit. Its updates are
// fusedopt's kernels, with PyTorch's semantics: each step gives the bits
// of the kernel's Step32 or Step64 on each parameter.
//
// # Parameters
//
// The first Step registers the model's parameters with the optimizer, in
// the order of the list, each under a stable name: the node's name where
// it was given one (gorgonia.WithName), and otherwise its index in the
// list, "0", "1", ..., as PyTorch's optimizer keys its state. Checkpoints
// key the state by these names, so name the learnables to keep
// checkpoints valid when the list changes. Every later Step must pass the
// same parameters, in the same order, with the same shapes. To resume,
// Load registers the parameters and loads a checkpoint before the first
// Step.
//
// A tensor parameter is stepped in place, without a copy: its
// *tensor.Dense backing slice is the optimizer's parameter. So is its
// gradient when a dual value holds it (gorgonia.BindDualValues), where it
// stays in one place. A gradient that is the value of the derivative node
// (a tape machine without BindDualValues reallocates it on every run) and
// every scalar (*gorgonia.F32, *gorgonia.F64) go through a buffer of the
// Solver's, copied in before each step (and, for a scalar parameter, out
// after it). After a step every gradient is zeroed, as gorgonia's solvers
// do: a dual value accumulates gradients across runs.
//
// # One dtype
//
// A Solver steps float32 or float64 parameters, not both: a Gorgonia graph
// computes in one dtype, and a float64 node in a float32 model (a scalar
// made from a Go float64, say) is a mistake that this catches at the first
// Step. A model that means to mix them takes one Solver per dtype.
//
// # Errors
//
// Step checks the whole list before it changes anything: a value that is
// not a float tensor or scalar, a non-contiguous view (a transpose or a
// strided slice: the kernels step contiguous memory), a gradient missing
// or of another dtype or size than its value, mixed dtypes, duplicate
// names, a parameter list, name or shape that differs from the registered
// one, or a tensor that is no longer the memory registered for it are
// errors that name the parameter, and leave the values, gradients and
// optimizer state as they were. So are the optimizer's own errors (a
// *kernels.ParamError, wrapped).
//
// # From gorgonia's solvers
//
// Gorgonia's solver options map to hyperparameters: WithLearnRate to LR,
// WithBatchSize(b) to GradScale 1/b, WithL2Reg to WeightDecay (coupled:
// gorgonia's Adam adds it to the gradient), WithBeta1, WithBeta2, WithEps
// and WithRho to their fields; there is no per-element clipping (WithClip)
// or L1 term. Gorgonia's NewAdamW never changes the weights (the decayed
// weights and the update go to a copy) and swaps the moment coefficients;
// kernels.DefaultAdamW is PyTorch's AdamW. Its RMSPropSolver divides by
// sqrt(v+eps), which is kernels.RMSprop with EpsInSqrt. The package's
// README lists what each of gorgonia's solvers matches.
package fusedgorgonia
