package optim

import (
	"github.com/fusedopt/fusedopt/internal/safetensors"
)

// entry is one tensor of a checkpoint and the slice it is written from or
// read into: a parameter's value (param.<name>) or one state slot
// (state.<name>.<slot>), over the elements this optimizer owns.
type entry struct {
	info  safetensors.Tensor
	p     *param
	slot  int // the state slot, or -1 for the parameter's value
	f32   []float32
	f64   []float64
	check uint32 // CRC-32C of the data
}

func (e *entry) checksum() uint32 {
	if e.f32 != nil {
		return safetensors.Checksum(e.f32)
	}
	return safetensors.Checksum(e.f64)
}

// checkpointLayout lists a checkpoint's tensors in file order: for each
// parameter in registration order that the shard owns elements of, its
// value if withParams, then each slot its group's hyperparameters use
// (uses[group]). With fresh, each entry gets a new zeroed slice to read
// into; otherwise the optimizer's own slices, to write from.
func (o *Optimizer[H]) checkpointLayout(uses []slotSet, withParams, fresh bool) []entry {
	var es []entry
	for _, p := range o.params {
		if p.owned() == 0 {
			continue
		}
		shape := p.shape
		if p.owned() != p.size {
			shape = []int64{int64(p.owned())}
		}
		add := func(key string, slot int) {
			e := entry{info: safetensors.Tensor{Name: key, DType: p.dtype(), Shape: shape}, p: p, slot: slot}
			if x := p.f32; x != nil {
				e.f32 = slotData(x, slot, fresh)
			} else {
				e.f64 = slotData(p.f64, slot, fresh)
			}
			es = append(es, e)
		}
		if withParams {
			add(paramKey(p.name), -1)
		}
		for i, used := range uses[p.group] {
			if used {
				add(stateKey(p.name, o.algo.slots[i]), i)
			}
		}
	}
	return es
}

// slotData is the owned window of x's value (slot -1) or its state slot,
// or a new slice of that length if fresh.
func slotData[E float](x *tensor[E], slot int, fresh bool) []E {
	if fresh {
		return make([]E, x.hi-x.lo)
	}
	if slot < 0 {
		return x.window(x.data)
	}
	return x.state[slot]
}

// groupUses is what each group's hyperparameters use now.
func (o *Optimizer[H]) groupUses() []slotSet {
	u := make([]slotSet, len(o.groups))
	for g, gr := range o.groups {
		u[g] = o.algo.uses(&gr.hyper)
	}
	return u
}
