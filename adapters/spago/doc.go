// Package fusedspago steps spaGO models with fusedopt: a Strategy, for
// every fusedopt optimizer and for float32 or float64 models, that is a
// spaGO optimizers.OptimizationStrategy and an optimizer of its own.
//
// The two-line switch from spaGO's Adam replaces
//
//	strategy := adam.New(adam.NewDefaultConfig())
//	optimizer := optimizers.New(nn.Parameters(model), strategy)
//
// with
//
//	optimizer := fusedspago.NewStrategy(nn.Parameters(model), kernels.DefaultAdam())
//
// and drops the strategy.IncExample() that advanced spaGO's Adam: the
// loop's optimizer.Optimize() stays, and takes one step of every
// parameter. Handed to spaGO's optimizers.New instead, a Strategy takes
// its step once every parameter's OptimizeParams has run (see
// OptimizeParams for why Optimize is the better choice).
//
// A Strategy is an optim.Optimizer underneath (Optimizer returns it), so a
// spaGO model gets parameter groups, learning-rate schedules and
// safetensors checkpoints that resume bit for bit. Its updates are
// fusedopt's kernels, with PyTorch's semantics: each step is the bits of
// the kernel's Step32 or Step64 on each parameter.
//
// # Parameters
//
// The first step (or Load) registers the parameters that params yields
// and that require gradients, in the order it yields them, under their
// index in that order, "0", "1", ..., as PyTorch's optimizer keys its
// state: names that checkpoints key the state by. nn.Parameters
// walks a model's fields and slices in order, so the names are stable for
// a model type; it walks maps in Go's random order, so give a model with
// maps a fixed order with nn.StreamParams. Every later step must see the
// same parameters with the same shapes, each with a gradient.
//
// A parameter's value is stepped in place, without a copy: its
// *mat.Dense backing slice is the optimizer's parameter. Its gradient is
// copied into a buffer the optimizer holds, because spaGO allocates a new
// gradient matrix for every backward pass (ZeroGrad drops it); after the
// step the gradient is dropped, as spaGO's strategies do.
//
// # One dtype
//
// A Strategy steps float32 or float64 parameters, not both: a spaGO model
// computes in one type, and a parameter of the other is a mistake that
// this catches at the first step. A model that means to mix them takes
// one Strategy per dtype.
//
// # Errors
//
// A step checks everything before it changes anything: a value that is
// not a *mat.Dense of the Strategy's dtype, mixed dtypes, a parameter
// that requires a gradient and has none, a gradient of another dtype or
// size, a parameter set or shape that differs from the registered one,
// or a value that is no longer the memory registered for it
// (Param.ReplaceValue) are errors that name the parameter and leave the
// values, gradients and optimizer state as they were. So are the
// optimizer's own errors (a *kernels.ParamError).
//
// # From spaGO's strategies
//
// spaGO's Adam is Kingma and Ba's form with eps added to the uncorrected
// sqrt(v), which is kernels.Adam with EpsHat; PyTorch's form (the default)
// differs where sqrt(v̂) is near eps. Its step count advances only when
// the caller remembers IncExample (never, in its regression example),
// where a Strategy counts its own steps. Its AdamW scales the decay by the
// bias-corrected step size instead of LR, which is neither PyTorch's nor
// the paper's; kernels.DefaultAdamW is PyTorch's. The adapter's README
// lists what each of spaGO's strategies matches.
package fusedspago
