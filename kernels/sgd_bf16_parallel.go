package kernels

// SGDTensorBF16 is one bfloat16 tensor of a model and its SGD state, for
// SGD.StepTensorsBF16: the slices of one SGD.StepBF16 call, and Offset,
// the global index of Param[0] in the stochastic rounding's hash, as in
// AdamTensorBF16. Buf starts as zeros and is used only with momentum (it
// may be nil without).
type SGDTensorBF16 struct {
	Param  []BF16
	Grad   []float32
	Buf    []BF16
	Offset uint64
}

// SGDTensorBF16Grad is SGDTensorBF16 with a bfloat16 gradient, for
// SGD.StepTensorsBF16Grad.
type SGDTensorBF16Grad struct {
	Param, Grad, Buf []BF16
	Offset           uint64
}
