"""The registry: the one place an activation is described.

Every entry carries its names, parameters (PyTorch's names and defaults, with valid ranges and the
defaults other libraries use), formulas, kinks and reference. The math lives in :mod:`actcli.kernels`
under the entry's name (``<name>`` and ``<name>_grad``); this module stays free of NumPy so that
``--help``, ``list`` and shell completion start fast.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from actcli.constants import SELU_ALPHA_DIGITS, SELU_SCALE_DIGITS
from actcli.i18n import N_

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

KinkConvention = Literal["pytorch", "left", "right", "mean"]
KINK_CONVENTIONS: tuple[KinkConvention, ...] = ("pytorch", "left", "right", "mean")

SELU_SCALE = float(SELU_SCALE_DIGITS)
SELU_ALPHA = float(SELU_ALPHA_DIGITS)
SELU_SCALE_ALPHA = 1.7580993408473768  # the product, correctly rounded (not SCALE * ALPHA in floats)

ParamValue = float | int | str | None

# A number as users type it: 1, -10, .5, 1e-3, +2.5E+10, inf, -Infinity, nan; ASCII digits
# only (as in CSV cells). Stricter than float(), which also takes '1_000', '１' and surrounding
# text; surrounding spaces are tolerated because the command line protects negative numbers
# from option parsing with one. Parameters and values (actcli.inputs) are read with it.
NUMBER = re.compile(
    r"\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)\s*", re.IGNORECASE | re.ASCII
)


@dataclass(frozen=True)
class Param:
    """One parameter of an activation: name, default, and the set of valid values."""

    name: str
    default: ParamValue
    doc: str
    kind: Literal["real", "int", "choice"] = "real"
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False  # None ("none" on the command line) is a valid value
    tiniest: float = 0.0  # a nonzero value must be at least this large in magnitude

    @property
    def _interval(self) -> str:
        low = f"{'(' if self.low_open or self.low == -math.inf else '['}{_short(self.low)}"
        high = f"{_short(self.high)}{')' if self.high_open or self.high == math.inf else ']'}"
        if (self.low, self.high) == (-math.inf, math.inf):
            return N_("any finite number")
        if self.tiniest and self.low == -self.high:
            return N_(f"0 or ±[{_short(self.tiniest)}, {_short(self.high)}]")
        return f"{low}, {high}"

    @property
    def valid_range(self) -> str:
        """The valid values, as a user reads them: ``(0, inf)``, ``none or tanh``, ``any integer``."""
        if self.kind == "choice":
            return N_(f"{', '.join(self.choices[:-1])} or {self.choices[-1]}")
        if self.kind == "int":
            return N_("any integer")
        return N_(f"none or {self._interval}") if self.optional else self._interval

    def coerce(self, activation: str, value: Any) -> ParamValue:
        """Validate ``value`` (a number, or text from the command line) and return it typed."""
        if self.kind == "choice":
            text = str(value).strip().lower()
            if text in self.choices:
                return text
            raise self._error(activation, value)
        if self.optional and (value is None or str(value).strip().lower() == "none"):
            return None
        if self.kind == "int":
            try:
                if isinstance(value, str) and not value.strip().lstrip("+-").isascii():
                    raise ValueError(value)
                return int(str(value).strip()) if isinstance(value, str) else _as_int(value)
            except (TypeError, ValueError):
                raise self._error(activation, value) from None
        if isinstance(value, str) and not NUMBER.fullmatch(value):
            raise self._error(activation, value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self._error(activation, value) from None
        if not _in_range(number, self.low, self.high, self.low_open, self.high_open) or (
                number and abs(number) < self.tiniest):
            raise self._error(activation, value)
        return number

    def _error(self, activation: str, value: Any) -> ValueError:
        valid = self.valid_range
        if valid[0] in "[(":
            return ValueError(f"{activation}: parameter '{self.name}' must be in {valid}, got {value!r}")
        return ValueError(f"{activation}: parameter '{self.name}' must be {valid}, got {value!r}")


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(value)
    return int(value)


def _in_range(x: float, low: float, high: float, low_open: bool, high_open: bool) -> bool:
    if not math.isfinite(x):
        return False
    above = x > low if low_open else x >= low
    below = x < high if high_open else x <= high
    return above and below


def _short(x: float) -> str:
    return format(x, "g")


@dataclass(frozen=True)
class Kink:
    """A point where the first derivative is not defined, and what each convention returns there.

    ``pytorch`` is the branch PyTorch's autograd takes at the point (JAX's for functions PyTorch
    lacks), with its exact value: PyTorch's own SELU gives fl(λ)·fl(α), 1 ULP below λ·α.
    At a jump of the function itself (threshold, hardshrink) ``left``/``right`` are the slopes of
    the branches on either side.
    """

    at: float
    left: float
    right: float
    pytorch: float

    def derivative(self, convention: KinkConvention) -> float:
        if convention == "mean":
            return (self.left + self.right) / 2
        value: float = getattr(self, convention)
        return value


Params = Mapping[str, Any]


# Term and Piece are plain classes: the registry loads with every run, and defining a dataclass
# costs ~0.3 ms of start-up (SPEC section 7); explain alone reads them.
class Term:
    """An intermediate quantity ``explain`` shows with its value: ``name`` as the formulas write
    it, ``shown`` the same with the numbers put in ({x}, {minus_x}, the parameters' names), ``exact``
    its value from mpmath (the module, the point as an mpf, the parameters, and for a function
    of a vector all its values as mpfs)."""

    __slots__ = ("exact", "name", "shown")

    def __init__(self, name: str, shown: str, exact: Callable[[Any, Any, Params, Any], Any]) -> None:
        self.name, self.shown, self.exact = name, shown, exact


def _always(x: float, p: Params) -> bool:
    return True


class Piece:
    """One piece of a definition, as a teacher writes it on the board: the condition with the
    numbers put in ("{x} ≤ 0"; empty for a formula that holds for every x) and its test, the
    value's and the derivative's formulas there, the terms they use, and the value with the
    terms' values put in ({x}, the parameters' names, and {t0}, {t1}... for the terms)."""

    __slots__ = ("grad", "holds", "terms", "value", "when", "worked")

    def __init__(self, when: str, holds: Callable[[float, Params], bool], value: str, grad: str,
                 terms: tuple[Term, ...] = (), worked: str = "") -> None:
        self.when, self.holds, self.value, self.grad = when, holds, value, grad
        self.terms, self.worked = terms, worked


# The quantities the formulas are made of, for explain (mpmath is passed in: not imported here).
EXP_X = Term("eˣ", "e^({x})", lambda m, x, p, v: m.exp(x))
# eˣ − 1 as one quantity (expm1), as the kernels compute it: from eˣ rounded, "− 1" would cancel
# its digits, and a reader redoing the step from the eˣ shown would get a wrong answer.
EXPM1_X = Term("eˣ − 1", "e^({x}) − 1", lambda m, x, p, v: m.expm1(x))
EXP_MINUS_X = Term("e^(−x)", "e^({minus_x})", lambda m, x, p, v: m.exp(-x))
SIGMOID_X = Term("σ(x)", "σ({x})", lambda m, x, p, v: 1 / (1 + m.exp(-x)))
SIGMOID_MINUS_X = Term("σ(−x)", "σ({minus_x})", lambda m, x, p, v: 1 / (1 + m.exp(x)))
TANH_X = Term("tanh(x)", "tanh({x})", lambda m, x, p, v: m.tanh(x))
SQUAREPLUS_ROOT = Term("√(x² + b)", "√(({x})² + {b})", lambda m, x, p, v: m.sqrt(x * x + p["b"]))
SOFTPLUS_X = Term("sp(x)", "log(1 + e^({x}))", lambda m, x, p, v: m.log1p(m.exp(x)))


def _exp_sum(m: Any, v: Any) -> Any:
    """S = Σⱼ e^(xⱼ − m), m = max(x): softmax's normaliser."""
    top = max(v)
    return m.fsum(m.exp(t - top) for t in v)


