"""Independent high-precision reference for the activation functions (test oracle).

This module is the test suite's source of truth.  It is written from the
mathematical definitions only and deliberately shares no code with the NumPy
implementation under test.  Every result is the exact mathematical value of
the function (or of its first derivative) at exactly the given binary input,
correct to at least 40 significant digits, computed with mpmath.

Precision strategy
------------------
* Inputs and float parameters are converted to mpf exactly; constants that
  belong to a function's definition (SELU's scale and alpha, GELU-tanh's
  0.044715 and sqrt(2/pi), 1/6, 1/sqrt(2), ...) are real numbers evaluated at
  the working precision.
* Piecewise-polynomial and rational functions (relu, hardswish, softsign,
  squareplus, ...) use exact mpf additions and multiplications
  (``exact=True``) and at most a few correctly rounded divisions or square
  roots at ``_WORK_DPS`` digits; squareplus uses cancellation-free forms.
  They are evaluated once.
* Every function involving exp, log, tanh or erfc is written in a
  cancellation-free form where one exists (expm1/log1p, sigmoid and softplus
  split by sign, sech^2 and mish's tanh(softplus) as rational functions of a
  single exponential, the Gaussian tail by its asymptotic series) and is then
  evaluated twice, at ``d`` and ``d + _GUARD_DPS`` digits.  The
  higher-precision result is returned once the two agree to 40 significant
  digits; otherwise ``d`` is doubled and the evaluation repeated.  The
  starting ``d`` is ``_BASE_DPS`` plus an a-priori estimate of the digits
  lost for this input (tanhshrink near 0; the rounded exponent arguments of
  celu', GELU and GELU-tanh for large |x|), so in practice the doubling loop
  only runs near interior zeros (silu', mish', gelu' near x = -1.28, -1.19,
  -0.75), where at most ~17 digits cancel for float inputs.
* Softmax and log_softmax subtract the maximum exactly, form
  1 - s_i as a sum of the other exponentials (prefix and suffix sums) and the
  log-normaliser as log1p of the non-maximal terms, so every operation is well
  conditioned; they are evaluated once at ``_WORK_DPS`` digits.

Results are mpf numbers (mpmath has no signed zero, so zeros are plain 0);
nan inputs give nan, +-inf inputs give the mathematical limit, and
``derivative`` raises ``ValueError("kink")`` exactly at points of
non-differentiability.  ``ulp_error`` measures a float result against such a
reference value in units in the last place of a given IEEE format.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import mpmath
import numpy
from mpmath import mpf

__all__ = [
    "NAMES",
    "VECTOR_NAMES",
    "derivative",
    "ulp_error",
    "value",
    "vector_derivative",
    "vector_value",
]

ParamValue = mpf | str | None
Params = Mapping[str, ParamValue]
Formula = Callable[[mpf, Params], mpf]

_BASE_DPS = 50          # starting precision (decimal digits) of the checked evaluation
_GUARD_DPS = 20         # extra digits of the second, confirming evaluation
_AGREE_BITS = 136       # agreement required between the two evaluations (> 40 digits)
_MAX_DPS = 200_000      # give up beyond this precision (never reached for float inputs)
_WORK_DPS = 70          # precision of the single-pass (well-conditioned) formulas
_ULP_PREC = 256         # bits used to form |computed - exact| in ulp_error
_GAUSS_TAIL = mpf(65536)  # for x < -_GAUSS_TAIL, Phi(x) uses the asymptotic series

_NAN = mpf("nan")
_INF = mpf("inf")
_NINF = mpf("-inf")
_ZERO = mpf(0)
_ONE = mpf(1)

_CONSTANTS: dict[str, Callable[[], mpf]] = {
    "selu_scale": lambda: mpf("1.0507009873554804934193349852946"),
    "selu_alpha": lambda: mpf("1.6732632423543772848170429916717"),
    "gelu_cubic": lambda: mpf(44715) / 1000000,
    "sqrt_8_over_pi": lambda: mpmath.sqrt(8 / mpmath.pi),
    "sqrt_2": lambda: mpmath.sqrt(2),
    "sqrt_2pi": lambda: mpmath.sqrt(2 * mpmath.pi),
}


@functools.cache
def _constant_at(name: str, prec: int) -> mpf:
    with mpmath.workprec(prec):
        return _CONSTANTS[name]()


def _const(name: str) -> mpf:
    """A definition constant, rounded to the current working precision."""
    return _constant_at(name, mpmath.mp.prec)


# ---------------------------------------------------------------------------
# Building blocks (evaluated in the current mpmath context)
# ---------------------------------------------------------------------------

def _add(a: mpf, b: mpf) -> mpf:
    """Exact sum."""
    return mpmath.fadd(a, b, exact=True)


def _mul(a: mpf, b: mpf) -> mpf:
    """Exact product."""
    return mpmath.fmul(a, b, exact=True)


def _sigmoid(t: mpf) -> mpf:
    """1 / (1 + e^-t) without overflow or cancellation."""
    if t >= 0:
        return 1 / (1 + mpmath.exp(-t))
    e = mpmath.exp(t)
    return e / (1 + e)


def _sigmoid_prime(t: mpf) -> mpf:
    """sigma(t) sigma(-t) = e^-|t| / (1 + e^-|t|)^2."""
    e = mpmath.exp(-abs(t))
    return e / (1 + e) ** 2


def _softplus(t: mpf) -> mpf:
    """log(1 + e^t), split by sign so that no term cancels."""
    if t > 0:
        return t + mpmath.log1p(mpmath.exp(-t))
    return mpmath.log1p(mpmath.exp(t))


def _normal_pdf(x: mpf) -> mpf:
    """phi(x) with the exponent -x^2/2 formed exactly."""
    return mpmath.exp(-mpmath.ldexp(_mul(x, x), -1)) / _const("sqrt_2pi")


def _mills_ratio(a: mpf) -> mpf:
    """(1 - Phi(a)) / phi(a) for a > _GAUSS_TAIL by its asymptotic series.

    The series 1/a * sum_k (-1)^k (2k-1)!! / a^(2k) is alternating, its
    terms shrink by the factor (2k-1)/a^2 << 1 for every k needed here, and
    its error is below the first omitted term.
    """
    inv_a2 = 1 / (a * a)
    eps = mpmath.ldexp(_ONE, -mpmath.mp.prec - 10)
    total, term, k = _ZERO, _ONE, 0
    while abs(term) > eps:
        total += term
        k += 1
        term *= -(2 * k - 1) * inv_a2
    return total / a


def _normal_cdf(x: mpf) -> mpf:
    """Phi(x) = erfc(-x / sqrt 2) / 2, via the tail series for x << 0."""
    if x < -_GAUSS_TAIL:
        return _normal_pdf(x) * _mills_ratio(-x)
    return mpmath.erfc(-x / _const("sqrt_2")) / 2


def _decimal_digits(bits: int) -> int:
    """Decimal digits spanned by a binary exponent range of ``bits`` (>= 0)."""
    return int(bits * 0.30103) + 1 if bits > 0 else 0


def _magnitude_bits(x: mpf) -> int:
    """An upper bound for max(0, log2|x|), x finite."""
    return max(0, int(mpmath.mag(x))) if x else 0


# ---------------------------------------------------------------------------
# Function table
# ---------------------------------------------------------------------------

Limits = tuple[mpf, mpf, mpf, mpf]


def _no_kinks(_: Params) -> tuple[mpf, ...]:
    return ()


def _no_extra(_x: mpf, _p: Params, _derivative: bool) -> int:
    return 0


@dataclass(frozen=True)
class _Activation:
    """An elementwise activation.

    value, derivative: formulas for finite x in the current mpmath context.
    limits: (f(-inf), f(+inf), f'(-inf), f'(+inf)).
    kinks: points where f is not differentiable.
    checked: evaluate by the two-precision agreement loop (transcendental
        formulas); otherwise evaluate once at _WORK_DPS (exact or
        well-conditioned rational formulas).
    extra_digits: a-priori estimate of digits lost at x (checked only).
    """

    value: Formula
    derivative: Formula
    limits: Callable[[Params], Limits]
    defaults: Mapping[str, ParamValue] = field(default_factory=dict)
    kinks: Callable[[Params], tuple[mpf, ...]] = _no_kinks
    checked: bool = False
    extra_digits: Callable[[mpf, Params, bool], int] = _no_extra


def _times_inf(scale: mpf, sign: int) -> mpf:
    """scale * (sign * inf), with 0 * inf = 0 (the limit of a zero slope)."""
    if not scale:
        return _ZERO
    return _INF if (scale > 0) == (sign > 0) else _NINF


def _fixed(v_minus: int | str, v_plus: int | str,
           d_minus: int | str, d_plus: int | str) -> Callable[[Params], Limits]:
    """Parameter-independent limits (f(-inf), f(+inf), f'(-inf), f'(+inf))."""
    limits: Limits = (mpf(v_minus), mpf(v_plus), mpf(d_minus), mpf(d_plus))
    return lambda _p: limits


def _leaky(slope: Callable[[Params], mpf], defaults: Mapping[str, ParamValue]) -> _Activation:
    """x for x > 0, slope * x for x <= 0 (leaky_relu, prelu, rrelu)."""
    return _Activation(
        value=lambda x, p: x if x > 0 else _mul(slope(p), x),
        derivative=lambda x, p: _ONE if x > 0 else slope(p),
        limits=lambda p: (_times_inf(slope(p), -1), _INF, slope(p), _ONE),
        defaults=defaults,
        kinks=lambda p: () if slope(p) == 1 else (_ZERO,),
    )


def _rrelu_slope(p: Params) -> mpf:
    return mpmath.ldexp(_add(p["lower"], p["upper"]), -1)


# relu / relu6 / thresholds -------------------------------------------------

_RELU = _Activation(
    value=lambda x, p: x if x > 0 else _ZERO,
    derivative=lambda x, p: _ONE if x > 0 else _ZERO,
    limits=_fixed(0, "inf", 0, 1),
    kinks=lambda p: (_ZERO,),
)

_RELU6 = _Activation(
    value=lambda x, p: _ZERO if x <= 0 else (mpf(6) if x >= 6 else x),
    derivative=lambda x, p: _ONE if 0 < x < 6 else _ZERO,
    limits=_fixed(0, 6, 0, 0),
    kinks=lambda p: (_ZERO, mpf(6)),
)

_THRESHOLD = _Activation(
    value=lambda x, p: x if x > p["threshold"] else p["value"],
    derivative=lambda x, p: _ONE if x > p["threshold"] else _ZERO,
    limits=lambda p: (p["value"], _INF, _ZERO, _ONE),
    defaults={"threshold": 0.0, "value": 0.0},
    kinks=lambda p: (p["threshold"],),
)

_HARDTANH = _Activation(
    value=lambda x, p: min(max(x, p["min_val"]), p["max_val"]),
    derivative=lambda x, p: _ONE if p["min_val"] < x < p["max_val"] else _ZERO,
    limits=lambda p: (p["min_val"], p["max_val"], _ZERO, _ZERO),
    defaults={"min_val": -1.0, "max_val": 1.0},
    kinks=lambda p: (p["min_val"], p["max_val"]),
)


# exponential family ----------------------------------------------------------

def _selu_value(x: mpf, _: Params) -> mpf:
    if x > 0:
        return _const("selu_scale") * x
    return _const("selu_scale") * _const("selu_alpha") * mpmath.expm1(x)


def _selu_derivative(x: mpf, _: Params) -> mpf:
    if x > 0:
        return _const("selu_scale")
    return _const("selu_scale") * _const("selu_alpha") * mpmath.exp(x)


def _selu_limits(_: Params) -> Limits:
    scale, alpha = _const("selu_scale"), _const("selu_alpha")
    return (-scale * alpha, _INF, _ZERO, scale)


def _celu_extra(x: mpf, p: Params, derivative: bool) -> int:
    # exp(x / alpha): a rounded quotient is amplified by |x / alpha|; the
    # quotient is exact when alpha is a power of two.
    alpha = p["alpha"]
    if not derivative or not x or mpmath.frexp(alpha)[0] in (0.5, -0.5):
        return 0
    return _decimal_digits(int(mpmath.mag(x)) - int(mpmath.mag(alpha)) + 1)


def _softplus_value(x: mpf, p: Params) -> mpf:
    t = _mul(p["beta"], x)
    if p["threshold"] is not None and t > p["threshold"]:
        return x
    return _softplus(t) / p["beta"]


def _softplus_derivative(x: mpf, p: Params) -> mpf:
    t = _mul(p["beta"], x)
    if p["threshold"] is not None and t > p["threshold"]:
        return _ONE
    return _sigmoid(t)


def _softplus_limits(p: Params) -> Limits:
    # beta * x -> +inf gives f ~ x, f' -> 1; beta * x -> -inf gives f, f' -> 0.
    if p["beta"] > 0:
        return (_ZERO, _INF, _ZERO, _ONE)
    return (_NINF, _ZERO, _ONE, _ZERO)


def _sparse_plus_value(x: mpf, _: Params) -> mpf:
    if x <= -1:
        return _ZERO
    if x >= 1:
        return x
    s = _add(x, _ONE)
    return mpmath.ldexp(_mul(s, s), -2)


def _sparse_plus_derivative(x: mpf, _: Params) -> mpf:
    if x <= -1:
        return _ZERO
    if x >= 1:
        return _ONE
    return mpmath.ldexp(_add(x, _ONE), -1)


def _squareplus_root(x: mpf, p: Params) -> mpf:
    return mpmath.sqrt(_add(_mul(x, x), p["b"]))


def _squareplus_value(x: mpf, p: Params) -> mpf:
    s = _squareplus_root(x, p)
    if x >= 0:
        return (x + s) / 2
    return p["b"] / (2 * (s - x))          # (x + s)/2 = b / (2 (s - x))


def _squareplus_derivative(x: mpf, p: Params) -> mpf:
    s = _squareplus_root(x, p)
    if x >= 0:
        return (s + x) / (2 * s)
    return p["b"] / (2 * s * (s - x))      # (s + x)/(2 s) = b / (2 s (s - x))


# sigmoidal -------------------------------------------------------------------

def _tanh_derivative(x: mpf, _: Params) -> mpf:
    e = mpmath.exp(-mpmath.ldexp(abs(x), 1))   # sech^2 x = 4 e / (1 + e)^2, e = e^-2|x|
    return 4 * e / (1 + e) ** 2


def _tanhshrink_extra(x: mpf, _: Params, derivative: bool) -> int:
    # x - tanh x ~ x^3 / 3 loses about 2 log10(1/|x|) digits for |x| < 1.
    if derivative or not x:
        return 0
    return _decimal_digits(-2 * int(mpmath.mag(x)) + 2)


def _softsign_value(x: mpf, _: Params) -> mpf:
    return x / _add(abs(x), _ONE)


def _softsign_derivative(x: mpf, _: Params) -> mpf:
    d = _add(abs(x), _ONE)
    return 1 / _mul(d, d)


def _hard_sigmoid_value(x: mpf, _: Params) -> mpf:
    if x <= -3:
        return _ZERO
    if x >= 3:
        return _ONE
    return _add(x, mpf(3)) / 6


def _sparse_sigmoid_value(x: mpf, _: Params) -> mpf:
    if x <= -1:
        return _ZERO
    if x >= 1:
        return _ONE
    return mpmath.ldexp(_add(x, _ONE), -1)


# shrink ------------------------------------------------------------------------

def _softshrink_value(x: mpf, p: Params) -> mpf:
    if x > p["lambd"]:
        return mpmath.fsub(x, p["lambd"], exact=True)
    if x < -p["lambd"]:
        return _add(x, p["lambd"])
    return _ZERO


def _shrink_derivative(x: mpf, p: Params) -> mpf:
    return _ONE if abs(x) > p["lambd"] else _ZERO


def _shrink_kinks(p: Params) -> tuple[mpf, ...]:
    return (-p["lambd"], p["lambd"])


# gated -------------------------------------------------------------------------

def _gelu_tanh_argument(x: mpf) -> mpf:
    """z = 2 sqrt(2/pi) (x + 0.044715 x^3), so that 1 + tanh(z/2) = 2 sigma(z)."""
    return _const("sqrt_8_over_pi") * x * (1 + _const("gelu_cubic") * _mul(x, x))


def _gelu_value(x: mpf, p: Params) -> mpf:
    if p["approximate"] == "tanh":
        return x * _sigmoid(_gelu_tanh_argument(x))
    return x * _normal_cdf(x)


def _gelu_derivative(x: mpf, p: Params) -> mpf:
    if p["approximate"] == "tanh":
        z = _gelu_tanh_argument(x)
        dz = _const("sqrt_8_over_pi") * (1 + 3 * _const("gelu_cubic") * _mul(x, x))
        return _sigmoid(z) + x * dz * _sigmoid_prime(z)
    if x < -_GAUSS_TAIL:
        # Phi(x) + x phi(x) = phi(x) (R(|x|) - |x|), R the Mills ratio.
        return _normal_pdf(x) * (_mills_ratio(-x) + x)
    return _normal_cdf(x) + x * _normal_pdf(x)


def _gelu_extra(x: mpf, p: Params, _derivative: bool) -> int:
    # The exponent of the Gaussian / logistic tail is computed from a rounded
    # argument of size ~x^2 (erfc path) or ~x^3 (tanh form) when x << 0.
    if x >= -1:
        return 0
    bits = _magnitude_bits(x)
    if p["approximate"] == "tanh":
        return _decimal_digits(3 * bits) + 2
    return _decimal_digits(2 * bits) + 2 if x >= -_GAUSS_TAIL else 0


def _silu_value(x: mpf, _: Params) -> mpf:
    return x * _sigmoid(x)


def _silu_derivative(x: mpf, _: Params) -> mpf:
    # sigma(x) (1 + x sigma(-x)) as a rational function of e = e^-|x|.
    if x <= 0:
        e = mpmath.exp(x)
        return e * (1 + e + x) / (1 + e) ** 2
    e = mpmath.exp(-x)
    return (1 + e + x * e) / (1 + e) ** 2


def _mish_value(x: mpf, _: Params) -> mpf:
    # tanh(log(1 + e^x)) = n / (n + 2) with n = e^x (e^x + 2).
    if x <= 0:
        e = mpmath.exp(x)
        n = e * (e + 2)
        return x * n / (n + 2)
    e = mpmath.exp(-x)
    return x * (1 + 2 * e) / (1 + 2 * e + 2 * e * e)


def _mish_derivative(x: mpf, _: Params) -> mpf:
    # tanh(sp) + x sech^2(sp) sigma(x), sech^2(sp) = 4 (n + 1) / (n + 2)^2.
    if x <= 0:
        e = mpmath.exp(x)
        n = e * (e + 2)
        return n / (n + 2) + 4 * x * e * (1 + e) / (n + 2) ** 2
    e = mpmath.exp(-x)
    d = 1 + 2 * e + 2 * e * e
    return (1 + 2 * e) / d + 4 * x * e * e * (1 + e) / d ** 2


def _hardswish_value(x: mpf, _: Params) -> mpf:
    if x <= -3:
        return _ZERO
    if x >= 3:
        return x
    return _mul(x, _add(x, mpf(3))) / 6


def _hardswish_derivative(x: mpf, _: Params) -> mpf:
    if x < -3:
        return _ZERO
    if x > 3:
        return _ONE
    return _add(mpmath.ldexp(x, 1), mpf(3)) / 6


_ACTIVATIONS: dict[str, _Activation] = {
    "relu": _RELU,
    "relu6": _RELU6,
    "leaky_relu": _leaky(lambda p: p["negative_slope"], {"negative_slope": 0.01}),
    "prelu": _leaky(lambda p: p["weight"], {"weight": 0.25}),
    "rrelu": _leaky(_rrelu_slope, {"lower": 0.125, "upper": 1 / 3}),
    "threshold": _THRESHOLD,
    "hardtanh": _HARDTANH,
    "elu": _Activation(
        value=lambda x, p: x if x > 0 else p["alpha"] * mpmath.expm1(x),
        derivative=lambda x, p: _ONE if x > 0 else p["alpha"] * mpmath.exp(x),
        limits=lambda p: (-p["alpha"], _INF, _ZERO, _ONE),
        defaults={"alpha": 1.0},
        kinks=lambda p: () if p["alpha"] == 1 else (_ZERO,),
        checked=True,
    ),
    "selu": _Activation(
        value=_selu_value,
        derivative=_selu_derivative,
        limits=_selu_limits,
        kinks=lambda p: (_ZERO,),
        checked=True,
    ),
    "celu": _Activation(
        value=lambda x, p: x if x > 0 else p["alpha"] * mpmath.expm1(x / p["alpha"]),
        derivative=lambda x, p: _ONE if x > 0 else mpmath.exp(x / p["alpha"]),
        limits=lambda p: (-p["alpha"], _INF, _ZERO, _ONE),
        defaults={"alpha": 1.0},
        checked=True,
        extra_digits=_celu_extra,
    ),
    "softplus": _Activation(
        value=_softplus_value,
        derivative=_softplus_derivative,
        limits=_softplus_limits,
        defaults={"beta": 1.0, "threshold": None},
        checked=True,
    ),
    "sparse_plus": _Activation(
        value=_sparse_plus_value,
        derivative=_sparse_plus_derivative,
        limits=_fixed(0, "inf", 0, 1),
    ),
    "squareplus": _Activation(
        value=_squareplus_value,
        derivative=_squareplus_derivative,
        limits=_fixed(0, "inf", 0, 1),
        defaults={"b": 4.0},
    ),
    "exponential": _Activation(
        value=lambda x, p: mpmath.exp(x),
        derivative=lambda x, p: mpmath.exp(x),
        limits=_fixed(0, "inf", 0, "inf"),
        checked=True,
    ),
    "sigmoid": _Activation(
        value=lambda x, p: _sigmoid(x),
        derivative=lambda x, p: _sigmoid_prime(x),
        limits=_fixed(0, 1, 0, 0),
        checked=True,
    ),
    "log_sigmoid": _Activation(
        value=lambda x, p: -_softplus(-x),
        derivative=lambda x, p: _sigmoid(-x),
        limits=_fixed("-inf", 0, 1, 0),
        checked=True,
    ),
    "hard_sigmoid": _Activation(
        value=_hard_sigmoid_value,
        derivative=lambda x, p: 1 / mpf(6) if -3 < x < 3 else _ZERO,
        limits=_fixed(0, 1, 0, 0),
        kinks=lambda p: (mpf(-3), mpf(3)),
    ),
    "sparse_sigmoid": _Activation(
        value=_sparse_sigmoid_value,
        derivative=lambda x, p: mpf(0.5) if -1 < x < 1 else _ZERO,
        limits=_fixed(0, 1, 0, 0),
        kinks=lambda p: (-_ONE, _ONE),
    ),
    "tanh": _Activation(
        value=lambda x, p: mpmath.tanh(x),
        derivative=_tanh_derivative,
        limits=_fixed(-1, 1, 0, 0),
        checked=True,
    ),
    "softsign": _Activation(
        value=_softsign_value,
        derivative=_softsign_derivative,
        limits=_fixed(-1, 1, 0, 0),
    ),
    "tanhshrink": _Activation(
        value=lambda x, p: x - mpmath.tanh(x),
        derivative=lambda x, p: mpmath.tanh(x) ** 2,
        limits=_fixed("-inf", "inf", 1, 1),
        checked=True,
        extra_digits=_tanhshrink_extra,
    ),
    "hardshrink": _Activation(
        value=lambda x, p: x if abs(x) > p["lambd"] else _ZERO,
        derivative=_shrink_derivative,
        limits=_fixed("-inf", "inf", 1, 1),
        defaults={"lambd": 0.5},
        kinks=_shrink_kinks,
    ),
    "softshrink": _Activation(
        value=_softshrink_value,
        derivative=_shrink_derivative,
        limits=_fixed("-inf", "inf", 1, 1),
        defaults={"lambd": 0.5},
        kinks=_shrink_kinks,
    ),
    "gelu": _Activation(
        value=_gelu_value,
        derivative=_gelu_derivative,
        limits=_fixed(0, "inf", 0, 1),
        defaults={"approximate": "none"},
        checked=True,
        extra_digits=_gelu_extra,
    ),
    "silu": _Activation(
        value=_silu_value,
        derivative=_silu_derivative,
        limits=_fixed(0, "inf", 0, 1),
        checked=True,
    ),
    "hardswish": _Activation(
        value=_hardswish_value,
        derivative=_hardswish_derivative,
        limits=_fixed(0, "inf", 0, 1),
        kinks=lambda p: (mpf(-3), mpf(3)),
    ),
    "mish": _Activation(
        value=_mish_value,
        derivative=_mish_derivative,
        limits=_fixed(0, "inf", 0, 1),
        checked=True,
    ),
    "identity": _Activation(
        value=lambda x, p: x,
        derivative=lambda x, p: _ONE,
        limits=_fixed("-inf", "inf", 1, 1),
    ),
}

NAMES: tuple[str, ...] = tuple(_ACTIVATIONS)
VECTOR_NAMES: tuple[str, ...] = ("softmax", "log_softmax")


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------

def _exact(v: float | int) -> mpf:
    """Exact mpf of a Python/NumPy real (mpmathify does not round ints/floats)."""
    return mpmath.mpmathify(v if isinstance(v, int) else float(v))


def _parse_params(name: str, act: _Activation, given: Mapping[str, object]) -> dict[str, ParamValue]:
    unknown = set(given) - set(act.defaults)
    if unknown:
        raise TypeError(f"{name}: unexpected parameter(s) {sorted(unknown)}")
    params: dict[str, ParamValue] = {}
    for key, default in act.defaults.items():
        raw = given.get(key, default)
        if raw is None or isinstance(raw, str):
            params[key] = raw
        else:
            params[key] = _exact(raw)  # type: ignore[arg-type]
    if name == "gelu" and params["approximate"] not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {params['approximate']!r}")
    return params


def _agree(low: mpf, high: mpf) -> bool:
    """Whether two evaluations agree to _AGREE_BITS bits (current context)."""
    if low == high:
        return True
    if not high:
        return False
    return mpmath.mag(high - low) + _AGREE_BITS < mpmath.mag(high)


def _stable(formula: Formula, x: mpf, params: Params, dps: int) -> mpf:
    """Evaluate at dps and dps + _GUARD_DPS digits until both agree."""
    while dps <= _MAX_DPS:
        with mpmath.workdps(dps):
            low = formula(x, params)
        with mpmath.workdps(dps + _GUARD_DPS):
            high = formula(x, params)
            if _agree(low, high):
                return high
        dps *= 2
    raise ArithmeticError(f"no convergence up to {_MAX_DPS} digits at x = {x}")


def _evaluate(name: str, x: float, given: Mapping[str, object], derivative: bool) -> mpf:
    try:
        act = _ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r}") from None
    params = _parse_params(name, act, given)
    xm = _exact(x)
    if mpmath.isnan(xm):
        return _NAN
    formula = act.derivative if derivative else act.value
    with mpmath.workdps(_WORK_DPS):      # never round at the caller's precision
        if mpmath.isinf(xm):
            return act.limits(params)[2 * derivative + (xm > 0)]
        if derivative and any(xm == k for k in act.kinks(params)):
            raise ValueError("kink")
        if not act.checked:
            return formula(xm, params)
    return _stable(formula, xm, params, _BASE_DPS + act.extra_digits(xm, params, derivative))


def value(name: str, x: float, **params: object) -> mpf:
    """Exact f(x) of the elementwise activation ``name`` (>= 40 correct digits)."""
    return _evaluate(name, x, params, derivative=False)


def derivative(name: str, x: float, **params: object) -> mpf:
    """Exact f'(x); raises ValueError("kink") where f is not differentiable."""
    return _evaluate(name, x, params, derivative=True)


