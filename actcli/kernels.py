"""The math: every activation ``<name>(x, **params)`` and its derivative ``<name>_grad``.

Kernels take a float64 array of one or more dimensions and return a new one of the same shape. They
are pure NumPy, know nothing of dtypes other than float64, of kink conventions (the caller
overrides kink points) or of terminals. Overflow and invalid-value warnings are silenced by the
caller: branches discarded by ``np.where`` may overflow harmlessly.

Every result is within 1 ULP: each kernel forms its value as a double-double pair (actcli/extended.py)
accurate to about 2**-57 and rounds it once, so the error is at most 0.5 ULP plus a small fraction.
No libm function is called, so the results are the same on every platform. Values that are a
power of two times a mantissa (e^x times something) keep the power apart (``k``) and apply it
last with ``ext.scale``, so results in the subnormal range are rounded once too.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from actcli import extended as ext
from actcli.constants import SELU_ALPHA_DIGITS, SELU_SCALE_DIGITS

Array = NDArray[np.float64]
Pair = ext.Pair

_PI = Decimal("3.14159265358979323846264338327950288419716939937510582097494")
_SQRT_2_OVER_PI = ext.pair((2 / _PI).sqrt(ext.DECIMAL))
_INV_SQRT2 = ext.pair(1 / Decimal(2).sqrt(ext.DECIMAL))
_INV_SQRT_2PI = ext.pair(1 / (2 * _PI).sqrt(ext.DECIMAL))
_GELU_CUBIC = ext.pair("0.044715")  # the tanh-GELU's decimal constant, and three times it
_GELU_CUBIC_3 = ext.pair("0.134145")
# SELU's λ and λ·α from the paper's digits (the doubles alone are 2**-53 off).
_SELU_SCALE = ext.pair(SELU_SCALE_DIGITS)
_SELU_SCALE_ALPHA = ext.pair(ext.DECIMAL.multiply(Decimal(SELU_SCALE_DIGITS), Decimal(SELU_ALPHA_DIGITS)))
_ONE = (1.0, 0.0)
_TWO = (2.0, 0.0)


def _round(p: Pair) -> Array:
    """The pair rounded to double (to odd when the result goes on to float32 or float16); ±inf in
    the high part stays (its low part is NaN)."""
    rounded = ext.round_to_odd(p[0], p[1]) if ext.ROUND_TO_ODD.get() else p[0] + p[1]
    result: Array = np.where(np.isinf(p[0]), p[0], rounded)
    return result


def _exact_pair(value: Pair) -> Array:
    """A sum or product formed error-free: plain rounding for float64, once to odd otherwise
    (an exact one as it is: -0.0·slope stays -0.0, as in float64 and PyTorch)."""
    result: Array = value[0]
    if ext.ROUND_TO_ODD.get():
        result = np.where(value[1] == 0, value[0], _round(value))
    return result


def _scale_pair(p: Pair, k: NDArray[np.int64]) -> Pair:
    return ext.scale(p[0], k), ext.scale(p[1], k)


def _keep_nan(x: Array, y: Array) -> Array:
    """``y`` (a new array) with NaN wherever ``x`` is NaN (piecewise-constant derivatives would
    drop it). A masked copy, not np.where: the mask is almost all False, which costs little."""
    np.copyto(y, x, where=np.isnan(x))
    return y


def _indicator(condition: NDArray[np.bool_], inside: float = 1.0) -> Array:
    """``inside`` where ``condition`` holds, else 0.0: a cast of the mask (times ``inside``,
    exact on 0 and 1) runs ~10x faster than np.where's selection on an unpredictable mask."""
    y = condition.astype(np.float64)
    if inside != 1.0:
        y *= inside
    return y


def _clamp(x: Array, low: float, high: float) -> Array:
    """``low`` below it, ``high`` above it, else ``x`` itself, NaN kept: np.clip (SIMD, ~10x
    np.where), then ``x`` put back where it is a zero equal to a zero end, whose sign a clip
    may swap (relu(-0.0) is -0.0, as PyTorch's)."""
    y = np.clip(x, low, high)
    if low == 0.0 or high == 0.0:
        np.copyto(y, x, where=x == 0.0)
    return y


# Below this |x| a function f with f(0) = 0 and f'(0) = c is c·x + b·x² to 2**-124 relative;
# there c·x is formed with x scaled up, so that products of subnormals (which lose bits) never
# enter, and b·x², far below c·x's last bit, still goes into the pair: rounded to odd, it tells
# on which side of c·x the value lies, which decides the rounding when c·x is a midpoint of a
# narrow format (gelu(x) = x/2 + x²/√(2π) at the subnormals of bfloat16).
_TINY = 2.0**-62
_UP = 2.0**200


def _near_zero(x: Array, y: Array, slope: Pair | float, tiny: NDArray[np.bool_] | None = None,
               bend: float = 0.0) -> Array:
    """``y`` with the entries where |x| < _TINY (or where ``tiny``) replaced by slope·x +
    bend·x², rounded once."""
    tiny = np.abs(x) < _TINY if tiny is None else tiny
    if np.any(tiny):
        up = x[tiny] * _UP
        c = slope if isinstance(slope, tuple) else (slope, 0.0)
        linear = ext.mul_double(c, up)
        product = _round((linear[0], linear[1] + bend * x[tiny] * up))
        y[tiny] = np.where(product == 0.0, up * c[0], product) / _UP  # keeps the sign of ±0
    return y


