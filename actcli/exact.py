"""Every activation and derivative in arbitrary precision (mpmath, imported only here), for the
two places where a double is not enough: deciding on which side of a rounding boundary of a
narrow format an exact result lies (actcli.compute), and measuring another implementation's
float64 errors in ULPs at the exact value (``actcli check``).

Each ``<name>`` / ``<name>_grad`` returns the value as exact rationals (Fractions: the
piecewise-rational functions) or as a sum of terms whose first ones are exact and whose last one,
an mpf, carries what a double cannot: x − tanh x = x − 1 + 2/(e^{2x} + 1). Sums are formed exactly
(Python integers), so the tail of 2125 + 2e^{−4252} is never lost, and evaluation repeats at a
rising precision until two agree (Ziv's strategy): cancellation costs precision, not
correctness. Inputs and parameters are the exact binary numbers they are; constants of a
definition (SELU's λ and α, 0.044715) are the decimals of its paper. At a kink the derivative is
the one-sided value of the branch the formula takes; callers use the registry's conventions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeAlias

import mpmath
from mpmath import mp, mpf

from actcli.constants import SELU_ALPHA_DIGITS, SELU_SCALE_DIGITS

if TYPE_CHECKING:
    from actcli.registry import Activation

PRECISIONS = (96, 192, 384, 768, 1536, 3072, 6144, 12288)  # bits, tried in turn
# mpmath's working precision is one global, and CSV chunks are computed in two threads: one
# evaluation at a time, or each runs at the other's precision (or at 53 bits, restored under it).
_ONE_AT_A_TIME = threading.RLock()
# Terms beyond 2**±FAR (e^-(10^300)) are far outside every format and beside every other term
# (inputs, parameters and boundaries are doubles): they are summed as ±2**±FAR, keeping their sign.
FAR = 2**16
Number: TypeAlias = Any  # a Fraction or an mpf (mpmath is untyped)
Terms: TypeAlias = Any  # a Number, or a tuple of Numbers whose exact sum is the value

F = Fraction  # exact rationals: inputs and parameters are binary fractions


def _mp(q: Any) -> mpf:
    """A rational (or an mpf) as an mpf at the working precision: binary fractions exactly."""
    return mpf(q.numerator) / q.denominator if isinstance(q, Fraction) else mpf(q)


def _sign(x: Any) -> int:
    return int(x > 0) - int(x < 0)


def _sigmoid(t: mpf) -> mpf:
    return 1 / (1 + mp.exp(-t))


def _softplus(t: mpf) -> mpf:
    return t + mp.log1p(mp.exp(-t)) if t > 0 else mp.log1p(mp.exp(t))


def _above_one(t: mpf) -> tuple[Number, mpf]:
    """σ(t) = 1 − σ(−t) for t >= 0, as terms."""
    return F(1), -_sigmoid(-t)


def _clip(x: Fraction, low: Any, high: Any) -> Fraction:
    return min(max(x, F(low)), F(high))


def _inside(x: Fraction, low: Any, high: Any) -> Fraction:
    return F(1) if F(low) < x < F(high) else F(0)


# --- rectifiers, shrink, piecewise: exact rationals ----------------------------------------------


def relu(x: Fraction) -> Terms:
    return max(x, F(0))


def relu_grad(x: Fraction) -> Terms:
    return F(x > 0)


def relu6(x: Fraction) -> Terms:
    return _clip(x, 0, 6)


def relu6_grad(x: Fraction) -> Terms:
    return _inside(x, 0, 6)


def leaky_relu(x: Fraction, negative_slope: float) -> Terms:
    return x if x > 0 else F(negative_slope) * x


def leaky_relu_grad(x: Fraction, negative_slope: float) -> Terms:
    return F(1) if x > 0 else F(negative_slope)


def prelu(x: Fraction, weight: float) -> Terms:
    return leaky_relu(x, weight)


def prelu_grad(x: Fraction, weight: float) -> Terms:
    return leaky_relu_grad(x, weight)


def rrelu(x: Fraction, lower: float, upper: float) -> Terms:
    return x if x > 0 else (F(lower) + F(upper)) / 2 * x


def rrelu_grad(x: Fraction, lower: float, upper: float) -> Terms:
    return F(1) if x > 0 else (F(lower) + F(upper)) / 2


def threshold(x: Fraction, threshold: float, value: float) -> Terms:
    return x if x > F(threshold) else F(value)


def threshold_grad(x: Fraction, threshold: float, value: float) -> Terms:
    return F(x > F(threshold))


def hardtanh(x: Fraction, min_val: float, max_val: float) -> Terms:
    return _clip(x, min_val, max_val)


def hardtanh_grad(x: Fraction, min_val: float, max_val: float) -> Terms:
    return _inside(x, min_val, max_val)


def sparse_plus(x: Fraction) -> Terms:
    return F(0) if x <= -1 else x if x >= 1 else (x + 1) ** 2 / 4


def sparse_plus_grad(x: Fraction) -> Terms:
    return F(0) if x <= -1 else F(1) if x >= 1 else (x + 1) / 2


def hard_sigmoid(x: Fraction) -> Terms:
    return _clip(x / 6 + F(1, 2), 0, 1)


def hard_sigmoid_grad(x: Fraction) -> Terms:
    return _inside(x, -3, 3) / 6


def sparse_sigmoid(x: Fraction) -> Terms:
    return _clip((x + 1) / 2, 0, 1)


def sparse_sigmoid_grad(x: Fraction) -> Terms:
    return _inside(x, -1, 1) / 2


def softsign(x: Fraction) -> Terms:
    return x / (1 + abs(x))


def softsign_grad(x: Fraction) -> Terms:
    return 1 / (1 + abs(x)) ** 2


def hardshrink(x: Fraction, lambd: float) -> Terms:
    return x if abs(x) > F(lambd) else F(0)


def hardshrink_grad(x: Fraction, lambd: float) -> Terms:
    return F(abs(x) > F(lambd))


def softshrink(x: Fraction, lambd: float) -> Terms:
    return x - F(lambd) if x > F(lambd) else x + F(lambd) if x < -F(lambd) else F(0)


def softshrink_grad(x: Fraction, lambd: float) -> Terms:
    return F(abs(x) > F(lambd))


def hardswish(x: Fraction) -> Terms:
    return F(0) if x <= -3 else x if x >= 3 else x * (x + 3) / 6


def hardswish_grad(x: Fraction) -> Terms:
    return F(0) if x < -3 else F(1) if x > 3 else (2 * x + 3) / 6


def identity(x: Fraction) -> Terms:
    return x


def identity_grad(x: Fraction) -> Terms:
    return F(1)


# --- exponential and sigmoidal: an exact main part and an mpf tail ------------------------------


def _expm1_terms(scale: Fraction, t: Fraction) -> Terms:
    """scale·(eᵗ − 1) for t <= 0: expm1 itself near 0, else −scale and the exponential apart."""
    return _mp(scale) * mp.expm1(_mp(t)) if t > -1 else (-scale, _mp(scale) * mp.exp(_mp(t)))


def elu(x: Fraction, alpha: float) -> Terms:
    return x if x > 0 else _expm1_terms(F(alpha), x)


def elu_grad(x: Fraction, alpha: float) -> Terms:
    return F(1) if x > 0 else F(alpha) * mp.exp(_mp(x))


def _selu_constants() -> tuple[Fraction, Fraction]:
    return F(SELU_SCALE_DIGITS), F(SELU_ALPHA_DIGITS)


def selu(x: Fraction) -> Terms:
    scale, alpha = _selu_constants()
    return scale * x if x > 0 else _expm1_terms(scale * alpha, x)


def selu_grad(x: Fraction) -> Terms:
    scale, alpha = _selu_constants()
    return scale if x > 0 else _mp(scale * alpha) * mp.exp(_mp(x))


def celu(x: Fraction, alpha: float) -> Terms:
    return x if x > 0 else _expm1_terms(F(alpha), x / F(alpha))


def celu_grad(x: Fraction, alpha: float) -> Terms:
    return F(1) if x > 0 else mp.exp(_mp(x / F(alpha)))


def softplus(x: Fraction, beta: float, threshold: float | None) -> Terms:
    t = F(beta) * x
    if threshold is not None and t > F(threshold):
        return x
    return (x, mp.log1p(mp.exp(-_mp(t))) / F(beta)) if t > 0 else mp.log1p(mp.exp(_mp(t))) / F(beta)


def softplus_grad(x: Fraction, beta: float, threshold: float | None) -> Terms:
    t = F(beta) * x
    if threshold is not None and t > F(threshold):
        return F(1)
    return _above_one(_mp(t)) if t >= 0 else _sigmoid(_mp(t))


def squareplus(x: Fraction, b: float) -> Terms:
    r, x_ = mp.sqrt(_mp(x * x + F(b))), _mp(x)
    return (x, _mp(F(b)) / (2 * (r + x_))) if x >= 0 else _mp(F(b)) / (2 * (r - x_))


def squareplus_grad(x: Fraction, b: float) -> Terms:
    r, x_ = mp.sqrt(_mp(x * x + F(b))), _mp(x)
    return (F(1), -_mp(F(b)) / (2 * r * (r + x_))) if x >= 0 else _mp(F(b)) / (2 * r * (r - x_))


def exponential(x: Fraction) -> Terms:
    return mp.exp(_mp(x))


def exponential_grad(x: Fraction) -> Terms:
    return mp.exp(_mp(x))


def sigmoid(x: Fraction) -> Terms:
    return _above_one(_mp(x)) if x >= 0 else _sigmoid(_mp(x))


def sigmoid_grad(x: Fraction) -> Terms:
    return _sigmoid(_mp(x)) * _sigmoid(-_mp(x))


def log_sigmoid(x: Fraction) -> Terms:
    return -mp.log1p(mp.exp(-_mp(x))) if x >= 0 else (x, -mp.log1p(mp.exp(_mp(x))))


def log_sigmoid_grad(x: Fraction) -> Terms:
    return _sigmoid(-_mp(x)) if x >= 0 else _above_one(-_mp(x))


def tanh(x: Fraction) -> Terms:
    s = _sign(x)
    if abs(x) < 1:
        return mp.tanh(_mp(x)) if s else F(0)
    return F(s), -s * 2 / (mp.exp(2 * abs(_mp(x))) + 1)


def tanh_grad(x: Fraction) -> Terms:
    return mp.sech(_mp(x)) ** 2


def tanhshrink(x: Fraction) -> Terms:
    s = _sign(x)
    if abs(x) < 1:  # x − tanh x = x³/3 − ...: three times the bits x lies below 1 cancel
        with mp.extraprec(3 * max(0, -x.numerator.bit_length() + x.denominator.bit_length()) + 8):
            return _mp(x) - mp.tanh(_mp(x)) if s else F(0)
    return x, -F(s), s * 2 / (mp.exp(2 * abs(_mp(x))) + 1)


def tanhshrink_grad(x: Fraction) -> Terms:
    if abs(x) < 1:  # tanh² itself: 1 − sech² would cancel all the bits x lies below 1, twice
        return mp.tanh(_mp(x)) ** 2
    return F(1), -mp.sech(_mp(x)) ** 2


def _gelu_tanh_parts(x: Fraction) -> tuple[mpf, mpf]:
    """(2u, d(2u)/dx) of u = √(2/π)(x + 0.044715x³)."""
    c, k = mp.sqrt(2 / mp.pi), F("0.044715")
    return 2 * c * _mp(x + k * x**3), 2 * c * _mp(1 + 3 * k * x**2)


def normal_cdf(x: mpf) -> mpf:
    """Φ(x), the standard normal CDF, for any x (explain shows it for GELU)."""
    tail = _normal_tail(x)
    return 1 - tail if x >= 0 else tail


def _normal_tail(x: mpf) -> mpf:
    """Φ(−|x|); beyond 10^6 by the first terms of its asymptotic series (mpmath's erfc
    overflows there), relatively exact to 10^-23 where the value is e^-(5·10^11) anyway."""
    z = abs(x)
    if z > 10**6:
        return mp.npdf(z) / z * (1 - 1 / z**2)
    return mp.erfc(z / mp.sqrt(2)) / 2


def gelu(x: Fraction, approximate: str) -> Terms:
    if approximate == "tanh":  # x·σ(2u)
        v = _gelu_tanh_parts(x)[0]
        return (x, -_mp(x) * _sigmoid(-v)) if x >= 0 else _mp(x) * _sigmoid(v)
    tail = _normal_tail(_mp(x))
    return (x, -_mp(x) * tail) if x >= 0 else _mp(x) * tail


def gelu_grad(x: Fraction, approximate: str) -> Terms:
    if approximate == "tanh":  # σ(2u) + x·σ(2u)σ(−2u)·d(2u)/dx
        v, dv = _gelu_tanh_parts(x)
        bend = _mp(x) * _sigmoid(v) * _sigmoid(-v) * dv
        return (F(1), -_sigmoid(-v), bend) if v >= 0 else _sigmoid(v) + bend
    tail, density = _normal_tail(_mp(x)), _mp(x) * mp.npdf(_mp(x))
    return (F(1), -tail, density) if x >= 0 else (tail, density)


def silu(x: Fraction) -> Terms:
    return (x, -_mp(x) * _sigmoid(-_mp(x))) if x >= 0 else _mp(x) * _sigmoid(_mp(x))


def silu_grad(x: Fraction) -> Terms:
    s, r = _sigmoid(_mp(x)), _sigmoid(-_mp(x))
    return (F(1), -r, _mp(x) * s * r) if x >= 0 else s * (1 + _mp(x) * r)


def mish(x: Fraction) -> Terms:
    if x < 0:
        return _mp(x) * mp.tanh(_softplus(_mp(x)))
    # tanh(softplus(x)) = 1 − 2/((1 + eˣ)² + 1)
    return x, -2 * _mp(x) / ((1 + mp.exp(_mp(x))) ** 2 + 1)


def mish_grad(x: Fraction) -> Terms:
    sp = _softplus(_mp(x))
    bend = _mp(x) * mp.sech(sp) ** 2 * _sigmoid(_mp(x))
    if x < 0:  # tanh(sp) is small there: no 1 − (1 − tanh sp) to lose it in
        return mp.tanh(sp) + bend
    return F(1), -2 / ((1 + mp.exp(_mp(x))) ** 2 + 1), bend


# --- over a vector -----------------------------------------------------------------------------


def _others(xs: Sequence[Fraction], i: int) -> mpf:
    """Σ_{j≠i} e^(x_j − x_i)."""
    return mpmath.fsum(mp.exp(_mp(v - xs[i])) for j, v in enumerate(xs) if j != i)


def softmax(xs: Sequence[Fraction], i: int) -> Terms:
    rest = _others(xs, i)
    return F(1), -rest / (1 + rest)


def softmax_grad(xs: Sequence[Fraction], i: int) -> Terms:
    rest = _others(xs, i)
    return rest / (1 + rest) ** 2


def log_softmax(xs: Sequence[Fraction], i: int) -> Terms:
    return -mp.log1p(_others(xs, i))


def log_softmax_grad(xs: Sequence[Fraction], i: int) -> Terms:
    rest = _others(xs, i)
    return rest / (1 + rest)


# --- evaluation ----------------------------------------------------------------------------------


def _rational(term: Number) -> Fraction:
    """An mpf (a binary number) as the exact fraction it is."""
    if isinstance(term, Fraction):
        return term
    sign, mantissa, exponent, bits = term._mpf_  # mpmath's own (sign, mantissa, exponent, bits)
    top = int(exponent) + int(bits)
    if not mantissa:
        return F(0)
    if abs(top) > FAR:  # e^-(10^300): only its sign can matter beside the other terms
        magnitude = F(2) ** FAR if top > 0 else F(1, 2**FAR)
    else:
        magnitude = F(int(mantissa)) * F(2) ** int(exponent)
    return -magnitude if sign else magnitude


def _evaluations(act: Activation, x: Any, params: dict[str, Any], derivative: bool,
                 position: int | None, shift: float | Fraction = 0.0) -> Iterator[Fraction | None]:
    """The value at ``x`` (for softmax, entry ``position`` of the vector ``x``) minus ``shift``,
    exactly summed, at each of PRECISIONS in turn (once, when it is exact); None where the value
    is not finite."""
    formula: Callable[..., Terms] = globals()[act.name + ("_grad" if derivative else "")]
    arguments = {k: v for k, v in params.items() if k != "axis"}
    for bits in PRECISIONS:
        with mp.workprec(bits):
            point = F(float(x)) if position is None else [F(float(v)) for v in x]
            result = formula(point, **arguments) if position is None else (
                formula(point, position, **arguments))
        terms = result if isinstance(result, tuple) else (result,)
        if any(isinstance(t, mpf) and not mpmath.isfinite(t) for t in terms):
            yield None
            return
        yield sum((_rational(t) for t in terms), -F(shift))
        if all(isinstance(t, Fraction) for t in terms):
            return


def value(act: Activation, x: Any, params: dict[str, Any], derivative: bool,
          position: int | None = None) -> Fraction | None:
    """The exact value (or derivative), to about 90 bits at the least (two evaluations agree,
    and are not zero, which a cancellation at too low a precision gives), or exact; None where
    it is not finite. Values beyond 2**±65536 are right in sign only."""
    previous = None
    with _ONE_AT_A_TIME:
        for result in _evaluations(act, x, params, derivative, position):
            settled = previous is not None and result and abs(result - previous) <= abs(result) / 2**90
            if result is None or settled:
                return result
            previous = result
    return previous


def side(act: Activation, x: Any, params: dict[str, Any], derivative: bool, boundary: float | Fraction,
         position: int | None = None) -> int:
    """The sign of (exact value - ``boundary``), 0 when they are equal: the precision rises
    until two evaluations agree on where the value lies (an exact one is evaluated once)."""
    with _ONE_AT_A_TIME:
        distances = _evaluations(act, x, params, derivative, position, boundary)
        previous = next(distances)
        for distance in distances:
            if distance is None or previous is None:
                return 0
            if 8 * abs(distance - previous) < abs(distance):
                return _sign(distance)
            previous = distance
    return _sign(previous) if previous is not None else 0
