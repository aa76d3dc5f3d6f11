package fusedspago

import "github.com/fusedopt/fusedopt/optim"

// An Option configures a Strategy at construction.
type Option func(*settings)

// settings are what the options set: what optim.New takes, and how
// parameters are assigned to groups at registration.
type settings struct {
	schedule optim.Schedule
	config   optim.Config
	group    func(name string, shape []int64) int
}

// WithSchedule gives group 0 the learning-rate schedule s (the default is
// optim.Constant).
func WithSchedule(s optim.Schedule) Option {
	return func(st *settings) { st.schedule = s }
}

// WithConfig sets the optimizer's worker pool, shard and checkpoint
// contents (see optim.Config).
func WithConfig(c optim.Config) Option {
	return func(st *settings) { st.config = c }
}

// WithGroups assigns each parameter, by its name and shape, to a parameter
// group when the first step registers it; without it every parameter is
// in group 0. Groups other than 0 must be added to Optimizer() before the
// first step, for example a group without weight decay for biases:
//
//	optimizer := fusedspago.NewStrategy(nn.Parameters(model), kernels.DefaultAdamW(),
//		fusedspago.WithGroups(func(name string, shape []int64) int {
//			if len(shape) == 1 || shape[1] == 1 {
//				return 1
//			}
//			return 0
//		}))
//	noDecay := kernels.DefaultAdamW()
//	noDecay.WeightDecay = 0
//	optimizer.Optimizer().AddGroup(noDecay, nil)
func WithGroups(group func(name string, shape []int64) int) Option {
	return func(st *settings) { st.group = group }
}