def _times(c: Pair, x: Array) -> Array:
    """c·x rounded once, for any x: beyond 2**900 x is scaled down by 2**-200 (exactly) so that
    its split cannot overflow, and below _TINY scaled up."""
    big = np.abs(x) > 2.0**900
    y = _round(ext.mul_double(c, np.where(big, x * 2.0**-200, x))) * np.where(big, 2.0**200, 1.0)
    return _near_zero(x, y, c)


# --- the logistic function -------------------------------------------------------------------


def _logistic(v: Array, v_lo: Any = 0.0) -> tuple[Pair, NDArray[np.int64], Pair]:
    """(m, k, r) for v + v_lo: e^-|v| = m·2**k and r = σ(|v|) = 1/(1 + e^-|v|), as pairs.

    Then σ(-|v|) = 2**k·m·r and σ'(v) = 2**k·m·r², with no cancellation anywhere.
    """
    m_hi, m_lo, k = ext.exp_split(-np.abs(v), -np.sign(v) * v_lo)
    # Below 2**-1022, t only needs to be negligible beside 1, so the power of two is floored there.
    factor = ext.pow2(np.maximum(k, -1022))
    return (m_hi, m_lo), k, ext.recip(ext.add(_ONE, (m_hi * factor, m_lo * factor)))


def _sigmoid_pair(v: Array, v_lo: Any = 0.0) -> tuple[Pair, NDArray[np.int64]]:
    """σ(v + v_lo) = pair·2**k (k = 0 for v >= 0)."""
    m, k, r = _logistic(v, v_lo)
    negative = v < 0
    s = ext.mul(m, r)
    return (np.where(negative, s[0], r[0]), np.where(negative, s[1], r[1])), np.where(negative, k, 0)


def _sigmoid_grad_pair(v: Array, v_lo: Any = 0.0) -> tuple[Pair, NDArray[np.int64]]:
    """σ'(v + v_lo) = pair·2**k."""
    m, k, r = _logistic(v, v_lo)
    return ext.mul(ext.mul(m, r), r), k


def _slope_unit(x: Array, slope: float) -> Array:
    if 0.0 < slope <= 1.0 and not ext.ROUND_TO_ODD.get():
        # x·slope rounded once is the float64 result; the larger of x and x·slope is the branch.
        return np.maximum(x, x * slope)
    y = np.where(x > 0, x, _exact_pair(ext.two_prod(x, slope)))
    # With slope 0, -inf·0 is NaN; the limit is 0.
    return np.where(np.isneginf(x), 0.0, y) if slope == 0.0 else y


def _slope_unit_grad(x: Array, slope: float) -> Array:
    if 0.0 < slope <= 1.0:  # the larger of 1 (or 0) and the slope, exactly
        return _keep_nan(x, np.maximum(_indicator(x > 0), slope))
    return _keep_nan(x, np.where(x > 0, 1.0, slope))


def _box_grad(x: Array, low: float, high: float, inside: float) -> Array:
    return _keep_nan(x, _indicator((x > low) & (x < high), inside))


# --- next to the interior zeros of derivatives ------------------------------------------------
# f'(x0 + h) = h·(c1 + c2·h + h²·Σ c_k h^(k-3)) around the root x0 (hi, lo), with c1, c2 as pairs
# (_LEAD) and the rest in double; generated by scripts/root_series.py. There the closed forms
# subtract nearly equal terms and lose log2(1/|h|) bits.
_ROOT_RADIUS = 0.25

_GELU_ROOT = (-0.7517915246935645, 1.4956759177009883e-17)
_GELU_LEAD = (0.4314939923140469, 2.7308688141129613e-17, 0.388284982990552, 2.3344842362524718e-17)
_GELU_SERIES = (
    -0.018199676398671087,
    -0.1140082332972217,
    -0.014771522148244337,
    0.019421679838189067,
    0.004539228379125415,
    -0.002239538068073497,
    -0.0007448268386746817,
    0.00018633974623233514,
    8.615947861116571e-05,
    -1.121438018842664e-05,
    -7.74846130700372e-06,
    4.3284506257392273e-07,
    5.702764979242107e-07,
    -1.6044265494246427e-09,
    -3.5459866461783865e-08,
    -1.396942086426202e-09,
    1.90319840501314e-09,
    1.4506418938779426e-10,
    -8.950037692726255e-11,
)
_GELU_TANH_ROOT = (-0.7524614220710163, 3.635560509207687e-17)
_GELU_TANH_LEAD = (0.4304000910248585, 2.028254970529195e-17, 0.38751844613578895, -2.562359819429644e-17)
_GELU_TANH_SERIES = (
    -0.01578285352184803,
    -0.11394448308095899,
    -0.01661932834305256,
    0.019682309459833118,
    0.005261059254921912,
    -0.0024227318458750974,
    -0.0009274420230205449,
    0.00026392764052681053,
    0.00012425227802639782,
    -3.4956171694436116e-05,
    -1.5950896871645105e-05,
    5.918611710894005e-06,
    2.4335516344299543e-06,
    -9.898647747433667e-07,
    -4.3102482988029016e-07,
    1.4157556987729473e-07,
    7.520740909289922e-08,
    -1.6978217459781023e-08,
    -1.196180847972441e-08,
)
_SILU_ROOT = (-1.2784645427610737, -1.0946994183093437e-16)
_SILU_LEAD = (0.2178117057198001, -3.974332795880862e-18, 0.1466487969969469, -1.1662011480926915e-17)
_SILU_SERIES = (
    0.018874814223782312,
    -0.015222655223188032,
    -0.006606589138356696,
    0.000126627410081122,
    0.0007985218818397998,
    0.00018570724361186496,
    -4.090534237428612e-05,
    -2.9733542213263917e-05,
    -2.942631888842464e-06,
    2.346029682463866e-06,
    8.599695028268575e-07,
    -3.051244750055421e-08,
    -9.266646309267441e-08,
    -1.8877622907727957e-08,
    4.619379769031606e-09,
    2.9177603026903803e-09,
    2.3648315053103244e-10,
    -2.251366201881081e-10,
    -7.50344609385287e-11,
)
_MISH_ROOT = (-1.1924312145154952, -4.8484829848031044e-17)
_MISH_LEAD = (0.2669479140495345, 1.5332816617135587e-17, 0.20473126408010586, 3.823755128643401e-18)
_MISH_SERIES = (
    0.04190782104360987,
    -0.020271822716684245,
    -0.01582112656173338,
    -0.0033606849270232685,
    0.0010924055409445854,
    0.0009898181021289196,
    0.00025412936386191073,
    -4.1961496031696126e-05,
    -5.582891567360688e-05,
    -1.72992708103044e-05,
    9.427361327376651e-07,
    2.9088199364912223e-06,
    1.071676702702074e-06,
    2.6879417855557728e-08,
    -1.4117255919499382e-07,
    -6.174424363104907e-08,
    -5.460186173028381e-09,
    6.3895954615089855e-09,
    3.3604012383661332e-09,
)


