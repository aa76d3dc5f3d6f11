package optim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/fusedopt/fusedopt/internal/safetensors"
	"github.com/fusedopt/fusedopt/kernels"
)

// Load restores the optimizer from a checkpoint that Save wrote, read from
// r to its end: every group's hyperparameters (as PyTorch's
// load_state_dict restores param_groups; call SetHyper afterwards to
// change them), step count and NAdam product of mu, every parameter's
// state, and the parameters' values if the checkpoint holds them. The
// schedules stay the optimizer's own: a schedule is code, and a function
// of the restored count.
//
// The optimizer must have the checkpoint's algorithm, the same parameters
// (names, order, groups, dtypes and shapes), the same Shard and, with
// bfloat16 parameters, the same Config.Rounding mode and seed. Load
// checks the whole file before it changes anything: a different algorithm,
// a missing, unknown or reordered parameter, a shape or dtype mismatch,
// another rounding, a newer format version, a malformed header, a
// truncated or over-long file, or a tensor whose checksum does not match are errors that name
// what is wrong, and leave the optimizer and the parameters as they were.
// It stages the state in new memory, so it briefly needs a second copy.
func (o *Optimizer[H]) Load(r io.Reader) error {
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok { // bytes.Reader, bytes.Buffer, strings.Reader
		size = int64(l.Len())
	}
	return o.load(r, size)
}

// LoadFile is Load from the file path.
func (o *Optimizer[H]) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("optim: LoadFile: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("optim: LoadFile: %w", err)
	}
	if err := o.load(bufio.NewReaderSize(f, 1<<20), st.Size()); err != nil {
		return fmt.Errorf("%w (file %s)", err, path)
	}
	return nil
}

// load is Load from r, whose size is known (>= 0) or not (-1).
func (o *Optimizer[H]) load(r io.Reader, size int64) error {
	h, _, err := safetensors.Decode(r, size)
	if err != nil {
		return fmt.Errorf("optim: Load: %w", err)
	}
	groups, err := o.checkMetadata(h.Metadata)
	if err != nil {
		return err
	}
	var sums map[string]string
	if err := unmarshal(h.Metadata, metaChecksums, &sums); err != nil {
		return err
	}
	uses := make([]slotSet, len(groups))
	for g := range groups {
		uses[g] = o.algo.uses(&groups[g].Hyper)
	}
	withParams := slices.ContainsFunc(h.Tensors, func(t safetensors.Tensor) bool { return strings.HasPrefix(t.Name, "param.") })
	es := o.checkpointLayout(uses, withParams, true)
	if err := matchTensors(es, h.Tensors, sums); err != nil {
		return err
	}
	if err := readTensors(r, es, h.Tensors, sums); err != nil {
		return err
	}
	if size < 0 {
		var b [1]byte
		if n, _ := io.ReadFull(r, b[:]); n != 0 {
			return errors.New("optim: Load: data continues past the last tensor")
		}
	}
	o.commit(groups, es)
	return nil
}

