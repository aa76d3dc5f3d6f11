package optim

import (
	"errors"
	"fmt"
	"math"

	"github.com/fusedopt/fusedopt/kernels"
)

// ClipOptions are the options of ClipGradNorm. The zero value (or a nil
// *ClipOptions) is PyTorch's default: the 2-norm, no error for a NaN or
// infinite norm, and the gradients scaled in place.
type ClipOptions struct {
	// NormType is the norm: 2 (0 means 2) or math.Inf(1), the largest
	// magnitude. PyTorch's norm_type; other orders are not offered.
	NormType float64

	// ErrorIfNonfinite makes a NaN or infinite total norm an error
	// (wrapping ErrNonfiniteNorm) that changes nothing, as PyTorch's
	// error_if_nonfinite=True.
	ErrorIfNonfinite bool

	// Fused leaves the gradients as they are and multiplies the clipping
	// coefficient into the GradScale of every group for the next Step
	// instead, saving a pass over the gradients (see ClipGradNorm).
	Fused bool
}

// ErrNonfiniteNorm is wrapped by the error of ClipGradNorm with
// ErrorIfNonfinite when the total norm is NaN or infinite.
var ErrNonfiniteNorm = errors.New("optim: the total norm of the gradients is not finite")

// normEps is the 1e-6 that PyTorch's clip_grad_norm_ adds to the norm.
const normEps = 1e-6

// ClipGradNorm is PyTorch's torch.nn.utils.clip_grad_norm_ over every
// registered parameter: it computes the total norm of all gradients
// together, as if concatenated, and if it exceeds maxNorm scales every
// gradient by
//
//	c = maxNorm / (norm + 1e-6)     (when c < 1; a NaN c scales too, as in PyTorch)
//
// It returns the total norm. The norm is of the Grad slices as they are
// stored, before any group's GradScale, as PyTorch's is of p.grad. A
// gradient is treated by its own dtype, not its parameter's: the float32
// gradient of a bfloat16 parameter (ParamBF16.Grad32) is clipped as a
// float32 parameter's is.
//
// The 2-norm is √S, with S the sum of each gradient's
// kernels.SumSquares32, SumSquares64 or SumSquaresBF16 in registration
// order (starting from +0), each in package kernels' fixed order (on
// Config.Pool's workers): the same bits on every machine, level and
// worker count, with the error bound kernels documents. (PyTorch takes
// the norm of the per-tensor norms, with a square root and a square more
// per tensor: the two differ by a few roundings.) A bfloat16 gradient's
// sum of squares is SumSquares32's of its values widened to float32, bit
// for bit. The infinity norm is the largest |g| (NaN if any is NaN).
//
// In place (the default), each float32 element becomes g·float32(c),
// each float64 one g·c and each bfloat16 one the bfloat16 nearest to
// g·float32(c), rounded once, as PyTorch's g.mul_(clip_coef). With
// opts.Fused, the gradients are not touched: c is recorded, and the next
// Step multiplies every group's GradScale (0 meaning 1) by c in float64,
// so its kernels compute g = grad·(GradScale·c) with the scale rounded
// once to the slice's precision. That saves reading and writing every
// gradient, and differs from scaling in place by a rounding or two per
// element (still the same bits on every machine). Until that Step,
// PendingGradScale reports c and the gradients read as unclipped; a later
// ClipGradNorm replaces c, ZeroGrad drops it, a checkpoint does not save
// it. If GradScale·c leaves GradScale's domain (below float32's
// smallest subnormal for a float32 step), Step returns the
// *kernels.ParamError and changes nothing. Where c is 0 or NaN (maxNorm 0, or a norm that is infinite or NaN),
// Fused scales in place, as PyTorch, since a GradScale cannot carry it.
//
// With a Shard, the norm is still global: every rank computes it over all
// registered gradients, which in data-parallel training are the same
// all-reduced gradients on every rank, so the ranks agree bit for bit on
// the norm and the coefficient.
//
// A maxNorm below 0 or NaN, or an unsupported NormType, is an error that
// changes nothing. ClipGradNorm does not allocate after its first call.
func (o *Optimizer[H]) ClipGradNorm(maxNorm float64, opts *ClipOptions) (float64, error) {
	var opt ClipOptions
	if opts != nil {
		opt = *opts
	}
	if opt.NormType == 0 {
		opt.NormType = 2
	}
	if opt.NormType != 2 && !math.IsInf(opt.NormType, 1) {
		return 0, fmt.Errorf("optim: ClipGradNorm: NormType %g: want 2 or +Inf", opt.NormType)
	}
	if !(maxNorm >= 0) {
		return 0, fmt.Errorf("optim: ClipGradNorm: maxNorm %g: want >= 0", maxNorm)
	}
	var norm float64
	if opt.NormType == 2 {
		norm = math.Sqrt(o.sumSquares())
	} else {
		norm = o.maxAbs()
	}
	if opt.ErrorIfNonfinite && (math.IsNaN(norm) || math.IsInf(norm, 0)) {
		return norm, fmt.Errorf("%w: its %g-norm is %g (the gradients are unchanged)", ErrNonfiniteNorm, opt.NormType, norm)
	}
	o.clipScale = 0
	c := maxNorm / (norm + normEps)
	switch {
	case c >= 1:
	case opt.Fused && c > 0:
		o.clipScale = c
	default:
		o.scaleGrads(c)
	}
	return norm, nil
}

