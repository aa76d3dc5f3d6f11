package optimizers

// API describes what an optimizer's parallel and multi-tensor steps
// (kernels/<name>_parallel.go: the <Title>Tensor32/64 types and the
// StepParallel32/64 and StepTensors32/64 methods) take beyond its kernels'
// slices, which come from the kernels' streams. The methods call the
// optimizer's hand-written scalars, checkLens, variant and checkRounded32.
type API struct {
	Name, Title string // the family's name and its Go type, "adam" and "Adam"

	// StepParam is the step's parameter before the slices ("t int", "s
	// NAdamSchedule"; "" for none), passed on to scalars; Update says in a
	// doc comment which update a step applies, and BadInput what makes it
	// return a *ParamError.
	StepParam, Update, BadInput string

	// TensorDoc ends the doc comment of <Title>Tensor32: how the state
	// starts and which slices are optional.
	TensorDoc string

	Fields   map[string]string // Go field names other than the slot's name capitalized ("vmax": "VMax")
	Optional []Optional        // the slots a variant may leave unread, in the order of the streams
	Skip     bool              // the optimizer has a skip method (see kernels/slots.go)
	Variant  string            // the kernel table's index ("o.variant()" if "")
	Rect     bool              // scalars also returns whether the step is rectified (RAdam), which variant takes
}

// Optional is a slot that some variants leave unread: the kernel gets nil
// for it unless Use, a Go expression of the optimizer o, holds.
type Optional struct {
	Slot, Use, When string // When completes "<Field> is used only ..."
}

// APIs lists every optimizer's API, in the order of families.All.
func APIs() []API {
	stepT := func(a API) API {
		a.StepParam, a.Update, a.BadInput = "t int", "update number t", "A bad hyperparameter or t < 1"
		return a
	}
	return []API{
		stepT(API{Name: "adam", Title: "Adam",
			TensorDoc: "M and V start as zeros; VMax is used only with AMSGrad.",
			Fields:    map[string]string{"vmax": "VMax"},
			Optional:  []Optional{{Slot: "vmax", Use: "o.AMSGrad", When: "with AMSGrad"}},
			Skip:      true}),
		stepT(API{Name: "sgd", Title: "SGD",
			TensorDoc: "Buf starts as zeros and is used only with momentum (it may be nil without).",
			Optional:  []Optional{{Slot: "buf", Use: "o.mode() != 0", When: "with momentum"}},
			Skip:      true}),
		stepT(API{Name: "adagrad", Title: "Adagrad",
			TensorDoc: "Sum starts as InitialAccumulatorValue (see Adagrad.InitSum32)."}),
		stepT(API{Name: "rmsprop", Title: "RMSprop",
			TensorDoc: "Sq, GAvg and Buf start as zeros; GAvg is used only when Centered and Buf only with Momentum > 0.",
			Fields:    map[string]string{"gavg": "GAvg"},
			Optional: []Optional{
				{Slot: "gavg", Use: "o.Centered", When: "when Centered"},
				{Slot: "buf", Use: "o.Momentum > 0", When: "with momentum"},
			},
			Skip: true}),
		stepT(API{Name: "adadelta", Title: "Adadelta", TensorDoc: "Sq and Acc start as zeros."}),
		{Name: "nadam", Title: "NAdam", TensorDoc: "M and V start as zeros.",
			StepParam: "s NAdamSchedule", Update: "the update of step s.T", BadInput: "A bad hyperparameter or schedule"},
		stepT(API{Name: "radam", Title: "RAdam", TensorDoc: "M and V start as zeros.", Variant: "o.variant(rect)", Rect: true}),
		stepT(API{Name: "adamax", Title: "Adamax", TensorDoc: "M and U start as zeros."}),
		{Name: "lion", Title: "Lion", TensorDoc: "M starts as zeros.",
			Update: "one update", BadInput: "A bad hyperparameter", Variant: "0"},
	}
}

// BF16API describes an optimizer's bfloat16 steps (kernels/<name>_bf16_api.go:
// the <Title>TensorBF16 and <Title>TensorBF16Grad types and the StepBF16,
// StepParallelBF16 and StepTensorsBF16 methods, each also with a bfloat16
// gradient) beyond its API, whose Title, Fields and Optional slots they
// share, and beyond the slices, which come from the streams of the
// families <name>BF16 and <name>BF16Grad. The methods call the optimizer's
// hand-written scalarsBF16, variantBF16 and checkLens.
type BF16API struct {
	Name string // the family's name, "adam", as in APIs

	// StepParam is the steps' parameter before the Rounding, passed on to
	// scalarsBF16: "t int" even for Lion, whose update does not depend on
	// t, as the rounding's hash does.
	StepParam string

	// StepBF16's doc comment says that it is Step32 with param and State
	// stored as bfloat16 (and, when the kernels store two streams, which
	// half of the hash's bits each takes), adds Note, and ends with
	// "Lengths, overlaps, errors and allocations are as for Step32"
	// completed by LensNote.
	State, Note, LensNote string

	GradNote  string // completes "StepBF16Grad is StepBF16 with a bfloat16 gradient"
	TensorDoc string // ends the doc comment of <Title>TensorBF16: how the state starts
	Variant   string // the kernel tables' index ("o.variantBF16(r)" if "")
}

// BF16APIs lists the APIs of the optimizers with bfloat16 kernels, in the
// order of families.BF16. The first one's tensor type documents Offset;
// the others refer to it.
func BF16APIs() []BF16API {
	return []BF16API{
		{Name: "adam", StepParam: "t int", State: "the state m and v",
			Note:     "AMSGrad is not offered: with AMSGrad set, StepBF16 returns a *ParamError.",
			GradNote: " (14 bytes of memory traffic per element, against Step32's 28)"},
		{Name: "sgd", StepParam: "t int", State: "the momentum buffer buf",
			LensNote:  "; buf is ignored, and may be nil, without momentum",
			TensorDoc: "Buf starts as zeros and is used only with momentum (it may be nil without)."},
		{Name: "lion", StepParam: "t int", State: "the momentum m",
			Note: "Lion's update does not depend on the step number, but the rounding's random bits do: " +
				"t, counted from 1, must differ from step to step (pass the count of steps taken plus one), " +
				"or every step rounds with the same bits.",
			LensNote:  ", and t < 1 returns a *ParamError",
			TensorDoc: "M starts as zeros.",
			Variant:   "variantBF16(r)"},
	}
}
