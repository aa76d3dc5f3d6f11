#!/usr/bin/env python3
"""Reference learning rates from torch.optim.lr_scheduler for the schedules
of package optim; writes pytorch_schedules.json beside this file.

Needs PyTorch 1.13 (Debian bookworm's python3-torch). Run from anywhere:

    python3 pytorch_schedules.py

Each case builds a PyTorch scheduler on a one-parameter SGD optimizer with
learning rate `base` and records the LR of step t+1 for done = t completed
steps. PyTorch's schedulers step recursively (lr *= ratio), which drifts by
rounding, so the values written are the closed forms
(_get_closed_form_lr, or get_lr where that is already a closed form, as
for OneCycleLR and LambdaLR), evaluated at last_epoch = done; for
SequentialLR the closed form of the scheduler whose turn it is, at done
minus its milestone, as SequentialLR.step restarts it with step(0). Every
dense case is also stepped for real, and the script asserts that the
stepped LRs (optimizer.param_groups[0]['lr'] before each optimizer step)
agree with the closed forms to 1e-9 of base: that pins the indexing (the
first step uses done = 0) to PyTorch's own loop.

The output is a list of cases {"name", "schedule", "base", "lrs"} and, for
sparse cases, "dones" (the done count of each LR; otherwise lrs[i] is
done = i). "schedule" is the Go type name and its field values. Floats are
written by json, which uses repr: the shortest decimal that reads back as
the same float64.

Hugging Face's inverse square root schedule is a LambdaLR of the formula in
transformers' optimization.py (_get_inverse_sqrt_schedule_lr_lambda),
written out below so that transformers need not be installed.
"""

import bisect
import json
import math
import os
import random
import warnings

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as lrs

warnings.filterwarnings("ignore", category=UserWarning)


def optimizer(base):
    return SGD([torch.zeros(1, requires_grad=True)], lr=base)


def closed(sched, done):
    """The scheduler's closed-form LR at last_epoch = done."""
    if isinstance(sched, lrs.SequentialLR):
        i = bisect.bisect_right(sched._milestones, done)
        start = sched._milestones[i - 1] if i > 0 else 0
        return closed(sched._schedulers[i], done - start)
    sched.last_epoch = done
    if hasattr(sched, "_get_closed_form_lr"):
        return sched._get_closed_form_lr()[0]
    return sched.get_lr()[0]


def stepped(opt, sched, n):
    """The LRs of the first n steps, as a training loop sees them."""
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


CASES = []


def case(name, schedule, base, make, n=None, dones=None):
    """Records make(optimizer)'s LRs for done = 0..n-1, or at dones."""
    opt = optimizer(base)
    sched = make(opt)
    c = {"name": name, "schedule": schedule, "base": base}
    if dones is None:
        real = stepped(opt, sched, n)
        c["lrs"] = [closed(sched, t) for t in range(n)]
        for t, (a, b) in enumerate(zip(real, c["lrs"])):
            assert abs(a - b) <= 1e-9 * base, (name, t, a, b)
    else:
        c["dones"] = dones
        c["lrs"] = [closed(sched, t) for t in dones]
    CASES.append(c)


def inverse_sqrt_lambda(num_warmup_steps, timescale=None):
    # transformers.optimization: get_inverse_sqrt_schedule and
    # _get_inverse_sqrt_schedule_lr_lambda.
    if timescale is None:
        timescale = num_warmup_steps or 10_000

    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        shift = timescale - num_warmup_steps
        decay = 1.0 / math.sqrt((current_step + shift) / timescale)
        return decay

    return lr_lambda


