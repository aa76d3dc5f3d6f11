package golang

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/fusedopt/fusedopt/gen/ir"
	"github.com/fusedopt/fusedopt/gen/optimizers"
)

// ParallelBF16 returns the source of kernels/<a.Name>_bf16_api.go: the
// bfloat16 tensor types of optimizer a and its StepBF16, StepParallelBF16
// and StepTensorsBF16 methods, each also with a bfloat16 gradient (Grad),
// on the kernels of families plain (float32 gradient) and grad, whose
// streams are the slices. base is a's float family: its streams are what
// the optimizer's checkLens and argument names take, and the bfloat16
// streams must be their first ones. ref is the tensor type whose doc
// comment describes Offset, "" for this one's.
func ParallelBF16(base, plain, grad Family, a optimizers.API, b optimizers.BF16API, ref string) ([]byte, error) {
	p := bf16File{parallelFile: parallelFile{a: a, name: a.Name}, b: b, ref: ref}
	for _, s := range base.Variants[0].Streams {
		p.base = append(p.base, s.Name)
	}
	for i, f := range []Family{plain, grad} {
		p.forms[i] = bf16Form{fam: f.Name, streams: f.Variants[0].Streams}
		for j, s := range p.forms[i].streams {
			if j >= len(p.base) || s.Name != p.base[j] {
				return nil, fmt.Errorf("%s: stream %d is %q, not %s's", f.Name, j, s.Name, base.Name)
			}
		}
	}
	p.forms[1].suffix = "Grad"
	for _, s := range p.forms[0].streams {
		p.slots = append(p.slots, s.Name)
		if s.Written {
			p.stored = append(p.stored, s.Name)
		}
	}
	for _, o := range a.Optional {
		if indexOf(p.slots, o.Slot) >= 0 {
			p.opt = append(p.opt, o)
			p.optional = append(p.optional, o.Slot)
		}
	}
	return apiFile(p.tensorTypes, p.steps, p.stepParallel, p.stepTensors, p.jobs, p.checks)
}

// bf16File is one optimizer's _bf16_api.go as ParallelBF16 writes it; the
// embedded parallelFile's slots are the bfloat16 kernels' streams and its
// optional the slots of opt.
type bf16File struct {
	parallelFile
	b      optimizers.BF16API
	ref    string
	base   []string // the float kernels' streams
	stored []string // the streams the kernels write, rounded
	opt    []optimizers.Optional
	forms  [2]bf16Form // float32 gradient, bfloat16 gradient
}

// bf16Form is the bfloat16 steps with a float32 gradient (suffix "") or
// with a bfloat16 one ("Grad").
type bf16Form struct {
	fam, suffix string // the kernels' family, "adamBF16"; "" or "Grad"
	streams     []ir.Stream
}

func (p bf16File) tensor(f bf16Form) string { return p.a.Title + "TensorBF16" + f.suffix }
func (p bf16File) job(f bf16Form) string    { return p.name + "JobBF16" + f.suffix }
func (p bf16File) kind(f bf16Form) string   { return p.name + "JobsBF16" + f.suffix }
func (p bf16File) check(f bf16Form) string  { return p.name + "CheckBF16" + f.suffix }

// groups is the streams of f as Go declarations of consecutive names of
// one type: the type of a bfloat16 stream is bf16 and of a float32 one
// f32. name maps a stream's name to the declared one.
func groups(f bf16Form, name func(string) string, bf16, f32 string) []string {
	var out, names []string
	typ := func(s ir.Stream) string {
		if s.Elem == ir.BF16 {
			return bf16
		}
		return f32
	}
	for i, s := range f.streams {
		names = append(names, name(s.Name))
		if i+1 == len(f.streams) || typ(f.streams[i+1]) != typ(s) {
			out = append(out, strings.Join(names, ", ")+" "+typ(s))
			names = nil
		}
	}
	return out
}

// kernelArgs is the kernel's slice arguments: each stream of f as
// at(x, i) makes it of its Go expression x (expr of its name) and its
// index i among the optional slots (-1 for none), through bf16Bits for
// the bfloat16 ones.
func (p bf16File) kernelArgs(f bf16Form, expr func(s string) string, at func(x string, opt int) string) string {
	var args []string
	for _, s := range f.streams {
		x := at(expr(s.Name), indexOf(p.optional, s.Name))
		if s.Elem == ir.BF16 {
			x = "bf16Bits(" + x + ")"
		}
		args = append(args, x)
	}
	return strings.Join(args, ", ")
}

func (p bf16File) variantBF16() string {
	if p.b.Variant == "" {
		return "o.variantBF16(r)"
	}
	return p.b.Variant
}

// kernel is the kernel table entry of form f for o and r.
func (p bf16File) kernel(f bf16Form) string {
	return fmt.Sprintf("current().%sF32[%s]", f.fam, p.variantBF16())
}

func (p bf16File) params() string { return p.b.StepParam + ", r Rounding, " }

