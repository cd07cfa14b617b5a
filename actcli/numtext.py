"""Numbers as text: the exact (shortest round-trip) spelling, fixed decimals, or a given number of
significant digits correctly rounded from the exact binary value.

One spelling of non-finite numbers in every text output: ``NaN``, ``inf`` and ``-inf``, which
Python's ``float()``, NumPy, pandas, Polars and DuckDB all read back as floats (Polars reads
``nan`` as text). JSON, which has no such numbers, has its own strings (see actcli.render).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from actcli.formats import format_of

NAN, INF, NEG_INF = "NaN", "inf", "-inf"


def _non_finite(v: float) -> str:
    return NAN if v != v else INF if v > 0 else NEG_INF


def shortest(v: float, dtype: np.dtype[Any] | None = None) -> str:
    """The shortest text that reads back to ``v`` in ``dtype`` (float64 by default), spelled as
    Python's ``repr`` spells floats: positional from 1e-4 up to 1e16, else ``1e-05``, ``1.5e+20``.

    Integral values below 1e16 of the narrow dtypes are written in full (float16's largest value
    is ``65504.0``, not ``65500.0``), as ``repr`` writes every float64 one.
    """
    if not math.isfinite(v):
        return _non_finite(v)
    if dtype is None or dtype == np.float64:
        return repr(float(v))
    if v == int(v) and abs(v) < 1e16:
        return repr(float(v))  # integral: exact, every digit
    if dtype.kind != "f":  # bfloat16, float8: the fewest digits that read back (float(), rounded)
        fmt = format_of(dtype)
        assert fmt is not None
        for digits in range(1, 18):
            text = repr(float(f"{v:.{digits - 1}e}"))
            if fmt.nearest(np.array([float(text)]))[0] == v:
                return text
    scalar = dtype.type(v)
    magnitude = abs(v)
    if 1e-4 <= magnitude < 1e16:
        return np.format_float_positional(scalar, unique=True, trim="0")
    return np.format_float_scientific(scalar, unique=True, trim="-", exp_digits=2)


def exact_texts(values: NDArray[Any]) -> list[str]:
    """``shortest`` of every value, in the values' own dtype."""
    if values.dtype == np.float64:
        from actcli._core import write_decimal  # repr's spelling, and NaN, inf, -inf

        return write_decimal([values.ravel()], "\n").decode("ascii").split("\n")[:-1]
    return [shortest(v, values.dtype) for v in values.tolist()]


def fixed_texts(values: NDArray[Any], decimals: int) -> list[str]:
    """Every value with ``decimals`` digits after the point (``--precision``)."""
    return [f"{v:.{decimals}f}" if math.isfinite(v) else _non_finite(v) for v in values.tolist()]


def significant_digits(text: str) -> int:
    """How many significant digits a shortest text holds (``0.05`` 1, ``1200.0`` 2, ``5e-324`` 1):
    shortest texts have no trailing zeros that carry information."""
    mantissa = text.lstrip("+-").partition("e")[0]
    return len(mantissa.replace(".", "").strip("0"))


def rounded(v: float, digits: int, dtype: np.dtype[Any] | None = None) -> str:
    """``v`` with at most ``digits`` significant digits: its exact text when that is short
    enough, else the exact binary value correctly rounded to ``digits`` digits, trailing zeros
    kept (``2.00000`` says it was rounded)."""
    text = shortest(v, dtype)
    if not math.isfinite(v) or significant_digits(text) <= digits:
        return text
    mantissa, _, exp_text = f"{v:.{digits - 1}e}".partition("e")  # correctly rounded
    exponent = int(exp_text)
    sign, figures = ("-", mantissa[1:]) if mantissa.startswith("-") else ("", mantissa)
    figures = figures.replace(".", "")
    if 0 <= exponent < digits - 1:
        return f"{sign}{figures[:exponent + 1]}.{figures[exponent + 1:]}"
    if -4 <= exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{figures}"
    return f"{mantissa}e{exponent:+03d}"
