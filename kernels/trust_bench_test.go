package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkTrustStep times a LAMB and a LARS step against an Adam and an
// SGD-with-momentum step on one float32 tensor, at every level, in cache
// (64K elements) and from memory (16M), on one goroutine. LAMB's target
// is 1.3x Adam's time at 16M: its second pass reads param, m and v again
// and writes param, 4 slice passes on top of Adam's 7.
//
//	go test -run '^$' -bench TrustStep -benchtime 20x ./kernels
func BenchmarkTrustStep(b *testing.B) {
	for _, n := range []int{64 << 10, 16 << 20} {
		s := make([][]float32, 5)
		for i := range s {
			s[i] = make([]float32, n)
			for j := range s[i] {
				s[i][j] = float32(j%7+1) * 0x1p-8
			}
		}
		steps := []struct {
			name string
			f    func() error
		}{
			{"Adam", func() error { return DefaultAdam().Step32(2, s[0], s[1], s[2], s[3], nil) }},
			{"LAMB", func() error { return DefaultLAMB().Step32(2, s[0], s[1], s[2], s[3]) }},
			{"SGD", func() error { return SGD{LR: 1e-3, Momentum: 0.9}.Step32(2, s[0], s[1], s[4]) }},
			{"LARS", func() error { return DefaultLARS().Step32(2, s[0], s[1], s[4]) }},
		}
		for _, l := range Levels() {
			for _, st := range steps {
				b.Run(fmt.Sprintf("%s/%s/%dK", l, st.name, n>>10), func(b *testing.B) {
					old, _ := SetLevel(l)
					defer SetLevel(old)
					b.SetBytes(int64(n) * 4)
					for b.Loop() {
						if err := st.f(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
