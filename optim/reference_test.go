package optim

import (
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// refRun steps a model with the kernels' single-tensor steps, as a user of
// the kernels package would: its own state, step count and NAdam schedule.
type refRun[H Algorithm] struct {
	c     algoCase[H]
	m     *model
	hyper [2]H
	sched Schedule
	clock clock
	s32   []refState[float32]
	s64   []refState[float64]
	algo  *algorithm[H]
}

func newRefRun[H Algorithm](c algoCase[H], m *model, sched Schedule) *refRun[H] {
	r := &refRun[H]{c: c, m: m, hyper: [2]H{c.h, c.h2}, sched: sched, algo: algorithmOf[H]()}
	for i := range m.names {
		h := &r.hyper[m.group[i]]
		uses := r.algo.uses(h)
		var x32 refState[float32]
		var x64 refState[float64]
		x32.data, x32.grad, x64.data, x64.grad = m.d32[i], m.g32[i], m.d64[i], m.g64[i]
		for s, used := range uses {
			if !used {
				continue
			}
			if x32.data != nil {
				x32.state[s] = make([]float32, len(x32.data))
			} else {
				x64.state[s] = make([]float64, len(x64.data))
			}
		}
		// Adagrad's sum starts at its initial accumulator, which the
		// kernels' InitSum writes.
		if a, ok := any(*h).(kernels.Adagrad); ok {
			if x32.data != nil {
				mustOK(a.InitSum32(x32.state[0]))
			} else {
				mustOK(a.InitSum64(x64.state[0]))
			}
		}
		r.s32, r.s64 = append(r.s32, x32), append(r.s64, x64)
	}
	return r
}

func mustOK(err error) {
	if err != nil {
		panic(err)
	}
}

// step takes one step of every tensor.
func (r *refRun[H]) step() {
	var now [2]H
	for g := range now {
		now[g] = r.hyper[g]
		*r.algo.lr(&now[g]) = r.sched.LR(*r.algo.lr(&r.hyper[g]), r.clock.steps)
	}
	// Both groups count alike here, so one clock serves both; NAdam's
	// product depends only on Beta1 and MomentumDecay, equal in both.
	next := r.clock
	next.steps++
	if n, ok := any(now[0]).(kernels.NAdam); ok {
		next.nadam = n.Next(r.clock.nadam)
	}
	for i := range r.m.names {
		h := now[r.m.group[i]]
		if r.s32[i].data != nil {
			mustOK(r.c.ref.f32(h, next, &r.s32[i]))
		} else {
			mustOK(r.c.ref.f64(h, next, &r.s64[i]))
		}
	}
	r.clock = next
}

// equalState fails t where the optimizer's state of m's parameters differs
// from r's.
func (r *refRun[H]) equalState(t testing.TB, o *Optimizer[H]) {
	t.Helper()
	for i, name := range r.m.names {
		p := o.byName[name]
		for s := range maxSlots {
			if p.f32 != nil {
				if j := sameBits(p.f32.state[s], r.s32[i].state[s]); j >= 0 {
					t.Fatalf("%s state %s[%d] differs from the direct kernel calls'", name, r.algo.slots[s], j)
				}
			} else if j := sameBits(p.f64.state[s], r.s64[i].state[s]); j >= 0 {
				t.Fatalf("%s state %s[%d] differs from the direct kernel calls'", name, r.algo.slots[s], j)
			}
		}
	}
}
