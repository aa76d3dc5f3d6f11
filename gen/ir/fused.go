package ir

import "fmt"

// Fused is an update kernel that also sums the squares of values it
// computes, in the fixed order of the reductions (see Reduction): after
// the body has run for element i, each Sum's variable is widened to
// float64 (exactly), squared (exact for float32) and added to partial
// i mod Partials of that sum. LAMB's first pass updates the moments and
// sums the squares of its update and of the parameter in one sweep, so
// that its trust ratio costs one extra pass over memory, not two.
//
// Like a reduction's, a fused kernel's assembly forms handle the whole
// blocks of Partials elements only, and the caller runs the pure-Go
// kernel on the tail (which continues the partials where the assembly
// left them, element j of the tail going to partial j mod Partials), so
// that the tail code exists once. A fused kernel with no Sums is an
// ordinary update kernel with that calling convention.
type Fused struct {
	*Kernel
	Title string   // e.g. "LAMB moments", for comments
	Sums  []string // the variables whose squares are summed, in acc order
}

// NewFused checks that every sum names a variable of k's body.
func NewFused(k *Kernel, title string, sums ...string) *Fused {
	for _, s := range sums {
		found := false
		for _, st := range k.Body {
			found = found || st.Var == s
		}
		if !found {
			panic("ir: fused kernel " + k.Name + " sums unknown variable " + s)
		}
	}
	return &Fused{Kernel: k, Title: title, Sums: sums}
}

// AccType is the Go type of the partial sums' argument, a pointer to it,
// e.g. "*[2][16]float64"; "" without sums.
func (f *Fused) AccType() string {
	if len(f.Sums) == 0 {
		return ""
	}
	return fmt.Sprintf("*[%d][%d]float64", len(f.Sums), Partials)
}