def _near_root(x: Array, g: Array, root: tuple[float, float], lead: tuple[float, ...],
               series: tuple[float, ...]) -> Array:
    """``g`` with the entries within _ROOT_RADIUS of the root replaced by the Taylor series."""
    near = np.abs(x - root[0]) < _ROOT_RADIUS
    if np.any(near):
        h = ext.two_sum(x[near] - root[0], -root[1])  # x - root[0] is exact here (Sterbenz)
        p = np.full_like(h[0], series[-1])
        for c in series[-2::-1]:
            p = p * h[0] + c
        inner = ext.add((lead[0], lead[1]), ext.add(ext.mul((lead[2], lead[3]), h), (h[0] * h[0] * p, 0.0)))
        g[near] = _round(ext.mul(h, inner))
    return g


# --- rectifiers ------------------------------------------------------------------------------


def relu(x: Array) -> Array:
    return _clamp(x, 0.0, np.inf)


def relu_grad(x: Array) -> Array:
    return _keep_nan(x, _indicator(x > 0))


def relu6(x: Array) -> Array:
    return _clamp(x, 0.0, 6.0)


def relu6_grad(x: Array) -> Array:
    return _box_grad(x, 0.0, 6.0, 1.0)


def leaky_relu(x: Array, negative_slope: float) -> Array:
    return _slope_unit(x, negative_slope)


def leaky_relu_grad(x: Array, negative_slope: float) -> Array:
    return _slope_unit_grad(x, negative_slope)


def prelu(x: Array, weight: float) -> Array:
    return _slope_unit(x, weight)


def prelu_grad(x: Array, weight: float) -> Array:
    return _slope_unit_grad(x, weight)


def rrelu(x: Array, lower: float, upper: float) -> Array:
    # The slope (lower + upper)/2 is not a double in general: x times it is rounded once.
    slope = ext.two_sum(0.5 * lower, 0.5 * upper)
    return np.where(x > 0, x, _times(slope, x)) if slope[0] != 0.0 else _slope_unit(x, 0.0)


def rrelu_grad(x: Array, lower: float, upper: float) -> Array:
    return _slope_unit_grad(x, (lower + upper) / 2)


def threshold(x: Array, threshold: float, value: float) -> Array:
    if value == threshold:  # the defaults: a clamp from below, the value itself at the threshold
        y = np.maximum(x, value)
        np.copyto(y, value, where=x == threshold)
        return y
    return np.where(x <= threshold, value, x)


def threshold_grad(x: Array, threshold: float, value: float) -> Array:
    return _keep_nan(x, _indicator(x > threshold))


def hardtanh(x: Array, min_val: float, max_val: float) -> Array:
    return _clamp(x, min_val, max_val)


def hardtanh_grad(x: Array, min_val: float, max_val: float) -> Array:
    return _box_grad(x, min_val, max_val, 1.0)


# --- exponential -----------------------------------------------------------------------------


def _alpha_expm1(x: Array, alpha: Pair) -> Array:
    """α·(e^x - 1) for x <= 0 (expm1 keeps every digit near 0)."""
    y = _round(ext.mul(ext.expm1(np.minimum(x, 0.0)), alpha))
    return _near_zero(x, y, alpha, bend=0.5 * alpha[0])  # α(x + x²/2)


def _alpha_exp(x: Array, alpha: Pair, x_lo: Any = 0.0) -> Array:
    """α·e^(x + x_lo), also where e^x alone would be subnormal."""
    m_hi, m_lo, k = ext.exp_split(x, x_lo)
    return ext.scale(_round(ext.mul((m_hi, m_lo), alpha)), k)


def elu(x: Array, alpha: float) -> Array:
    return np.where(x > 0, x, _alpha_expm1(x, (alpha, 0.0)))