// checkMetadata checks the checkpoint's format, algorithm, parameters,
// shard and groups against the optimizer, and returns its groups.
func (o *Optimizer[H]) checkMetadata(meta map[string]string) ([]groupMeta[H], error) {
	if f := meta[metaFormat]; f != formatName {
		return nil, fmt.Errorf("optim: Load: not a fusedopt optimizer checkpoint (metadata format = %q, want %q)", f, formatName)
	}
	v, err := strconv.Atoi(meta[metaVersion])
	switch {
	case err != nil || v < 1:
		return nil, fmt.Errorf("optim: Load: bad checkpoint format version %q", meta[metaVersion])
	case v > formatVersion:
		return nil, fmt.Errorf("optim: Load: checkpoint format version %d is newer than this package reads (%d); upgrade fusedopt", v, formatVersion)
	}
	if a := meta[metaOptimizer]; a != o.algo.name {
		return nil, fmt.Errorf("optim: Load: the checkpoint is of the %s algorithm, this optimizer runs %s", a, o.algo.name)
	}
	var params []paramMeta
	if err := unmarshal(meta, metaParams, &params); err != nil {
		return nil, err
	}
	if err := o.checkParams(params); err != nil {
		return nil, err
	}
	if o.anyBF16() {
		var r roundingMeta
		if err := unmarshal(meta, metaRounding, &r); err != nil {
			return nil, err
		}
		if r != o.roundingMeta() {
			return nil, fmt.Errorf("optim: Load: the checkpoint's bfloat16 rounding is %v, this optimizer's (Config.Rounding) %v; the run would not resume to the same bits", r, o.roundingMeta())
		}
	}
	shard := everything
	if _, ok := meta[metaShard]; ok {
		if err := unmarshal(meta, metaShard, &shard); err != nil {
			return nil, err
		}
	}
	if shard != o.shard {
		return nil, fmt.Errorf("optim: Load: the checkpoint's shard is %s, this optimizer's is %s", shardString(shard), shardString(o.shard))
	}
	var groups []groupMeta[H]
	if err := unmarshal(meta, metaGroups, &groups); err != nil {
		return nil, err
	}
	if len(groups) != len(o.groups) {
		return nil, fmt.Errorf("optim: Load: the checkpoint has %d parameter groups, this optimizer %d", len(groups), len(o.groups))
	}
	for g := range groups {
		if err := o.checkGroupMeta(g, &groups[g], params); err != nil {
			return nil, fmt.Errorf("optim: Load: group %d: %w", g, err)
		}
	}
	return groups, nil
}

func shardString(s Shard) string {
	if s == everything {
		return "none (every element)"
	}
	return fmt.Sprintf("[%d, %d)", s.Lo, s.Hi)
}

// checkParams checks the checkpoint's parameters against the registered
// ones: the same names in the same order, groups, dtypes and shapes.
func (o *Optimizer[H]) checkParams(params []paramMeta) error {
	saved := make(map[string]int, len(params))
	for i, pm := range params {
		if _, dup := saved[pm.Name]; dup {
			return fmt.Errorf("optim: Load: the checkpoint lists parameter %q twice", pm.Name)
		}
		saved[pm.Name] = i
		if o.byName[pm.Name] == nil {
			return fmt.Errorf("optim: Load: the checkpoint's parameter %q is not registered", pm.Name)
		}
	}
	for i, p := range o.params {
		j, ok := saved[p.name]
		if !ok {
			return fmt.Errorf("optim: Load: parameter %q is registered but not in the checkpoint", p.name)
		}
		pm := params[j]
		switch {
		case j != i:
			return fmt.Errorf("optim: Load: parameter %q was registered %s in the checkpoint and %s here; the order sets each element's place in a shard", p.name, ordinal(j), ordinal(i))
		case pm.Group != p.group:
			return fmt.Errorf("optim: Load: parameter %q is in group %d in the checkpoint, %d here", p.name, pm.Group, p.group)
		case pm.DType != p.dtype():
			return fmt.Errorf("optim: Load: parameter %q is %s in the checkpoint, %s here", p.name, pm.DType, p.dtype())
		case !slices.Equal(pm.Shape, p.shape):
			return fmt.Errorf("optim: Load: parameter %q has shape %v in the checkpoint, %v here", p.name, pm.Shape, p.shape)
		}
	}
	return nil
}

func ordinal(i int) string { return "number " + strconv.Itoa(i+1) }

// checkGroupMeta checks one of the checkpoint's groups: its parameters are
// the registered ones, and its hyperparameters and counts are valid.
func (o *Optimizer[H]) checkGroupMeta(g int, m *groupMeta[H], params []paramMeta) error {
	var want []string
	for _, p := range params {
		if p.Group == g {
			want = append(want, p.Name)
		}
	}
	if !slices.Equal(m.Params, want) {
		return fmt.Errorf("its parameter list %q does not match the parameters' groups %q", m.Params, want)
	}
	if err := validate(&m.Hyper); err != nil {
		return err
	}
	if m.Step < 0 || !fitsInt(m.Step) {
		return fmt.Errorf("step = %d: want a count >= 0 that fits in an int", m.Step)
	}
	isNAdam := o.algo.name == "NAdam"
	switch {
	case isNAdam && m.MuProduct == nil:
		return errors.New("an NAdam group without mu_product")
	case !isNAdam && m.MuProduct != nil:
		return fmt.Errorf("a %s group with NAdam's mu_product", o.algo.name)
	case isNAdam && m.Step > 0 && !(*m.MuProduct >= 0 && *m.MuProduct < 1):
		return fmt.Errorf("mu_product = %g: want a product of momentum coefficients, in [0, 1)", *m.MuProduct)
	}
	return nil
}

