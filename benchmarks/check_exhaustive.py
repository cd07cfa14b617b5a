"""``actcli check --exhaustive`` timed, and its counts checked against a sample settled by mpmath.

    python benchmarks/check_exhaustive.py NAME [--grad] [--against torch] [--sample 100000] [--jobs N]
                                          [--report FILE] [--seed N]

Runs the installed ``actcli check NAME --against SUBJECT --dtype float32 --exhaustive -f json``
and reports its time and peak memory (the process and its workers, from the kernel's own
accounting). Then draws ``--sample`` float32 bit patterns uniformly (NaN patterns included, as
the exhaustive run has them), runs the same subject on them, and settles each correctly rounded
result with mpmath alone (actcli.exact: the exact value to 90 bits, rounded to float32 with
Fractions), independently of the core. The share of correctly rounded outputs in the sample must
agree with the exhaustive count within sampling error: the script prints both, the standard
error of the sample's share and how many standard errors apart they are. ``--report FILE`` takes
the JSON report of an earlier run instead of running it again.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

import actcli
from actcli import against, exact

ACTCLI = str(Path(sys.executable).with_name("actcli"))


def float32_of(value: Fraction) -> float:
    """The exact value rounded to float32 (ties to even), through the double nearest to it: that
    double is rounded again only where it is not itself a float32 midpoint, else the side of the
    midpoint is read from the Fraction."""
    double = float(value)
    single = np.float32(double)
    if math.isfinite(double) and float(single) != double:
        other = np.nextafter(single, np.float32(math.copysign(math.inf, double - float(single))))
        low, high = sorted((float(single), float(other)))
        midpoint = (Fraction(low) + Fraction(high)) / 2
        if Fraction(double) == midpoint and value != midpoint:  # the double's tie is not the value's
            return high if value > midpoint else low
    return float(single)


def correctly_rounded(act: actcli.Activation, x: float, params: dict[str, Any], derivative: bool) -> float:
    if math.isnan(x):
        return math.nan
    if math.isinf(x):  # the limits, which actcli's own library gives exactly
        f = act.grad if derivative else act
        return float(f(np.array([x], np.float32), **params)[0])
    value = exact.value(act, x, params, derivative)
    if value is None:
        return math.nan
    return float32_of(value)


def run_check(args: argparse.Namespace) -> dict[str, Any]:
    """The exhaustive run's report, its time and peak memory printed."""
    command = [ACTCLI, "check", args.name, "--against", args.against, "--dtype", "float32", "--exhaustive",
               "-f", "json"] + ["--grad"] * args.grad + (["--jobs", str(args.jobs)] if args.jobs else [])
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest one process reached
    report: dict[str, Any] = json.loads(done.stdout)
    what = f"{args.name}{' grad' if args.grad else ''} against {report['source']}"
    share = report["correctly_rounded"] / report["rows"]
    print(f"{what}: {report['rows']:,} inputs in {seconds:.1f} s, peak RSS {peak:.0f} MB; "
          f"correctly rounded {share:.5%}, max {report['max_ulp']} ULP")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--grad", action="store_true")
    parser.add_argument("--against", default="torch")
    parser.add_argument("--sample", type=int, default=100_000)
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--report", type=Path, help="the JSON report of an earlier run")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    report = json.loads(args.report.read_text()) if args.report else run_check(args)
    share = report["correctly_rounded"] / report["rows"]


    name, _, given = args.name.partition(":")
    act = actcli.get(name)
    params = act.bind(dict(p.split("=") for p in given.split(",")) if given else {})
    rng = np.random.default_rng(args.seed)
    x = rng.integers(0, 2**32, args.sample, dtype=np.uint64).astype(np.uint32).view(np.float32)
    with np.errstate(all="ignore"):
        y = against.subject(args.against, act.name, params, args.grad, actcli.formats.FORMATS["float32"])(x)
    started = time.perf_counter()
    right = 0
    for xi, yi in zip(x.tolist(), y.astype(np.float64).tolist(), strict=True):
        r = correctly_rounded(act, xi, params, args.grad)
        right += (yi == r) or (math.isnan(yi) and math.isnan(r))
    sample_share = right / args.sample
    error = math.sqrt(max(share * (1 - share), 1 / args.sample) / args.sample)
    print(f"sample of {args.sample:,} settled by mpmath in {time.perf_counter() - started:.0f} s: correctly "
          f"rounded {sample_share:.5%} (standard error {error:.5%}); "
          f"{abs(sample_share - share) / error:.2f} standard errors from the exhaustive count")


if __name__ == "__main__":
    main()
