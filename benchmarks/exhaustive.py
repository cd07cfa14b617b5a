"""The compiled core over every float32 input, against the accurate path, with the time of each.

    python benchmarks/exhaustive.py NAME [--grad] [--dtype float32] [--start 0] [--count 4294967296]

For each chunk of bit patterns (NaN patterns included), ``actcli.get(NAME)`` in the format (the
core's fast path in double, its rounding test, the accurate path for what the test leaves) is
compared bit for bit with an independent evaluation of every input, NaN matching NaN, kinks by the
default convention. Prints each difference (there should be none), the core's time, the
reference's, and how many values the rounding test left undecided. Two references:

- ``--reference wide`` (the default; float32 only): the core's float64 path on the same inputs,
  another evaluation altogether (double-double, its own bound and rounding test, mpmath for what
  it leaves; checked against the reference kernels and mpmath in tests/test_core.py), correctly
  rounded to a double, then into float32. That second rounding is the correct one unless the
  double is exactly a midpoint of float32 (about once in 2**29 values); those are decided again
  (actcli.exhaustive.reference, which actcli check --exhaustive uses too). Tens of millions of
  values a second: the whole 2**32 in minutes.
- ``--reference kernels``: the accurate path alone on every input (actcli/kernels.py in
  double-double, rounded to odd, ambiguous results decided by mpmath). A few million values a
  second: the whole 2**32 takes hours; --start and --count take a slice.

--dtype float16, bfloat16, float8_e4m3fn and float8_e5m2 take every input in well under a second.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import actcli
from actcli import _core, compute, exhaustive
from actcli.formats import FORMATS

CHUNK = 1 << 22


def kinks_set(act: actcli.Activation, params: dict, fmt_name: str, values: np.ndarray,
              out: np.ndarray) -> np.ndarray:
    """``out`` with the derivative at each kink by the default convention."""
    for point in act.kinks_for(params):
        np.copyto(out, FORMATS[fmt_name].round(np.array([point.derivative("pytorch")]))[0],
                  where=values == point.at)
    return out


def kernels_reference(act: actcli.Activation, x: np.ndarray, params: dict, fmt_name: str,
                      derivative: bool) -> np.ndarray:
    """The accurate path alone, rounded into the format."""
    values = x.astype(np.float64)
    out = FORMATS[fmt_name].round(compute.accurate(act, values, params, FORMATS[fmt_name], derivative))
    return kinks_set(act, params, fmt_name, values, out) if derivative else out


def wide_reference(act: actcli.Activation, x: np.ndarray, params: dict, fmt_name: str,
                   derivative: bool) -> np.ndarray:
    """The reference of actcli check --exhaustive (actcli.exhaustive.reference): the core's
    correctly rounded float64 results rounded into the format, the doubles that are exactly one
    of its midpoints decided again."""
    rule = (0.0, 0.0) if derivative else exhaustive.near_zero_rule(act, params)
    return exhaustive.reference(act, params, derivative, "pytorch", FORMATS[fmt_name], x, rule)[0]


REFERENCES = {"wide": wide_reference, "kernels": kernels_reference}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="an activation and its parameters: gelu:approximate=tanh")
    parser.add_argument("--grad", action="store_true")
    parser.add_argument("--dtype", default="float32", choices=[f for f in FORMATS if f != "float64"])
    parser.add_argument("--start", type=lambda s: int(s, 0), default=0)
    parser.add_argument("--count", type=lambda s: int(s, 0), default=1 << 32)
    parser.add_argument("--reference", choices=list(REFERENCES),
                        help="wide (the default in float32) or kernels (the default below)")
    args = parser.parse_args()
    name, _, given = args.name.partition(":")
    act = actcli.get(name)
    params = act.bind(dict(p.split("=") for p in given.split(",")) if given else {})
    kernel, numbers = compute.core_kernel(act, params, args.grad)
    core_seconds = reference_seconds = 0.0
    differences = undecided = done = 0
    first = args.start
    fmt = FORMATS[args.dtype]
    total = 1 << (8 * fmt.dtype.itemsize)
    reference = REFERENCES[args.reference or ("wide" if args.dtype == "float32" else "kernels")]
    end = min(args.start + args.count, total)
    while first < end:
        x = exhaustive.patterns(fmt, first, min(CHUNK, end - first))
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
        unsigned = exhaustive.UNSIGNED[fmt.dtype.itemsize]
        differ = np.flatnonzero(got.view(unsigned) != expected.view(unsigned))
        with np.errstate(invalid="ignore"):
            both_nan = (np.isnan(got[differ].astype(np.float32))
                        & np.isnan(expected[differ].astype(np.float32)))
        differ = differ[~both_nan]
        for i in differ[:20]:
            print(f"difference at x = {float(x[i])!r} (bits {first + int(i):#x}): "
                  f"core {float(got[i])!r}, reference {float(expected[i])!r}")
        differences += differ.size
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
