"""The core's float64 results on 10**6 random points per function, misrounded ones counted by mpmath.

    python -m benchmarks.float64_mpmath [NAME...] [--points 1000000]   (from the checkout: it
                                                                       reads tests/test_core.py)

For each activation (default: every elementwise one) and its derivative: half random bit patterns
(every exponent, subnormals, ±inf, NaN), half normal(0, 3). The core's results are compared with
the reference kernels' (double-double, within 0.505 ULP); every point where the two differ is
settled by mpmath alone (tests/test_core.py's correctly_rounded: the exact value to 90 bits, then
the side of each midpoint), and the core's result there counted as misrounded if it is not the
double nearest the exact value. Where both agree the core is the reference's double, which is
the correctly rounded one unless the exact value lies within 0.005 ULP of a midpoint, and there
the core's rounding test (its bound is below 2**-20 ULP) has left nothing to chance. Prints, per
function, the points, the differences and the misrounded count (aim: 0).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import actcli
from actcli import compute, kernels
from tests.test_core import correctly_rounded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    names = args.names or [n for n in actcli.names() if not actcli.get(n).vector]
    rng = np.random.default_rng(2026)
    half = args.points // 2
    x = np.concatenate([rng.integers(0, 2**64, half, dtype=np.uint64).view(np.float64),
                        rng.normal(0.0, 3.0, args.points - half)])
    total_wrong = 0
    for name in names:
        act = actcli.get(name)
        params = act.bind({})
        for derivative in (False, True):
            started = time.perf_counter()
            kernel = getattr(kernels, act.name + ("_grad" if derivative else ""))
            with np.errstate(all="ignore"):
                core = (compute.differentiate(act, x, params, "pytorch") if derivative
                        else compute.evaluate(act, x, params))
                reference = compute._run(kernel, act, x, params, compute.FLOAT64)
            kinks = {k.at for k in act.kinks_for(params)} if derivative else set()
            differ = [i for i in np.flatnonzero((core.view(np.int64) != reference.view(np.int64))
                                                & ~(np.isnan(core) & np.isnan(reference)))
                      if float(x[i]) not in kinks and np.isfinite(x[i])]
            wrong = [i for i in differ if correctly_rounded(act, float(x[i]), {}, derivative) != core[i]]
            total_wrong += len(wrong)
            print(f"{name}{chr(39) if derivative else ''}: {x.size:,} points, {len(differ):,} differ from "
                  f"the reference, {len(wrong)} misrounded ({time.perf_counter() - started:.0f} s)"
                  + "".join(f"; x = {float(x[i])!r}" for i in wrong[:3]), flush=True)
    print(f"misrounded in all: {total_wrong}")


if __name__ == "__main__":
    main()
