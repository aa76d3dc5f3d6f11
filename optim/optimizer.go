package optim

import (
	"errors"
	"fmt"

	"github.com/fusedopt/fusedopt/kernels"
)

// Optimizer is what a training loop holds, as a torch.optim.Optimizer: the
// registered parameters with their gradients, the state it allocates for
// them, parameter groups with their hyperparameters, schedules and step
// counts, and checkpoints of all of it. H is the algorithm, one of the
// kernels' hyperparameter structs (see Algorithm).
//
// An Optimizer is not safe for concurrent use; its Step may itself run on
// many goroutines (Config.Pool).
type Optimizer[H Algorithm] struct {
	algo       *algorithm[H]
	pool       *kernels.Pool
	shard      Shard
	groups     []*group[H]
	params     []*param // in registration order
	byName     map[string]*param
	next       int64 // offset of the next parameter registered
	memory     memRanges
	saveParams bool
	round      kernels.Rounding // Config.Rounding

	clipScale float64 // a fused ClipGradNorm's coefficient for the next Step; 0: none
	norms     normScratch
}

// Config holds an Optimizer's settings that are not hyperparameters. The
// zero Config (or a nil *Config) steps on the calling goroutine, owns
// every parameter, and saves no parameters in checkpoints.
type Config struct {
	// Pool runs each Step's StepTensors calls on its workers (for example
	// kernels.DefaultPool()); nil steps on the calling goroutine alone.
	// The results are the same bits for any number of workers.
	Pool *kernels.Pool

	// Shard, if not nil, is the part of the parameters this optimizer
	// steps, for a data-parallel trainer that shards optimizer state.
	Shard *Shard

	// SaveParams makes checkpoints hold the parameters as well as the
	// optimizer state: a whole training checkpoint, which Load restores.
	SaveParams bool

	// Rounding is how Step rounds what it stores into bfloat16 parameters
	// and their state (see AddBF16): the zero value rounds to nearest,
	// ties to even; Stochastic rounds stochastically with random bits
	// hashed from Seed, the step, the slot and each element's place in
	// the registration order (see kernels.Rounding), so that no two
	// elements share bits and a sharded run has an unsharded run's bits.
	// Offset must be 0: the registration order gives every element's.
	Rounding kernels.Rounding
}

// Shard is a contiguous range [Lo, Hi) of elements in the registration
// order: the parameters laid end to end in the order they were added,
// over all groups and precisions. An Optimizer with a Shard allocates
// state only for the elements in it, and Step updates only those, with
// the same bits as an unsharded step: each rank of a data-parallel job
// holds the same registrations and its own Shard, steps it, and shares the
// updated parameters with the others. Every rank counts every step, so
// the ranks stay in step with each other even where a group has no
// elements in a shard.
type Shard struct{ Lo, Hi int64 }

func (s Shard) contains(lo, hi int64) (int64, int64) {
	return max(lo, s.Lo), min(hi, s.Hi)
}

// everything is the Shard of an Optimizer without one.
var everything = Shard{0, 1<<63 - 1}

// group is one parameter group: PyTorch's param_groups entry.
type group[H Algorithm] struct {
	hyper H // its LR is the base LR that the schedule scales
	sched Schedule
	clock clock
	f32   bucket[float32]
	f64   bucket[float64]
	bf    bucket[kernels.BF16] // bfloat16 parameters with bfloat16 gradients
	bf32  bucket[kernels.BF16] // bfloat16 parameters with float32 gradients (Grad32)

	// next holds what a Step computes for the group before it commits:
	// the hyperparameters with the scheduled LR, and the advanced clock.
	next struct {
		hyper H
		clock clock
	}
}

// bucket is a group's tensors of one precision, stepped by one
// StepTensors call.
type bucket[E elem] struct {
	ts    []*tensor[E]
	list  any  // the kernel's tensor list of ts (a *[]kernels.AdamTensor32, ...)
	stale bool // list must be rebuilt: ts or their state slices changed
}

// invalidate marks every bucket's kernel list stale, after a change of
// the tensors or of their state slices.
func (o *Optimizer[H]) invalidate() {
	for _, gr := range o.groups {
		gr.f32.stale, gr.f64.stale, gr.bf.stale, gr.bf32.stale = true, true, true, true
	}
}

// ErrNoParams is returned by Step when no parameter has been added.
var ErrNoParams = errors.New("optim: Step with no parameters registered")