def elu_grad(x: Array, alpha: float) -> Array:
    return np.where(x > 0, 1.0, _alpha_exp(np.minimum(x, 0.0), (alpha, 0.0)))


def selu(x: Array) -> Array:
    return np.where(x > 0, _times(_SELU_SCALE, x), _alpha_expm1(x, _SELU_SCALE_ALPHA))


def selu_grad(x: Array) -> Array:
    return np.where(x > 0, _SELU_SCALE[0], _alpha_exp(np.minimum(x, 0.0), _SELU_SCALE_ALPHA))


def _quotient(x: Array, alpha: float) -> Pair:
    """x / alpha as hi + lo: e^(x/alpha) for x/alpha ≈ -700 would amplify one rounding 700-fold."""
    q = x / alpha
    p, e = ext.two_prod(q, alpha)
    q_lo = ((x - p) - e) / alpha
    return q, np.where(np.isfinite(q_lo), q_lo, 0.0)


def celu(x: Array, alpha: float) -> Array:
    q, q_lo = _quotient(np.minimum(x, 0.0), alpha)
    # expm1(q + q_lo) = expm1(q) + q_lo·e^q to first order.
    e = ext.expm1(q)
    e = ext.add(e, (q_lo * (1.0 + e[0]), 0.0))
    # α·expm1(x/α) = x(1 + x/2α + ...): x itself where x/α, not x, is tiny (α may be tiny too).
    y = _near_zero(x, _round(ext.mul_double(e, alpha)), 1.0, np.abs(q) < _TINY, bend=0.5 / alpha)
    return np.where(x > 0, x, y)


def celu_grad(x: Array, alpha: float) -> Array:
    q, q_lo = _quotient(np.minimum(x, 0.0), alpha)
    return np.where(x > 0, 1.0, _alpha_exp(q, _ONE, q_lo))


def _beta_times(x: Array, beta: float) -> Pair:
    """β·x as hi + lo; the low part is 0 where the product or its split overflows."""
    t, t_lo = ext.two_prod(x, beta)
    return t, np.where(np.isfinite(t_lo), t_lo, 0.0)


def _over(p: Pair, beta: float) -> Pair:
    return p if beta == 1.0 else ext.div(p, (beta, 0.0))


def softplus(x: Array, beta: float, threshold: float | None) -> Array:
    t, t_lo = _beta_times(x, beta)
    m_hi, m_lo, k = ext.exp_split(-np.abs(t), -np.sign(t) * t_lo)
    e = _scale_pair((m_hi, m_lo), k)  # e^-|βx| <= 1
    log_term = ext.log1p(e)
    # Above 0: (βx + log1p(e^-βx))/β = x + log1p(...)/β, which never forms βx's overflow.
    above = _round(ext.add((x, 0.0), _over(log_term, beta)))
    below = _round(_over(log_term, beta))
    # Far below, log1p(e^t) = e^t to double precision, and e^t is subnormal: scale once, last.
    tail = ext.scale(_round(_over((m_hi, m_lo), beta)), k)
    y = np.where(x > 0, above, np.where(t < -700.0, tail, below))
    return y if threshold is None else np.where(t > threshold, x, y)


def softplus_grad(x: Array, beta: float, threshold: float | None) -> Array:
    t, t_lo = _beta_times(x, beta)
    s, k = _sigmoid_pair(t, t_lo)
    g = ext.scale(_round(s), k)
    return g if threshold is None else _keep_nan(x, np.where(t > threshold, 1.0, g))


def sparse_plus(x: Array) -> Array:
    u = ext.two_sum(x, 1.0)
    return np.where(x <= -1.0, 0.0, np.where(x >= 1.0, x, _round(ext.mul(u, u)) * 0.25))


def sparse_plus_grad(x: Array) -> Array:
    return np.where(x <= -1.0, 0.0, np.where(x >= 1.0, 1.0, (x + 1.0) * 0.5))


# Beyond 2**500 squareplus is x, or b/(4|x|), and 1 + |x| is |x|, to far below an ULP; below it x²
# cannot overflow.
_BIG = 2.0**500
_DOWN = 2.0**-600
_HUGE = 2.0**1000  # stands in for ±inf where only the limit 0 matters


def _over_square(numerator: float, a: Array) -> Array:
    """numerator/a² for |a| > _BIG, with a scaled into range and the scale applied (and rounded)
    once at the end."""
    down = np.minimum(np.abs(a), _HUGE) * _DOWN
    return np.ldexp(_round(ext.div(ext.div((numerator, 0.0), (down, 0.0)), (down, 0.0))), -1200)


def _sqrt_pair(u: Pair) -> Pair:
    r = np.sqrt(u[0])
    p, e = ext.two_prod(r, r)
    return r, (((u[0] - p) - e) + u[1]) / (2.0 * r)


def _squareplus_parts(x: Array, b: float) -> tuple[Pair, Pair]:
    """(f, r) as pairs, r = √(x² + b); for x < 0 f = (b/2)/(r - x), which does not cancel."""
    xc = np.clip(x, -_BIG, _BIG)
    r = _sqrt_pair(ext.add(ext.two_prod(xc, xc), (b, 0.0)))
    above = ext.add((xc, 0.0), r)
    below = ext.div((0.5 * b, 0.0), ext.add(r, (-xc, 0.0)))
    f = (np.where(x >= 0, 0.5 * above[0], below[0]), np.where(x >= 0, 0.5 * above[1], below[1]))
    return f, r


