"""Library throughput: values per second for every activation and derivative, float64, one core.

    python benchmarks/compute.py [--size 10000000] [--repeat 3]

Inputs are normal(0, 10), so every branch is exercised. The target is >= 5e6 values/s; the
best of ``--repeat`` runs is reported (the machine is shared, the best run is the least noisy).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

import actcli

TARGET = 5e6


def best_seconds(fn: object, x: np.ndarray, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(x)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    x = np.random.default_rng(0).normal(0.0, 10.0, args.size)
    print(f"{'activation':16} {'value /s':>12} {'grad /s':>12}")
    slowest = (float("inf"), "")
    for name in actcli.names():
        act = actcli.get(name)
        rates = [args.size / best_seconds(fn, x, args.repeat) for fn in (act, act.grad)]
        slowest = min(slowest, (min(rates), name))
        flag = "" if min(rates) >= TARGET else "  < target"
        print(f"{name:16} {rates[0]:12.3g} {rates[1]:12.3g}{flag}")
    print(f"slowest: {slowest[1]} at {slowest[0]:.3g} values/s (target {TARGET:.0e})")


if __name__ == "__main__":
    main()
