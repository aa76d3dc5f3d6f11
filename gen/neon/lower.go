package neon

import "github.com/fusedopt/fusedopt/gen/ir"

// value is a virtual register: the result of one instruction, or a
// broadcast scalar. Registers are assigned later, by liveness.
type value int

// instr is one step of a kernel body before register assignment: a load,
// a store, or one arithmetic ir node (a single instruction, or for max a
// fixed sequence).
type instr struct {
	op     ir.Op // OpLoad, OpAdd ... OpMax; see store
	store  bool  // a store of args[0] to stream (op is then unused)
	stream string
	dst    value
	args   []value
	temps  []value // scratch registers of a sequence (max)
	early  bool    // dst or temps are written before every arg is read
	post   bool    // load or store: the body's last access to stream, which advances its pointer
	sum    int     // a fused kernel's accumulation (a store without stream): the sum's index
	imm    uint32  // a shift's count
	doc    string  // comment printed before the instruction
}

// body is a kernel body lowered to instructions, for one vector or one
// element.
type body struct {
	instrs  []instr
	nvalues int // values are numbered 0 ..< nvalues
}

// lower translates the kernel's statements into instructions, one per
// expression node, in the order of the statements and, within one, of a
// depth-first left-to-right walk (the order the pure-Go kernel evaluates
// in). Scalars are the values scalars[name], already defined.
func lower(k *ir.Kernel, scalars map[string]value, nvalues int) body {
	l := lowerStatements(k, scalars, nvalues)
	markLastAccesses(l.instrs)
	return l.body
}

// lowerStatements is lower without marking the last accesses, so that a
// fused kernel can append its accumulations first.
func lowerStatements(k *ir.Kernel, scalars map[string]value, nvalues int) *lowering {
	l := &lowering{body: body{nvalues: nvalues}, scalars: scalars, vars: map[string]value{}}
	for _, st := range k.Body {
		l.doc = st.Doc
		v := l.eval(st.Value)
		if st.Stream == "" {
			l.vars[st.Var] = v
			continue
		}
		in := instr{store: true, stream: st.Stream, args: []value{v}, dst: -1}
		if k.StreamOf(st.Stream).Elem == ir.BF16 {
			in.temps = []value{l.newValue()} // the narrowed halves
		}
		l.emit(in)
	}
	return l
}

type lowering struct {
	body
	scalars map[string]value
	vars    map[string]value
	doc     string // the current statement's comment, until printed once
}

func (l *lowering) eval(e *ir.Expr) value {
	switch e.Op {
	case ir.OpScalar:
		return l.scalars[e.Name]
	case ir.OpVar:
		return l.vars[e.Name]
	case ir.OpLoad:
		return l.emit(instr{op: ir.OpLoad, stream: e.Name})
	case ir.OpConst:
		return l.scalars[constName(e.Imm)]
	case ir.OpBits, ir.OpFromBits:
		return l.eval(e.Args[0])
	case ir.OpIndex:
		return l.emit(instr{op: ir.OpIndex})
	}
	in := instr{op: e.Op, imm: e.Imm}
	for _, a := range e.Args {
		in.args = append(in.args, l.eval(a))
	}
	switch e.Op {
	case ir.OpMax:
		// The max sequence writes its result and a mask before it is
		// done reading a and b, so they must not share registers.
		in.temps = []value{l.newValue()}
		in.early = true
	case ir.OpSign:
		// The sign sequence writes a mask and a constant before its
		// last read of a.
		in.temps = []value{l.newValue(), l.newValue()}
		in.early = true
	case ir.OpCanonNaN:
		// The sequence writes its mask into the result before it reads a
		// again; its second argument is the NaN it blends in.
		in.args = append(in.args, l.scalars[constName(ir.CanonicalNaN)])
		in.early = true
	}
	return l.emit(in)
}

// emit appends in, giving it a new destination unless it has one, and
// returns the destination.
func (l *lowering) emit(in instr) value {
	if !in.store {
		in.dst = l.newValue()
	}
	in.doc, l.doc = l.doc, ""
	l.instrs = append(l.instrs, in)
	return in.dst
}

func (l *lowering) newValue() value {
	l.nvalues++
	return value(l.nvalues - 1)
}

// markLastAccesses sets post on each stream's last load or store: that
// access advances the stream's pointer past the current vector (or
// element), so the next body finds its data at the pointer again.
func markLastAccesses(instrs []instr) {
	seen := map[string]bool{}
	for i := len(instrs) - 1; i >= 0; i-- {
		in := &instrs[i]
		if (in.store || in.op == ir.OpLoad) && in.stream != "" && !seen[in.stream] {
			in.post = true
			seen[in.stream] = true
		}
	}
}
