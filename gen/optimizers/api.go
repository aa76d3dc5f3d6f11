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
