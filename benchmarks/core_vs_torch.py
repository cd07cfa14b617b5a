"""The compiled core beside PyTorch's CPU kernels, float32 and float64, one thread each, in one run.

    python benchmarks/core_vs_torch.py [--size 2000000] [--repeat 7] [--dtype float32,float64]

For every elementwise activation: actcli's ``act(x)`` and ``act.grad(x)`` (correctly rounded,
the compiled core with its rounding test and the rare accurate-path values; in float64 the
reference kernels for the few the core has no float64 loop for, marked *) against PyTorch's
forward kernel and its aten backward kernel with an upstream gradient of ones (what a training
step runs), on normal(0, 3) inputs of each format; best of --repeat. Prints M values/s and the
ratio actcli time / PyTorch time (below 1: actcli is faster), with its geometric mean.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from compute import best_seconds as best  # benchmarks/compute.py, beside this script

import actcli
from actcli import _core, compute
from actcli.formats import FORMATS


def torch_kernels() -> dict[str, tuple[Callable[[Any], Any], Callable[[Any, Any], Any]]]:
    """name: (forward, backward(grad_output, x)) from PyTorch's own kernels."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    aten = torch.ops.aten
    return {
        "relu": (torch.relu, lambda g, x: aten.threshold_backward(g, x, 0)),
        "leaky_relu": (F.leaky_relu, lambda g, x: aten.leaky_relu_backward(g, x, 0.01, False)),
        "elu": (F.elu, lambda g, x: aten.elu_backward(g, 1.0, 1.0, 1.0, False, x)),
        "selu": (F.selu, lambda g, x: aten.elu_backward(g, 1.6732632423543772, 1.0507009873554805, 1.0,
                                                        False, x)),
        "celu": (F.celu, lambda g, x: aten.elu_backward(g, 1.0, 1.0, 1.0, False, x)),
        "softplus": (F.softplus, lambda g, x: aten.softplus_backward(g, x, 1.0, 20.0)),
        "sigmoid": (torch.sigmoid, lambda g, x: aten.sigmoid_backward(g, torch.sigmoid(x))),
        "log_sigmoid": (F.logsigmoid, None),
        "hard_sigmoid": (F.hardsigmoid, lambda g, x: aten.hardsigmoid_backward(g, x)),
        "tanh": (torch.tanh, lambda g, x: aten.tanh_backward(g, torch.tanh(x))),
        "softsign": (F.softsign, None),
        "tanhshrink": (F.tanhshrink, None),
        "hardshrink": (F.hardshrink, lambda g, x: aten.hardshrink_backward(g, x, 0.5)),
        "softshrink": (F.softshrink, lambda g, x: aten.softshrink_backward(g, x, 0.5)),
        "gelu": (F.gelu, lambda g, x: aten.gelu_backward(g, x)),
        "silu": (F.silu, lambda g, x: aten.silu_backward(g, x)),
        "hardswish": (F.hardswish, lambda g, x: aten.hardswish_backward(g, x)),
        "mish": (F.mish, lambda g, x: aten.mish_backward(g, x)),
        "hardtanh": (F.hardtanh, lambda g, x: aten.hardtanh_backward(g, x, -1.0, 1.0)),
        "relu6": (F.relu6, lambda g, x: aten.hardtanh_backward(g, x, 0.0, 6.0)),
    }


def in_core(act: actcli.Activation, dtype: str) -> str:
    """'' where the core computes both value and derivative in ``dtype``, else '*'."""
    fmt = FORMATS[dtype]
    both = all(compute.in_core(act, act.bind({}), fmt, d) for d in (False, True))
    return "" if both else "*"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--dtype", default="float32,float64", help="comma-separated: float32, float64")
    args = parser.parse_args()
    print(f"the core's instruction set: {_core.instruction_set}")
    for dtype in args.dtype.split(","):
        table(dtype, args.size, args.repeat)


def table(dtype: str, size: int, repeat: int) -> None:
    x = np.random.default_rng(0).normal(0.0, 3.0, size).astype(dtype)
    try:
        import torch

        peers = torch_kernels()
        tx = torch.from_numpy(x)
        ones = torch.ones(size, dtype=tx.dtype)
    except ImportError:
        peers = {}
    print(f"\n{size} {dtype} values, best of {repeat}; M values/s and actcli/PyTorch time")
    columns = f"{'torch':>8s} {'ratio':>6s}"
    print(f"{'activation':14s} {'value':>8s} {columns}   {'grad':>8s} {columns}")
    ratios = []
    for name in actcli.names():
        act = actcli.get(name)
        if act.vector:
            continue
        ours = (best(functools.partial(act, x), repeat), best(functools.partial(act.grad, x), repeat))
        forward, backward = peers.get(name, (None, None))
        theirs = (best(functools.partial(forward, tx), repeat) if forward else math.nan,
                  best(functools.partial(backward, ones, tx), repeat) if backward else math.nan)
        cells = []
        for mine, peer in zip(ours, theirs, strict=True):
            ratio = mine / peer
            if not math.isnan(ratio):
                ratios.append(ratio)
            cells.append(f"{size / mine / 1e6:8.0f} {size / peer / 1e6:8.0f} {ratio:6.2f}")
        print(f"{name + in_core(act, dtype):14s} {cells[0]}   {cells[1]}")
    if ratios:
        print(f"geometric mean of actcli/PyTorch: {math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f}, "
              f"worst {max(ratios):.2f}")


if __name__ == "__main__":
    main()
