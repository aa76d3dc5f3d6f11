#!/usr/bin/env python3
"""Reference results of torch.nn.utils.clip_grad_norm_ for package optim's
ClipGradNorm; writes pytorch_clip.json beside this file.

Needs PyTorch 1.13 (Debian bookworm's python3-torch). Run from anywhere:

    python3 pytorch_clip.py

Each case is a list of gradients (float32 or float64 tensors), a max_norm
and a norm_type (2 or inf). The script records clip_grad_norm_'s returned
total norm and the gradients after it, and, for the tolerance of the Go
test, the exact 2-norm of the gradients (math.fsum of the exact squares,
then one square root). Every float is written as float.hex (exact; "nan"
and "inf" for the specials), which Go's strconv.ParseFloat reads back.
"""

import json
import math
import os

import torch


def hexes(t):
    return [float(x).hex() for x in t.flatten().tolist()]


def case(name, grads, max_norm, norm_type):
    params = []
    for g in grads:
        p = torch.zeros_like(g, requires_grad=True)
        p.grad = g.clone()
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    exact = math.sqrt(math.fsum(float(x) ** 2 for g in grads for x in g.flatten().tolist()))
    return {
        "name": name,
        "dtype": str(grads[0].dtype).removeprefix("torch."),
        "max_norm": float(max_norm).hex(),
        "norm_type": "inf" if math.isinf(norm_type) else "2",
        "grads": [hexes(g) for g in grads],
        "total_norm": float(total).hex(),
        "exact_norm": exact.hex(),
        "clipped": [hexes(p.grad) for p in params],
    }


def main():
    gen = torch.Generator().manual_seed(216)

    def randn(n, dtype, scale=1.0):
        return (torch.randn(n, generator=gen, dtype=torch.float64) * scale).to(dtype)

    cases = []
    for dtype in (torch.float32, torch.float64):
        d = str(dtype).removeprefix("torch.")
        grads = [randn(n, dtype) for n in (7, 100, 1000, 1)]
        cases.append(case(d + " clips", grads, 1.0, 2.0))
        cases.append(case(d + " no clip", grads, 1e3, 2.0))
        cases.append(case(d + " inf clips", grads, 0.5, math.inf))
        cases.append(case(d + " inf no clip", grads, 10.0, math.inf))
        big = [randn(5000, dtype, 1e-3), randn(5, dtype, 30.0)]
        cases.append(case(d + " many small, few large", big, 2.0, 2.0))
        cases.append(case(d + " zero", [torch.zeros(4, dtype=dtype)], 1.0, 2.0))
        cases.append(case(d + " max_norm 0", grads, 0.0, 2.0))
    nan = randn(9, torch.float32)
    nan[3] = math.nan
    cases.append(case("float32 nan", [nan, randn(4, torch.float32)], 1.0, 2.0))
    inf = randn(9, torch.float32)
    inf[5] = math.inf
    cases.append(case("float32 inf", [inf], 1.0, 2.0))

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_clip.json")
    with open(out, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