def _gelu_u(m: Any, x: Any) -> Any:
    """u = √(2/π)·(x + 0.044715·x³), the argument of tanh-GELU's tanh."""
    return m.sqrt(2 / m.pi) * (x + m.mpf("0.044715") * x**3)


VECTOR_MAX = Term("m", "max(x₁, …, xₙ)", lambda m, x, p, v: max(v))
VECTOR_SUM = Term("S", "Σⱼ e^(xⱼ − m)", lambda m, x, p, v: _exp_sum(m, v))
# x itself above 0: the right piece of ReLU and its relatives.
ABOVE_ZERO = Piece("{x} > 0", lambda x, p: x > 0, "x", "1", worked="{x}")


def _normal_cdf(x: Any) -> Any:
    from actcli.exact import normal_cdf  # mpmath's erfc overflows beyond |x| ~ 1e154

    return normal_cdf(x)


def _rectifier(slope: str, worked: str) -> tuple[Piece, ...]:
    """x above 0, ``slope``·x at and below it (leaky, parametric and randomized ReLU)."""
    return (ABOVE_ZERO,
            Piece("{x} ≤ 0", _always, f"{slope}·x", slope, worked=worked))


def _box(low: str, high: str, below: str, inside: str, above: str, slope: str, worked: str,
         low_at: Callable[[Params], float], high_at: Callable[[Params], float],
         closed: bool = False, worked_below: str = "", worked_above: str = "") -> tuple[Piece, ...]:
    """Flat below ``low`` and above ``high`` (or ``above`` = x there), a straight line or curve
    between (hardtanh, relu6, the hard sigmoids, hardswish). ``low``/``high`` as the conditions
    show them ("{min_val}" puts in its value); ``worked_*``: the flat pieces with numbers put in
    (default: as written). ``closed``: the ends belong to the outer pieces, else to the middle."""
    outer_below = Piece(f"{{x}} {'≤' if closed else '<'} {low}",
                        (lambda x, p: x <= low_at(p)) if closed else (lambda x, p: x < low_at(p)),
                        below, "0", worked=worked_below or below)
    outer_above = Piece(f"{{x}} {'≥' if closed else '>'} {high}",
                        (lambda x, p: x >= high_at(p)) if closed else (lambda x, p: x > high_at(p)),
                        above, "1" if above == "x" else "0", worked=worked_above or above)
    middle = Piece(f"{low} {'<' if closed else '≤'} {{x}} {'<' if closed else '≤'} {high}", _always,
                   inside, slope, worked=worked)
    return outer_below, outer_above, middle


