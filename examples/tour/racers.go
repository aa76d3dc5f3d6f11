package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fusedopt/fusedopt/kernels"
)

// A racer is one optimizer at the hyperparameters it races with. h is the
// kernels value whose Step64 moves it: kernels.SGD, kernels.Adagrad,
// kernels.Adadelta, kernels.RMSprop, kernels.Adam, kernels.NAdam,
// kernels.RAdam or kernels.Lion. The legend is made from h, so it always
// states the hyperparameters the path was drawn with.
type racer struct {
	name string
	h    any
}

// The racers' names, in legend order; a racer's colour is its index here,
// so each optimizer keeps its colour in every picture.
var racerNames = []string{
	"SGD", "Momentum", "NAG", "Adagrad", "Adadelta", "RMSprop",
	"Adam", "Adam, no bias corr.", "AdamW", "NAdam", "RAdam", "Lion",
}

func racerIndex(name string) int {
	for i, n := range racerNames {
		if n == name {
			return i
		}
	}
	panic("tour: unknown racer " + name)
}

// stepper returns a function that applies step t (from 1) of r's optimizer
// to param, given the gradient grad, with state of its own that starts
// as PyTorch's does.
func (r racer) stepper() (func(t int, param, grad []float64) error, error) {
	n := 2 // x and y
	switch o := r.h.(type) {
	case kernels.SGD:
		buf := make([]float64, n)
		return func(t int, p, g []float64) error { return o.Step64(t, p, g, buf) }, nil
	case kernels.Adagrad:
		sum := make([]float64, n)
		if err := o.InitSum64(sum); err != nil {
			return nil, err
		}
		return func(t int, p, g []float64) error { return o.Step64(t, p, g, sum) }, nil
	case kernels.Adadelta:
		sq, acc := make([]float64, n), make([]float64, n)
		return func(t int, p, g []float64) error { return o.Step64(t, p, g, sq, acc) }, nil
	case kernels.RMSprop:
		sq, gavg, buf := make([]float64, n), make([]float64, n), make([]float64, n)
		return func(t int, p, g []float64) error { return o.Step64(t, p, g, sq, gavg, buf) }, nil
	case kernels.Adam:
		m, v, vmax := make([]float64, n), make([]float64, n), make([]float64, n)
		return func(t int, p, g []float64) error { return o.Step64(t, p, g, m, v, vmax) }, nil
	case kernels.NAdam:
		m, v := make([]float64, n), make([]float64, n)
		var s kernels.NAdamSchedule // mu's running product, advanced once per step
		return func(t int, p, g []float64) error {
			s = o.Next(s)
			return o.Step64(s, p, g, m, v)
		}, nil
	case kernels.RAdam:
		m, v := make([]float64, n), make([]float64, n)
		return func(t int, p, g []float64) error { return o.Step64(t, p, g, m, v) }, nil
	case kernels.Lion:
		m := make([]float64, n)
		return func(_ int, p, g []float64) error { return o.Step64(p, g, m) }, nil
	}
	return nil, fmt.Errorf("tour: %s: no optimizer for %T", r.name, r.h)
}

// label is the legend's text: the name and every hyperparameter that
// differs from zero or changes the arithmetic.
func (r racer) label() string {
	var kv []string
	add := func(k string, v float64) { kv = append(kv, k+" "+num(v)) }
	switch o := r.h.(type) {
	case kernels.SGD:
		add("lr", o.LR)
		if o.Momentum != 0 {
			add("μ", o.Momentum)
		}
		if o.Nesterov {
			kv = append(kv, "Nesterov")
		}
	case kernels.Adagrad:
		add("lr", o.LR)
		add("ε", o.Eps)
	case kernels.Adadelta:
		add("lr", o.LR)
		add("ρ", o.Rho)
		add("ε", o.Eps)
	case kernels.RMSprop:
		add("lr", o.LR)
		add("α", o.Alpha)
		add("ε", o.Eps)
	case kernels.Adam:
		add("lr", o.LR)
		kv = append(kv, "β ("+num(o.Beta1)+", "+num(o.Beta2)+")")
		if o.WeightDecay != 0 {
			add("wd", o.WeightDecay)
		}
	case kernels.NAdam:
		add("lr", o.LR)
		kv = append(kv, "β ("+num(o.Beta1)+", "+num(o.Beta2)+")")
		add("ψ", o.MomentumDecay)
	case kernels.RAdam:
		add("lr", o.LR)
		kv = append(kv, "β ("+num(o.Beta1)+", "+num(o.Beta2)+")")
	case kernels.Lion:
		add("lr", o.LR)
		kv = append(kv, "β ("+num(o.Beta1)+", "+num(o.Beta2)+")")
	}
	return r.name + ": " + strings.Join(kv, ", ")
}

// num prints a hyperparameter as briefly as it is exact: 0.05, 1e-08.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// The racers' constructors, each starting from PyTorch's defaults so that
// a problem's table lists only what it changes.

func sgd(lr float64) racer {
	o := kernels.DefaultSGD()
	o.LR = lr
	return racer{"SGD", o}
}

func momentum(lr, mu float64) racer {
	o := kernels.DefaultSGD()
	o.LR, o.Momentum = lr, mu
	return racer{"Momentum", o}
}

func nag(lr, mu float64) racer {
	o := kernels.DefaultSGD()
	o.LR, o.Momentum, o.Nesterov = lr, mu, true
	return racer{"NAG", o}
}

func adagrad(lr float64) racer {
	o := kernels.DefaultAdagrad()
	o.LR = lr
	return racer{"Adagrad", o}
}

func adadelta() racer {
	return racer{"Adadelta", kernels.DefaultAdadelta()}
}

func rmsprop(lr float64) racer {
	o := kernels.DefaultRMSprop()
	o.LR = lr
	return racer{"RMSprop", o}
}

func adam(lr, beta2 float64) racer {
	o := kernels.DefaultAdam()
	o.LR, o.Beta2 = lr, beta2
	return racer{"Adam", o}
}

func adamNoBias(lr, beta2 float64) racer {
	o := kernels.DefaultAdam()
	o.LR, o.Beta2, o.NoBiasCorrection = lr, beta2, true
	return racer{"Adam, no bias corr.", o}
}

func adamW(lr float64) racer {
	o := kernels.DefaultAdamW()
	o.LR = lr
	return racer{"AdamW", o}
}

func nadam(lr float64) racer {
	o := kernels.DefaultNAdam()
	o.LR = lr
	return racer{"NAdam", o}
}

func radam(lr float64) racer {
	o := kernels.DefaultRAdam()
	o.LR = lr
	return racer{"RAdam", o}
}

func lion(lr float64) racer {
	o := kernels.DefaultLion()
	o.LR, o.WeightDecay = lr, 0
	return racer{"Lion", o}
}