// matchTensors checks that the checkpoint holds exactly the tensors es
// expects, with their dtypes and shapes, and a checksum for each.
func matchTensors(es []entry, file []safetensors.Tensor, sums map[string]string) error {
	want := make(map[string]*entry, len(es))
	for i := range es {
		want[es[i].info.Name] = &es[i]
	}
	for _, t := range file {
		e := want[t.Name]
		switch {
		case e == nil:
			return fmt.Errorf("optim: Load: the checkpoint has a tensor %q this optimizer does not keep", t.Name)
		case t.DType != e.info.DType:
			return fmt.Errorf("optim: Load: tensor %q is %s in the checkpoint, want %s", t.Name, t.DType, e.info.DType)
		case !slices.Equal(t.Shape, e.info.Shape):
			return fmt.Errorf("optim: Load: tensor %q has shape %v in the checkpoint, want %v", t.Name, t.Shape, e.info.Shape)
		}
		if _, ok := sums[t.Name]; !ok {
			return fmt.Errorf("optim: Load: the checkpoint has no checksum for tensor %q", t.Name)
		}
	}
	if len(file) != len(es) {
		for _, e := range es {
			if !slices.ContainsFunc(file, func(t safetensors.Tensor) bool { return t.Name == e.info.Name }) {
				return fmt.Errorf("optim: Load: the checkpoint lacks tensor %q", e.info.Name)
			}
		}
	}
	if len(sums) != len(file) {
		return fmt.Errorf("optim: Load: the checkpoint has %d checksums for %d tensors", len(sums), len(file))
	}
	return nil
}

// readTensors reads the data section from r, in file order, into the
// entries' new slices, checking each tensor's checksum.
func readTensors(r io.Reader, es []entry, file []safetensors.Tensor, sums map[string]string) error {
	byName := make(map[string]*entry, len(es))
	for i := range es {
		byName[es[i].info.Name] = &es[i]
	}
	for _, t := range file {
		e := byName[t.Name]
		if err := e.read(r); err != nil {
			return fmt.Errorf("optim: Load: reading tensor %q: %w", t.Name, err)
		}
		if got := fmt.Sprintf("%08x", e.checksum()); got != sums[t.Name] {
			return fmt.Errorf("optim: Load: tensor %q is corrupt: its checksum is %s, the checkpoint recorded %s", t.Name, got, sums[t.Name])
		}
	}
	return nil
}

// commit makes a checked checkpoint the optimizer's state.
func (o *Optimizer[H]) commit(groups []groupMeta[H], es []entry) {
	for _, p := range o.params {
		switch {
		case p.f32 != nil:
			p.f32.state = [maxSlots][]float32{}
		case p.f64 != nil:
			p.f64.state = [maxSlots][]float64{}
		default:
			p.bf.state = [maxSlots][]kernels.BF16{}
		}
	}
	for _, e := range es {
		switch d := e.data.(type) {
		case []float32:
			commitSlot(e.p.f32, e.slot, d)
		case []float64:
			commitSlot(e.p.f64, e.slot, d)
		case []kernels.BF16:
			commitSlot(e.p.bf, e.slot, d)
		}
	}
	o.invalidate()
	for g, gr := range o.groups {
		m := &groups[g]
		gr.hyper = m.Hyper
		gr.clock = clock{steps: m.Step}
		if m.MuProduct != nil {
			gr.clock.nadam = kernels.NAdamSchedule{T: int(m.Step), MuProduct: *m.MuProduct}
		}
	}
}

func commitSlot[E elem](x *tensor[E], slot int, staged []E) {
	if slot < 0 {
		copy(x.window(x.data), staged)
		return
	}
	x.state[slot] = staged
}
