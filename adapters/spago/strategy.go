package fusedspago

import (
	"context"
	"fmt"
	"sync"

	"github.com/fusedopt/fusedopt/kernels"
	"github.com/fusedopt/fusedopt/optim"
	"github.com/nlpodyssey/spago/nn"
	"github.com/nlpodyssey/spago/optimizers"
)

// Strategy steps a spaGO model's parameters with fusedopt's optimizer H
// (one of the kernels' hyperparameter structs: kernels.Adam for Adam and
// AdamW, kernels.SGD, ...), through the optim.Optimizer it holds. Its
// Optimize takes a step, as spaGO's optimizers.Optimizer does; it is also
// an optimizers.OptimizationStrategy for spaGO's.
//
// Its methods are safe for concurrent use: spaGO's Optimizer calls
// OptimizeParams from many goroutines.
type Strategy[H optim.Algorithm] struct {
	mu     sync.Mutex
	opt    *optim.Optimizer[H]
	params nn.ParamChannelFunc
	group  func(name string, shape []int64) int
	b      binder // nil until the first step or Load
}

// binder is a Strategy's registered parameters, in their dtype.
type binder interface {
	// stageOne checks p and copies its gradient into the optimizer's
	// buffer, then drops it; complete reports whether every parameter is
	// now staged.
	stageOne(p *nn.Param) (complete bool, err error)
	// stageAll checks that ps are the registered parameters, each with a
	// gradient, and copies the gradients in; on an error nothing changed.
	stageAll(ps []*nn.Param) error
	// has reports p not among the parameters, as stageOne does.
	has(p *nn.Param) error
	// staged is the number of parameters staged for the next step.
	staged() int
	// unstage forgets what is staged.
	unstage()
	// dropGrads drops every parameter's gradient (spaGO's ZeroGrad).
	dropGrads()
}

var _ optimizers.OptimizationStrategy = (*Strategy[kernels.Adam])(nil)

// New returns a Strategy that steps the parameters params yields (for
// example nn.Parameters(model)) with the optimizer of hyperparameters h
// (start from the kernels' DefaultX, PyTorch's defaults) and the given
// options. A bad hyperparameter is a *kernels.ParamError; a bad schedule
// or Config is an error from optim.New.
func New[H optim.Algorithm](params nn.ParamChannelFunc, h H, opts ...Option) (*Strategy[H], error) {
	if params == nil {
		return nil, fmt.Errorf("fusedspago: New with nil params")
	}
	var st settings
	for _, o := range opts {
		o(&st)
	}
	opt, err := optim.New(h, st.schedule, &st.config)
	if err != nil {
		return nil, fmt.Errorf("fusedspago: %w", err)
	}
	return &Strategy[H]{opt: opt, params: params, group: st.group}, nil
}

// NewStrategy is New for a one-line switch from spaGO's constructors,
// which return no error: it panics where New returns one, on
// hyperparameters or options that can never step.
func NewStrategy[H optim.Algorithm](params nn.ParamChannelFunc, h H, opts ...Option) *Strategy[H] {
	s, err := New(params, h, opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// Optimizer returns the optim.Optimizer the Strategy steps with: for
// parameter groups, hyperparameter changes, step counts and checkpoints
// (SaveFile; load with the Strategy's Load, which registers the
// parameters first). Do not add parameters to it.
func (s *Strategy[H]) Optimizer() *optim.Optimizer[H] { return s.opt }

// Optimize takes one optimizer step of every parameter from its gradient,
// then drops the gradients, as spaGO's optimizers.Optimizer.Optimize does
// with spaGO's strategies; unlike it, it returns once the parameters are
// updated. The first step registers the parameters. Optimize checks
// everything before it changes anything: on an error the values,
// gradients and optimizer state are as they were.
func (s *Strategy[H]) Optimize() error {
	ps := collect(s.params)
	s.mu.Lock()
	defer s.mu.Unlock()
	// The first step checks the gradients before it registers, so that a
	// model it rejects is not registered either.
	if err := s.register(ps, func(b binder) error { return b.stageAll(ps) }); err != nil {
		return err
	}
	if n := s.b.staged(); n > 0 {
		return fmt.Errorf("fusedspago: Optimize while %d parameters are staged by OptimizeParams for a step that has not happened: use one or the other", n)
	}
	if err := s.b.stageAll(ps); err != nil {
		return err
	}
	if err := s.opt.Step(); err != nil {
		return fmt.Errorf("fusedspago: %w", err)
	}
	s.b.dropGrads()
	return nil
}

// OptimizeParams stages p's gradient for the next step, copying it into
// the optimizer's buffer and dropping it, and takes the step once every
// registered parameter is staged: spaGO's optimizers.Optimizer calls it
// once per parameter that has a gradient, from many goroutines, and has
// no call that marks the end of a step. A parameter staged twice before a
// step is an error: some parameter had no gradient in the step before.
// An error leaves the values and the optimizer state as they were; the
// gradients that were staged are consumed, as spaGO's strategies consume
// them.
//
// Optimize is the better choice: spaGO v1.1.0's Optimizer.Optimize
// returns without waiting for the goroutines it started (it waits only
// after an error), so the last parameters, and with a Strategy the step
// itself, may still be running when it returns, as they may with spaGO's
// own strategies.
func (s *Strategy[H]) OptimizeParams(p *nn.Param) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b == nil {
		// The first call registers every parameter, once it is sure that
		// p is one of them.
		if err := s.register(collect(s.params), func(b binder) error { return b.has(p) }); err != nil {
			return err
		}
	}
	complete, err := s.b.stageOne(p)
	if err != nil || !complete {
		return err
	}
	// Every gradient is consumed now, whatever the step does.
	defer s.b.unstage()
	if err := s.opt.Step(); err != nil {
		return fmt.Errorf("fusedspago: %w", err)
	}
	return nil
}

// register registers ps, once, if check accepts them.
func (s *Strategy[H]) register(ps []*nn.Param, check func(binder) error) error {
	if s.b != nil {
		return nil
	}
	b, commit, err := build(s, ps)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(b); err != nil {
			return err
		}
	}
	commit()
	s.b = b
	return nil
}

// collect drains params.
func collect(params nn.ParamChannelFunc) []*nn.Param {
	var ps []*nn.Param
	for p := range params(context.Background()) {
		ps = append(ps, p)
	}
	return ps
}
