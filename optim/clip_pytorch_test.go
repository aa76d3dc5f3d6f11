package optim

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/fusedopt/fusedopt/kernels"
)

// testdata/pytorch_clip.json holds torch 1.13's clip_grad_norm_ on a few
// lists of gradients (testdata/pytorch_clip.py writes it; see there how).
// TestClipGradNormMatchesPyTorch runs ClipGradNorm on the same gradients.
//
// The norms differ by PyTorch's rounding, not ours: ClipGradNorm sums the
// exact squares of the elements in float64 (within 1e-12 relative of the
// exact norm here, far inside kernels' documented bound), while PyTorch
// takes a float32 norm of float32 gradients: each tensor's sum of squares
// in float32 by its cascade reduction, then the norm of the norms. A
// cascade sum of N terms errs by at most about ceil(log2 N)+1 roundings of
// its result's size, the squares, square roots and the norm of norms add a
// few more: so the test allows (ceil(log2 N)+4) units of 2^-24 (2^-53 for
// float64) relative to the exact norm. The measured difference is 1.3
// units for float32. The infinity norm is a maximum, exact in both.
//
// The clipped gradients are g*c with c = maxNorm/(norm+1e-6), which both
// round once to the gradient's precision: theirs from their norm in
// float32 arithmetic (two more roundings), ours from ours in float64. So
// each element may differ by the norm tolerance plus four roundings; where
// c >= 1 both leave the gradients unchanged, and a NaN or infinite norm
// must give the same NaNs and zeros.
func TestClipGradNormMatchesPyTorch(t *testing.T) {
	b, err := os.ReadFile("testdata/pytorch_clip.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Name, DType    string
			NormType       string `json:"norm_type"`
			MaxNorm        string `json:"max_norm"`
			TotalNorm      string `json:"total_norm"`
			ExactNorm      string `json:"exact_norm"`
			Grads, Clipped [][]string
		}
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 10 {
		t.Fatalf("%d cases in testdata/pytorch_clip.json", len(file.Cases))
	}
	for _, c := range file.Cases {
		t.Run(c.Name, func(t *testing.T) {
			o, err := New(kernels.DefaultSGD(), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got32 [][]float32
			var got64 [][]float64
			n := 0
			for i, g := range c.Grads {
				name := fmt.Sprint("g", i)
				n += len(g)
				if c.DType == "float32" {
					x := make([]float32, len(g))
					for j, s := range g {
						x[j] = float32(parse(t, s))
					}
					got32 = append(got32, x)
					err = o.Add32(0, Param32{Name: name, Data: make([]float32, len(x)), Grad: x})
				} else {
					x := make([]float64, len(g))
					for j, s := range g {
						x[j] = parse(t, s)
					}
					got64 = append(got64, x)
					err = o.Add64(0, Param64{Name: name, Data: make([]float64, len(x)), Grad: x})
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			unit := 0x1p-53
			if c.DType == "float32" {
				unit = 0x1p-24
			}
			normTol := (math.Ceil(math.Log2(float64(n))) + 4) * unit
			opts := &ClipOptions{}
			if c.NormType == "inf" {
				opts.NormType = math.Inf(1)
			}
			norm, err := o.ClipGradNorm(parse(t, c.MaxNorm), opts)
			if err != nil {
				t.Fatal(err)
			}
			torchNorm, exact := parse(t, c.TotalNorm), parse(t, c.ExactNorm)
			switch {
			case math.IsNaN(torchNorm) || math.IsInf(torchNorm, 0) || c.NormType == "inf":
				if !same(norm, torchNorm) {
					t.Errorf("norm %v, PyTorch %v", norm, torchNorm)
				}
			case math.Abs(norm-exact) > 1e-12*exact:
				t.Errorf("norm %v, exact %v", norm, exact)
			case math.Abs(norm-torchNorm) > normTol*exact:
				t.Errorf("norm %v, PyTorch %v: %.3g relative, tolerance %.3g", norm, torchNorm, math.Abs(norm-torchNorm)/exact, normTol)
			}
			elemTol := normTol + 4*unit
			for i, want := range c.Clipped {
				for j, s := range want {
					w := parse(t, s)
					var g float64
					if got32 != nil {
						g = float64(got32[i][j])
					} else {
						g = got64[i][j]
					}
					if !same(g, w) && !(math.Abs(g-w) <= elemTol*math.Abs(w)) {
						t.Fatalf("grad %d[%d] = %v after clipping, PyTorch %v", i, j, g, w)
					}
				}
			}
		})
	}
}

// parse reads a float written by Python's float.hex ("nan" and "inf" too).
func parse(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// same reports whether a and b are equal or both NaN.
func same(a, b float64) bool { return a == b || a != a && b != b }
