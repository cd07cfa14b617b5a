"""Arithmetic carried beyond double precision, for kernels that must land within 1 ULP.

Everything here is built from +, -, *, / and comparisons, which IEEE 754 rounds correctly on every
platform, and from exact operations (rint, scaling by powers of two). No libm function, no long
double, no fused multiply-add: the results are the same bits on every machine NumPy runs on.

A pair ``(hi, lo)`` stands for the unevaluated sum hi + lo ("double-double"); ``hi + lo`` rounds
it to the nearest double. ``exp_split`` returns a third member, a power of two kept apart so that
results far below the normal range are scaled, and rounded, only once at the end (``scale``).
The relative errors quoted are those of the pair before its final rounding.
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from decimal import Context, Decimal
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Pair = tuple[Any, Any]  # (hi, lo): arrays or floats

_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp's constant
DECIMAL = Context(prec=45)


def pair(value: Decimal | str) -> tuple[float, float]:
    """A decimal constant as hi + lo, to about 2**-106 relative."""
    exact = Decimal(value)
    hi = float(exact)
    return hi, float(exact - Decimal(hi))


# --- error-free transformations --------------------------------------------------------------


def two_sum(a: Any, b: Any) -> Pair:
    """a + b = s + e exactly (Knuth)."""
    s = a + b
    v = s - a
    return s, (a - (s - v)) + (b - v)


def fast_two_sum(a: Any, b: Any) -> Pair:
    """a + b = s + e exactly, for |a| >= |b| (Dekker)."""
    s = a + b
    return s, b - (s - a)


def _split(a: Any) -> Pair:
    t = _SPLITTER * a
    hi = t - (t - a)
    return hi, a - hi


def two_prod(a: Any, b: Any) -> Pair:
    """a * b = p + e exactly (Dekker), for |a|, |b| < 2**996 and a product above 2**-969."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def round_to_odd(hi: Any, lo: Any) -> Array:
    """hi + lo rounded to the double with an odd last bit when inexact ("round to odd").

    Rounding that double again to float32 or float16 (24 or 11 bits, two or more fewer than 53)
    gives the correctly rounded result of hi + lo itself: the odd bit records that the value was
    not exact, so it can never pose as a tie. Round to nearest twice can be off by one there.
    """
    s, e = two_sum(hi, lo)
    even_and_inexact: NDArray[np.bool_] = (e != 0.0) & ((s.view(np.int64) & 1) == 0) & np.isfinite(s)
    toward_exact: Array = np.nextafter(s, np.copysign(np.inf, e))
    result: Array = np.where(even_and_inexact, toward_exact, s)
    return result


# Set by the caller (actcli.compute) while computing for a float32 or float16 result.
ROUND_TO_ODD: ContextVar[bool] = ContextVar("round_to_odd", default=False)


# --- double-double operations (about 2**-104 relative each) -----------------------------------


def add(a: Pair, b: Pair) -> Pair:
    s, e = two_sum(a[0], b[0])
    return s, e + (a[1] + b[1])


def mul(a: Pair, b: Pair) -> Pair:
    p, e = two_prod(a[0], b[0])
    return p, e + (a[0] * b[1] + a[1] * b[0])


def mul_double(a: Pair, b: Any) -> Pair:
    p, e = two_prod(a[0], b)
    return p, e + a[1] * b


def div(a: Pair, b: Pair) -> Pair:
    q = a[0] / b[0]
    p, e = two_prod(q, b[0])
    # a_hi - p is exact (Sterbenz): p is q·b_hi rounded, and q·b_hi ≈ a_hi.
    return q, ((((a[0] - p) - e) + a[1]) - q * b[1]) / b[0]


def recip(b: Pair) -> Pair:
    return div((1.0, 0.0), b)


# --- powers of two ---------------------------------------------------------------------------


def pow2(k: NDArray[np.int64]) -> Array:
    """2**k exactly, for integers -1022 <= k <= 1023, by writing the exponent field."""
    return ((k + 1023) << 52).view(np.float64)


def scale(y: Any, k: NDArray[np.int64]) -> Array:
    """y·2**k with a single rounding, for |k| <= 2000: the first factor leaves y·2**k1 normal (exact),
    the second rounds once into the subnormals or to infinity."""
    if k.size and k.min() >= -1022 and k.max() <= 1023:
        return y * pow2(k)  # type: ignore[no-any-return]
    k1 = np.clip(k, -1000, 1000)
    result: Array = (y * pow2(k1)) * pow2(k - k1)
    return result


# --- e^x ---------------------------------------------------------------------------------------
# e^x = 2^k · 2^(j/64) · e^r with n = 64k + j = rint(64x/ln 2) and |r| <= ln 2/128; 2^(j/64) comes
# from a table in double-double and e^r from its Taylor series to r^7 (the next term is below 2**-75).

_EXP_STEPS = 64
LN2 = DECIMAL.ln(Decimal(2))
_INV_STEP = float(_EXP_STEPS / LN2)
# ln2/64 in two parts; the first has 32 significant bits, so n·_STEP_HI is exact for |n| < 2**21.
_STEP_HI = math.ldexp(math.floor(math.ldexp(float(LN2 / _EXP_STEPS), 38)), -38)
_STEP_LO = float(LN2 / _EXP_STEPS - Decimal(_STEP_HI))
_EXP_CLIP = 1200.0  # e^±1200 is far beyond the double range; keeps |n| < 2**17


