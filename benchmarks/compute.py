"""Library throughput: values per second for every activation and derivative, float64, one core,
beside the simplest NumPy formula and PyTorch (one thread, when installed).

    python benchmarks/compute.py [--size 1000000] [--repeat 5] [--markdown]

Inputs are normal(0, 10), so every branch is exercised. For each function and derivative:

- actcli's values/s (``act(x)``, ``act.grad(x)``);
- × NumPy: its time over that of the simplest NumPy formula (``SIMPLE`` below: plain float64,
  libm's exp/tanh/log1p, no extra precision, the expression a NumPy user writes), the faster of
  that formula on the whole array and over actcli's chunks;
- PyTorch's values/s on one thread (``torch.nn.functional``; derivatives by autograd, forward
  and backward, as a training step computes them);
- outside: the share of a call spent outside its kernel (validation, conversions, kinks,
  rounding), measured against the kernels run over the same chunks.

Targets: every function >= 5e6 values/s and <= 5x the NumPy formula; the piecewise-linear ones
(``Activation.piecewise_linear``) <= 2x; outside < 10 % at 10^6 values. The best of
``--repeat`` runs is reported (the machine is shared; the best run is the least noisy).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

import actcli
from actcli import compute, kernels
from actcli.compute import CHUNK, FLOAT64, LINEAR_CHUNK

TARGET = 5e6
RATIO_TARGET = 5.0
LINEAR_RATIO_TARGET = 2.0
OUTSIDE_TARGET = 0.10
Fn = Callable[[np.ndarray], np.ndarray]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_grad(x: np.ndarray) -> np.ndarray:
    t = np.exp(-np.abs(x))
    return t / ((1.0 + t) * (1.0 + t))


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _erfc() -> Callable[[np.ndarray], np.ndarray]:
    from scipy.special import erfc  # only the baseline needs SciPy

    return erfc  # type: ignore[no-any-return]


_C = np.sqrt(2 / np.pi)


def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(_C * (x + 0.044715 * x**3)))


def _gelu_tanh_grad(x: np.ndarray) -> np.ndarray:
    t = np.tanh(_C * (x + 0.044715 * x**3))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _C * (1.0 + 3 * 0.044715 * x * x)


def _mish_grad(x: np.ndarray) -> np.ndarray:
    t = np.tanh(_softplus(x))
    return t + x * (1.0 - t * t) * _sigmoid(x)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


# The simplest stable formula for each function and derivative: what a careful NumPy user writes.
SIMPLE: dict[str, tuple[Fn, Fn]] = {
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(np.float64)),
    "relu6": (lambda x: np.clip(x, 0.0, 6.0), lambda x: ((x > 0) & (x < 6)).astype(np.float64)),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01)),
    "prelu": (lambda x: np.where(x > 0, x, 0.25 * x), lambda x: np.where(x > 0, 1.0, 0.25)),
    "rrelu": (lambda x: np.where(x > 0, x, (1 / 8 + 1 / 3) / 2 * x),
              lambda x: np.where(x > 0, 1.0, (1 / 8 + 1 / 3) / 2)),
    "threshold": (lambda x: np.where(x > 0, x, 0.0), lambda x: (x > 0).astype(np.float64)),
    "hardtanh": (lambda x: np.clip(x, -1.0, 1.0), lambda x: (np.abs(x) < 1).astype(np.float64)),
    "hard_sigmoid": (lambda x: np.clip(x / 6 + 0.5, 0.0, 1.0),
                     lambda x: np.where(np.abs(x) < 3, 1 / 6, 0.0)),
    "sparse_sigmoid": (lambda x: np.clip(0.5 * (x + 1.0), 0.0, 1.0),
                       lambda x: np.where(np.abs(x) < 1, 0.5, 0.0)),
    "hardshrink": (lambda x: np.where(np.abs(x) > 0.5, x, 0.0), lambda x: (np.abs(x) > 0.5) * 1.0),
    "softshrink": (lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0.0),
                   lambda x: (np.abs(x) > 0.5) * 1.0),
    "identity": (lambda x: x.copy(), np.ones_like),
    "hardswish": (lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,
                  lambda x: np.where(x < -3, 0.0, np.where(x > 3, 1.0, (2 * x + 3) / 6))),
    "sparse_plus": (lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
                    lambda x: np.clip(0.5 * (x + 1.0), 0.0, 1.0)),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(x)), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    "selu": (lambda x: np.where(x > 0, 1.0507 * x, 1.7581 * np.expm1(x)),
             lambda x: np.where(x > 0, 1.0507, 1.7581 * np.exp(x))),
    "celu": (lambda x: np.where(x > 0, x, np.expm1(x / 1.0)),
             lambda x: np.where(x > 0, 1.0, np.exp(x / 1.0))),
    "softplus": (_softplus, _sigmoid),
    "squareplus": (lambda x: 0.5 * (x + np.hypot(x, 2.0)),
                   lambda x: 0.5 * (1.0 + x / np.hypot(x, 2.0))),
    "exponential": (np.exp, np.exp),
    "sigmoid": (_sigmoid, _sigmoid_grad),
    "log_sigmoid": (lambda x: -_softplus(-x), lambda x: _sigmoid(-x)),
    "tanh": (np.tanh, lambda x: 4.0 * _sigmoid_grad(2.0 * x)),
    "softsign": (lambda x: x / (1.0 + np.abs(x)), lambda x: 1.0 / (1.0 + np.abs(x)) ** 2),
    "tanhshrink": (lambda x: x - np.tanh(x), lambda x: np.tanh(x) ** 2),
    "silu": (lambda x: x * _sigmoid(x), lambda x: _sigmoid(x) * (1.0 + x * _sigmoid(-x))),
    "mish": (lambda x: x * np.tanh(_softplus(x)), _mish_grad),
    "softmax": (_softmax, lambda x: _softmax(x) * (1.0 - _softmax(x))),
    "log_softmax": (lambda x: x - np.max(x) - np.log(np.sum(np.exp(x - np.max(x)))),
                    lambda x: 1.0 - _softmax(x)),
}
GELU_TANH = (_gelu_tanh, _gelu_tanh_grad)
if importlib.util.find_spec("scipy"):  # the exact GELU's simplest form needs SciPy's erfc
    SIMPLE["gelu"] = (
        lambda x: 0.5 * x * _erfc()(-x / np.sqrt(2.0)),
        lambda x: 0.5 * _erfc()(-x / np.sqrt(2.0)) + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi),
    )


def chunked(fn: Fn, chunk: int) -> Fn:
    """``fn`` over ``chunk``-sized pieces into one output, as actcli runs its kernels."""
    def run(x: np.ndarray) -> np.ndarray:
        out = np.empty_like(x)
        with np.errstate(all="ignore"):
            for i in range(0, x.size, chunk):
                out[i:i + chunk] = fn(x[i:i + chunk])
        return out
    return run


def best_seconds(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def torch_functions() -> dict[str, Callable[..., Any]]:
    """PyTorch's counterpart of each activation at actcli's defaults (PyTorch's own)."""
    if importlib.util.find_spec("torch") is None:
        return {}
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    weight = torch.tensor([0.25], dtype=torch.float64)
    return {
        "relu": F.relu, "relu6": F.relu6, "leaky_relu": F.leaky_relu,
        "prelu": lambda t: F.prelu(t, weight), "rrelu": lambda t: F.rrelu(t, training=False),
        "threshold": lambda t: F.threshold(t, 0.0, 0.0), "hardtanh": F.hardtanh, "elu": F.elu,
        "selu": F.selu, "celu": F.celu, "softplus": F.softplus, "exponential": torch.exp,
        "sigmoid": torch.sigmoid, "log_sigmoid": F.logsigmoid, "hard_sigmoid": F.hardsigmoid,
        "tanh": torch.tanh, "softsign": F.softsign, "tanhshrink": F.tanhshrink,
        "hardshrink": F.hardshrink, "softshrink": F.softshrink, "gelu": F.gelu,
        "gelu (tanh)": lambda t: F.gelu(t, approximate="tanh"), "silu": F.silu,
        "hardswish": F.hardswish, "mish": F.mish, "identity": torch.clone,
        "softmax": lambda t: F.softmax(t, dim=0), "log_softmax": lambda t: F.log_softmax(t, dim=0),
    }


def torch_rates(fn: Callable[..., Any], x: np.ndarray, repeat: int) -> tuple[float, float]:
    import torch

    t = torch.from_numpy(x)
    value = best_seconds(lambda: fn(t), repeat)
    leaf = t.clone().requires_grad_(True)
    ones = torch.ones_like(t)
    grad = best_seconds(lambda: torch.autograd.grad(fn(leaf), leaf, ones), repeat)
    return x.size / value, x.size / grad


def outside_share(call: Callable[[], Any], act: actcli.Activation, x: np.ndarray,
                  params: dict[str, Any], derivative: bool, repeat: int) -> float:
    """The share of ``call``'s time spent outside the kernel, which runs alone over the chunks
    a call uses. The two are timed in turns, so that the machine's noise falls on both."""
    kernel = getattr(kernels, act.name + ("_grad" if derivative else ""))
    bound = act.bind(params)
    alone = functools.partial(compute._run, kernel, act, x, bound, FLOAT64)
    calls, kernel_times = [], []
    for _ in range(3 * repeat):
        calls.append(best_seconds(call, 1))
        kernel_times.append(best_seconds(alone, 1))
    return max(0.0, 1.0 - min(kernel_times) / min(calls))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    x = np.random.default_rng(0).normal(0.0, 10.0, args.size)
    torch_fns = torch_functions()
    rows: list[tuple[str, actcli.Activation, dict[str, Any], tuple[Fn, Fn] | None]] = []
    for name in actcli.names():
        act = actcli.get(name)
        rows.append((name, act, {}, SIMPLE.get(name)))
        if name == "gelu":
            rows.append(("gelu (tanh)", act, {"approximate": "tanh"}, GELU_TANH))
    header = ["activation", "value /s", "× NumPy", "torch /s", "outside",
              "grad /s", "× NumPy", "torch /s", "outside"]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|---" + "|---:" * (len(header) - 1) + "|")
    else:
        print(f"{header[0]:16}" + "".join(f"{h:>10}" for h in header[1:]))
    misses: list[str] = []
    for name, act, params, simple in rows:
        torch_fn = torch_fns.get(name)
        torch_pair = torch_rates(torch_fn, x, args.repeat) if torch_fn else None
        cells = []
        for index, derivative in enumerate((False, True)):
            what = f"{name}{chr(39) if derivative else ''}"
            call = functools.partial(act.grad if derivative else act, x, **params)
            seconds = best_seconds(call, args.repeat)
            rate = args.size / seconds
            if rate < TARGET:
                misses.append(f"{what}: {rate:.3g} values/s < {TARGET:.0e}")
            ratio = "—"
            if simple is not None:
                chunk = LINEAR_CHUNK if act.piecewise_linear else CHUNK
                numpy_seconds = min(best_seconds(functools.partial(simple[index], x), args.repeat),
                                    best_seconds(functools.partial(chunked(simple[index], chunk), x),
                                                 args.repeat))
                times = seconds / numpy_seconds
                limit = LINEAR_RATIO_TARGET if act.piecewise_linear else RATIO_TARGET
                ratio = f"{times:.2f}"
                if times > limit:
                    misses.append(f"{what}: {times:.2f}x NumPy > {limit:g}x")
            outside = outside_share(call, act, x, params, derivative, args.repeat)
            if outside > OUTSIDE_TARGET:
                misses.append(f"{what}: {outside:.0%} outside the kernel")
            torch_rate = f"{torch_pair[index] / 1e6:.0f} M" if torch_pair else "—"
            cells += [f"{rate / 1e6:.0f} M", ratio, torch_rate, f"{outside:.0%}"]
        if args.markdown:
            print(f"| {name} | " + " | ".join(cells) + " |")
        else:
            print(f"{name:16}" + "".join(f"{c:>10}" for c in cells))
    print(f"\n{args.size:,} float64 values, best of {args.repeat}; targets: >= {TARGET:.0e} values/s, "
          f"<= {RATIO_TARGET:g}x NumPy (<= {LINEAR_RATIO_TARGET:g}x piecewise linear), "
          f"< {OUTSIDE_TARGET:.0%} outside the kernel")
    print("missed: " + ("; ".join(misses) if misses else "none"))


if __name__ == "__main__":
    main()
