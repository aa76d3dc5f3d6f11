package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkAdamBF16 times float32 Adam (Step32) against the bfloat16
// steps with a float32 and a bfloat16 gradient, both roundings, at the
// active level, in cache (64K elements) and out of it (16M). The bytes
// per element are what each moves: 28, 16 and 14.
func BenchmarkAdamBF16(b *testing.B) {
	for _, n := range []int{1 << 16, 1 << 24} {
		a := DefaultAdamW()
		p32, g32, m32, v32 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		p, g, m, v := make([]BF16, n), make([]BF16, n), make([]BF16, n), make([]BF16, n)
		for i := range n {
			x := float32(i%1000)*1e-3 - 0.5
			p32[i], g32[i], m32[i], v32[i] = x, x*1e-2, x*1e-3, x*x*1e-4
			p[i], g[i], m[i], v[i] = BF16From32(p32[i]), BF16From32(g32[i]), BF16From32(m32[i]), BF16From32(v32[i])
		}
		size := fmt.Sprintf("%dK", n>>10)
		b.Run("f32/"+size, func(b *testing.B) {
			b.SetBytes(int64(28 * n))
			for i := range b.N {
				a.Step32(10+i%2, p32, g32, m32, v32, nil)
			}
		})
		for _, r := range []Rounding{RoundNearestEven, {Stochastic: true, Seed: 1}} {
			name := "nearest"
			if r.Stochastic {
				name = "stochastic"
			}
			b.Run("bf16-f32grad-"+name+"/"+size, func(b *testing.B) {
				b.SetBytes(int64(16 * n))
				for i := range b.N {
					a.StepBF16(10+i%2, r, p, g32, m, v)
				}
			})
			b.Run("bf16-"+name+"/"+size, func(b *testing.B) {
				b.SetBytes(int64(14 * n))
				for i := range b.N {
					a.StepBF16Grad(10+i%2, r, p, g, m, v)
				}
			})
		}
	}
}
