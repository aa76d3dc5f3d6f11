package fusedgorgonia

import (
	"fmt"
	"io"
	"os"

	"gorgonia.org/gorgonia"
)

// Load restores the optimizer from a checkpoint that Optimizer().Save
// wrote, for the parameters of model, which it registers first if no Step
// has: the state, the step counts and hyperparameters, and, if the
// checkpoint holds them (optim.Config.SaveParams), the parameters' values.
// The checkpoint keys parameters by name, so model must have the names
// and shapes of the one that was saved.
//
// Gorgonia makes a model's gradients on its first run, so run the machine
// once before Load; Load then zeroes the gradients, which the run computed
// from the values before the load:
//
//	vm.RunAll()
//	err := solver.LoadFile(model, "ckpt.safetensors")
//	vm.Reset()
//
// On an error nothing has changed but the registration.
func (s *Solver[H]) Load(model []gorgonia.ValueGrad, r io.Reader) error {
	if err := s.register(model); err != nil {
		return err
	}
	if err := s.params.read(model); err != nil {
		return err
	}
	// Stage the current values, so that a checkpoint without parameters
	// leaves the scalars as they are when stageOut writes them back.
	s.params.stageIn()
	if err := s.opt.Load(r); err != nil {
		return fmt.Errorf("fusedgorgonia: %w", err)
	}
	s.params.stageOut()
	return nil
}

// LoadFile is Load from the file path.
func (s *Solver[H]) LoadFile(model []gorgonia.ValueGrad, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("fusedgorgonia: %w", err)
	}
	defer f.Close()
	return s.Load(model, f)
}
