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
	sbf   []refState[kernels.BF16]
	at    []uint64 // each tensor's first element's place in the registration order
	algo  *algorithm[H]
}

func newRefRun[H Algorithm](c algoCase[H], m *model, sched Schedule) *refRun[H] {
	r := &refRun[H]{c: c, m: m, hyper: [2]H{c.h, c.h2}, sched: sched, algo: algorithmOf[H]()}
	for i := range m.names {
		h := &r.hyper[m.group[i]]
		uses := r.algo.uses(h)
		var x32 refState[float32]
		var x64 refState[float64]
		var xbf refState[kernels.BF16]
		x32.data, x32.grad, x64.data, x64.grad = m.d32[i], m.g32[i], m.d64[i], m.g64[i]
		xbf.data, xbf.grad = m.dbf[i], m.gbf[i]
		for s, used := range uses {
			if used {
				x32.state[s] = makeIf[float32](x32.data)
				x64.state[s] = makeIf[float64](x64.data)
				xbf.state[s] = makeIf[kernels.BF16](xbf.data)
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
		r.s32, r.s64, r.sbf = append(r.s32, x32), append(r.s64, x64), append(r.sbf, xbf)
		at := uint64(0)
		if i > 0 {
			at = r.at[i-1] + uint64(len(m.d32[i-1])+len(m.d64[i-1])+len(m.dbf[i-1]))
		}
		r.at = append(r.at, at)
	}
	return r
}

// makeIf is a zeroed state slice for data, or nil if data is nil.
func makeIf[E elem, D elem](data []D) []E {
	if data == nil {
		return nil
	}
	return make([]E, len(data))
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
		switch {
		case r.s32[i].data != nil:
			mustOK(r.c.ref.f32(h, next, &r.s32[i]))
		case r.s64[i].data != nil:
			mustOK(r.c.ref.f64(h, next, &r.s64[i]))
		default:
			round := r.c.round
			round.Offset = r.at[i]
			mustOK(r.c.ref.bf(h, next, round, &r.sbf[i]))
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
			j := -1
			switch {
			case p.f32 != nil:
				j = sameBits(p.f32.state[s], r.s32[i].state[s])
			case p.f64 != nil:
				j = sameBits(p.f64.state[s], r.s64[i].state[s])
			default:
				j = sameBits(p.bf.state[s], r.sbf[i].state[s])
			}
			if j >= 0 {
				t.Fatalf("%s state %s[%d] differs from the direct kernel calls'", name, r.algo.slots[s], j)
			}
		}
	}
}
