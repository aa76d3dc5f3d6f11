// Package optim is the optimizer a training loop holds, built on fusedopt's
// kernels: parameters registered once by name, the state it allocates for
// them, parameter groups with their own hyperparameters and learning-rate
// schedules, and checkpoints that resume bit for bit on any machine.
//
//	opt, err := optim.New(kernels.DefaultAdamW(), optim.Warmup{Steps: 1000, StartFactor: 0.01,
//		Then: optim.Cosine{Steps: 99000, Min: 1e-5}}, nil)
//	opt.Add32(0, optim.Param32{Name: "fc.weight", Shape: []int64{out, in}, Data: w, Grad: gw})
//	for ... {
//		opt.ZeroGrad()
//		backward()                     // writes gw
//		if err := opt.Step(); err != nil { ... }
//		if step%1000 == 0 { opt.SaveFile("ckpt.safetensors") }
//	}
//
// # From torch.optim
//
//	torch.optim                              optim
//	opt = torch.optim.AdamW(params, lr=...)  opt, err := optim.New(kernels.Adam{...}, sched, cfg); opt.Add32(0, ...)
//	opt.add_param_group({...})               g, err := opt.AddGroup(h, sched); opt.Add32(g, ...)
//	opt.param_groups[g]["lr"] = x            h := opt.Hyper(g); h.LR = x; opt.SetHyper(g, h)
//	opt.step()                               opt.Step()
//	opt.zero_grad(set_to_none=False)         opt.ZeroGrad()
//	opt.state[p]["step"]                     opt.Steps(g)
//	scheduler = lr_scheduler.X(opt, ...)     a Schedule value, given to New, AddGroup or SetSchedule
//	scheduler.step(); scheduler.get_last_lr() nothing to call; opt.LR(g)
//	opt.state_dict(), load_state_dict(sd)    opt.Save(w), opt.Load(r); SaveFile, LoadFile
//	ZeroRedundancyOptimizer                  Config.Shard
//	bfloat16 params, torchao bf16 AdamW      opt.AddBF16(g, ...), Config.Rounding
//	nn.utils.clip_grad_norm_(params, max)    norm, err := opt.ClipGradNorm(max, nil)
//	nn.utils.clip_grad_value_(params, c)     opt.ClipGradValue(c)
//
// The algorithm is a type parameter: the hyperparameter struct of one of
// fusedopt's kernels (kernels.Adam for Adam and AdamW, kernels.SGD,
// kernels.Adagrad, kernels.RMSprop, kernels.Adadelta, kernels.Adamax,
// kernels.NAdam, kernels.RAdam, kernels.Lion, kernels.LAMB,
// kernels.LARS), whose documentation gives
// each update's equations and its PyTorch equivalent. A value of it is one
// group's hyperparameters, as a param_group's dict is; every group of an
// Optimizer runs the same algorithm.
//
// # A step
//
// Each group g counts its steps, n_g (0 before the first). Step takes step
// t = n_g+1 of every group: with the group's hyperparameters h_g and the
// learning rate
//
//	lr_t = S_g.LR(h_g.LR, t-1)
//
// of its schedule S_g, which scales the base LR h_g.LR as PyTorch's
// schedulers scale initial_lr, it calls the kernel's StepTensors32 once for
// the group's float32 parameters and StepTensors64 once for its float64
// ones: validation and the per-step scalars (bias corrections, NAdam's
// product of mu, which the group carries) happen once per group and
// precision, and the result is bit for bit that of the kernel's Step32 or
// Step64 on each tensor. Step checks every group before it changes any
// (all or nothing) and does not allocate after the first.
//
// # bfloat16
//
// AddBF16 registers a bfloat16 parameter (kernels.BF16) with a bfloat16
// gradient (or a float32 one: see below), for the algorithms with
// bfloat16 kernels: Adam and AdamW without AMSGrad, SGD and Lion (one
// StepTensorsBF16Grad call per group, on the Optimizer's pool, as for
// float32); another algorithm refuses it with an error naming itself. Its state is stored
// in bfloat16 too: 2 bytes per element for the parameter, the gradient
// and each slot, 8 per element for Adam against float32's 16. The
// equations are the float32 ones, computed in float32 from the widened
// values; only the stores round, as Config.Rounding says: to nearest,
// ties to even (its zero value), or stochastically with Seed. The random
// bits of element j of a parameter are the kernels' hash (see
// kernels.Rounding) of the seed, the group's step t (Lion's too, though
// its update ignores t), the slot (param, exp_avg or momentum_buffer,
// exp_avg_sq) and the index offset+j, where
// offset is the parameter's place in the registration order (see Shard):
// the sum of the sizes of the parameters registered before it. No two
// elements of an optimizer share bits, a shard's step has the unsharded
// step's bits, and so does a run on any machine; the index wraps at 2^32
// elements. The gradient clipping of bfloat16 gradients sums exact squares
// in float64, and rounds scaled or clamped gradients to nearest.
//
// A bfloat16 parameter may instead come with a float32 gradient
// (ParamBF16.Grad32, in place of Grad), for a trainer that accumulates
// its gradients in float32: Step reads it as it is, without rounding it
// to bfloat16 first (the kernels' StepTensorsBF16, one more call per
// group; 2 bytes per element more to read), and gives exactly the bits of
// the kernels' StepBF16 on the parameter. SetGrad32 replaces such a
// gradient, and ZeroGrad, ClipGradNorm and ClipGradValue treat it as the
// float32 gradient it is. Checkpoints, which hold no gradients, are the
// same either way.
//
// A schedule is a pure function of the count, so nothing but the count
// needs saving, and a schedule can be replaced mid-run (SetSchedule): the
// new one takes over at the count where it stands. Schedule lists the
// ones provided, each with its torch.optim.lr_scheduler equivalent.
//
// # State
//
// An Optimizer allocates each parameter's state when the parameter is
// added, in the parameter's precision (float32, float64 or bfloat16), with
// PyTorch's names:
//
//	Adam, AdamW   exp_avg, exp_avg_sq, max_exp_avg_sq (AMSGrad)
//	SGD           momentum_buffer (Momentum != 0)
//	Adagrad       sum (starting at InitialAccumulatorValue)
//	RMSprop       square_avg, grad_avg (Centered), momentum_buffer (Momentum > 0)
//	Adadelta      square_avg, acc_delta
//	Adamax        exp_avg, exp_inf
//	NAdam         exp_avg, exp_avg_sq; the group's mu_product
//	RAdam         exp_avg, exp_avg_sq
//	Lion          exp_avg (lion-pytorch's name)
//	LAMB          exp_avg, exp_avg_sq (Adam's names)
//	LARS          momentum_buffer (SGD's name; kept even with Momentum 0)
//
// The state a group uses is fixed once it has stepped: SetHyper refuses a
// change that would start or drop a slot mid-run, and a group that has
// stepped takes no new parameters (add a group for them).
//
// # Sharded state
//
// A data-parallel trainer that shards optimizer state (ZeRO stage 1)
// gives each rank the same registrations and its own Config.Shard, a
// range of elements in registration order. A rank allocates state for its
// range only and Step updates only it, with the bits of the unsharded
// step; the ranks then exchange the updated parameters. LAMB's and LARS's
// trust ratios are norms of whole parameters, so their Optimizers refuse
// (in Add) a Shard that cuts a parameter: shard them at parameter
// boundaries. Exclude biases and normalization weights from LARS's decay
// and trust ratio, as optax's masks do, with a group whose LARS has
// WeightDecay 0 and NoTrustRatio.
//
// # Gradient clipping
//
// ClipGradNorm is PyTorch's clip_grad_norm_ over every registered gradient
// (the 2-norm or the infinity norm, with an optional error for a NaN or
// infinite norm), and ClipGradValue its clip_grad_value_. The 2-norm is
// summed in package kernels' fixed order, so it has the same bits on every
// machine, SIMD level, worker count and shard: every rank of a sharded job
// clips alike. With ClipOptions.Fused the gradients are not rewritten: the
// clipping coefficient multiplies the next Step's GradScale instead.
//
// # Checkpoints
//
// Save writes a safetensors file, which Python's safetensors and Hugging
// Face tools read: each state slot as the tensor state.<name>.<slot> in
// the parameter's dtype (F32, F64 or BF16) and shape (a shard's,
// one-dimensional), the parameters themselves as param.<name> with
// Config.SaveParams, and in the header's __metadata__ the format version,
// the algorithm, every group's hyperparameters, count, schedule and NAdam
// product, the registered parameters, the shard, with bfloat16 parameters
// the rounding (bf16_rounding: the mode and seed), and a CRC-32C checksum
// of every tensor. SaveFile
// replaces its file atomically. Load checks everything (the algorithm, the
// parameters by name, dtype, shape and order, the shard, the rounding,
// the format version, the header's layout, each checksum) before it changes
// anything, and restores the hyperparameters, counts and state. Unlike
// PyTorch's load_state_dict, which pairs parameters by position without
// checking, a checkpoint keys them by name.
//
// Every kernel level computes the same bits, and the checkpoint stores
// exact values, so a run saved on one machine resumes on any other (amd64
// or arm64, any SIMD level, any number of workers) to the bits of an
// uninterrupted run.
//
// # Errors and panics
//
// A bad hyperparameter is a *kernels.ParamError naming the field and the
// value; a bad schedule field too. Registration mistakes (a duplicate
// name, nil or mismatched slices, a wrong shape, slices that share memory)
// and a schedule that gives an invalid LR are errors that say what is
// wrong, and change nothing. A group index out of range panics, as an
// index does.
package optim