// PendingGradScale is the clipping coefficient that a ClipGradNorm with
// Fused left for the next Step to multiply into the GradScales, or 1 if
// there is none.
func (o *Optimizer[H]) PendingGradScale() float64 {
	if o.clipScale == 0 {
		return 1
	}
	return o.clipScale
}

// ClipGradValue is PyTorch's torch.nn.utils.clip_grad_value_: it clamps
// every element of every registered gradient (the whole of each, also
// outside a Shard) to [-clip, clip], with clip rounded to float32 for
// float32 gradients (a bfloat16 parameter's Grad32 among them) and stored
// as the nearest bfloat16 for bfloat16 ones. NaN elements stay NaN. A
// clip below 0 or NaN is an error that changes nothing.
func (o *Optimizer[H]) ClipGradValue(clip float64) error {
	if !(clip >= 0) {
		return fmt.Errorf("optim: ClipGradValue: clip %g: want >= 0", clip)
	}
	for _, p := range o.params {
		switch g := p.float32Grad(); {
		case g != nil:
			clampSlice(g, float32(clip))
		case p.f64 != nil:
			clampSlice(p.f64.grad, clip)
		default:
			clampBF16(p.bf.grad, float32(clip))
		}
	}
	return nil
}

func clampSlice[E float](g []E, c E) {
	for i, v := range g {
		if v > c {
			g[i] = c
		} else if v < -c {
			g[i] = -c
		}
	}
}

// sumSquares is the sum of squares of every registered gradient: each
// tensor's in the kernels' fixed order (on the pool), added in
// registration order.
func (o *Optimizer[H]) sumSquares() float64 {
	o.norms.g32, o.norms.g64, o.norms.gbf = o.norms.g32[:0], o.norms.g64[:0], o.norms.gbf[:0]
	for _, p := range o.params {
		if g := p.float32Grad(); g != nil {
			o.norms.g32 = append(o.norms.g32, g)
		} else if p.f64 != nil {
			o.norms.g64 = append(o.norms.g64, p.f64.grad)
		} else {
			o.norms.gbf = append(o.norms.gbf, p.bf.grad)
		}
	}
	o.norms.s32 = resize(o.norms.s32, len(o.norms.g32))
	o.norms.s64 = resize(o.norms.s64, len(o.norms.g64))
	o.norms.sbf = resize(o.norms.sbf, len(o.norms.gbf))
	kernels.SumSquaresTensors32(o.pool, o.norms.g32, o.norms.s32)
	kernels.SumSquaresTensors64(o.pool, o.norms.g64, o.norms.s64)
	kernels.SumSquaresTensorsBF16(o.pool, o.norms.gbf, o.norms.sbf)
	var total float64
	i32, i64, ibf := 0, 0, 0
	for _, p := range o.params {
		switch {
		case p.float32Grad() != nil:
			total += o.norms.s32[i32]
			i32++
		case p.f64 != nil:
			total += o.norms.s64[i64]
			i64++
		default:
			total += o.norms.sbf[ibf]
			ibf++
		}
	}
	return total
}

// maxAbs is the largest magnitude of every registered gradient, NaN if
// any element is NaN.
func (o *Optimizer[H]) maxAbs() float64 {
	var m float64
	for _, p := range o.params {
		var a float64
		switch g := p.float32Grad(); {
		case g != nil:
			a = kernels.MaxAbs32(g)
		case p.f64 != nil:
			a = kernels.MaxAbs64(p.f64.grad)
		default:
			a = maxAbsBF16(p.bf.grad)
		}
		if math.IsNaN(a) {
			return a
		}
		m = max(m, a)
	}
	return m
}

// scaleGrads multiplies every registered gradient by c, as PyTorch's
// g.mul_(clip_coef): float32 ones by float32(c).
func (o *Optimizer[H]) scaleGrads(c float64) {
	for _, p := range o.params {
		switch g := p.float32Grad(); {
		case g != nil:
			c32 := float32(c)
			for i := range g {
				g[i] *= c32
			}
		case p.f64 != nil:
			for i := range p.f64.grad {
				p.f64.grad[i] *= c
			}
		default:
			scaleBF16(p.bf.grad, float32(c))
		}
	}
}

// normScratch is what ClipGradNorm reuses between calls.
type normScratch struct {
	g32           [][]float32
	g64           [][]float64
	gbf           [][]kernels.BF16
	s32, s64, sbf []float64
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
