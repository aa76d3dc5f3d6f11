package amd64

import (
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
)

// vectorMoves are the register-to-register vector moves the emitters
// use to start an in-place instruction (a merge-masked VPTERNLOGD, say)
// from a copy of its input.
var vectorMoves = map[string]bool{"VMOVAPS": true, "VMOVAPD": true, "VMOVDQA32": true, "VMOVDQA64": true, "VMOVDQA": true}

// PruneVectorSelfMoves removes the vector moves from a register to
// itself, which avo's register allocator leaves where the copy's source
// dies at the copy (avo's own PruneSelfMoves prunes general-purpose moves
// only). Run it after pass.Compile.
func PruneVectorSelfMoves(f *ir.File) {
	for _, fn := range f.Functions() {
		kept := fn.Nodes[:0]
		for _, n := range fn.Nodes {
			if i, ok := n.(*ir.Instruction); ok && vectorMoves[i.Opcode] && len(i.Operands) == 2 &&
				operand.IsRegister(i.Operands[0]) && i.Operands[0] == i.Operands[1] {
				continue
			}
			kept = append(kept, n)
		}
		fn.Nodes = kept
	}
}
