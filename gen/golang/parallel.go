package golang

import (
	"bytes"
	"fmt"
	"go/format"
	"strings"

	"github.com/fusedopt/fusedopt/gen/optimizers"
)

// Parallel returns the source of kernels/<f.Name>_parallel.go: the tensor
// types of optimizer a, and its StepParallel32/64 and StepTensors32/64
// methods on the kernels of family f, whose streams are the slices.
func Parallel(f Family, a optimizers.API) ([]byte, error) {
	p := parallelFile{a: a, name: f.Name}
	for _, s := range f.Variants[0].Streams {
		p.slots = append(p.slots, s.Name)
	}
	for _, o := range a.Optional {
		p.optional = append(p.optional, o.Slot)
	}
	return apiFile(p.tensorTypes, p.stepParallel, p.stepTensors, p.jobs, p.checks)
}

// apiFile is the formatted source of a generated file of package kernels
// that uses memspan, made of the sections that each of sections writes.
func apiFile(sections ...func(w *bytes.Buffer)) ([]byte, error) {
	var w bytes.Buffer
	fmt.Fprintf(&w, "%s\npackage kernels\n\nimport \"github.com/fusedopt/fusedopt/internal/memspan\"\n\n", Header)
	for _, write := range sections {
		write(&w)
	}
	return format.Source(w.Bytes())
}

// parallelFile is one optimizer's _parallel.go as Parallel writes it.
type parallelFile struct {
	a        optimizers.API
	name     string   // the family, "adam"
	slots    []string // the kernels' streams, "param", "grad", ...
	optional []string // the slots in a.Optional
}

// field is slot's field name in the tensor types.
func (p parallelFile) field(slot string) string {
	if f, ok := p.a.Fields[slot]; ok {
		return f
	}
	return strings.ToUpper(slot[:1]) + slot[1:]
}

// fields is the slots' field names, each prefixed by prefix ("x.").
func (p parallelFile) fields(prefix string) []string {
	var fs []string
	for _, s := range p.slots {
		fs = append(fs, prefix+p.field(s))
	}
	return fs
}

// stepParams is the methods' parameters before the slices, with a
// trailing comma; stepArg the argument scalars takes.
func (p parallelFile) stepParams() string {
	if p.a.StepParam == "" {
		return ""
	}
	return p.a.StepParam + ", "
}

func (p parallelFile) stepArg() string {
	name, _, _ := strings.Cut(p.a.StepParam, " ")
	return name
}

// scalars is the statement that validates the hyperparameters and
// computes the step's scalars, and jobArgs what job32 and job64 take.
func (p parallelFile) scalars() string {
	if p.a.Rect {
		return fmt.Sprintf("sc, rect, err := o.scalars(%s)", p.stepArg())
	}
	return fmt.Sprintf("sc, err := o.scalars(%s)", p.stepArg())
}

func (p parallelFile) jobArgs() string {
	if p.a.Rect {
		return "sc, rect"
	}
	return "sc"
}

func (p parallelFile) skip() string {
	if p.a.Skip {
		return "o.skip()"
	}
	return "0"
}

func (p parallelFile) variant() string {
	if p.a.Variant == "" {
		return "o.variant()"
	}
	return p.a.Variant
}

// comment writes text as a doc comment wrapped at 76 columns.
func comment(w *bytes.Buffer, text string) {
	line := "//"
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > 76 && line != "//" {
			fmt.Fprintln(w, line)
			line = "//"
		}
		line += " " + word
	}
	fmt.Fprintln(w, line)
}

func (p parallelFile) tensorTypes(w *bytes.Buffer) {
	t := p.a.Title
	comment(w, fmt.Sprintf("%sTensor32 is one float32 tensor of a model and its %s state, for %s.StepTensors32: the slices of one %s.Step32 call. %s",
		t, t, t, t, p.a.TensorDoc))
	fmt.Fprintf(w, "type %sTensor32 struct {\n\t%s []float32\n}\n\n", t, strings.Join(p.fields(""), ", "))
	fmt.Fprintf(w, "// %sTensor64 is %sTensor32 for float64.\n", t, t)
	fmt.Fprintf(w, "type %sTensor64 struct {\n\t%s []float64\n}\n\n", t, strings.Join(p.fields(""), ", "))
}

