"""Generate actcli/erfcx_table.npy and core/erfcx_wide.npy: Taylor expansions of
erfcx(z) = e^(z²)·erfc(z) on a grid.

    python scripts/erfcx_table.py

The exact GELU needs Φ(x) = erfc(-x/√2)/2 to better than double precision, and no library offers an
erfc that accurate (SciPy's drifts to ~90 ULP in the tail). erfcx is smooth and slowly varying on
z >= 0, so a table of its Taylor coefficients at the nodes c = i/32 (i = 0..906, up to z = 28.3,
beyond which the GELU is x or 0) evaluates it to about 2**-60 with a short polynomial in z - c.
Row i holds a_0 as hi, lo and a_1..a_K, where erfcx(c + d) = Σ a_k d^k; the coefficients come from
erfcx' = 2z·erfcx - 2/√π, i.e. (k + 1)·a_(k+1) = 2c·a_k + 2·a_(k-1), evaluated with mpmath at 80 digits.

core/erfcx_wide.npy is the compiled core's float64 table (core/wide.c, in double-double): on the
same nodes, a_0..a_5 each in two parts (a_k·d^k is above 2**-36 of a_0 at |d| = 1/64, so a double
would cost more than the 2**-90 it aims at), then a_6..a_K as doubles, K such that the omitted
terms stay below 2**-102 of a_0.
"""

from __future__ import annotations

from pathlib import Path

import mpmath
import numpy as np
from mpmath import mp, mpf

mp.dps = 80
STEP = mpf(1) / 32
NODES = 907  # c = 0 .. 28.3125
TAIL_BOUND = mpf(2) ** -66  # relative size of the first omitted terms at |d| = STEP/2
OUT = Path(__file__).resolve().parent.parent / "actcli" / "erfcx_table.npy"
WIDE_OUT = Path(__file__).resolve().parent.parent / "core" / "erfcx_wide.npy"
WIDE_TAIL_BOUND = mpf(2) ** -102
WIDE_PAIRS = 6  # a_0..a_5 in two parts


def coefficients(c: mpf, count: int) -> list[mpf]:
    a = [mpmath.erfc(c) * mpmath.exp(c * c)]
    a.append(2 * c * a[0] - 2 / mpmath.sqrt(mpmath.pi))
    for k in range(1, count):
        a.append((2 * c * a[k] + 2 * a[k - 1]) / (k + 1))
    return a


def degree_for(rows: list[list[mpf]], bound: mpf) -> int:
    """The least degree whose omitted terms stay below ``bound`` of a_0 at |d| = STEP/2."""
    half = STEP / 2
    return next(
        k for k in range(2, 39)
        if all(sum(abs(a[j]) * half**j for j in range(k + 1, 40)) < bound * a[0] for a in rows)
    )


def two_parts(v: mpf) -> list[float]:
    hi = float(v)
    return [hi, float(v - mpf(hi))]


def main() -> None:
    rows = [coefficients(i * STEP, 40) for i in range(NODES)]
    degree = degree_for(rows, TAIL_BOUND)
    table = np.array([
        [float(a[0]), float(a[0] - mpf(float(a[0])))] + [float(v) for v in a[1:degree + 1]] for a in rows
    ])
    np.save(OUT, table)
    print(f"wrote {OUT.name}: {NODES} nodes, degree {degree}, {OUT.stat().st_size} bytes")
    wide_degree = degree_for(rows, WIDE_TAIL_BOUND)
    wide = np.array([
        [v for k in range(WIDE_PAIRS) for v in two_parts(a[k])]
        + [float(v) for v in a[WIDE_PAIRS:wide_degree + 1]]
        for a in rows
    ])
    np.save(WIDE_OUT, wide)
    print(f"wrote {WIDE_OUT.name}: {NODES} nodes, degree {wide_degree}, {WIDE_OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