# ---------------------------------------------------------------------------
# Softmax / log_softmax
# ---------------------------------------------------------------------------

def _vector(name: str, xs: list[float], given: Mapping[str, object], derivative: bool) -> list[mpf]:
    if name not in VECTOR_NAMES:
        raise KeyError(f"unknown vector activation {name!r}")
    unknown = set(given) - {"axis"}
    if unknown:
        raise TypeError(f"{name}: unexpected parameter(s) {sorted(unknown)}")
    if not xs:
        raise ValueError(f"{name}: empty input")
    log = name == "log_softmax"
    with mpmath.workdps(_WORK_DPS):
        v = [_exact(x) for x in xs]
        n = len(v)
        if any(mpmath.isnan(t) for t in v):
            return [_NAN] * n

        top = [t == _INF for t in v]
        k = sum(top)
        if k:
            share = 1 / mpf(k)
            if log:
                if derivative:
                    return [1 - share if t else _ONE for t in top]
                return [-mpmath.log(k) if t else _NINF for t in top]
            if derivative:
                return [share * (1 - share) if t else _ZERO for t in top]
            return [share if t else _ZERO for t in top]

        finite = [not mpmath.isinf(t) for t in v]
        if not any(finite):
            return [_NAN] * n

        i_max = max((i for i in range(n) if finite[i]), key=lambda i: v[i])
        d = [mpmath.fsub(v[i], v[i_max], exact=True) if finite[i] else _NINF for i in range(n)]
        e = [mpmath.exp(t) if finite[i] else _ZERO for i, t in enumerate(d)]
        # others[i] = sum_{j != i} e_j (= Z - e_i without cancellation)
        prefix = [_ZERO] * n
        for i in range(1, n):
            prefix[i] = prefix[i - 1] + e[i - 1]
        others = [_ZERO] * n
        suffix = _ZERO
        for i in range(n - 1, -1, -1):
            others[i] = prefix[i] + suffix
            suffix += e[i]
        rest = others[i_max]          # Z = 1 + rest, since e[i_max] = 1
        z = 1 + rest

        out: list[mpf] = []
        for i in range(n):
            if not finite[i]:                       # a -inf entry
                out.append((_ONE if log else _ZERO) if derivative else (_NINF if log else _ZERO))
            elif log:
                out.append(others[i] / z if derivative else d[i] - mpmath.log1p(rest))
            else:
                out.append(e[i] * others[i] / (z * z) if derivative else e[i] / z)
        return out