def squareplus(x: Array, b: float) -> Array:
    y = _round(_squareplus_parts(x, b)[0])
    return np.where(x > _BIG, x, np.where(x < -_BIG, (0.25 * b) / -x, y))


def squareplus_grad(x: Array, b: float) -> Array:
    f, r = _squareplus_parts(x, b)
    # (1 + x/r)/2 = f/r, which keeps full relative accuracy as it tends to 0 for x → -∞.
    g = np.where(x > _BIG, 1.0, _round(ext.div(f, r)))
    far = x < -_BIG
    if np.any(far):
        g[far] = _over_square(0.25 * b, x[far])  # b/(4x²)
    return g


def exponential(x: Array) -> Array:
    return _alpha_exp(x, _ONE)


def exponential_grad(x: Array) -> Array:
    return _alpha_exp(x, _ONE)


# --- sigmoidal -------------------------------------------------------------------------------


def sigmoid(x: Array) -> Array:
    s, k = _sigmoid_pair(x)
    return ext.scale(_round(s), k)


def sigmoid_grad(x: Array) -> Array:
    g, k = _sigmoid_grad_pair(x)
    return ext.scale(_round(g), k)


def log_sigmoid(x: Array) -> Array:
    return -softplus(-x, 1.0, None)


def log_sigmoid_grad(x: Array) -> Array:
    return sigmoid(-x)


def hard_sigmoid(x: Array) -> Array:
    inner = _round(ext.div(ext.two_sum(x, 3.0), (6.0, 0.0)))
    return np.where(x <= -3.0, 0.0, np.where(x >= 3.0, 1.0, inner))


def hard_sigmoid_grad(x: Array) -> Array:
    return _box_grad(x, -3.0, 3.0, 1 / 6)


def sparse_sigmoid(x: Array) -> Array:
    return np.where(x <= -1.0, 0.0, np.where(x >= 1.0, 1.0, (x + 1.0) * 0.5))


def sparse_sigmoid_grad(x: Array) -> Array:
    return _box_grad(x, -1.0, 1.0, 0.5)


# tanh(x) rounds to ±1 beyond 19.1, and to x below 2**-27.
_TANH_SATURATED = 20.0
_TANH_LINEAR = 2.0**-27


def _tanh_pair(a: Array) -> Pair:
    """tanh(a) for a >= 0 as a pair: -expm1(-2a)/(2 + expm1(-2a)), no cancellation."""
    e = ext.expm1(-2.0 * np.minimum(a, _TANH_SATURATED))
    return ext.div((-e[0], -e[1]), ext.add(_TWO, e))


def tanh(x: Array) -> Array:
    a = np.abs(x)
    return np.where(a < _TANH_LINEAR, x, np.copysign(_round(_tanh_pair(a)), x))


def tanh_grad(x: Array) -> Array:
    # sech²(x) = 4σ'(2x) exactly; 1 - tanh² is 0 beyond |x| ≈ 19.
    g, k = _sigmoid_grad_pair(2.0 * x)
    return ext.scale(_round(g), k + 2)


def softsign(x: Array) -> Array:
    a = np.minimum(np.abs(x), 2.0**60)  # beyond, |x|/(1 + |x|) rounds to 1
    y = _round(ext.div((a, 0.0), ext.two_sum(a, 1.0)))
    return np.where(a < 2.0**-54, x, np.copysign(y, x))


def softsign_grad(x: Array) -> Array:
    a = np.abs(x)
    r = ext.recip(ext.two_sum(np.minimum(a, _BIG), 1.0))
    g = _round(ext.mul(r, r))
    far = a > _BIG  # 1/(1 + a)² = 1/a² there
    if np.any(far):
        g[far] = _over_square(1.0, a[far])
    return g


# x - tanh x cancels for small |x|. There Lambert's continued fraction tanh x = x/(1 + K),
# K = x²/(3 + x²/(5 + ...)), gives x - tanh x = x·K/(1 + K) with every term positive; the inner
# levels are summed in double (their error reaches K damped 30-fold), the outer one as a pair.
_TANHSHRINK_SERIES_BELOW = 0.7
_TANHSHRINK_DEPTH = 10
_TANHSHRINK_CUBIC = 2.0**-30


def tanhshrink(x: Array) -> Array:
    a = np.abs(x)
    t = _tanh_pair(a)
    y = _round(ext.add(ext.two_sum(a, -t[0]), (-t[1], 0.0)))
    small = a < _TANHSHRINK_SERIES_BELOW
    if np.any(small):
        xs = a[small]
        square = ext.two_prod(xs, xs)
        inner = np.zeros_like(xs)
        for n in range(_TANHSHRINK_DEPTH, 1, -1):
            inner = square[0] / ((2 * n + 1) + inner)
        k = ext.div(square, ext.two_sum(inner, 3.0))
        y[small] = _round(ext.mul_double(ext.div(k, ext.add(_ONE, k)), xs))
    tiny = a < _TANHSHRINK_CUBIC
    if np.any(tiny):
        # x³/3 (the next term is 2x²/5 smaller), with x scaled up so that no product underflows
        # and the scale removed, rounding once, at the end.
        up = a[tiny] * _UP
        cube = ext.mul_double(ext.two_prod(up, up), up)
        y[tiny] = np.ldexp(_round(ext.div(cube, (3.0, 0.0))), -600)
    return np.copysign(y, x)


def tanhshrink_grad(x: Array) -> Array:
    a = np.abs(x)
    t = _tanh_pair(a)
    return np.where(a < _TANH_LINEAR, x * x, _round(ext.mul(t, t)))


