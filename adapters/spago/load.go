package fusedspago

import (
	"fmt"
	"io"
	"os"
)

// Load restores the optimizer from a checkpoint that Optimizer().Save
// wrote, registering the parameters first if no step has: the state, the
// step counts and hyperparameters, and, if the checkpoint holds them
// (optim.Config.SaveParams), the parameters' values. The checkpoint keys
// parameters by their index in params, so the model must be the one that
// was saved. On an error nothing has changed but the registration.
func (s *Strategy[H]) Load(r io.Reader) error {
	ps := collect(s.params)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.register(ps, nil); err != nil {
		return err
	}
	if n := s.b.staged(); n > 0 {
		return fmt.Errorf("fusedspago: Load while %d parameters are staged by OptimizeParams for a step that has not happened", n)
	}
	if err := s.opt.Load(r); err != nil {
		return fmt.Errorf("fusedspago: %w", err)
	}
	return nil
}

// LoadFile is Load from the file path.
func (s *Strategy[H]) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("fusedspago: %w", err)
	}
	defer f.Close()
	return s.Load(f)
}
