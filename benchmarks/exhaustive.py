"""The compiled core over every float32 input, against the accurate path, with the time of each.

    python benchmarks/exhaustive.py NAME [--grad] [--dtype float32] [--start 0] [--count 4294967296]

For each chunk of bit patterns (NaN patterns included), ``actcli.get(NAME)`` (the core: its fast
path, its rounding test, the accurate path for what the test leaves) is compared bit for bit
with the accurate path alone on every input (actcli/kernels.py in double-double, rounded to odd,
ambiguous results decided by mpmath; kinks by the default convention), NaN matching NaN. Prints
each difference (there should be none), the core's time, the reference's, and how many values
the rounding test left undecided. The reference runs at a few million values a second, so the
whole 2**32 takes hours per function: --start and --count take a slice (--dtype float16,
bfloat16, float8_e4m3fn and float8_e5m2 take every input in well under a second).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import actcli
from actcli import _core, compute
from actcli.formats import FORMATS

CHUNK = 1 << 22


def patterns(dtype: str, start: int, count: int) -> tuple[np.ndarray, int]:
    fmt = FORMATS[dtype]
    width = fmt.dtype.itemsize * 8
    total = 1 << width
    count = min(count, total - start)
    unsigned = {8: np.uint8, 16: np.uint16, 32: np.uint32}[width]
    return np.arange(start, start + count, dtype=np.uint64).astype(unsigned).view(fmt.dtype), total


def reference(act: actcli.Activation, x: np.ndarray, params: dict, fmt_name: str,
              derivative: bool) -> np.ndarray:
    fmt = FORMATS[fmt_name]
    values = x.astype(np.float64)
    out = fmt.round(compute.accurate(act, values, params, fmt, derivative))
    for point in act.kinks_for(params) if derivative else ():
        np.copyto(out, fmt.round(np.array([point.derivative("pytorch")]))[0], where=values == point.at)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="an activation and its parameters: gelu:approximate=tanh")
    parser.add_argument("--grad", action="store_true")
    parser.add_argument("--dtype", default="float32", choices=[f for f in FORMATS if f != "float64"])
    parser.add_argument("--start", type=lambda s: int(s, 0), default=0)
    parser.add_argument("--count", type=lambda s: int(s, 0), default=1 << 32)
    args = parser.parse_args()
    name, _, given = args.name.partition(":")
    act = actcli.get(name)
    params = act.bind(dict(p.split("=") for p in given.split(",")) if given else {})
    kernel, numbers = compute.core_kernel(act, params, args.grad)
    core_seconds = reference_seconds = 0.0
    differences = undecided = done = 0
    first = args.start
    _, total = patterns(args.dtype, 0, 1)
    end = min(args.start + args.count, total)
    while first < end:
        x, _ = patterns(args.dtype, first, min(CHUNK, end - first))
        with np.errstate(all="ignore"):
            started = time.perf_counter()
            got = (compute.differentiate(act, x, params, "pytorch") if args.grad
                   else compute.evaluate(act, x, params))
            core_seconds += time.perf_counter() - started
            started = time.perf_counter()
            expected = reference(act, x, params, args.dtype, args.grad)
            reference_seconds += time.perf_counter() - started
            if args.dtype == "float32":
                undecided += _core.narrow(kernel, x, np.empty_like(x), np.empty(x.size, np.intp), numbers,
                                          "float32")
        unsigned = got.view(np.uint8).reshape(x.size, -1)
        same = (unsigned == expected.view(np.uint8).reshape(x.size, -1)).all(axis=1)
        same |= np.isnan(got.astype(np.float32)) & np.isnan(expected.astype(np.float32))
        for i in np.flatnonzero(~same)[:20]:
            print(f"difference at x = {float(x[i])!r} (bits {first + int(i):#x}): "
                  f"core {float(got[i])!r}, reference {float(expected[i])!r}")
        differences += int((~same).sum())
        done += x.size
        first += x.size
        print(f"\r{done:,} of {end - args.start:,} inputs, {differences} differences", end="", flush=True)
    print()
    what = f"{args.name}{' grad' if args.grad else ''} {args.dtype}"
    print(f"{what}: {done:,} inputs, {differences} differences; "
          f"core {core_seconds:.1f} s ({done / max(core_seconds, 1e-9) / 1e6:.0f} M values/s), "
          f"reference {reference_seconds:.1f} s; undecided by the rounding test: {undecided:,}")


if __name__ == "__main__":
    main()