def sparse(limit, extra=()):
    """Fixed and pseudo-random done counts up to limit, sorted."""
    rng = random.Random(limit)
    ds = {0, 1, 2, 3, limit // 2 - 1, limit // 2, limit // 2 + 1, limit - 1, limit}
    ds.update(rng.randrange(limit + 1) for _ in range(40))
    ds.update(extra)
    return sorted(d for d in ds if 0 <= d <= limit)


def constant(opt):
    return lrs.LambdaLR(opt, lambda t: 1.0)


def main():
    case("constant", {"type": "Constant"}, 0.1, constant, n=5)

    for f, k, base, n in [(0.5, 4, 0.1, 10), (1.0 / 3, 5, 3e-4, 12), (0.1, 100, 0.1, 110)]:
        case(f"constant_factor_{f:g}_{k}", {"type": "ConstantFactor", "Factor": f, "Steps": k}, base,
             lambda o: lrs.ConstantLR(o, factor=f, total_iters=k), n=n)

    for s, e, k, base, n in [(1.0 / 3, 1.0, 5, 0.1, 10), (1.0, 0.0, 100, 0.1, 120),
                             (0.5, 0.1, 37, 3e-4, 45), (0.1, 1.0, 1000, 3e-4, 1010)]:
        case(f"linear_{s:g}_{e:g}_{k}",
             {"type": "Linear", "StartFactor": s, "EndFactor": e, "Steps": k}, base,
             lambda o: lrs.LinearLR(o, start_factor=s, end_factor=e, total_iters=k), n=n)

    # Cosine up to and including T_max only: past it PyTorch rises again,
    # where Cosine holds Min.
    for k, m, base in [(7, 0.01, 0.1), (100, 0.0, 0.1), (1000, 1e-5, 3e-4), (999, 0.0, 1.0)]:
        case(f"cosine_{k}_{m:g}", {"type": "Cosine", "Steps": k, "Min": m}, base,
             lambda o: lrs.CosineAnnealingLR(o, T_max=k, eta_min=m), n=k + 1)
    case("cosine_1000000_sparse", {"type": "Cosine", "Steps": 1000000, "Min": 1e-6}, 3e-4,
         lambda o: lrs.CosineAnnealingLR(o, T_max=1000000, eta_min=1e-6),
         dones=sparse(1000000, [250000, 499999, 750000, 999990, 999999]))

    for k, g, base, n in [(30, 0.1, 0.1, 100), (7, 0.9, 3e-4, 200), (1, 0.5, 0.1, 60)]:
        case(f"step_{k}_{g:g}", {"type": "StepDecay", "Every": k, "Gamma": g}, base,
             lambda o: lrs.StepLR(o, step_size=k, gamma=g), n=n)
    case("step_1000_0.99_sparse", {"type": "StepDecay", "Every": 1000, "Gamma": 0.99}, 0.1,
         lambda o: lrs.StepLR(o, step_size=1000, gamma=0.99), dones=sparse(1000000))

    for ms, g, base, n in [([30, 80], 0.1, 0.1, 100), ([0, 5, 6, 50], 0.5, 3e-4, 60),
                           ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.7, 0.1, 15)]:
        case(f"multistep_{'-'.join(map(str, ms))}_{g:g}",
             {"type": "MultiStep", "Milestones": ms, "Gamma": g}, base,
             lambda o: lrs.MultiStepLR(o, milestones=ms, gamma=g), n=n)

    for g, base, n in [(0.99, 0.1, 500), (0.95, 3e-4, 300), (1.01, 0.1, 200), (0.5, 0.1, 80)]:
        case(f"exponential_{g:g}", {"type": "Exponential", "Gamma": g}, base,
             lambda o: lrs.ExponentialLR(o, gamma=g), n=n)
    case("exponential_0.9999_sparse", {"type": "Exponential", "Gamma": 0.9999}, 0.1,
         lambda o: lrs.ExponentialLR(o, gamma=0.9999), dones=sparse(100000))

    for k, p, base, n in [(100, 1, 0.1, 110), (50, 2, 3e-4, 60), (1000, 3, 0.1, 1005), (10, 0, 0.1, 12)]:
        case(f"polynomial_{k}_{p}", {"type": "Polynomial", "Steps": k, "Power": p}, base,
             lambda o: lrs.PolynomialLR(o, total_iters=k, power=float(p)), n=n)

    for w, tau, base, n in [(100, None, 0.1, 300), (0, None, 0.1, 100), (50, 1000, 3e-4, 200), (1, None, 0.1, 20)]:
        case(f"inverse_sqrt_{w}_{tau}", {"type": "InverseSqrt", "Warmup": w, "Timescale": tau or 0}, base,
             lambda o: lrs.LambdaLR(o, inverse_sqrt_lambda(w, tau)), n=n)
    case("inverse_sqrt_4000_sparse", {"type": "InverseSqrt", "Warmup": 4000, "Timescale": 0}, 3e-4,
         lambda o: lrs.LambdaLR(o, inverse_sqrt_lambda(4000)),
         dones=sparse(10 ** 9, [3999, 4000, 4001, 8000]))

    # OneCycleLR: max_lr = base; its LRs for done = 0..total_steps-1.
    for k, pct, div, fdiv, three, lin, base in [
        (100, None, None, None, False, False, 0.1),
        (1000, 0.25, 10.0, 100.0, False, False, 3e-4),
        (200, None, None, None, True, False, 0.1),
        (100, None, None, None, False, True, 0.1),
        (150, 0.4, 5.0, 1e3, True, True, 0.1),
        (5, 0.5, None, None, False, False, 0.1),
        (7, 0.3, None, None, True, False, 1.0),
        (13, 0.45, 2.0, 3.0, True, True, 1.0),
    ]:
        kw = {"pct_start": pct or 0.3, "div_factor": div or 25.0, "final_div_factor": fdiv or 1e4}
        case(f"onecycle_{k}_{pct}_{div}_{fdiv}_{'three' if three else 'two'}_{'linear' if lin else 'cos'}",
             {"type": "OneCycle", "Steps": k, "PctStart": pct or 0.0, "DivFactor": div or 0.0,
              "FinalDivFactor": fdiv or 0.0, "ThreePhase": three, "Linear": lin}, base,
             lambda o: lrs.OneCycleLR(o, max_lr=base, total_steps=k, anneal_strategy="linear" if lin else "cos",
                                      cycle_momentum=False, three_phase=three, **kw), n=k)

    # Warmup = SequentialLR([LinearLR(start_factor=s, end_factor=1, total_iters=W), then], [W]).
    for w, s, then, base, n in [
        (10, 0.1, ("Cosine", 90, 0.0), 0.1, 101),
        (100, 0.01, ("Cosine", 900, 1e-6), 3e-4, 1001),
        (20, 0.25, None, 0.1, 40),
        (5, 0.5, ("StepDecay", 10, 0.5), 0.1, 60),
    ]:
        if then is None:
            then_go, make_then = None, constant
        elif then[0] == "Cosine":
            then_go = {"type": "Cosine", "Steps": then[1], "Min": then[2]}
            make_then = lambda o, then=then: lrs.CosineAnnealingLR(o, T_max=then[1], eta_min=then[2])
        else:
            then_go = {"type": "StepDecay", "Every": then[1], "Gamma": then[2]}
            make_then = lambda o, then=then: lrs.StepLR(o, step_size=then[1], gamma=then[2])
        case(f"warmup_{w}_{s:g}_{then[0] if then else 'constant'}",
             {"type": "Warmup", "Steps": w, "StartFactor": s, "Then": then_go}, base,
             lambda o: lrs.SequentialLR(o, [lrs.LinearLR(o, start_factor=s, end_factor=1.0, total_iters=w),
                                            make_then(o)], milestones=[w]), n=n)

    # PyTorch's SequentialLR example, and three schedules (the cosine
    # ends at done = 40 + 50 = 90).
    case("sequential_doc_example",
         {"type": "Sequential", "Milestones": [2],
          "Schedules": [{"type": "ConstantFactor", "Factor": 0.1, "Steps": 2},
                        {"type": "Exponential", "Gamma": 0.9}]}, 1.0,
         lambda o: lrs.SequentialLR(o, [lrs.ConstantLR(o, factor=0.1, total_iters=2),
                                        lrs.ExponentialLR(o, gamma=0.9)], milestones=[2]), n=30)
    case("sequential_linear_step_cosine",
         {"type": "Sequential", "Milestones": [10, 40],
          "Schedules": [{"type": "Linear", "StartFactor": 0.5, "EndFactor": 1.0, "Steps": 10},
                        {"type": "StepDecay", "Every": 10, "Gamma": 0.5},
                        {"type": "Cosine", "Steps": 50, "Min": 0.0}]}, 0.1,
         lambda o: lrs.SequentialLR(o, [lrs.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=10),
                                        lrs.StepLR(o, step_size=10, gamma=0.5),
                                        lrs.CosineAnnealingLR(o, T_max=50)], milestones=[10, 40]), n=91)

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_schedules.json")
    with open(path, "w") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(c) for c in CASES))
        f.write("\n]\n")
    print(f"torch {torch.__version__}: {len(CASES)} cases, {sum(len(c['lrs']) for c in CASES)} LRs -> {path}")


if __name__ == "__main__":
    main()