// scalarsBF16 declares the scalar array s and fills it (through a
// pointer: a returned array costs the empty call a copy).
func (p bf16File) scalarsBF16() string {
	name, _, _ := strings.Cut(p.b.StepParam, " ")
	return fmt.Sprintf("var s [%sScalarCount]float32\n\tlate, err := o.scalarsBF16(%s, r, &s)\n\tif err != nil {\n\t\treturn err\n\t}\n",
		p.forms[0].fam, name)
}

// literal is the tensor of form f holding the step's slices.
func (p bf16File) literal(f bf16Form) string {
	return fmt.Sprintf("%s{%s, 0}", p.tensor(f), strings.Join(p.slots, ", "))
}

func (p bf16File) tensorTypes(w *bytes.Buffer) {
	t, plain, grad := p.a.Title, p.forms[0], p.forms[1]
	doc := fmt.Sprintf("%s is one bfloat16 tensor of a model and its %s state, for %s.StepTensorsBF16: "+
		"the slices of one %s.StepBF16 call, and Offset, the global index of Param[0] in the stochastic rounding's hash",
		p.tensor(plain), t, t, t)
	if p.ref == "" {
		doc += " (see Rounding). Give every tensor of a model its own range of indexes (the running sum of the lengths " +
			"before it, say), so that no two tensors' roundings share random bits."
	} else {
		doc += ", as in " + p.ref + "."
	}
	comment(w, doc+" "+p.b.TensorDoc)
	for i, f := range p.forms {
		if i == 1 {
			comment(w, fmt.Sprintf("%s is %s with a bfloat16 gradient, for %s.StepTensorsBF16Grad.", p.tensor(grad), p.tensor(plain), t))
		}
		fmt.Fprintf(w, "type %s struct {\n", p.tensor(f))
		for _, g := range groups(f, p.field, "[]BF16", "[]float32") {
			fmt.Fprintf(w, "\t%s\n", g)
		}
		fmt.Fprintf(w, "\tOffset uint64\n}\n\n")
	}
}

func (p bf16File) steps(w *bytes.Buffer) {
	t := p.a.Title
	bits := ""
	if len(p.stored) == 2 {
		bits = fmt.Sprintf(": %s takes the high 16 bits of its hash and %s the low 16", p.stored[0], p.stored[1])
	}
	comment(w, "StepBF16 is Step32 with param and "+p.b.State+" stored as bfloat16 and a float32 gradient: "+
		"it computes exactly what Step32 computes from the widened values, in float32 and in the same order, "+
		"and rounds each stored value as r says (see Rounding"+bits+"). "+p.b.Note+
		" Lengths, overlaps, errors and allocations are as for Step32"+p.b.LensNote+".")
	for i, f := range p.forms {
		if i == 1 {
			comment(w, "StepBF16Grad is StepBF16 with a bfloat16 gradient"+p.b.GradNote+".")
		}
		fmt.Fprintf(w, "func (o %s) StepBF16%s(%s%s) error {\n", t, f.suffix, p.params(), strings.Join(groups(f, ident, "[]BF16", "[]float32"), ", "))
		fmt.Fprintf(w, "\t%s", p.scalarsBF16())
		fmt.Fprintf(w, "\t%s(o, %q, &%s)\n", p.check(f), t+".StepBF16"+f.suffix, p.literal(f))
		fmt.Fprintf(w, "\tif late != nil {\n\t\treturn late\n\t}\n")
		args := p.kernelArgs(f, ident, func(x string, opt int) string {
			if opt < 0 {
				return x
			}
			return fmt.Sprintf("optional(%s, %s, 0, len(%s))", p.opt[opt].Use, x, x)
		})
		fmt.Fprintf(w, "\tif len(param) > 0 {\n\t\t%s(%s, s)\n\t}\n\treturn nil\n}\n\n", p.kernel(f), args)
	}
}

func (p bf16File) stepParallel(w *bytes.Buffer) {
	t := p.a.Title
	comment(w, "StepParallelBF16 is StepBF16 on the workers of pool p (nil for DefaultPool), as StepParallel32 is Step32: "+
		"each chunk passes its start as the offset of the rounding's hash, so the result is bit-identical to "+
		"StepBF16's whatever the number of workers.")
	for i, f := range p.forms {
		if i == 1 {
			comment(w, "StepParallelBF16Grad is StepParallelBF16 with a bfloat16 gradient.")
		}
		fmt.Fprintf(w, "func (o %s) StepParallelBF16%s(p *Pool, %s%s) error {\n", t, f.suffix, p.params(), strings.Join(groups(f, ident, "[]BF16", "[]float32"), ", "))
		fmt.Fprintf(w, "\t%s", p.scalarsBF16())
		fmt.Fprintf(w, "\t%s(o, %q, &%s)\n", p.check(f), t+".StepParallelBF16"+f.suffix, p.literal(f))
		fmt.Fprintf(w, "\tif late != nil {\n\t\treturn late\n\t}\n")
		fmt.Fprintf(w, "\to.jobBF16%s(r, s).stepOne(p, %s)\n\treturn nil\n}\n\n", f.suffix, p.literal(f))
	}
}

