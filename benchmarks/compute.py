"""Library throughput: values per second for every activation and derivative, float64, one core.

    python benchmarks/compute.py [--size 10000000] [--repeat 3]

Inputs are normal(0, 10), so every branch is exercised. Targets: >= 5e6 values/s, and at most 5x
the time of the simplest numerically stable NumPy formula for the same function (``SIMPLE``
below: plain float64, libm's exp/tanh/log1p, no extra precision), run side by side over the same
8192-value chunks actcli uses. The best of ``--repeat`` runs is reported (the machine is shared,
the best run is the least noisy).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import time
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

import actcli
from actcli.compute import CHUNK

TARGET = 5e6
RATIO_TARGET = 5.0
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


def chunked(fn: Fn) -> Fn:
    """``fn`` run over CHUNK-sized pieces, as actcli runs its kernels."""
    def run(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.concatenate([fn(x[i:i + CHUNK]) for i in range(0, x.size, CHUNK)])
    return run


def best_seconds(fn: Fn, x: np.ndarray, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    x = np.random.default_rng(0).normal(0.0, 10.0, args.size)
    print(f"{'activation':16} {'value /s':>10} {'× simple':>9} {'grad /s':>10} {'× simple':>9}")
    rows: list[tuple[str, Fn, Fn, tuple[Fn, Fn] | None]] = []
    for name in actcli.names():
        act = actcli.get(name)
        rows.append((name, act, act.grad, SIMPLE.get(name)))
        if name == "gelu":
            tanh_value = functools.partial(act, approximate="tanh")
            tanh_grad = functools.partial(act.grad, approximate="tanh")
            rows.append(("gelu (tanh)", tanh_value, tanh_grad, GELU_TANH))
    slowest, worst_ratio = (float("inf"), ""), (0.0, "")
    for name, value, grad, simple in rows:
        cells = []
        for index, fn in enumerate((value, grad)):
            seconds = best_seconds(fn, x, args.repeat)
            rate = args.size / seconds
            slowest = min(slowest, (rate, f"{name} {('value', 'grad')[index]}"))
            ratio = ""
            if simple is not None:
                times = seconds / best_seconds(chunked(simple[index]), x, args.repeat)
                worst_ratio = max(worst_ratio, (times, f"{name} {('value', 'grad')[index]}"))
                ratio = f"{times:.1f}" + ("!" if times > RATIO_TARGET else "")
            cells.append(f"{rate:10.3g} {ratio:>9}")
        print(f"{name:16} " + " ".join(cells))
    print(f"slowest: {slowest[1]} at {slowest[0]:.3g} values/s (target {TARGET:.0e})")
    print(f"largest ratio: {worst_ratio[1]} at {worst_ratio[0]:.1f}x the simple formula "
          f"(target {RATIO_TARGET:g}x; ! marks those above)")


if __name__ == "__main__":
    main()