@cache
def _exp_table() -> tuple[Array, Array]:
    """2^(j/64) for j = 0..63 as hi, lo arrays (decimal arithmetic at 45 digits)."""
    steps = Decimal(_EXP_STEPS)
    values = [pair(DECIMAL.power(Decimal(2), Decimal(j) / steps)) for j in range(_EXP_STEPS)]
    return np.array([v[0] for v in values]), np.array([v[1] for v in values])


def _exp_reduce(x: Any) -> tuple[Array, Array, Array, Array, NDArray[np.int64]]:
    """(t_hi, t_lo, p, p_lo, k): e^x = 2^k · (t_hi + t_lo) · (1 + p + p_lo)."""
    x = np.clip(x, -_EXP_CLIP, _EXP_CLIP)
    n = np.rint(x * _INV_STEP)
    r_hi = x - n * _STEP_HI  # exact: n·_STEP_HI is exact and close to x
    n_lo = n * _STEP_LO
    r = r_hi - n_lo
    r_lo = (r_hi - r) - n_lo
    tail = r * r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040))))))
    p = r + tail
    p_lo = ((r - p) + tail) + r_lo
    index = n.astype(np.int64)  # NaN gives an arbitrary integer; the NaN in r carries through
    t_hi, t_lo = _exp_table()
    j = index & (_EXP_STEPS - 1)
    return t_hi[j], t_lo[j], p, p_lo, index >> 6


def exp_split(x: Any, x_lo: Any = 0.0) -> tuple[Array, Array, NDArray[np.int64]]:
    """(hi, lo, k) with e^(x + x_lo) = (hi + lo)·2**k to about 2**-59 relative, hi in [0.7, 1.5).

    Any x, ±inf and NaN included (clipped to ±1200, where the scaled result is 0 or inf).
    x_lo is a small correction to the argument (|x_lo| < 2**-40 |x|), applied to first order.
    """
    t_hi, t_lo, p, p_lo, k = _exp_reduce(x)
    a = t_hi * p  # its rounding error is below 2**-60 of the result
    hi = t_hi + a
    lo = ((t_hi - hi) + a) + (t_lo + t_hi * p_lo + t_lo * p)
    # A valid x_lo is below 2**-53·1200; beyond the clip it is that of a clipped-away x.
    return hi, lo + hi * np.clip(x_lo, -2.0**-40, 2.0**-40), k


def expm1(x: Any) -> Pair:
    """e^x - 1 as a pair with full relative accuracy, for -inf <= x <= 709."""
    t_hi, t_lo, p, p_lo, k = _exp_reduce(x)
    s = pow2(np.maximum(k, -1022))
    # 2^k·t·(1 + p) - 1 = (2^k·t_hi - 1) + 2^k·(t_hi·p + t_lo·(1 + p) + t_hi·p_lo); the product t_hi·p
    # is taken exactly, as the sum may be as small as p alone when x is near 0.
    a, a_err = two_sum(t_hi * s, -1.0)
    b, b_err = two_prod(t_hi, p)
    hi, e = two_sum(a, b * s)
    return hi, e + a_err + s * (b_err + t_lo * (1.0 + p) + t_hi * p_lo)


# --- log(1 + t) for 0 <= t <= 1 ------------------------------------------------------------------
# log(1 + t) = log c + log(1 + w) with c = 1 + i/128 nearest to 1 + t, w = (1 + t - c)/c, |w| <= 2**-8;
# log c comes from a table in double-double, log(1 + w) from its series to w^8.

_LOG_STEPS = 128


@cache
def _log_table() -> tuple[Array, Array]:
    """log(1 + i/128) for i = 0..128 as hi, lo arrays."""
    steps = Decimal(_LOG_STEPS)
    values = [pair(DECIMAL.ln(1 + Decimal(i) / steps)) for i in range(_LOG_STEPS + 1)]
    return np.array([v[0] for v in values]), np.array([v[1] for v in values])


def log1p(t: Pair) -> Pair:
    """log(1 + t) as a pair to about 2**-60 relative, for 0 <= t <= 1 (or NaN)."""
    i = np.rint(t[0] * _LOG_STEPS)
    c = 1.0 + i / _LOG_STEPS
    u = t[0] - i / _LOG_STEPS  # = 1 + t_hi - c, exact (Sterbenz, or i = 0)
    w = u / c
    w_a, w_b = _split(w)
    # c has 8 significant bits, so w_a·c and w_b·c are exact and u - w·c is the division's residue.
    w_lo = (((u - w_a * c) - w_b * c) + t[1]) / c
    series = w * w * (-1 / 2 + w * (1 / 3 + w * (-1 / 4 + w * (1 / 5 + w * (-1 / 6 + w * (1 / 7 - w / 8))))))
    table_hi, table_lo = _log_table()
    index = np.where(np.isnan(i), 0, i).astype(np.int64)
    hi, e = fast_two_sum(table_hi[index], w)
    # log(1 + w + w_lo) = log(1 + w) + w_lo/(1 + w) - w_lo²/2 + ...; the square matters when
    # t < 2**-53 makes w = 0.
    return hi, e + (table_lo[index] + w_lo * ((1.0 - w) - 0.5 * w_lo) + series)