# --- shrink ----------------------------------------------------------------------------------


def hardshrink(x: Array, lambd: float) -> Array:
    if not np.isfinite(lambd):
        return np.where((x >= -lambd) & (x <= lambd), 0.0, x)
    # x·1 = x outside, x·0 = ±0 inside, + 0.0 makes it +0.0; NaN stays (|NaN| > λ is False).
    y = x * (np.abs(x) > lambd)
    y += 0.0
    return y


def hardshrink_grad(x: Array, lambd: float) -> Array:
    return _keep_nan(x, _indicator(np.abs(x) > lambd))


def softshrink(x: Array, lambd: float) -> Array:
    if not ext.ROUND_TO_ODD.get():
        # float64: |x| - λ is x - λ (or -(x + λ)) rounded once; copysign restores the side,
        # + 0.0 turns the -0.0 of the dead zone into 0.0; NaN goes through each step.
        y = np.abs(x) - lambd
        np.maximum(y, 0.0, out=y)
        np.copysign(y, x, out=y)
        y += 0.0
        return y
    below, above = _exact_pair(ext.two_sum(x, lambd)), _exact_pair(ext.two_sum(x, -lambd))
    return _keep_nan(x, np.where(x > lambd, above, np.where(x < -lambd, below, 0.0)))


def softshrink_grad(x: Array, lambd: float) -> Array:
    return _keep_nan(x, _indicator(np.abs(x) > lambd))


# --- gated / smooth --------------------------------------------------------------------------

# Beyond these |x| the Gaussian factors underflow and the results are x (or 1) and 0.
_GELU_CLIP = 40.0
_GELU_TANH_CLIP = 64.0
_ERFCX_STEPS = 32  # nodes per unit of scripts/erfcx_table.py


@cache
def _erfcx_table() -> Array:
    table: Array = np.load(Path(__file__).with_name("erfcx_table.npy"))
    return table


def _erfcx(z: Pair) -> Pair:
    """erfcx(z) = e^(z²)·erfc(z) for 0 <= z <= 28.3, from the Taylor table, to about 2**-58."""
    i = np.rint(z[0] * _ERFCX_STEPS)
    d = z[0] - i / _ERFCX_STEPS  # exact (Sterbenz, or i = 0)
    rows = _erfcx_table()[np.where(np.isnan(i), 0, i).astype(np.int64)]
    p = rows[..., -1]
    for column in range(rows.shape[-1] - 2, 2, -1):
        p = p * d + rows[..., column]
    hi, e = ext.fast_two_sum(rows[..., 0], rows[..., 2] * d)
    return hi, e + (rows[..., 1] + rows[..., 2] * z[1] + d * d * p)


def _normal_parts(x: Array) -> tuple[Pair, Pair, NDArray[np.int64], Pair]:
    """(m, c, k, z) with e^(-x²/2) = m·2**k, c = erfcx(|x|/√2)/2, so that Φ(-|x|) = m·c·2**k and
    φ(x) = m·2**k/√(2π); z = |x|/√2. All in pairs: erfc turns a relative error of its argument
    into 2z² times that (700-fold at x = -38), so z and z² are carried to 2**-100."""
    z = ext.mul_double(_INV_SQRT2, np.abs(x))
    square = ext.mul(z, z)
    m_hi, m_lo, k = ext.exp_split(-square[0], -square[1])
    c = _erfcx(z)
    return (m_hi, m_lo), (0.5 * c[0], 0.5 * c[1]), k, z


def gelu(x: Array, approximate: str) -> Array:
    if approximate == "tanh":
        xc = np.clip(x, -_GELU_TANH_CLIP, _GELU_TANH_CLIP)
        s, k = _sigmoid_pair(*_gelu_tanh_argument(xc))
        y = ext.scale(_round(ext.mul_double(s, xc)), k)
        y = np.where(x > _GELU_TANH_CLIP, x, y)
    else:
        xc = np.clip(x, -_GELU_CLIP, _GELU_CLIP)
        m, c, k, _ = _normal_parts(xc)
        lower = ext.mul(m, c)  # Φ(-|x|) = lower·2**k
        upper = ext.add(_ONE, _scale_pair((-lower[0], -lower[1]), k))  # Φ(|x|)
        y = np.where(x < 0, ext.scale(_round(ext.mul_double(lower, xc)), k),
                     _round(ext.mul_double(upper, xc)))
        y = np.where(x > _GELU_CLIP, x, y)
    return _near_zero(x, y, 0.5, bend=_INV_SQRT_2PI[0])  # both forms: x/2 + x²/√(2π)


