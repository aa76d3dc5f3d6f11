package fusedgorgonia

import (
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
	"gorgonia.org/gorgonia"
)

// Solver is a gorgonia.Solver that steps a model with fusedopt's optimizer
// H (one of the kernels' hyperparameter structs: kernels.Adam for Adam and
// AdamW, kernels.SGD, ...), through the optim.Optimizer it holds.
//
// A Solver is not safe for concurrent use, as gorgonia's solvers are not.
type Solver[H optim.Algorithm] struct {
	opt    *optim.Optimizer[H]
	group  func(name string, shape []int64) int
	params binder // nil until the first Step or Load
	broken error  // set if registration failed half-way; every call returns it
}

// binder is a Solver's registered parameters, in their dtype.
type binder interface {
	// read checks the model against the registration and reads this
	// step's values and gradients, changing nothing.
	read(model []gorgonia.ValueGrad) error
	// stageIn copies what the optimizer does not alias (scalars,
	// reallocated gradients) into its buffers.
	stageIn()
	// stageOut writes the stepped scalars back and zeroes the gradients.
	stageOut()
}

var _ gorgonia.Solver = (*Solver[kernels.Adam])(nil)

// New returns a Solver for the optimizer with hyperparameters h (start
// from the kernels' DefaultX, PyTorch's defaults) and the given options.
// A bad hyperparameter is a *kernels.ParamError; a bad schedule or Config
// is an error from optim.New.
func New[H optim.Algorithm](h H, opts ...Option) (*Solver[H], error) {
	var st settings
	for _, o := range opts {
		o(&st)
	}
	opt, err := optim.New(h, st.schedule, &st.config)
	if err != nil {
		return nil, fmt.Errorf("fusedgorgonia: %w", err)
	}
	return &Solver[H]{opt: opt, group: st.group}, nil
}

// NewSolver is New for a training loop's one-line switch from gorgonia's
// constructors, which return no error: it panics where New returns one,
// on a hyperparameter or option that can never step.
func NewSolver[H optim.Algorithm](h H, opts ...Option) *Solver[H] {
	s, err := New(h, opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// Optimizer returns the optim.Optimizer the Solver steps with: for
// parameter groups, hyperparameter changes, step counts and checkpoints
// (SaveFile; load with the Solver's Load, which registers the parameters
// first). Its parameters are registered by the first Step or Load; do not
// add others to it.
func (s *Solver[H]) Optimizer() *optim.Optimizer[H] { return s.opt }

// register registers model's parameters with the optimizer, once: the
// first Step's, or Load's, work.
func (s *Solver[H]) register(model []gorgonia.ValueGrad) error {
	if s.broken != nil {
		return s.broken
	}
	if s.params != nil {
		return nil
	}
	b, err := register(s, model)
	if err != nil {
		return err
	}
	s.params = b
	return nil
}

// Step takes one optimizer step of every parameter of model from its
// gradient, then zeroes the gradients, as gorgonia's solvers do. The first
// Step (or Load) registers the parameters; later ones must pass the same
// parameters in the same order. Step checks everything before it
// changes anything: on an error the values, gradients and optimizer state
// are as they were.
func (s *Solver[H]) Step(model []gorgonia.ValueGrad) error {
	if err := s.register(model); err != nil {
		return err
	}
	if err := s.params.read(model); err != nil {
		return err
	}
	s.params.stageIn()
	if err := s.opt.Step(); err != nil {
		return fmt.Errorf("fusedgorgonia: %w", err)
	}
	s.params.stageOut()
	return nil
}
