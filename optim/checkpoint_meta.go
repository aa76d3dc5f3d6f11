package optim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/fusedopt/fusedopt/internal/safetensors"
)

// The checkpoint format, as its __metadata__ records it. Version 1 is the
// one this package writes; Load reads versions up to it.
const (
	formatName    = "fusedopt.optim"
	formatVersion = 1
)

// Metadata keys of a checkpoint. Each value is a string, as safetensors
// requires; the structured ones hold JSON.
const (
	metaFormat    = "format"         // formatName
	metaVersion   = "format_version" // formatVersion, in decimal
	metaOptimizer = "optimizer"      // the algorithm's name: "Adam", ...
	metaGroups    = "param_groups"   // []groupMeta
	metaParams    = "params"         // []paramMeta, in registration order
	metaShard     = "shard"          // Shard, when the optimizer has one
	metaChecksums = "checksums"      // tensor name -> CRC-32C of its bytes, in hex
	metaRounding  = "bf16_rounding"  // roundingMeta, when there are bfloat16 parameters
)

// roundingMeta is Config.Rounding as a checkpoint records it: a run
// resumes to the same bits only with the same rounding.
type roundingMeta struct {
	Stochastic bool   `json:"stochastic"`
	Seed       uint64 `json:"seed"`
}

func (r roundingMeta) String() string {
	if !r.Stochastic {
		return "round to nearest even"
	}
	return fmt.Sprintf("stochastic with seed %d", r.Seed)
}

// groupMeta is one group as a checkpoint records it, with PyTorch's
// param_groups names where PyTorch has one: params (by name), lr (the
// LR of the next step, left out where the schedule gives no valid LR),
// initial_lr (the base LR that the schedule scales)
// and step. Hyper is the kernels struct, field by field; MuProduct is
// NAdam's product of mu after Step steps.
type groupMeta[H Algorithm] struct {
	Params    []string `json:"params"`
	LR        *float64 `json:"lr,omitempty"`
	InitialLR float64  `json:"initial_lr"`
	Step      int64    `json:"step"`
	MuProduct *float64 `json:"mu_product,omitempty"`
	Schedule  string   `json:"schedule"`
	Hyper     H        `json:"hyper"`
}

// paramMeta is one registered parameter as a checkpoint records it.
type paramMeta struct {
	Name  string            `json:"name"`
	DType safetensors.DType `json:"dtype"`
	Shape []int64           `json:"shape"`
	Group int               `json:"group"`
}

// stateKey is the checkpoint name of a parameter's state slot, as PyTorch's
// distributed checkpoints flatten optimizer state: state.<name>.<slot>.
func stateKey(name, slot string) string { return "state." + name + "." + slot }

// paramKey is the checkpoint name of a parameter's value.
func paramKey(name string) string { return "param." + name }

// marshal is json.Marshal of metadata that cannot fail to encode.
func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("optim: encoding checkpoint metadata: %v", err))
	}
	return string(b)
}

// unmarshal decodes one metadata value strictly: unknown fields, trailing
// data and a missing key are errors.
func unmarshal(meta map[string]string, key string, v any) error {
	s, ok := meta[key]
	if !ok {
		return fmt.Errorf("optim: checkpoint metadata has no %q", key)
	}
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("optim: checkpoint metadata %q: %v", key, err)
	}
	if d.More() {
		return fmt.Errorf("optim: checkpoint metadata %q: trailing data after the JSON value", key)
	}
	return nil
}
