package optim

import (
	"fmt"
	"math"
)

// Step takes one optimizer step: every group's parameters are updated from
// their gradients with the group's hyperparameters and the LR its schedule
// gives at the group's step count, through one StepTensors call per group
// and precision (so validation and the per-step scalars happen once each;
// bfloat16 parameters with float32 gradients take a call of their own).
// Then every group's count advances, as do NAdam's products of mu.
//
// Step changes everything or nothing: a bad hyperparameter (a
// *kernels.ParamError), a schedule LR that is NaN, infinite or negative,
// or no registered parameter (ErrNoParams) is returned before any
// parameter or state changes. After the first Step it does not allocate.
func (o *Optimizer[H]) Step() error {
	if len(o.params) == 0 {
		return ErrNoParams
	}
	for g, gr := range o.groups {
		if err := o.prepare(g, gr); err != nil {
			return err
		}
	}
	for g, gr := range o.groups {
		h, c := &gr.next.hyper, gr.next.clock
		// prepare has run both calls on empty lists, which validate
		// everything these check; an error now is a broken invariant.
		if len(gr.f32.ts) > 0 {
			if err := o.algo.step32(h, o.pool, c, &gr.f32); err != nil {
				panic(fmt.Sprintf("optim: group %d: float32 step failed after validation: %v", g, err))
			}
		}
		if len(gr.f64.ts) > 0 {
			if err := o.algo.step64(h, o.pool, c, &gr.f64); err != nil {
				panic(fmt.Sprintf("optim: group %d: float64 step failed after validation: %v", g, err))
			}
		}
		if len(gr.bf.ts) > 0 {
			if err := o.algo.stepBF16(h, o.pool, c, o.round, &gr.bf); err != nil {
				panic(fmt.Sprintf("optim: group %d: bfloat16 step failed after validation: %v", g, err))
			}
		}
		if len(gr.bf32.ts) > 0 {
			if err := o.algo.stepBF16Grad32(h, o.pool, c, o.round, &gr.bf32); err != nil {
				panic(fmt.Sprintf("optim: group %d: bfloat16 step (float32 gradients) failed after validation: %v", g, err))
			}
		}
	}
	for _, gr := range o.groups {
		gr.clock = gr.next.clock
	}
	o.clipScale = 0
	return nil
}

// prepare computes group g's next hyperparameters and clock into gr.next
// and validates them with empty StepTensors calls, which check every
// hyperparameter (and, for float32, every value float32 cannot carry)
// without touching a slice.
func (o *Optimizer[H]) prepare(g int, gr *group[H]) error {
	lr := gr.sched.LR(*o.algo.lr(&gr.hyper), gr.clock.steps)
	if !validLR(lr) {
		return fmt.Errorf("optim: group %d: schedule %v gives LR %g at step %d: want a finite LR >= 0",
			g, gr.sched, lr, gr.clock.steps+1)
	}
	gr.next.hyper = gr.hyper
	*o.algo.lr(&gr.next.hyper) = lr
	if o.clipScale != 0 {
		// A fused ClipGradNorm's coefficient rides on the gradient scale.
		s := o.algo.gradScale(&gr.next.hyper)
		if *s == 0 {
			*s = 1
		}
		*s *= o.clipScale
	}
	gr.next.clock = o.algo.advance(&gr.next.hyper, gr.clock)
	if !fitsInt(gr.next.clock.steps) {
		return fmt.Errorf("optim: group %d: step %d does not fit in an int on this target", g, gr.next.clock.steps)
	}
	if len(gr.f32.ts) > 0 || len(gr.f64.ts) == 0 {
		if err := o.algo.step32(&gr.next.hyper, o.pool, gr.next.clock, nil); err != nil {
			return fmt.Errorf("optim: group %d: %w", g, err)
		}
	}
	if len(gr.f64.ts) > 0 {
		if err := o.algo.step64(&gr.next.hyper, o.pool, gr.next.clock, nil); err != nil {
			return fmt.Errorf("optim: group %d: %w", g, err)
		}
	}
	if len(gr.bf.ts) > 0 || len(gr.bf32.ts) > 0 { // both validate alike
		if err := o.algo.stepBF16(&gr.next.hyper, o.pool, gr.next.clock, o.round, nil); err != nil {
			return fmt.Errorf("optim: group %d: %w", g, err)
		}
	}
	return nil
}

// ZeroGrad sets every registered gradient to zero, the whole of each
// (also outside a Shard): PyTorch's zero_grad(set_to_none=False). It also
// drops the coefficient a fused ClipGradNorm left for the next Step.
func (o *Optimizer[H]) ZeroGrad() {
	o.clipScale = 0
	for _, p := range o.params {
		p.clearGrad()
	}
}

// validLR reports whether a schedule's LR can be stepped with.
func validLR(lr float64) bool { return lr >= 0 && !math.IsInf(lr, 1) }