func (p parallelFile) stepParallel(w *bytes.Buffer) {
	t, args := p.a.Title, strings.Join(p.slots, ", ")
	lens := "len(" + strings.Join(p.slots, "), len(") + ")"
	comment(w, "StepParallel32 is Step32 on the workers of pool p (nil for DefaultPool): "+
		"it splits a large step into chunks that run in parallel, and runs a small one on the calling goroutine. "+
		"The result is bit-identical to Step32's whatever the number of workers. "+
		"Errors and panics are Step32's, raised before any element changes; "+
		"a panic inside a worker is re-raised in the caller. After the first calls, it does not allocate.")
	for _, bits := range []int{32, 64} {
		op := fmt.Sprintf("%s.StepParallel%d", t, bits)
		if bits == 64 {
			fmt.Fprintf(w, "// StepParallel64 is StepParallel32 for float64 slices.\n")
		}
		fmt.Fprintf(w, "func (o %s) StepParallel%d(p *Pool, %s%s []float%d) error {\n", t, bits, p.stepParams(), args, bits)
		fmt.Fprintf(w, "\t%s\n\tif err != nil {\n\t\treturn err\n\t}\n", p.scalars())
		fmt.Fprintf(w, "\to.checkLens(%q, %s)\n", op, lens)
		fmt.Fprintf(w, "\tcheckDisjoint(%q, &%sArgs, %s, %s)\n", op, p.name, p.skip(), args)
		if bits == 32 {
			fmt.Fprintf(w, "\tj, err := o.job32(%s)\n\tif err != nil {\n\t\treturn err\n\t}\n", p.jobArgs())
			fmt.Fprintf(w, "\tj.stepOne(p, %sTensor32{%s})\n\treturn nil\n}\n\n", t, args)
		} else {
			fmt.Fprintf(w, "\to.job64(%s).stepOne(p, %sTensor64{%s})\n\treturn nil\n}\n\n", p.jobArgs(), t, args)
		}
	}
}

func (p parallelFile) stepTensors(w *bytes.Buffer) {
	t := p.a.Title
	comment(w, "StepTensors32 applies "+p.a.Update+" to every tensor of ts, as Step32 on each would, "+
		"in one call on the workers of pool p (nil for DefaultPool): it validates the hyperparameters "+
		"and computes the step's scalars once, then splits large tensors into chunks and packs small ones "+
		"together so that the workers get equal shares. The result is bit-identical to Step32 on each tensor. "+
		p.a.BadInput+" returns a *ParamError, and a tensor whose slices differ in length panics with its index "+
		"and both lengths; both happen before any tensor changes. No two tensors may share memory "+
		"(a tensor's Grad may be its Param): a tensor's overlapping slices, or two tensors' overlapping Params, panic. "+
		"After the first calls, it does not allocate.")
	for _, bits := range []int{32, 64} {
		if bits == 64 {
			fmt.Fprintf(w, "// StepTensors64 is StepTensors32 for float64 tensors.\n")
		}
		fmt.Fprintf(w, "func (o %s) StepTensors%d(p *Pool, %sts []%sTensor%d) error {\n", t, bits, p.stepParams(), t, bits)
		fmt.Fprintf(w, "\t%s\n\tif err != nil {\n\t\treturn err\n\t}\n", p.scalars())
		fmt.Fprintf(w, "\tcheckTensors(o, %q, ts, %sCheck%d)\n", fmt.Sprintf("%s.StepTensors%d", t, bits), p.name, bits)
		if bits == 32 {
			fmt.Fprintf(w, "\tj, err := o.job32(%s)\n\tif err != nil {\n\t\treturn err\n\t}\n\tj.step(p, ts)\n\treturn nil\n}\n\n", p.jobArgs())
		} else {
			fmt.Fprintf(w, "\to.job64(%s).step(p, ts)\n\treturn nil\n}\n\n", p.jobArgs())
		}
	}
}

