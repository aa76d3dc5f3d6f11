package fusedgorgonia

import (
	"fmt"
	"strings"

	"gorgonia.org/gorgonia"
)

// nameOf is the name parameter i of a model is registered under: its
// node's name where the node was given one, "param.<i>" otherwise.
func nameOf(i int, vg gorgonia.ValueGrad) string {
	if n, ok := vg.(gorgonia.Namer); ok {
		name := n.Name()
		if node, ok := vg.(*gorgonia.Node); !ok || !autoNamed(node, name) {
			if name != "" {
				return name
			}
		}
	}
	return fmt.Sprintf("%d", i)
}

// autoNamed reports whether name is the one gorgonia makes up for a node
// that was given none: its op and its children's ids, "Op(%1, %2)", which
// for a learnable (no op, no children) is "%!s(<nil>)()". Such a name is
// neither unique nor stable, so it does not key state.
func autoNamed(n *gorgonia.Node, name string) bool {
	return strings.HasPrefix(name, fmt.Sprintf("%s(", n.Op())) && strings.HasSuffix(name, ")")
}