def vector_value(name: str, xs: list[float], **params: object) -> list[mpf]:
    """Exact softmax / log_softmax of a 1-D vector (``axis`` is accepted and ignored)."""
    return _vector(name, xs, params, derivative=False)


def vector_derivative(name: str, xs: list[float], **params: object) -> list[mpf]:
    """Diagonal d out_i / d x_i of the Jacobian of softmax / log_softmax."""
    return _vector(name, xs, params, derivative=True)


# ---------------------------------------------------------------------------
# ULP error
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Format:
    precision: int      # significand bits including the implicit one
    emin: int           # exponent of the smallest normal number
    max: mpf            # largest finite value


_FORMATS: dict[numpy.dtype, _Format] = {
    numpy.dtype(t): _Format(
        precision=numpy.finfo(t).nmant + 1,
        emin=int(numpy.finfo(t).minexp),
        max=_exact(float(numpy.finfo(t).max)),
    )
    for t in (numpy.float64, numpy.float32, numpy.float16)
}


def ulp_error(computed: float, exact: mpf, dtype: object) -> float:
    """|computed - exact| in units of the ULP of ``exact`` in format ``dtype``.

    Subnormal spacing applies at and below the smallest normal; exact values
    beyond the largest finite number accept the correctly signed infinity or
    the largest finite number (error 0) and otherwise are measured against
    the largest finite number.  nan matches only nan, inf only the same inf.
    """
    fmt = _FORMATS[numpy.dtype(dtype)]  # type: ignore[call-overload]
    c = float(computed)
    with mpmath.workprec(_ULP_PREC):
        e = mpmath.mpmathify(exact)
        if mpmath.isnan(e):
            return 0.0 if math.isnan(c) else math.inf
        if math.isnan(c):
            return math.inf
        if mpmath.isinf(e):
            return 0.0 if c == e else math.inf
        if abs(e) > fmt.max:
            e = fmt.max if e > 0 else -fmt.max
            if c == e or (math.isinf(c) and (c > 0) == (e > 0)):
                return 0.0
        if math.isinf(c):
            return math.inf
        exponent = fmt.emin
        if e:
            exponent = max(mpmath.frexp(e)[1] - 1, fmt.emin)
        diff = abs(mpmath.fsub(c, e))
        return float(mpmath.ldexp(diff, fmt.precision - 1 - exponent))
