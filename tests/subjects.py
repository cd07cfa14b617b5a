"""Implementations for ``actcli check --against tests/subjects.py:NAME`` to audit: a GELU made
wrong on known inputs, from the exhaustive reference in tests/data (so the tests know every
answer without asking actcli), and functions that fail the ways users' kernels do."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "format_reference.npz"

# The inputs bad_gelu breaks, by bit pattern: every x in [1, 2) two places off, every x in
# [-0.5, -0.25) one place off, and NaN at x = -3.
BROKEN = {
    "bfloat16": {"two_places": (0x3F80, 0x3FFF), "one_place": (0xBE80, 0xBEFF), "nan": 0xC040},
    "float16": {"two_places": (0x3C00, 0x3FFF), "one_place": (0xB400, 0xB7FF), "nan": 0xC200},
}


def correct_gelu(x: np.ndarray) -> np.ndarray:
    """GELU of every 16-bit input, from the reference: NaN for NaN, +inf at +inf, -0 at -inf and
    at -0 (the reference's zeros carry no sign; -0·Φ(-0) is -0)."""
    name = x.dtype.name
    with np.load(DATA) as data:
        finite, values = data[f"{name}/x"], data[f"{name}/gelu/value"]
    table = np.full(1 << 16, 0x7FC0 if name == "bfloat16" else 0x7E00, dtype=np.uint16)  # NaN
    table[finite] = values
    bits = x.view(np.uint16)
    out = table[bits]
    infinity = 0x7F80 if name == "bfloat16" else 0x7C00
    out[bits == infinity] = infinity
    out[(bits == (infinity | 0x8000)) | (bits == 0x8000)] = 0x8000
    return out.view(x.dtype)


def bad_gelu(x: np.ndarray) -> np.ndarray:
    broken = BROKEN[x.dtype.name]
    out = correct_gelu(x).view(np.uint16).copy()
    bits = x.view(np.uint16)
    for key, places in (("two_places", 2), ("one_place", 1)):
        low, high = broken[key]
        inside = (bits >= low) & (bits <= high)
        out[inside] += places
    out[bits == broken["nan"]] = 0x7FC0 if x.dtype.name == "bfloat16" else 0x7E00
    return out.view(x.dtype)


def raises_at_three(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if (x == 3).any():
            raise ValueError("cannot take 3")
    return x


def gives_float64(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float64)


def gives_half(x: np.ndarray) -> np.ndarray:
    return x[: x.size // 2]


def slow(x: np.ndarray) -> np.ndarray:
    time.sleep(0.05)
    return x


NOT_A_FUNCTION = 3