def gelu_grad(x: Array, approximate: str) -> Array:
    if approximate == "tanh":
        xc = np.clip(x, -_GELU_TANH_CLIP, _GELU_TANH_CLIP)
        v = _gelu_tanh_argument(xc)
        m, k, r = _logistic(*v)
        dv = _gelu_tanh_slope(xc)
        # σ(v) + x·σ'(v)·v' with σ' = 2**k·m·r²: for v < 0 it is 2**k·m·r·(1 + x·r·v').
        mr, x_dv = ext.mul(m, r), ext.mul_double(dv, xc)
        upper = ext.add(r, _scale_pair(ext.mul(ext.mul(mr, r), x_dv), k))
        lower = ext.mul(mr, ext.add(_ONE, ext.mul(r, x_dv)))
        g = np.where(v[0] < 0, ext.scale(_round(lower), k), _round(upper))
        g = np.where(x > _GELU_TANH_CLIP, 1.0, g)
        return _near_root(x, g, _GELU_TANH_ROOT, _GELU_TANH_LEAD, _GELU_TANH_SERIES)
    xc = np.clip(x, -_GELU_CLIP, _GELU_CLIP)
    m, c, k, _ = _normal_parts(xc)
    # Φ(x) + x·φ(x): for x < 0, 2**k·m·(c + x/√(2π)); for x >= 0, 1 - 2**k·m·(c - x/√(2π)).
    slope = ext.mul_double(_INV_SQRT_2PI, xc)
    lower = ext.mul(m, ext.add(c, slope))
    upper = ext.add(_ONE, _scale_pair(ext.mul(m, ext.add(slope, (-c[0], -c[1]))), k))
    g = np.where(x < 0, ext.scale(_round(lower), k), _round(upper))
    g = np.where(x > _GELU_CLIP, 1.0, g)
    return _near_root(x, g, _GELU_ROOT, _GELU_LEAD, _GELU_SERIES)


def _gelu_tanh_argument(x: Array) -> Pair:
    """2u = 2·√(2/π)·x·(1 + 0.044715x²) as a pair; σ(2u) turns a relative error of u into |2u|
    times that, up to 745-fold in the tail."""
    inner = ext.add(_ONE, ext.mul(ext.two_prod(x, x), _GELU_CUBIC))
    u = ext.mul(ext.mul_double(inner, x), _SQRT_2_OVER_PI)
    return 2.0 * u[0], 2.0 * u[1]


def _gelu_tanh_slope(x: Array) -> Pair:
    """d(2u)/dx = 2·√(2/π)·(1 + 0.134145x²) as a pair."""
    inner = ext.add(_ONE, ext.mul(ext.two_prod(x, x), _GELU_CUBIC_3))
    return ext.mul(inner, (2.0 * _SQRT_2_OVER_PI[0], 2.0 * _SQRT_2_OVER_PI[1]))


# Beyond this silu(x) = x·σ(x) rounds to x and its derivative to 1.
_SILU_SATURATED = 710.0


def silu(x: Array) -> Array:
    xc = np.clip(x, -1200.0, _SILU_SATURATED)
    s, k = _sigmoid_pair(xc)
    y = np.where(x > _SILU_SATURATED, x, ext.scale(_round(ext.mul_double(s, xc)), k))
    return _near_zero(x, y, 0.5, bend=0.25)


def silu_grad(x: Array) -> Array:
    xc = np.clip(x, -1200.0, _SILU_SATURATED)
    m, k, r = _logistic(xc)
    mr = ext.mul(m, r)
    # σ + x·σ' with σ' = 2**k·m·r²: for x >= 0 r + x·2**k·m·r², for x < 0 2**k·m·r·(1 + x·r).
    upper = ext.add(r, _scale_pair(ext.mul_double(ext.mul(mr, r), xc), k))
    lower = ext.mul(mr, ext.add(_ONE, ext.mul_double(r, xc)))
    g = np.where(x < 0, ext.scale(_round(lower), k), _round(upper))
    g = np.where(x > _SILU_SATURATED, 1.0, g)
    return _near_root(x, g, _SILU_ROOT, _SILU_LEAD, _SILU_SERIES)


def hardswish(x: Array) -> Array:
    inner = _round(ext.div(ext.mul_double(ext.two_sum(x, 3.0), x), (6.0, 0.0)))
    inner = _near_zero(x, inner, 0.5, bend=1 / 6)  # x/2 + x²/6
    return np.where(x <= -3.0, 0.0, np.where(x >= 3.0, x, inner))


def hardswish_grad(x: Array) -> Array:
    # (2x + 3)/6 rather than PyTorch's x/3 + 1/2, which cancels next to the zero at x = -1.5.
    inner = _round(ext.div(ext.two_sum(2.0 * x, 3.0), (6.0, 0.0)))
    return _keep_nan(x, np.where(x < -3.0, 0.0, np.where(x > 3.0, 1.0, inner)))


# tanh(softplus(x)) rounds to 1 beyond this.
_MISH_SATURATED = 40.0
_MISH_SLOPE = ext.pair("0.6")  # tanh(log 2) = 3/5: mish(x) ≈ 0.6x near 0


def _mish_parts(x: Array) -> tuple[Pair, Pair, Pair, Pair, NDArray[np.int64]]:
    """Pairs (w, m, t, d) and k, with t = e^-|x| = m·2**k and tanh(softplus(x)) = w·2**k (x < 0)
    or w (x >= 0), each a rational function of t: no tanh, no log, no cancellation.

    x < 0: tanh(sp) = t(t + 2)/d, d = t² + 2t + 2;  x >= 0: tanh(sp) = (1 + 2t)/d, d = 1 + 2t + 2t².
    """
    m_hi, m_lo, k = ext.exp_split(-np.abs(x))
    m = (m_hi, m_lo)
    t = _scale_pair(m, k)
    square = ext.mul(t, t)
    negative = x < 0
    twice = (2.0 * t[0], 2.0 * t[1])
    t_plus_2 = ext.add(t, _TWO)
    numerator_pos = ext.add(_ONE, twice)
    d_neg = ext.add(ext.add(square, twice), _TWO)
    d_pos = ext.add(numerator_pos, (2.0 * square[0], 2.0 * square[1]))
    d = (np.where(negative, d_neg[0], d_pos[0]), np.where(negative, d_neg[1], d_pos[1]))
    numerator_neg = ext.mul(m, t_plus_2)
    numerator = (np.where(negative, numerator_neg[0], numerator_pos[0]),
                 np.where(negative, numerator_neg[1], numerator_pos[1]))
    return ext.div(numerator, d), m, t, d, k