func (p bf16File) stepTensors(w *bytes.Buffer) {
	t := p.a.Title
	comment(w, "StepTensorsBF16 is StepBF16 on every tensor of ts, as StepTensors32 is Step32: "+
		"element k of tensor x rounds with index r.Offset + x.Offset + k.")
	for i, f := range p.forms {
		if i == 1 {
			comment(w, "StepTensorsBF16Grad is StepTensorsBF16 with bfloat16 gradients.")
		}
		fmt.Fprintf(w, "func (o %s) StepTensorsBF16%s(p *Pool, %sts []%s) error {\n", t, f.suffix, p.params(), p.tensor(f))
		fmt.Fprintf(w, "\t%s", p.scalarsBF16())
		fmt.Fprintf(w, "\tcheckTensors(o, %q, ts, %s)\n", t+".StepTensorsBF16"+f.suffix, p.check(f))
		fmt.Fprintf(w, "\tif late != nil {\n\t\treturn late\n\t}\n")
		fmt.Fprintf(w, "\to.jobBF16%s(r, s).step(p, ts)\n\treturn nil\n}\n\n", f.suffix)
	}
}

func (p bf16File) jobs(w *bytes.Buffer) {
	t := p.a.Title
	doc := "jobBF16 and jobBF16Grad are recycled jobs of the variant of o and r, with the step's scalars s"
	var uses []string
	for _, o := range p.opt {
		doc += fmt.Sprintf("; %s goes in only %s", p.field(o.Slot), o.When)
		uses = append(uses, ", "+o.Use)
	}
	comment(w, doc+".")
	for _, f := range p.forms {
		fmt.Fprintf(w, "func (o %s) jobBF16%s(r Rounding, s [%sScalarCount]float32) *%s {\n", t, f.suffix, f.fam, p.job(f))
		fmt.Fprintf(w, "\treturn %s.job(%s, s%s)\n}\n\n", p.kind(f), p.kernel(f), strings.Join(uses, ""))
	}
	fmt.Fprintf(w, "type (\n")
	for _, f := range p.forms {
		sig := strings.Join(groups(f, ident, "[]uint16", "[]float32"), ", ")
		fmt.Fprintf(w, "\t%s = tensorJob[%s, func(%s, s [%sScalarCount]float32), [%sScalarCount]float32]\n",
			p.job(f), p.tensor(f), sig, f.fam, f.fam)
	}
	fmt.Fprintf(w, ")\n\nvar (\n")
	for _, f := range p.forms {
		args := p.kernelArgs(f, func(s string) string { return "x." + p.field(s) }, func(x string, opt int) string {
			if opt < 0 {
				return x + "[lo:hi]"
			}
			return fmt.Sprintf("optional(j.use[%d], %s, lo, hi)", opt, x)
		})
		fmt.Fprintf(w, "\t%s = newTensorKind(2, func(x *%s) int { return len(x.Param) },\n", p.kind(f), p.tensor(f))
		fmt.Fprintf(w, "\t\tfunc(j *%s, x *%s, lo, hi int) {\n", p.job(f), p.tensor(f))
		fmt.Fprintf(w, "\t\t\ts := j.s\n\t\t\tatChunk(s[:], %sOff, x.Offset, lo)\n", f.fam)
		fmt.Fprintf(w, "\t\t\tj.kernel(%s, s)\n\t\t})\n", args)
	}
	fmt.Fprintf(w, ")\n\n")
}

func (p bf16File) checks(w *bytes.Buffer) {
	t := p.a.Title
	var lens, spans []string
	for _, s := range p.base {
		if indexOf(p.slots, s) < 0 {
			lens = append(lens, "0") // a float slot the bfloat16 kernels lack
		} else {
			lens = append(lens, "len(x."+p.field(s)+")")
		}
	}
	for _, s := range p.slots {
		x := "x." + p.field(s)
		if j := indexOf(p.optional, s); j >= 0 {
			x = fmt.Sprintf("optional(%s, %s, 0, len(%s))", p.opt[j].Use, x, x)
		}
		spans = append(spans, fmt.Sprintf("memspan.Of(%s)", x))
	}
	doc := fmt.Sprintf("%s and %s check a tensor's slice lengths and overlaps for checkTensors and the steps",
		p.check(p.forms[0]), p.check(p.forms[1]))
	for _, o := range p.opt {
		doc += fmt.Sprintf("; %s takes part only %s, as otherwise it is unused and may be anything", p.field(o.Slot), o.When)
	}
	comment(w, doc+".")
	for _, f := range p.forms {
		fmt.Fprintf(w, "func %s(o %s, op string, x *%s) memspan.Span {\n", p.check(f), t, p.tensor(f))
		fmt.Fprintf(w, "\to.checkLens(op, %s)\n", strings.Join(lens, ", "))
		fmt.Fprintf(w, "\treturn checkSpansBF16(op, &%sArgs, %s)\n}\n\n", p.name, strings.Join(spans, ", "))
	}
}

func ident(s string) string { return s }
