package optim

import (
	"io"

	"github.com/fusedopt/fusedopt/internal/safetensors"
	"github.com/fusedopt/fusedopt/kernels"
)

// entry is one tensor of a checkpoint and the slice it is written from or
// read into: a parameter's value (param.<name>) or one state slot
// (state.<name>.<slot>), over the elements this optimizer owns.
type entry struct {
	info safetensors.Tensor
	p    *param
	slot int // the state slot, or -1 for the parameter's value
	data any // []float32, []float64 or []kernels.BF16, as the parameter
}

func (e *entry) checksum() uint32 {
	switch d := e.data.(type) {
	case []float32:
		return safetensors.Checksum(d)
	case []float64:
		return safetensors.Checksum(d)
	}
	return safetensors.Checksum(e.data.([]kernels.BF16))
}

// write writes the entry's data to w.
func (e *entry) write(w io.Writer) error {
	switch d := e.data.(type) {
	case []float32:
		return safetensors.Write(w, d)
	case []float64:
		return safetensors.Write(w, d)
	}
	return safetensors.Write(w, e.data.([]kernels.BF16))
}

// read fills the entry's data from r.
func (e *entry) read(r io.Reader) error {
	switch d := e.data.(type) {
	case []float32:
		return safetensors.Read(r, d)
	case []float64:
		return safetensors.Read(r, d)
	}
	return safetensors.Read(r, e.data.([]kernels.BF16))
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
			switch {
			case p.f32 != nil:
				e.data = slotData(p.f32, slot, fresh)
			case p.f64 != nil:
				e.data = slotData(p.f64, slot, fresh)
			default:
				e.data = slotData(p.bf, slot, fresh)
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
func slotData[E elem](x *tensor[E], slot int, fresh bool) []E {
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