def mish(x: Array) -> Array:
    xc = np.clip(x, -1200.0, _MISH_SATURATED)
    w, _, _, _, k = _mish_parts(xc)
    y = _round(ext.mul_double(w, xc))
    y = np.where(x < 0, ext.scale(y, k), np.where(x > _MISH_SATURATED, x, y))
    return _near_zero(x, y, _MISH_SLOPE, bend=0.32)  # tanh(log 2 + x/2) ≈ 0.6 + 0.32x


def mish_grad(x: Array) -> Array:
    xc = np.clip(x, -1200.0, _MISH_SATURATED)
    w, m, t, d, k = _mish_parts(xc)
    # tanh(sp) + x·sech²(sp)·σ(x), with sech²(sp)·σ(x) = 4t(1 + t)/d² for x < 0 (carrying 2**k
    # in m, like tanh(sp)) and 4t²(1 + t)/d² for x >= 0.
    d2 = ext.mul(d, d)
    one_plus_t = ext.add(_ONE, t)
    lower_factor = ext.mul(m, one_plus_t)
    upper_factor = ext.mul(ext.mul(t, t), one_plus_t)
    negative = x < 0
    factor = (np.where(negative, lower_factor[0], upper_factor[0]),
              np.where(negative, lower_factor[1], upper_factor[1]))
    s = ext.div(factor, d2)
    g = _round(ext.add(w, ext.mul_double(s, 4.0 * xc)))
    g = np.where(negative, ext.scale(g, k), np.where(x > _MISH_SATURATED, 1.0, g))
    return _near_root(x, g, _MISH_ROOT, _MISH_LEAD, _MISH_SERIES)


# --- identity --------------------------------------------------------------------------------


def identity(x: Array) -> Array:
    return x.copy()


def identity_grad(x: Array) -> Array:
    return _keep_nan(x, np.ones_like(x))


# --- over a vector ---------------------------------------------------------------------------

_LN2 = ext.pair(ext.LN2)


def _softmax_parts(x: Array, axis: int) -> tuple[Pair, Pair, NDArray[np.int64], Pair, Pair]:
    """(d, m, k, rest, total): d = x - max as a pair, e^d = m·2**k, for each entry the sum of the
    others' e^d, and the sum of all (>= 1, the maximum's term is exactly 1), as pairs.

    The sum is exact up to the low parts: with σ = 2**(⌈log2 n⌉ + 1) each term splits exactly into
    (σ + e) - σ, whose sum is exact, and a remainder below ulp(σ), summed in double. Relative to the
    total that leaves n²·log2(n)·2**-105: below 2**-57 for up to 10**6 entries.
    """
    top = np.max(x, axis=axis, keepdims=True)
    infinite_top = np.isposinf(top)
    # With +inf entries the limit treats them as equal and the finite ones as -inf.
    d_hi, d_lo = ext.two_sum(x, -np.where(infinite_top, 0.0, top))
    d_hi = np.where(infinite_top, np.where(x == top, 0.0, -np.inf), d_hi)
    d = (d_hi, np.where(np.isfinite(d_lo), d_lo, 0.0))
    m_hi, m_lo, k = ext.exp_split(*d)
    e_hi, e_lo = _scale_pair((m_hi, m_lo), k)
    sigma = 2.0 ** ((x.shape[axis] - 1).bit_length() + 1)  # 2**(⌈log2 n⌉ + 1)
    coarse = (sigma + e_hi) - sigma
    total = (np.sum(coarse, axis=axis, keepdims=True),
             np.sum((e_hi - coarse) + e_lo, axis=axis, keepdims=True))
    # total - e is exact in its high part for the maximum (1 = its coarse part) and cannot cancel
    # for the others, each at most half the total.
    rest = ext.add(total, (-e_hi, -e_lo))
    return d, (m_hi, m_lo), k, rest, total


def softmax(x: Array, axis: int) -> Array:
    _, m, k, _, total = _softmax_parts(x, axis)
    return ext.scale(_round(ext.div(m, total)), k)


def softmax_grad(x: Array, axis: int) -> Array:
    _, m, k, rest, total = _softmax_parts(x, axis)
    return ext.scale(_round(ext.mul(ext.div(m, total), ext.div(rest, total))), k)


def log_softmax(x: Array, axis: int) -> Array:
    d, _, _, _, total = _softmax_parts(x, axis)
    # log(total) = j·ln 2 + log1p(f - 1) with total = 2**j·f, 1 <= f < 2; f - 1 is exact.
    half_f, exponent = np.frexp(total[0])
    j = (exponent - 1).astype(np.float64)
    f_minus_1 = (2.0 * half_f - 1.0, np.ldexp(total[1], 1 - exponent))
    log_total = ext.add(ext.mul_double(_LN2, j), ext.log1p(f_minus_1))
    return _round(ext.add(d, (-log_total[0], -log_total[1])))


def log_softmax_grad(x: Array, axis: int) -> Array:
    _, _, _, rest, total = _softmax_parts(x, axis)
    return _round(ext.div(rest, total))