@dataclass(frozen=True, eq=False)
class Activation:
    """An activation function, its derivative and everything said about it.

    Call it for values (``act(x, **params)``) and use :meth:`grad` for the first derivative.
    Inputs are numbers, sequences, arrays of any shape, or the containers of the PyData stack
    (pandas, xarray, Polars series and expressions, PyArrow, Dask; see actcli.containers),
    which come back as the same kind of object; arrays in a narrower format keep it (float32,
    float16, bfloat16, float8: the exact results correctly rounded), everything else is float64.
    ``with_params`` fixes parameters; activations pickle, hash and compare by name and
    parameters.
    """

    name: str
    description: str
    formula: str
    grad_formula: str
    reference: str
    family: str
    aliases: tuple[str, ...] = ()
    parameters: tuple[Param, ...] = ()
    # The kinks for given (validated) parameters; most entries have none.
    kinks_for: Callable[[Params], tuple[Kink, ...]] = field(default=lambda p: ())
    # Defaults of the other libraries where they differ from PyTorch's: {library: {param: value}}.
    other_defaults: Mapping[str, Mapping[str, ParamValue]] = field(default_factory=dict)
    # A constraint between parameters; returns an error message or None.
    constraint: Callable[[Params], str | None] = field(default=lambda p: None)
    vector: bool = False  # computed across the values (softmax), not elementwise
    # Made of straight pieces: its kernels are a few passes of NumPy's SIMD loops, which run
    # fastest over the whole array (the others run in cache-sized chunks; see actcli.compute).
    piecewise_linear: bool = False
    grad_note: str = ""  # what the derivative means where it is not the plain f'(x)
    # For explain: the pieces of the definition, tried in order (the last one holds otherwise).
    pieces: tuple[Piece, ...] = ()
    # A convention one of the seed texts teaches for the derivative at the kink: (who, which).
    taught: tuple[str, KinkConvention] | None = None
    # The textbook formula that loses digits somewhere, as code, and its float64 value (NumPy
    # is passed in: the registry imports nothing heavy), or None where it does not apply.
    naive: tuple[str, Callable[[Any, Any, Params], Any]] | None = None

    @property
    def params(self) -> dict[str, ParamValue]:
        """``{parameter: default}`` in declaration order."""
        return {p.name: p.default for p in self.parameters}

    @property
    def kinks(self) -> tuple[float, ...]:
        """The kink points at the default parameters."""
        return tuple(k.at for k in self.kinks_for(self.params))

    @property
    def display_name(self) -> str:
        """The name as the seed tutorial prints it: ``Relu``, ``Leaky Relu``."""
        return self.name.replace("_", " ").title()

    def bind(self, params: Params) -> dict[str, ParamValue]:
        """Validate ``params`` against this activation and fill in the defaults."""
        known = {p.name: p for p in self.parameters}
        for key in params:
            if key not in known:
                raise ValueError(_unknown_param_message(self.name, key, list(known)))
        bound = {p.name: p.coerce(self.name, params.get(p.name, p.default)) for p in self.parameters}
        problem = self.constraint(bound)
        if problem:
            raise ValueError(f"{self.name}: {problem}")
        return bound

    def kinks_at(self, **params: Any) -> tuple[Kink, ...]:
        """The kinks, with each convention's derivative, for the given parameters."""
        return self.kinks_for(self.bind(params))

    def __call__(self, x: ArrayLike, /, **params: Any) -> Any:
        """The values: shaped like ``x`` and in its container, or a NumPy scalar for a number."""
        from actcli import compute, containers

        params, declared = containers.declared_dtype(x, params)
        bound = self.bind(params)
        return containers.apply(x, lambda v: compute.evaluate(self, v, bound), self.vector, declared)

    def grad(self, x: ArrayLike, /, kink: KinkConvention = "pytorch", **params: Any) -> Any:
        """The first derivative; at a kink, the value chosen by ``kink``."""
        from actcli import compute, containers

        if kink not in KINK_CONVENTIONS:
            raise ValueError(f"kink must be one of {', '.join(KINK_CONVENTIONS)}, got {kink!r}")
        params, declared = containers.declared_dtype(x, params)
        bound = self.bind(params)
        return containers.apply(x, lambda v: compute.differentiate(self, v, bound, kink), self.vector,
                                declared)

    def with_params(self, **params: Any) -> Activation:
        """This activation with ``params`` as its parameters' values: ``elu.with_params(alpha=0.5)``
        computes with alpha = 0.5 unless a call says otherwise."""
        bound = self.bind(params)
        return replace(self, parameters=tuple(replace(p, default=bound[p.name]) for p in self.parameters))

    def _identity(self) -> tuple[str, tuple[tuple[str, ParamValue], ...]]:
        return self.name, tuple(self.params.items())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Activation) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __reduce__(self) -> tuple[Callable[..., Activation], tuple[str, dict[str, ParamValue]]]:
        # By name and parameters: the registry rebuilds it (its formulas are functions, which
        # pickle does not carry), in another process too (multiprocessing, Dask, Spark).
        return _restore, (self.name, self.params)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Activation({self.name}({args}))"


def _restore(name: str, params: dict[str, ParamValue]) -> Activation:
    act = get(name)
    return act if params == act.params else act.with_params(**params)


def _unknown_param_message(activation: str, key: str, known: list[str]) -> str:
    if not known:
        return N_(f"{activation}: unknown parameter '{key}' ({activation} takes no parameters)")
    import difflib  # only for error messages: kept off the start-up path
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
    hint = N_(f"did you mean {' or '.join(repr(c) for c in close)}? ") if close else ""
    return N_(f"{activation}: unknown parameter '{key}'; {hint}valid: {', '.join(known)}")


# --- kinks -----------------------------------------------------------------------------------


def _merged(*kinks: Kink) -> tuple[Kink, ...]:
    """Kinks sorted by position; two at the same point (a zero-width interval) become one."""
    out: list[Kink] = []
    for k in sorted(kinks, key=lambda k: k.at):
        if out and out[-1].at == k.at:
            out[-1] = Kink(k.at, out[-1].left, k.right, k.pytorch)
        else:
            out.append(k)
    return tuple(k for k in out if k.left != k.right or k.pytorch != k.left)


def _slope_kink(slope: float) -> tuple[Kink, ...]:
    """Leaky-type units: slope on the left of 0, 1 on the right; PyTorch takes the left (x <= 0)."""
    return _merged(Kink(0.0, left=slope, right=1.0, pytorch=slope))


def _box_kinks(low: float, high: float, inside: float, pytorch: float = 0.0) -> tuple[Kink, ...]:
    """Derivative ``inside`` on (low, high) and 0 outside; autograd gives ``pytorch`` at both ends."""
    return _merged(
        Kink(low, left=0.0, right=inside, pytorch=pytorch),
        Kink(high, left=inside, right=0.0, pytorch=pytorch),
    )


def _shrink_kinks(lambd: float) -> tuple[Kink, ...]:
    """Slope 1 outside [-lambd, lambd], 0 inside; PyTorch gives 0 on the closed interval."""
    return _merged(
        Kink(-lambd, left=1.0, right=0.0, pytorch=0.0),
        Kink(lambd, left=0.0, right=1.0, pytorch=0.0),
    )