func (p parallelFile) jobs(w *bytes.Buffer) {
	t, n := p.a.Title, p.name
	params := "s [" + n + "ScalarCount]float64"
	if p.a.Rect {
		params += ", rect bool"
	}
	var uses []string
	for _, o := range p.a.Optional {
		uses = append(uses, ", "+o.Use)
	}
	use := strings.Join(uses, "")
	comment(w, "job32 rounds the step's scalars s to float32 and checks them, exactly as Step32 does, "+
		"and returns a recycled float32 job holding them and the kernel. "+
		"Validation runs in Step32's order, so that both fail alike.")
	fmt.Fprintf(w, "func (o %s) job32(%s) (*%sJob32, error) {\n", t, params, n)
	fmt.Fprintf(w, "\tvar s32 [%sScalarCount]float32\n\tround32(s32[:], s[:])\n", n)
	fmt.Fprintf(w, "\tif err := o.checkRounded32(s32); err != nil {\n\t\treturn nil, err\n\t}\n")
	fmt.Fprintf(w, "\treturn %sJobs32.job(current().%sF32[%s], s32%s), nil\n}\n\n", n, n, p.variant(), use)
	fmt.Fprintf(w, "// job64 is job32 for float64.\n")
	fmt.Fprintf(w, "func (o %s) job64(%s) *%sJob64 {\n", t, params, n)
	fmt.Fprintf(w, "\treturn %sJobs64.job(current().%sF64[%s], s%s)\n}\n\n", n, n, p.variant(), use)

	doc := fmt.Sprintf("%sJob32 and %sJob64 are the pool's jobs for %s steps, recycled through %sJobs32 and %sJobs64.", n, n, t, n, n)
	for _, o := range p.a.Optional {
		doc += fmt.Sprintf(" %s is used only %s.", p.field(o.Slot), o.When)
	}
	comment(w, doc)
	fmt.Fprintf(w, "type (\n")
	for _, bits := range []int{32, 64} {
		fmt.Fprintf(w, "\t%sJob%d = tensorJob[%sTensor%d, func(%s []float%d, s [%sScalarCount]float%d), [%sScalarCount]float%d]\n",
			n, bits, t, bits, strings.Join(p.slots, ", "), bits, n, bits, n, bits)
	}
	fmt.Fprintf(w, ")\n\nvar (\n")
	var kargs []string
	for _, s := range p.slots {
		f := "x." + p.field(s)
		if i := indexOf(p.optional, s); i >= 0 {
			kargs = append(kargs, fmt.Sprintf("optional(j.use[%d], %s, lo, hi)", i, f))
		} else {
			kargs = append(kargs, f+"[lo:hi]")
		}
	}
	for _, bits := range []int{32, 64} {
		fmt.Fprintf(w, "\t%sJobs%d = newTensorKind(%d, func(x *%sTensor%d) int { return len(x.Param) },\n", n, bits, bits/8, t, bits)
		fmt.Fprintf(w, "\t\tfunc(j *%sJob%d, x *%sTensor%d, lo, hi int) {\n", n, bits, t, bits)
		fmt.Fprintf(w, "\t\t\tj.kernel(%s, j.s)\n\t\t})\n", strings.Join(kargs, ", "))
	}
	fmt.Fprintf(w, ")\n\n")
}

func (p parallelFile) checks(w *bytes.Buffer) {
	t, n := p.a.Title, p.name
	lens := "len(" + strings.Join(p.fields("x."), "), len(") + ")"
	comment(w, fmt.Sprintf("%sCheck32 and %sCheck64 check a tensor's slices for checkTensors.", n, n))
	for _, bits := range []int{32, 64} {
		fmt.Fprintf(w, "func %sCheck%d(o %s, op string, x *%sTensor%d) memspan.Span {\n", n, bits, t, t, bits)
		fmt.Fprintf(w, "\to.checkLens(op, %s)\n", lens)
		fmt.Fprintf(w, "\tcheckDisjoint(op, &%sArgs, %s, %s)\n", n, p.skip(), strings.Join(p.fields("x."), ", "))
		fmt.Fprintf(w, "\treturn memspan.Of(x.Param)\n}\n\n")
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
