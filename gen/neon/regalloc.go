package neon

import "fmt"

// allocate assigns a V register to every value of b. Values in fixed
// (the broadcast scalars) keep their registers for the whole kernel; the
// others are taken from free, lowest first, when defined and given back
// after their last reader, so a body needs only as many registers as it
// has values live at once.
func allocate(b body, fixed map[value]int, free []int) (map[value]int, error) {
	last := make([]int, b.nvalues) // index of each value's last reader, or -1
	for i := range last {
		last[i] = -1
	}
	for i, in := range b.instrs {
		for _, a := range in.args {
			last[a] = i
		}
	}

	pool := append([]int(nil), free...)
	regs := map[value]int{}
	for v, r := range fixed {
		regs[v] = r
	}
	take := func(v value) error {
		if len(pool) == 0 {
			return fmt.Errorf("neon: out of vector registers")
		}
		regs[v], pool = pool[0], pool[1:]
		return nil
	}
	release := func(v value) {
		if _, ok := fixed[v]; ok {
			return
		}
		r := regs[v]
		i := 0
		for i < len(pool) && pool[i] < r {
			i++
		}
		pool = append(pool[:i], append([]int{r}, pool[i:]...)...)
	}
	releaseArgs := func(i int, in instr) {
		done := map[value]bool{}
		for _, a := range in.args {
			if last[a] == i && !done[a] {
				release(a)
				done[a] = true
			}
		}
	}

	for i, in := range b.instrs {
		if !in.early {
			// Every source is read before the destination is written,
			// so the destination may reuse a source's register.
			releaseArgs(i, in)
		}
		if !in.store {
			if err := take(in.dst); err != nil {
				return nil, err
			}
		}
		for _, t := range in.temps {
			if err := take(t); err != nil {
				return nil, err
			}
		}
		if in.early {
			releaseArgs(i, in)
		}
		for _, t := range in.temps {
			release(t)
		}
		if !in.store && last[in.dst] < i {
			release(in.dst) // never read (a dead Let)
		}
	}
	return regs, nil
}