def _ordered(low: str, high: str) -> Callable[[Params], str | None]:
    def check(p: Params) -> str | None:
        if p[low] > p[high]:
            return N_(f"parameter '{low}' ({p[low]!r}) must not exceed '{high}' ({p[high]!r})")
        return None

    return check


# --- the entries -----------------------------------------------------------------------------

# Slopes and scales within 1e±150: their products with any double stay clear of overflow and of
# the subnormals, where the kernels' error-free products and exponentials hold (beyond, a
# result could be 2**-50 off, or NaN); the tests check the ends of these ranges.
SCALE: dict[str, Any] = {"low": -1e150, "high": 1e150, "tiniest": 1e-150}
POSITIVE_SCALE: dict[str, Any] = {"low": 1e-150, "high": 1e150}


ACTIVATIONS: tuple[Activation, ...] = (
    # rectifiers
    Activation(
        name="relu",
        family="rectifiers",
        piecewise_linear=True,
        description="Rectified linear unit: the input if positive, else 0.",
        formula="f(x) = max(0, x)",
        grad_formula="f'(x) = 1 if x > 0 else 0",
        reference="Nair & Hinton 2010, ICML (Rectified Linear Units Improve RBMs)",
        kinks_for=lambda p: (Kink(0.0, left=0.0, right=1.0, pytorch=0.0),),
        pieces=(ABOVE_ZERO,
                Piece("{x} ≤ 0", _always, "0", "0", worked="0")),
        taught=("the tutorial's f'(x) = 1 for x ≥ 0", "right"),
    ),
    Activation(
        name="relu6",
        family="rectifiers",
        piecewise_linear=True,
        description="ReLU capped at 6.",
        formula="f(x) = min(max(0, x), 6)",
        grad_formula="f'(x) = 1 if 0 < x < 6 else 0",
        reference="Krizhevsky 2010, Convolutional Deep Belief Networks on CIFAR-10",
        kinks_for=lambda p: _box_kinks(0.0, 6.0, 1.0),
        pieces=_box("0", "6", "0", "x", "6", "1", "{x}", lambda p: 0.0, lambda p: 6.0),
    ),
    Activation(
        name="leaky_relu",
        family="rectifiers",
        piecewise_linear=True,
        description="ReLU with a small slope for negative inputs.",
        formula="f(x) = x if x > 0 else negative_slope·x",
        grad_formula="f'(x) = 1 if x > 0 else negative_slope",
        reference="Maas et al. 2013, Rectifier Nonlinearities Improve Neural Network Acoustic Models",
        aliases=("leaky", "lrelu", "leakyrelu"),
        parameters=(Param("negative_slope", 0.01, "slope for x <= 0", **SCALE),),
        kinks_for=lambda p: _slope_kink(p["negative_slope"]),
        other_defaults={"jax": {"negative_slope": 0.01}, "keras": {"negative_slope": 0.2}},
        pieces=_rectifier("negative_slope", "{negative_slope}·{x}"),
        taught=("the tutorial's f'(x) = 1 for x ≥ 0", "right"),
    ),
    Activation(
        name="prelu",
        family="rectifiers",
        piecewise_linear=True,
        description="Parametric ReLU: a leaky ReLU whose slope is learned (one weight here).",
        formula="f(x) = x if x > 0 else weight·x",
        grad_formula="f'(x) = 1 if x > 0 else weight",
        reference="He et al. 2015, arXiv:1502.01852",
        parameters=(Param("weight", 0.25, "the learned slope for x <= 0 (its initial value)", **SCALE),),
        kinks_for=lambda p: _slope_kink(p["weight"]),
        pieces=_rectifier("weight", "{weight}·{x}"),
    ),
    Activation(
        name="rrelu",
        family="rectifiers",
        piecewise_linear=True,
        description="Randomized leaky ReLU, in evaluation mode: slope (lower + upper) / 2.",
        formula="f(x) = x if x > 0 else ((lower + upper)/2)·x",
        grad_formula="f'(x) = 1 if x > 0 else (lower + upper)/2",
        reference="Xu et al. 2015, arXiv:1505.00853",
        parameters=(
            Param("lower", 1 / 8, "lower bound of the random slope", **SCALE),
            Param("upper", 1 / 3, "upper bound of the random slope", **SCALE),
        ),
        kinks_for=lambda p: _slope_kink((p["lower"] + p["upper"]) / 2),
        constraint=_ordered("lower", "upper"),
        pieces=_rectifier("(lower + upper)/2", "(({lower} + {upper})/2)·{x}"),
    ),
    Activation(
        name="threshold",
        family="rectifiers",
        piecewise_linear=True,
        description="The input where it exceeds a threshold, a fixed value elsewhere.",
        formula="f(x) = x if x > threshold else value",
        grad_formula="f'(x) = 1 if x > threshold else 0",
        reference="PyTorch torch.nn.Threshold",
        parameters=(
            Param("threshold", 0.0, "inputs above it pass through"),
            Param("value", 0.0, "the output at or below the threshold"),
        ),
        kinks_for=lambda p: (Kink(p["threshold"], left=0.0, right=1.0, pytorch=0.0),),
        pieces=(Piece("{x} > {threshold}", lambda x, p: x > p["threshold"], "x", "1", worked="{x}"),
                Piece("{x} ≤ {threshold}", _always, "value", "0", worked="{value}")),
    ),
    Activation(
        name="hardtanh",
        family="rectifiers",
        piecewise_linear=True,
        description="The input clipped to [min_val, max_val].",
        formula="f(x) = min(max(x, min_val), max_val)",
        grad_formula="f'(x) = 1 if min_val < x < max_val else 0",
        reference="Collobert 2004, Large Scale Machine Learning (PhD thesis)",
        aliases=("hard_tanh",),
        parameters=(
            Param("min_val", -1.0, "lower end of the linear region"),
            Param("max_val", 1.0, "upper end of the linear region"),
        ),
        kinks_for=lambda p: _box_kinks(p["min_val"], p["max_val"], 1.0),
        constraint=_ordered("min_val", "max_val"),
        pieces=_box("{min_val}", "{max_val}", "min_val", "x", "max_val", "1", "{x}",
                    lambda p: p["min_val"], lambda p: p["max_val"],
                    worked_below="{min_val}", worked_above="{max_val}"),
    ),
    # exponential
    Activation(
        name="elu",
        family="exponential",
        description="Exponential linear unit: x for x > 0, a saturating exponential below.",
        formula="f(x) = x if x > 0 else α·(eˣ − 1)",
        grad_formula="f'(x) = 1 if x > 0 else α·eˣ",
        reference="Clevert et al. 2015, arXiv:1511.07289",
        parameters=(Param("alpha", 1.0, "the value approached as x → −∞ is −alpha", **SCALE),),
        kinks_for=lambda p: _merged(Kink(0.0, left=p["alpha"], right=1.0, pytorch=p["alpha"])),
        pieces=(ABOVE_ZERO,
                Piece("{x} ≤ 0", _always, "α·(eˣ − 1)", "α·eˣ", (EXP_X, EXPM1_X), worked="{alpha}·{t1}")),
        taught=("the glossary's f'(x) = f(x) + α for x ≤ 0", "left"),
        naive=("np.where(x > 0.0, x, alpha * (np.exp(x) - 1))",  # the glossary's code
               lambda np, x, p: x if x > 0 else p["alpha"] * (np.exp(x) - 1)),
    ),
    Activation(
        name="selu",
        family="exponential",
        description="Scaled ELU with the self-normalizing constants.",
        formula="f(x) = λ·x if x > 0 else λ·α·(eˣ − 1),  λ ≈ 1.0507, α ≈ 1.6733",
        grad_formula="f'(x) = λ if x > 0 else λ·α·eˣ",
        reference="Klambauer et al. 2017, arXiv:1706.02515",
        kinks_for=lambda p: (
            Kink(0.0, left=SELU_SCALE_ALPHA, right=SELU_SCALE, pytorch=SELU_SCALE_ALPHA),
        ),
        pieces=(Piece("{x} > 0", lambda x, p: x > 0, "λ·x", "λ", worked="λ·{x}"),
                Piece("{x} ≤ 0", _always, "λ·α·(eˣ − 1)", "λ·α·eˣ", (EXP_X, EXPM1_X), worked="λ·α·{t1}")),
        naive=("scale * (x if x > 0 else alpha * (np.exp(x) - 1))",
               lambda np, x, p: SELU_SCALE * (x if x > 0 else SELU_ALPHA * (np.exp(x) - 1))),
    ),
    Activation(
        name="celu",
        family="exponential",
        description="Continuously differentiable ELU.",
        formula="f(x) = max(0, x) + min(0, α·(e^(x/α) − 1))",
        grad_formula="f'(x) = 1 if x > 0 else e^(x/α)",
        reference="Barron 2017, arXiv:1704.07483",
        parameters=(Param("alpha", 1.0, "scale of the negative part", **POSITIVE_SCALE),),
        pieces=(ABOVE_ZERO,
                Piece("{x} ≤ 0", _always, "α·(e^(x/α) − 1)", "e^(x/α)",
                      (Term("e^(x/α)", "e^({x}/{alpha})", lambda m, x, p, v: m.exp(x / p["alpha"])),
                       Term("e^(x/α) − 1", "e^({x}/{alpha}) − 1",
                            lambda m, x, p, v: m.expm1(x / p["alpha"]))),
                      worked="{alpha}·{t1}")),
        naive=("x if x > 0 else alpha * (np.exp(x / alpha) - 1)",
               lambda np, x, p: x if x > 0 else p["alpha"] * (np.exp(x / p["alpha"]) - 1)),
    ),
    Activation(
        name="softplus",
        family="exponential",
        description="A smooth ReLU: log(1 + eˣ), sharpened by beta.",
        formula="f(x) = log(1 + e^(β·x)) / β;  x where β·x > threshold",
        grad_formula="f'(x) = σ(β·x) = 1 / (1 + e^(−β·x))",
        reference="Dugas et al. 2001, Incorporating Second-Order Functional Knowledge (NIPS)",
        parameters=(
            Param("beta", 1.0, "sharpness", **POSITIVE_SCALE),
            Param(
                "threshold",
                None,
                "above beta·x > threshold return x (PyTorch's shortcut; exact without it)",
                optional=True,
            ),
        ),
        other_defaults={"pytorch": {"threshold": 20.0}},
        pieces=(Piece("{beta}·{x} > {threshold}",
                      lambda x, p: p["threshold"] is not None and p["beta"] * x > p["threshold"],
                      "x", "1", worked="{x}"),
                Piece("", _always, "log(1 + e^(β·x))/β", "σ(β·x)",
                      (Term("e^(β·x)", "e^({beta}·{x})", lambda m, x, p, v: m.exp(p["beta"] * x)),
                       Term("σ(β·x)", "σ({beta}·{x})", lambda m, x, p, v: 1 / (1 + m.exp(-p["beta"] * x)))),
                      worked="log(1 + {t0})/{beta}")),
        naive=("np.log(1 + np.exp(beta * x)) / beta",
               lambda np, x, p: np.log(1 + np.exp(p["beta"] * x)) / p["beta"]),
    ),
    Activation(
        name="sparse_plus",
        family="exponential",
        description="Piecewise-quadratic smooth ReLU: 0, (x+1)²/4, x.",
        formula="f(x) = 0 if x ≤ −1;  (x + 1)²/4 if −1 < x < 1;  x if x ≥ 1",
        grad_formula="f'(x) = 0 if x ≤ −1;  (x + 1)/2 if −1 < x < 1;  1 if x ≥ 1",
        reference="Martins & Astudillo 2016, arXiv:1602.02068",
        aliases=("sparseplus",),
        pieces=_box("−1", "1", "0", "(x + 1)²/4", "x", "(x + 1)/2", "({x} + 1)²/4",
                    lambda p: -1.0, lambda p: 1.0, closed=True, worked_above="{x}"),
    ),
    Activation(
        name="squareplus",
        family="exponential",
        description="An algebraic softplus: (x + √(x² + b)) / 2.",
        formula="f(x) = (x + √(x² + b)) / 2",
        grad_formula="f'(x) = (1 + x/√(x² + b)) / 2",
        reference="Barron 2021, arXiv:2112.11687",
        aliases=("square_plus",),
        parameters=(Param("b", 4.0, "smoothness near 0", **POSITIVE_SCALE),),
        # Below 0, x + √(x² + b) cancels: the same value as b/(2·(√(x² + b) − x)), which does not.
        pieces=(Piece("{x} ≥ 0", lambda x, p: x >= 0, "(x + √(x² + b))/2", "(1 + x/√(x² + b))/2",
                      (SQUAREPLUS_ROOT,), worked="({x} + {t0})/2"),
                Piece("{x} < 0", _always, "b/(2·(√(x² + b) − x))", "(1 + x/√(x² + b))/2",
                      (SQUAREPLUS_ROOT,), worked="{b}/(2·({t0} − {x}))")),
    ),
    Activation(
        name="exponential",
        family="exponential",
        description="The exponential function (Keras's 'exponential' activation).",
        formula="f(x) = eˣ",
        grad_formula="f'(x) = eˣ",
        reference="Keras keras.activations.exponential",
        aliases=("exp",),
        pieces=(Piece("", _always, "eˣ", "eˣ", (EXP_X,), worked="{t0}"),),
    ),
    # sigmoidal
    Activation(
        name="sigmoid",
        family="sigmoidal",
        description="The logistic function.",
        formula="f(x) = σ(x) = 1 / (1 + e^(−x))",
        grad_formula="f'(x) = σ(x)·σ(−x)",
        reference="Verhulst 1845; the logistic function",
        aliases=("logistic", "expit"),
        pieces=(Piece("", _always, "1/(1 + e^(−x))", "σ(x)·σ(−x)", (EXP_MINUS_X, SIGMOID_X),
                      worked="1/(1 + {t0})"),),
    ),
    Activation(
        name="log_sigmoid",
        family="sigmoidal",
        description="Logarithm of the logistic function.",
        formula="f(x) = log σ(x) = −log(1 + e^(−x))",
        grad_formula="f'(x) = σ(−x)",
        reference="PyTorch torch.nn.LogSigmoid",
        aliases=("logsigmoid",),
        pieces=(Piece("", _always, "−log(1 + e^(−x))", "σ(−x)", (EXP_MINUS_X, SIGMOID_MINUS_X),
                      worked="−log(1 + {t0})"),),
        naive=("-np.log(1 + np.exp(-x))", lambda np, x, p: -np.log(1 + np.exp(-x))),
    ),
    Activation(
        name="hard_sigmoid",
        family="sigmoidal",
        piecewise_linear=True,
        description="Piecewise-linear sigmoid: relu6(x + 3) / 6.",
        formula="f(x) = 0 if x ≤ −3;  1 if x ≥ 3;  x/6 + 1/2 otherwise",
        grad_formula="f'(x) = 1/6 if −3 < x < 3 else 0",
        reference="Howard et al. 2019, arXiv:1905.02244 (MobileNetV3)",
        aliases=("hardsigmoid",),
        kinks_for=lambda p: _box_kinks(-3.0, 3.0, 1 / 6),
        pieces=_box("−3", "3", "0", "x/6 + 1/2", "1", "1/6", "{x}/6 + 1/2",
                    lambda p: -3.0, lambda p: 3.0, closed=True),
    ),
    Activation(
        name="sparse_sigmoid",
        family="sigmoidal",
        piecewise_linear=True,
        description="Piecewise-linear sigmoid reaching 0 and 1 at ∓1.",
        formula="f(x) = 0 if x ≤ −1;  1 if x ≥ 1;  (x + 1)/2 otherwise",
        grad_formula="f'(x) = 1/2 if −1 < x < 1 else 0",
        reference="Martins & Astudillo 2016, arXiv:1602.02068 (JAX jax.nn.sparse_sigmoid)",
        aliases=("sparsesigmoid",),
        # PyTorch lacks it; JAX's autograd splits ties of clip's max/min evenly: 1/4 at both ends.
        kinks_for=lambda p: _box_kinks(-1.0, 1.0, 0.5, pytorch=0.25),
        pieces=_box("−1", "1", "0", "(x + 1)/2", "1", "1/2", "({x} + 1)/2",
                    lambda p: -1.0, lambda p: 1.0, closed=True),
    ),
    Activation(
        name="tanh",
        family="sigmoidal",
        description="Hyperbolic tangent.",
        formula="f(x) = tanh(x)",
        grad_formula="f'(x) = 1 − tanh²(x) = sech²(x)",
        reference="LeCun et al. 1998, Efficient BackProp",
        pieces=(Piece("", _always, "tanh(x)", "1 − tanh²(x)", (TANH_X,), worked="{t0}"),),
    ),
    Activation(
        name="softsign",
        family="sigmoidal",
        description="x / (1 + |x|): a sigmoid with polynomial tails.",
        formula="f(x) = x / (1 + |x|)",
        grad_formula="f'(x) = 1 / (1 + |x|)²",
        reference="Bergstra et al. 2009; Glorot & Bengio 2010",
        aliases=("soft_sign",),
        pieces=(Piece("", _always, "x/(1 + |x|)", "1/(1 + |x|)²",
                      (Term("1 + |x|", "1 + |{x}|", lambda m, x, p, v: 1 + abs(x)),), worked="{x}/{t0}"),),
    ),
    Activation(
        name="tanhshrink",
        family="sigmoidal",
        description="x − tanh(x).",
        formula="f(x) = x − tanh(x)",
        grad_formula="f'(x) = tanh²(x)",
        reference="PyTorch torch.nn.Tanhshrink",
        aliases=("tanh_shrink",),
        # Near 0, x and tanh(x) share their leading digits: the series, as one quantity.
        pieces=(Piece("|{x}| < 1", lambda x, p: abs(x) < 1, "x³/3 − 2x⁵/15 + 17x⁷/315 − …", "tanh²(x)",
                      (Term("x − tanh(x)", "{x} − tanh({x})", lambda m, x, p, v: x - m.tanh(x)),),
                      worked="{t0}"),
                Piece("|{x}| ≥ 1", _always, "x − tanh(x)", "tanh²(x)", (TANH_X,), worked="{x} − {t0}")),
        naive=("x - np.tanh(x)", lambda np, x, p: x - np.tanh(x)),
    ),
    # shrink
    Activation(
        name="hardshrink",
        family="shrink",
        piecewise_linear=True,
        description="Zero inside [−λ, λ], the input outside.",
        formula="f(x) = x if |x| > λ else 0",
        grad_formula="f'(x) = 1 if |x| > λ else 0",
        reference="PyTorch torch.nn.Hardshrink",
        aliases=("hard_shrink",),
        parameters=(Param("lambd", 0.5, "half-width of the zero region", low=0.0),),
        kinks_for=lambda p: _shrink_kinks(p["lambd"]),
        pieces=(Piece("|{x}| > {lambd}", lambda x, p: abs(x) > p["lambd"], "x", "1", worked="{x}"),
                Piece("|{x}| ≤ {lambd}", _always, "0", "0", worked="0")),
    ),
    Activation(
        name="softshrink",
        family="shrink",
        piecewise_linear=True,
        description="Soft thresholding: the input moved towards 0 by λ, zero inside [−λ, λ].",
        formula="f(x) = x − λ if x > λ;  x + λ if x < −λ;  0 otherwise",
        grad_formula="f'(x) = 1 if |x| > λ else 0",
        reference="Donoho 1995, De-noising by soft-thresholding",
        aliases=("soft_shrink",),
        parameters=(Param("lambd", 0.5, "half-width of the zero region", low=0.0),),
        kinks_for=lambda p: _shrink_kinks(p["lambd"]),
        pieces=(Piece("{x} > {lambd}", lambda x, p: x > p["lambd"], "x − λ", "1", worked="{x} − {lambd}"),
                Piece("{x} < −{lambd}", lambda x, p: x < -p["lambd"], "x + λ", "1", worked="{x} + {lambd}"),
                Piece("|{x}| ≤ {lambd}", _always, "0", "0", worked="0")),
    ),
    # gated / smooth
    Activation(
        name="gelu",
        family="gated",
        description="Gaussian error linear unit: x weighted by the normal CDF.",
        formula="f(x) = x·Φ(x) = (x/2)·erfc(−x/√2);  tanh: (x/2)·(1 + tanh(√(2/π)(x + 0.044715x³)))",
        grad_formula="f'(x) = Φ(x) + x·φ(x)",
        grad_note="approximate='tanh': the exact derivative of its own formula",
        reference="Hendrycks & Gimpel 2016, arXiv:1606.08415",
        parameters=(
            Param("approximate", "none", "'none' (exact, erf) or 'tanh'", kind="choice",
                  choices=("none", "tanh")),
        ),
        other_defaults={"jax": {"approximate": "tanh"}},
        pieces=(Piece("", lambda x, p: p["approximate"] == "tanh", "(x/2)·(1 + tanh(u))",
                      "(1 + tanh(u))/2 + (x/2)·(1 − tanh²(u))·du/dx",
                      (Term("u", "√(2/π)·({x} + 0.044715·({x})³)", lambda m, x, p, v: _gelu_u(m, x)),
                       Term("tanh(u)", "tanh(u)", lambda m, x, p, v: m.tanh(_gelu_u(m, x)))),
                      worked="({x}/2)·(1 + {t1})"),
                Piece("", _always, "x·Φ(x)", "Φ(x) + x·φ(x)",
                      (Term("Φ(x)", "Φ({x})", lambda m, x, p, v: _normal_cdf(x)),
                       Term("φ(x)", "φ({x})", lambda m, x, p, v: m.npdf(x))),
                      worked="{x}·{t0}")),
        naive=("0.5 * x * (1 + math.erf(x / math.sqrt(2)))",  # the exact GELU's; None for tanh's
               lambda np, x, p: (None if p["approximate"] == "tanh"
                                 else 0.5 * x * (1 + math.erf(x / math.sqrt(2))))),
    ),
    Activation(
        name="silu",
        family="gated",
        description="Sigmoid-weighted linear unit (swish): x·σ(x).",
        formula="f(x) = x·σ(x)",
        grad_formula="f'(x) = σ(x)·(1 + x·σ(−x))",
        reference="Elfwing et al. 2017, arXiv:1702.03118; Ramachandran et al. 2017, arXiv:1710.05941",
        aliases=("swish",),
        pieces=(Piece("", _always, "x·σ(x)", "σ(x)·(1 + x·σ(−x))", (SIGMOID_X, SIGMOID_MINUS_X),
                      worked="{x}·{t0}"),),
    ),
    Activation(
        name="hardswish",
        family="gated",
        description="Piecewise-quadratic swish: x·relu6(x + 3)/6.",
        formula="f(x) = 0 if x ≤ −3;  x if x ≥ 3;  x·(x + 3)/6 otherwise",
        grad_formula="f'(x) = 0 if x < −3;  (2x + 3)/6 if −3 < x < 3;  1 if x > 3",
        reference="Howard et al. 2019, arXiv:1905.02244 (MobileNetV3)",
        aliases=("hard_swish", "hard_silu", "hardsilu"),
        # PyTorch's backward takes the outer branches at the ends: 0 at -3, 1 at 3.
        kinks_for=lambda p: (
            Kink(-3.0, left=0.0, right=-0.5, pytorch=0.0),
            Kink(3.0, left=1.5, right=1.0, pytorch=1.0),
        ),
        pieces=_box("−3", "3", "0", "x·(x + 3)/6", "x", "(2x + 3)/6", "{x}·({x} + 3)/6",
                    lambda p: -3.0, lambda p: 3.0, closed=True, worked_above="{x}"),
    ),
    Activation(
        name="mish",
        family="gated",
        description="x·tanh(softplus(x)).",
        formula="f(x) = x·tanh(log(1 + eˣ))",
        grad_formula="f'(x) = tanh(sp(x)) + x·sech²(sp(x))·σ(x),  sp = softplus",
        reference="Misra 2019, arXiv:1908.08681",
        pieces=(Piece("", _always, "x·tanh(sp(x))", "tanh(sp(x)) + x·(1 − tanh²(sp(x)))·σ(x)",
                      (SOFTPLUS_X, Term("tanh(sp(x))", "tanh(sp({x}))",
                                        lambda m, x, p, v: m.tanh(m.log1p(m.exp(x)))), SIGMOID_X),
                      worked="{x}·{t1}"),),
        naive=("x * np.tanh(np.log(1 + np.exp(x)))",
               lambda np, x, p: x * np.tanh(np.log(1 + np.exp(x)))),
    ),
    # identity
    Activation(
        name="identity",
        family="identity",
        piecewise_linear=True,
        description="The input unchanged.",
        formula="f(x) = x",
        grad_formula="f'(x) = 1",
        reference="(the identity function)",
        aliases=("linear",),
        pieces=(Piece("", _always, "x", "1", worked="{x}"),),
    ),
    # over a vector
    Activation(
        name="softmax",
        family="vector",
        description="Exponentials normalized to sum to 1 across the values (along axis).",
        formula="f(x)ᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)",
        grad_formula="∂f(x)ᵢ/∂xᵢ = f(x)ᵢ·(1 − f(x)ᵢ)   (the Jacobian's diagonal)",
        reference="Bridle 1990, Probabilistic Interpretation of Feedforward Classification Outputs",
        parameters=(Param("axis", -1, "the axis the values are normalized along", kind="int"),),
        vector=True,
        grad_note="the diagonal of the Jacobian, ∂fᵢ/∂xᵢ",
        pieces=(Piece("", _always, "e^(xᵢ − m)/S", "fᵢ·(1 − fᵢ)",
                      (VECTOR_MAX, VECTOR_SUM, Term("e^(xᵢ − m)", "e^({x} − m)",
                                                    lambda m, x, p, v: m.exp(x - max(v)))),
                      worked="{t2}/{t1}"),),
    ),
    Activation(
        name="log_softmax",
        family="vector",
        description="Logarithm of softmax, computed without forming softmax.",
        formula="f(x)ᵢ = xᵢ − log Σⱼ e^(xⱼ)",
        grad_formula="∂f(x)ᵢ/∂xᵢ = 1 − softmax(x)ᵢ   (the Jacobian's diagonal)",
        reference="Bridle 1990, Probabilistic Interpretation of Feedforward Classification Outputs",
        aliases=("logsoftmax",),
        parameters=(Param("axis", -1, "the axis the values are normalized along", kind="int"),),
        vector=True,
        grad_note="the diagonal of the Jacobian, ∂fᵢ/∂xᵢ",
        pieces=(Piece("", _always, "xᵢ − m − log S", "1 − e^(xᵢ − m)/S",
                      (VECTOR_MAX, VECTOR_SUM,
                       Term("log S", "log S", lambda m, x, p, v: m.log(_exp_sum(m, v)))),
                      worked="{x} − {t0} − {t2}"),),
    ),
)

