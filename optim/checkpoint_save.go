package optim

import (
	"fmt"
	"io"
	"strconv"

	"github.com/fusedopt/fusedopt/internal/safetensors"
)

// Save writes a checkpoint of the optimizer to w in the safetensors
// format: each parameter's state as state.<name>.<slot>, with PyTorch's
// slot names (exp_avg, exp_avg_sq, max_exp_avg_sq, momentum_buffer, sum,
// square_avg, grad_avg, acc_delta, exp_inf), in the parameter's dtype and
// shape; with Config.SaveParams also each parameter's value as
// param.<name>; and in the header's __metadata__ the format version, the
// algorithm, every group's hyperparameters, step count, schedule and (for
// NAdam) product of mu, the registered parameters, the shard, the
// bfloat16 rounding (Config.Rounding's mode and seed), and a
// CRC-32C checksum of every tensor's bytes. A sharded optimizer writes the
// elements it owns, as one-dimensional tensors where it owns part of a
// parameter. Python's safetensors reads the file (safetensors.numpy.load_file).
//
// Save reads the state twice, once for the checksums and once to write it.
// To write a file, use SaveFile.
func (o *Optimizer[H]) Save(w io.Writer) error {
	es := o.checkpointLayout(o.groupUses(), o.saveParams, false)
	sums := make(map[string]string, len(es))
	h := safetensors.Header{Metadata: o.metadata(), Tensors: make([]safetensors.Tensor, len(es))}
	for i := range es {
		sums[es[i].info.Name] = fmt.Sprintf("%08x", es[i].checksum())
		h.Tensors[i] = es[i].info
	}
	h.Metadata[metaChecksums] = marshal(sums)
	prefix, err := safetensors.Encode(&h)
	if err != nil {
		return fmt.Errorf("optim: Save: %v", err)
	}
	if _, err := w.Write(prefix); err != nil {
		return fmt.Errorf("optim: Save: %w", err)
	}
	for _, e := range es {
		if err := e.write(w); err != nil {
			return fmt.Errorf("optim: Save %s: %w", e.info.Name, err)
		}
	}
	return nil
}

// anyBF16 reports whether a bfloat16 parameter is registered.
func (o *Optimizer[H]) anyBF16() bool {
	for _, p := range o.params {
		if p.bf != nil {
			return true
		}
	}
	return false
}

// roundingMeta is the optimizer's rounding, its seed 0 when it rounds to
// nearest (which uses none).
func (o *Optimizer[H]) roundingMeta() roundingMeta {
	if !o.round.Stochastic {
		return roundingMeta{}
	}
	return roundingMeta{Stochastic: true, Seed: o.round.Seed}
}

// SaveFile writes a checkpoint (see Save) to the file path atomically: to a
// temporary file in the same directory, synced to disk and then renamed
// over path, and the directory synced too. If SaveFile fails, or the
// machine stops while it runs, path still holds the previous checkpoint.
// The file's mode is 0644.
func (o *Optimizer[H]) SaveFile(path string) error {
	return writeFileAtomic(path, o.Save)
}

// metadata is the checkpoint's __metadata__ without the checksums.
func (o *Optimizer[H]) metadata() map[string]string {
	groups := make([]groupMeta[H], len(o.groups))
	for g, gr := range o.groups {
		m := &groups[g]
		m.Params = []string{}
		m.InitialLR = *o.algo.lr(&gr.hyper)
		if lr := o.LR(g); validLR(lr) {
			m.LR = &lr
		}
		m.Step = gr.clock.steps
		m.Schedule = gr.sched.String()
		m.Hyper = gr.hyper
		if o.algo.name == "NAdam" {
			mu := gr.clock.nadam.MuProduct
			m.MuProduct = &mu
		}
	}
	params := make([]paramMeta, len(o.params))
	for i, p := range o.params {
		params[i] = paramMeta{Name: p.name, DType: p.dtype(), Shape: p.shape, Group: p.group}
		groups[p.group].Params = append(groups[p.group].Params, p.name)
	}
	meta := map[string]string{
		metaFormat:    formatName,
		metaVersion:   strconv.Itoa(formatVersion),
		metaOptimizer: o.algo.name,
		metaGroups:    marshal(groups),
		metaParams:    marshal(params),
	}
	if o.shard != everything {
		meta[metaShard] = marshal(o.shard)
	}
	if o.anyBF16() {
		meta[metaRounding] = marshal(o.roundingMeta())
	}
	return meta
}
