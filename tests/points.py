"""The input points the accuracy tests and benchmarks sweep: a dense grid plus the hard cases.

Hard cases are where naive formulas fail: signed zeros, subnormals, tiny and huge magnitudes, the
float neighbours of every kink and branch switch, the edges of exp's range, ±inf and NaN.
"""

from __future__ import annotations

import numpy as np

import actcli

# Where kernels switch formulas or functions change behaviour, beyond the registry's kinks.
BRANCH_POINTS = (
    -800.0, -745.2, -745.0, -744.5, -709.78, -708.4, -708.0, -700.0, -40.0, -38.6, -37.0, -20.0,
    -8.0, -2.0, -1.2785, -1.1924, -0.7518, -0.5, 0.5, 2.0, 8.0, 19.0, 20.0, 37.0, 40.0, 64.0,
    709.78, 710.0, 745.0,
)
# Interior zeros of gelu', tanh-GELU', silu', mish' and the edges of the series window around them.
ROOTS = (-0.7517915246935645, -0.7524614220710163, -1.2784645427610737, -1.1924312145154952)
# 2.06e-103: x³/3 is subnormal (tanhshrink was 1.31 ULP off there).
MAGNITUDES = (2.0558121320826298e-103, 1e-105, 1e-310, 5e-324, 2.2250738585072014e-308, 1e-300,
              1e-200, 1e-100, 1e-20, 1e-8, 1e-4, 1e100, 1e200, 1e300, 1e305, 1.7976931348623157e308)


def neighbours(points: np.ndarray, dtype: type[np.floating], steps: int = 2) -> np.ndarray:
    """Each point and its ``steps`` nearest floats of ``dtype`` on either side."""
    p = points.astype(dtype)
    out = [p]
    up, down = p.copy(), p.copy()
    for _ in range(steps):
        up = np.nextafter(up, dtype(np.inf))
        down = np.nextafter(down, dtype(-np.inf))
        out += [up, down]
    return np.concatenate(out)


def hard_points(name: str, params: dict[str, object], dtype: type[np.floating]) -> np.ndarray:
    """Grid and hard points for one activation, as ``dtype``, sorted and without duplicates."""
    act = actcli.get(name)
    kinks = [k.at for k in act.kinks_at(**params)]
    special = [*BRANCH_POINTS, *kinks, *(p for p in params.values() if isinstance(p, float))]
    info = np.finfo(dtype)
    with np.errstate(over="ignore"):
        grid = np.concatenate([
            np.linspace(-12.0, 12.0, 481),
            np.geomspace(12.0, 800.0, 60), -np.geomspace(12.0, 800.0, 60),
            np.array(MAGNITUDES), -np.array(MAGNITUDES),
        ]).astype(dtype)
        near = neighbours(np.array(special, dtype=np.float64), dtype)
    offsets = np.geomspace(1e-15, 0.3, 24)
    hard = np.concatenate([
        *(root + side * offsets for root in ROOTS for side in (-1.0, 1.0)),
        np.array(ROOTS) - 0.25, np.array(ROOTS) + 0.25,
        np.geomspace(5e-324, 1.7e308, 120), -np.geomspace(5e-324, 1.7e308, 120),
        np.linspace(-38.7, -5.0, 120),  # the Gaussian tail of the GELU
        np.geomspace(1e-9, 2.0, 40), -np.geomspace(1e-9, 2.0, 40),  # where x - tanh x cancels
        np.linspace(-745.2, -700.0, 60),  # e^x subnormal
        np.linspace(700.0, 709.78, 20),
    ])
    edges = np.array([0.0, -0.0, info.tiny, -info.tiny, info.smallest_subnormal,
                      -info.smallest_subnormal, info.max, -info.max, np.inf, -np.inf, np.nan],
                     dtype=dtype)
    with np.errstate(over="ignore"):
        points = np.concatenate([grid, near, hard.astype(dtype), edges])
    # np.unique would merge -0.0 into +0.0: take the zeros apart.
    nonzero = np.unique(points[points != 0])
    return np.concatenate([nonzero, np.array([0.0, -0.0], dtype=dtype)])
