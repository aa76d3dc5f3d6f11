package kernels

import (
	"fmt"
	"slices"

	"github.com/fusedopt/fusedopt/internal/memspan"
)

// Overlap checks. A step reads and writes its slices element by element in
// vector-wide blocks, in chunks on several workers; slices that share
// memory would make the result depend on the vector width, the chunking
// and the order the workers ran in, breaking the promise that every level
// and every worker count give the same bits. So every step checks, for a
// few comparisons of pointers, that its slices are disjoint; the one
// overlap allowed is grad being exactly param (an in-place gradient).

// argNames names a step's slices, in the order of its arguments, for the
// messages of checkDisjoint.
type argNames [6]string

// checkDisjoint panics, naming op and two slices, if two of the slices s
// share memory, except s[1] (grad) being exactly s[0] (param). Bit i of
// skip marks s[i] as unused by this step (an optional state slice that
// the hyperparameters leave out), which may then be anything. A step on
// empty slices skips the call: building its list of slices costs a third
// of a cached empty step.
func checkDisjoint[E float32 | float64](op string, names *argNames, skip uint8, s ...[]E) {
	if len(s[0]) == 0 {
		return // the lengths are checked: every slice the step reads is empty
	}
	var spans [len(argNames{})]memspan.Span
	for i := range s {
		if skip&(1<<i) == 0 {
			spans[i] = memspan.Of(s[i])
		}
	}
	checkSpans(op, names, spans[:len(s)])
}

// checkSpans is checkDisjoint on the slices' spans, for steps whose slices
// differ in element type (the bfloat16 steps); it may clear spans[1].
func checkSpans(op string, names *argNames, spans []memspan.Span) {
	if spans[1] == spans[0] {
		spans[1] = memspan.Span{} // grad is param itself
	}
	for i := range spans {
		for j := i + 1; j < len(spans); j++ {
			if spans[i].Overlaps(spans[j]) {
				panic(fmt.Sprintf("fusedopt: %s: %s and %s share memory; no two slices of a step may overlap (grad may be param itself)", op, names[i], names[j]))
			}
		}
	}
}

// spanList is checkTensors' scratch list of the tensors' Param spans,
// recycled so that steps do not allocate.
type spanList struct{ s []memspan.Span }

var spanLists = newFreeList[spanList]()

// checkParamsDisjoint panics, naming op and two tensor indexes, if the
// Params of two tensors overlap: a tensor listed twice, or two views of
// one array. params[i] is tensor i's Param span. The check is a linear
// scan when the Params lie in ascending order of address, as tensors
// allocated one after another mostly do, and a sort otherwise.
func checkParamsDisjoint(op string, params []memspan.Span) {
	ascending := true
	var last memspan.Span
	for _, p := range params {
		if p.Empty() {
			continue
		}
		if p.Lo < last.Hi {
			ascending = false
			break
		}
		last = p
	}
	if ascending {
		return
	}
	sorted := spanLists.get()
	defer spanLists.put(sorted)
	sorted.s = append(sorted.s[:0], params...)
	slices.SortFunc(sorted.s, func(a, b memspan.Span) int {
		switch {
		case a.Lo < b.Lo:
			return -1
		case a.Lo > b.Lo:
			return 1
		}
		return 0
	})
	last = memspan.Span{}
	for _, p := range sorted.s {
		if p.Empty() {
			continue
		}
		if p.Lo < last.Hi {
			i, j := slices.Index(params, last), slices.Index(params, p)
			if i == j { // the same span twice: find its second index
				j = i + 1 + slices.Index(params[i+1:], p)
			}
			panic(fmt.Sprintf("fusedopt: %s: the Params of tensors %d and %d share memory (a tensor listed twice?); no two tensors may overlap", op, min(i, j), max(i, j)))
		}
		last = p
	}
}