// New returns an Optimizer of algorithm H whose group 0 has the
// hyperparameters h and the learning-rate schedule s (nil for Constant).
// Add parameters with Add32, Add64 and AddBF16, more groups with AddGroup.
// A bad hyperparameter is a *kernels.ParamError; a bad schedule field
// too; a bad Config is an error naming the field.
func New[H Algorithm](h H, s Schedule, cfg *Config) (*Optimizer[H], error) {
	o := &Optimizer[H]{algo: algorithmOf[H](), byName: map[string]*param{}, shard: everything}
	if cfg != nil {
		o.pool, o.saveParams, o.round = cfg.Pool, cfg.SaveParams, cfg.Rounding
		if cfg.Rounding.Offset != 0 {
			return nil, fmt.Errorf("optim: Config.Rounding.Offset = %d: want 0 (each element's index is its place in the registration order)", cfg.Rounding.Offset)
		}
		if cfg.Shard != nil {
			if sh := *cfg.Shard; sh.Lo < 0 || sh.Hi < sh.Lo {
				return nil, fmt.Errorf("optim: Config.Shard = [%d, %d): want 0 <= Lo <= Hi", sh.Lo, sh.Hi)
			}
			o.shard = *cfg.Shard
		}
	}
	if o.pool == nil {
		o.pool = callerPool
	}
	if _, err := o.AddGroup(h, s); err != nil {
		return nil, err
	}
	return o, nil
}

// callerPool is a one-worker pool: it starts no goroutine, so steps on it
// run on the calling goroutine.
var callerPool = kernels.NewPool(1)

// AddGroup adds a parameter group with hyperparameters h and schedule s
// (nil for Constant), and returns its index: PyTorch's add_param_group.
// Its step count starts at 0.
func (o *Optimizer[H]) AddGroup(h H, s Schedule) (int, error) {
	if s == nil {
		s = Constant{}
	}
	if err := o.checkGroup(&h, s); err != nil {
		return 0, err
	}
	o.groups = append(o.groups, &group[H]{hyper: h, sched: s})
	return len(o.groups) - 1, nil
}

// checkGroup validates a group's hyperparameters and schedule.
func (o *Optimizer[H]) checkGroup(h *H, s Schedule) error {
	if err := validate(h); err != nil {
		return err
	}
	return s.Validate()
}

// Groups is the number of parameter groups.
func (o *Optimizer[H]) Groups() int { return len(o.groups) }

// group returns group g, or panics naming the bad index: a programming
// error, as an index out of range is.
func (o *Optimizer[H]) group(g int) *group[H] {
	if g < 0 || g >= len(o.groups) {
		panic(fmt.Sprintf("optim: group %d out of range [0, %d)", g, len(o.groups)))
	}
	return o.groups[g]
}

// Hyper returns group g's hyperparameters, with its base LR (the LR
// before the schedule scales it).
func (o *Optimizer[H]) Hyper(g int) H { return o.group(g).hyper }

// Schedule returns group g's learning-rate schedule.
func (o *Optimizer[H]) Schedule(g int) Schedule { return o.group(g).sched }

// Steps is the number of steps group g has taken: PyTorch's
// state["step"]. The next Step is step Steps(g)+1.
func (o *Optimizer[H]) Steps(g int) int64 { return o.group(g).clock.steps }

// LR is the learning rate group g's next step will use: its schedule at
// Steps(g), scaling the base LR.
func (o *Optimizer[H]) LR(g int) float64 {
	gr := o.group(g)
	return gr.sched.LR(*o.algo.lr(&gr.hyper), gr.clock.steps)
}

// SetHyper replaces group g's hyperparameters between steps, as assigning
// to a PyTorch param_group's entries does; h.LR is the new base LR. A bad
// value returns a *kernels.ParamError and changes nothing. Once the group
// has stepped, h must use the same state as before (Adam's AMSGrad, SGD's
// and RMSprop's momentum on or off, RMSprop's Centered): state that starts
// mid-run would not be PyTorch's, and is an error.
func (o *Optimizer[H]) SetHyper(g int, h H) error {
	gr := o.group(g)
	if err := validate(&h); err != nil {
		return err
	}
	if o.hasBF16(g) {
		if err := o.checkBF16(&h); err != nil {
			return fmt.Errorf("optim: group %d has bfloat16 parameters: %w", g, err)
		}
	}
	old, now := o.algo.uses(&gr.hyper), o.algo.uses(&h)
	if old != now {
		if gr.clock.steps > 0 {
			return fmt.Errorf("optim: group %d: the new %s hyperparameters use state %v where the group's %d steps used %v; the state a group keeps cannot change once it has stepped",
				g, o.algo.name, o.slotNames(now), gr.clock.steps, o.slotNames(old))
		}
		if err := o.relayout(g, &h); err != nil {
			return err
		}
	}
	gr.hyper = h
	return nil
}

// SetSchedule replaces group g's schedule (nil for Constant). The next
// step uses s at the group's step count: a schedule is a function of the
// count, so a replacement takes over where the count stands.
func (o *Optimizer[H]) SetSchedule(g int, s Schedule) error {
	gr := o.group(g)
	if s == nil {
		s = Constant{}
	}
	if err := s.Validate(); err != nil {
		return err
	}
	gr.sched = s
	return nil
}

// slotNames lists the state keys that u uses.
func (o *Optimizer[H]) slotNames(u slotSet) []string {
	var names []string
	for i, used := range u {
		if used {
			names = append(names, o.algo.slots[i])
		}
	}
	return names
}