FAMILIES = {
    "rectifiers": "rectifiers",
    "exponential": "exponential",
    "sigmoidal": "sigmoidal",
    "shrink": "shrink",
    "gated": "gated / smooth",
    "identity": "identity",
    "vector": "over a vector",
}


def key_of(name: str) -> str:
    """Names compare without case, hyphens or underscores: ``LeakyReLU`` = ``leaky-relu``."""
    return name.strip().lower().replace("-", "").replace("_", "")


def _build_index() -> Mapping[str, Activation]:
    index: dict[str, Activation] = {}
    for act in ACTIVATIONS:
        for spelling in (act.name, *act.aliases):
            key = key_of(spelling)
            if key in index and index[key] is not act:
                raise RuntimeError(f"{spelling!r} names both {index[key].name} and {act.name}")
            index[key] = act
    return MappingProxyType(index)


_INDEX = _build_index()


def spellings() -> Iterator[str]:
    """Every canonical name and alias, in display order (for completion and suggestions)."""
    for act in ACTIVATIONS:
        yield act.name
        yield from act.aliases


def names() -> list[str]:
    """The canonical names, in display order."""
    return [act.name for act in ACTIVATIONS]


def matching(words: Sequence[str]) -> list[Activation]:
    """The activations whose name or an alias holds one of ``words``, or whose family is one
    (ignoring case, '-' and '_'), in display order: ``relu`` finds relu, relu6, leaky_relu, prelu
    and rrelu; ``shrink`` the shrink family."""
    keys = [key_of(w) for w in words]
    return [act for act in ACTIVATIONS if key_of(act.family) in keys
            or any(k in key_of(s) for k in keys for s in (act.name, *act.aliases))]


def get(name: str) -> Activation:
    """The activation called ``name`` (or one of its aliases), ignoring case, '-' and '_'.

    Raises LookupError naming the closest valid names when there is none.
    """
    act = _INDEX.get(key_of(name))
    if act is not None:
        return act
    candidates = {key_of(s): s for s in spellings()}
    import difflib  # only for error messages: kept off the start-up path
    close = difflib.get_close_matches(key_of(name), list(candidates), n=3, cutoff=0.5)
    if close:
        raise LookupError(f"unknown activation {name!r}; did you mean "
                          f"{', '.join(candidates[c] for c in close)}? (see 'actcli list')")
    raise LookupError(f"unknown activation {name!r} (see 'actcli list')")
