// Package kernels is fusedopt's optimizer update steps: each one call that
// updates a parameter slice and its optimizer state in a single fused pass,
// in SIMD assembly where the CPU has it, with PyTorch's torch.optim
// semantics.
//
// # Adam and AdamW
//
// Adam.Step32 and Adam.Step64 apply one step of Adam (or AdamW, with
// Decoupled) to float32 or float64 slices. For each element i, at step t:
//
//	g       = s·grad[i]                          s = GradScale, negated to maximize
//	g       = g + λ·param[i]                      coupled weight decay (Adam)
//	m[i]    = β1·m[i] + (1-β1)·g
//	v[i]    = β2·v[i] + (1-β2)·g²
//	vmax[i] = max(vmax[i], v[i])                  AMSGrad; the denominator then uses vmax
//	param[i] = param[i]·(1-η·λ) - η/(1-β1^t) · m[i] / (√v[i] / √(1-β2^t) + ε)
//
// where η is LR, λ is WeightDecay and (1-η·λ) applies only with decoupled
// decay (AdamW). This is PyTorch's algorithm; the Adam type documents each
// option.
//
// # The other optimizers
//
// Each optimizer is a hyperparameter struct, documented with its update
// equations, with PyTorch's defaults from its DefaultX function:
//
//	SGD       torch.optim.SGD: momentum, dampening, Nesterov
//	Adagrad   torch.optim.Adagrad: lr decay; eps inside the sqrt as an option
//	RMSprop   torch.optim.RMSprop: centered, momentum; eps inside the sqrt as an option
//	Adadelta  torch.optim.Adadelta
//	Adamax    torch.optim.Adamax
//	NAdam     torch.optim.NAdam: momentum decay, decoupled decay; NAdamSchedule carries mu's product
//	RAdam     torch.optim.RAdam: the rectification switch at rho_t > 5, decoupled decay
//	Lion      optax.lion: sign update, decoupled decay (no step number)
//	LAMB      optax.lamb: Adam's update plus decay, scaled by the trust ratio ‖param‖/‖u‖
//	LARS      optax.lars: momentum SGD, scaled by the trust ratio tc·‖param‖/(‖u‖+eps)
//
// All take GradScale (0 means 1) and Maximize, and (but Lion) L2 or
// decoupled WeightDecay; Step32 and Step64 take the step number t,
// counted from 1.
//
// # Trust ratios: LAMB and LARS
//
// LAMB and LARS scale each tensor's update u by a ratio of 2-norms over
// the whole tensor (the Step methods take one tensor; StepTensors a list,
// each with its own ratio):
//
//	LAMB (optax.lamb: scale_by_adam, add_decayed_weights, scale_by_trust_ratio, scale_by_learning_rate)
//	u     = m̂/(√v̂ + ε) + λ·param          m̂ = m/(1-β1^t), v̂ = v/(1-β2^t), Adam's moments
//	param = param - η·(‖param‖/‖u‖)·u
//
//	LARS (optax.lars: add_decayed_weights, scale_by_trust_ratio, scale_by_learning_rate, trace)
//	u     = s·grad + λ·param
//	buf   = -η·(tc·‖param‖/(‖u‖ + ε))·u + μ·buf
//	param = param + buf                   Nesterov: + (-η·ratio·u + μ·buf)
//
// with ratio 1 where either norm is 0 (optax's guard) and, for LARS, with
// NoTrustRatio (optax's trust_ratio_mask; exclude biases and normalization
// weights through it, and from the decay with WeightDecay 0). PyTorch has
// no LAMB or LARS; NVIDIA apex's and DeepSpeed's LAMB also clip the ratio
// or the norms, optax does not, and neither do these.
//
// The norms are the reductions' (see "Reductions"), so ‖param‖² is
// SumSquares32(param) bit for bit, and a step gives the same bits at every
// level and on any number of workers. A step is two passes over a tensor:
// LAMB's first updates m and v and sums u² and param² in the same sweep
// (its kernels are generated with the accumulation fused in), LARS's first
// only sums; the second computes u again from the same float values, so
// the same bits, and applies it. The product η·ratio is rounded once to
// the slice precision, where optax multiplies by the two in turn.
//
// # Large models
//
// Every optimizer also has StepParallel32, which splits one large step
// across the goroutines of a Pool (NewPool, or nil for DefaultPool), and
// StepTensors32, which updates a whole list of tensors (AdamTensor32,
// SGDTensor32, ...) in one call: validation and the per-step scalars once,
// large tensors split into chunks and small ones packed together. Steps
// below 256 KiB per slice stay on the calling goroutine. Results are
// bit-identical to Step32 on each tensor whatever the number of workers;
// several goroutines may step on one Pool at once, and a panic in a
// worker is re-raised in the caller.
//
// # One result on every machine
//
// Every level (pure Go, AVX2, AVX-512, NEON) computes each element with
// the same IEEE operations in the same order, each correctly rounded, and
// no fused multiply-add, so all levels give identical bits (NaN payloads
// aside), on amd64, arm64 and every other target: training is
// reproducible across machines. The per-step scalars (bias corrections,
// step size, 1-β) are computed once per call in float64 and then rounded
// to the slice precision, the same for every level. The order is, per
// element, with every operation rounded:
//
//	g     = grad·s                 (+ λ·param)
//	m     = β1·m + (1-β1)·g
//	v     = β2·v + (1-β2)·(g·g)
//	d     = √v · c2 + ε            c2 = 1/√(1-β2^t), rounded once
//	param = param·(1-η·λ) - c1·(m/d)   c1 = η/(1-β1^t), rounded once
//
// Multiplying by the rounded reciprocal c2 instead of dividing by
// √(1-β2^t) saves one division per element (the division and the square
// root bound an exact kernel in cache) and adds one rounding.
//
// Accuracy: for one step from the same inputs, each output of Step32 is
// within k·2⁻²⁴ times the sum of the magnitudes of the terms that produce
// it, compared with PyTorch's formula evaluated exactly, where k counts the
// roundings on the term's path, including the rounding of each float64
// per-step scalar to float32. With coupled weight decay: k = 6 for m, on
// |β1·m| + (1-β1)(|s·grad| + |λ·param|); k = 10 for v and vmax, on
// |β2·v| + (1-β2)(|s·grad| + |λ·param|)²; and k = 19 for param, on
// |param·(1-ηλ)| + |η/(1-β1^t)|·M/d, where M is m's magnitude sum and d
// the denominator (within 9 roundings, relative). Without coupled decay
// the counts are 5, 8 and 17. Step64 meets the same counts in units of
// 2⁻⁵³, plus the error of its float64 scalars: 1-β^t cancels, and its
// relative error grows by about β^t/(1-β^t), as in PyTorch's own
// 1 - beta**step. These bounds are relative to the magnitudes of the
// terms, not to the result: where terms cancel, the result's relative
// error can be larger. The tests check them element by element against a
// float64 (for float32) and a 200-bit big.Float (for float64) reference
// written in PyTorch's arrangement.
//
// # bfloat16 storage
//
// Adam.StepBF16 keeps param and the state m and v as BF16 (bfloat16, the
// high half of a float32) and reads a float32 gradient; StepBF16Grad reads
// a bfloat16 one: 16 and 14 bytes of memory per element against Step32's
// 28. Each computes exactly what Step32 computes from the widened values,
// in float32 and in the same order; only the stores round, to nearest even
// or stochastically with random bits that are a hash of the seed, the
// step, the stream and the element's global index, so that they too are
// the same on every level, machine, chunking and worker count (see
// Rounding, which also says what happens to NaN, ±Inf and values above
// the largest bfloat16). With round-to-nearest, updates below half the
// bfloat16 spacing of a parameter vanish and training stalls; stochastic
// rounding keeps them in expectation. AMSGrad is not offered in bfloat16.
// SGD.StepBF16 and StepBF16Grad do the same for SGD and its momentum
// buffer, and Lion.StepBF16 and StepBF16Grad for Lion and its momentum
// (which, unlike Lion's Step32, take the step number t: the rounding's
// random bits need it). Every bfloat16 step also comes in parallel and
// tensor-list forms (StepParallelBF16, StepTensorsBF16 and their Grad
// forms), whose chunks hash with their global indexes and so give the
// same bits as one call.
//
// # Reductions
//
// SumSquares32, SumSquares64 and SumSquaresBF16 return Σ x[i]² in float64
// (the squared 2-norm; MaxAbs32 and MaxAbs64 the infinity norm), and
// SumSquaresTensors32, SumSquaresTensors64 and SumSquaresTensorsBF16 the
// same for each tensor of a list, on a Pool. Every level, and every number
// of workers, adds in one fixed order:
//
//   - x is cut into chunks of NormChunk (65536) elements from its start;
//   - in a chunk, element j is squared in float64 (float32 inputs widened
//     first, so their squares are exact; bfloat16 inputs widened exactly to
//     float32 before that, so SumSquaresBF16 is SumSquares32 of the
//     widened values, bit for bit) and added to partial sum j mod 16,
//     in element order, each partial starting at +0;
//   - the 16 partials are combined by a fixed tree: p[j] += p[j+8] for
//     j < 8, then p[j+4], p[j+2], p[j+1]; the chunk's sum is p[0];
//   - the chunks' sums are added in index order, starting at +0.
//
// AVX2 keeps the 16 partials in 4 YMM registers, AVX-512 in 2 ZMM, NEON in 8
// Q registers and pure Go in 16 variables; the additions are the same.
//
// Error bound: the terms are non-negative, so with u = 2⁻⁵³ and γ_k =
// k·u/(1-k·u), the result Ŝ of n elements with exact sum of squares S has
// |Ŝ - S| <= γ_k·S, where k = ⌈min(n, 65536)/16⌉ - 1 + 4 + ⌈n/65536⌉ - 1
// counts the rounded additions on any square's path (one more for the
// rounded squares of float64 inputs). For 10⁹ float32 elements k = 19357:
// a relative error below 2.2e-12. Subnormal and zero inputs are summed
// exactly as squares; float32 inputs cannot overflow (10⁹ squares of the
// largest float32 are 1.2e86). With float64 inputs, a square overflows to
// +Inf where |x| > 1.3e154 (the sum is then +Inf, as PyTorch's norm is) and
// loses bits below 1.5e-154: the bound assumes neither. NaN gives NaN (the
// payload may differ between levels) and ±Inf, without NaN, +Inf.
//
// # Levels
//
// The best level the CPU supports is chosen once at start-up: AVX512
// (AVX-512F, AVX-512VL and BMI2), AVX2 (AVX2 and FMA), NEON (arm64), or
// Generic. Levels lists the supported levels, ActiveLevel reports the one
// in use and SetLevel pins another. The environment variable
// FUSEDOPT_LEVEL (see EnvLevel) pins one at start-up, and GODEBUG
// options such as cpu.avx512f=off or cpu.avx2=off hide CPU features from
// the detection. The purego build tag removes all assembly.
//
// # Errors and panics
//
// A hyperparameter outside its domain, or a step number below 1, makes a
// step return a *ParamError naming the field and its value, before any
// slice is touched. Slices of different lengths make it panic with a
// message naming both lengths, as Go's slice kernels do, and so do slices
// that share memory (which would make the result depend on the level and
// the worker count), except grad being param itself. The checks run in
// that order, except one: a value that float32 alone cannot carry (an Eps
// that rounds to 0, a step size that overflows) is a *ParamError of the
// float32 steps only, and they check it after the lengths. Steps never
// write outside their slices and never allocate.
package kernels
