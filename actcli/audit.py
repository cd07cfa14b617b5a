"""``actcli check``: another implementation's outputs against the exact results.

For each input x (a value of the format) and output y, the correctly rounded result r and the
error of y in ULPs of the format, measured at the exact value: |y − f(x)| / ulp(f(x)), the ulp
being the spacing of the format at |f(x)| (subnormal spacing below its smallest normal). A
result equal to r counts as correctly rounded (zeros compare without sign, NaN equals NaN); a
non-finite y where f(x) is finite, or the reverse, is an infinite error. f(x) comes from the
library's float64 kernels for the formats below float64 (within 1 ULP of float64: the error in
a float32 ULP is then known to 2**-29) and from actcli.exact for float64.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from actcli.formats import Format

if TYPE_CHECKING:
    from actcli.registry import Activation, KinkConvention

WORST = 10
PROGRESS_STEP = 256  # rows between reports to a progress bar
MAX_DOUBLE = Fraction(sys.float_info.max)
BINS = ["0", "<=0.5", "<=1", *(f"<={2**k}" for k in range(1, 21)), f">{2**20}", "non-finite"]


@dataclass
class Report:
    """The findings: what the JSON report holds, key for key."""

    activation: str
    derivative: bool
    format: str
    rows: int
    correctly_rounded: int
    within_1ulp: int
    max_ulp: float
    worst_x: float | None
    histogram: dict[str, int]
    worst: list[dict[str, float]]
    not_in_format: int = 0  # inputs or outputs that are not values of the format (read as the nearest)
    skipped: int = 0  # rows --on-error skipped
    source: str = ""  # the implementation, for --against
    # --exhaustive only (None otherwise, and then not in the record): the longest runs of wrong
    # inputs and how many runs there are, the disagreements counted apart, the time, the version.
    ranges: list[dict[str, Any]] | None = None
    range_count: int | None = None
    disagreements: dict[str, int] | None = None
    seconds: float | None = None
    actcli_version: str | None = None

    def record(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None or k == "worst_x"}


@dataclass
class Measured:
    """Per row: the correctly rounded result and the error in ULPs."""

    correct: NDArray[Any]
    errors: NDArray[np.float64]
    extra: dict[str, int] = field(default_factory=dict)


def _same(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.bool_]:
    same: NDArray[np.bool_] = (a == b) | (np.isnan(a) & np.isnan(b))
    return same


def ulp_errors(y: NDArray[np.float64], exact: NDArray[np.float64], correct: NDArray[np.float64],
            fmt: Format) -> NDArray[np.float64]:
    """ULPs of ``fmt`` between each y and the exact value (in float64)."""
    with np.errstate(invalid="ignore", over="ignore"):
        both_finite = np.isfinite(y) & np.isfinite(exact)
        magnitude = np.where(both_finite, np.abs(exact), 1.0)
        errors = np.where(both_finite, np.abs(y - exact) / fmt.quantum(magnitude), np.inf)
    # A non-finite y that is the correct rounding (overflow to inf, NaN for NaN) is no error.
    return np.where(_same(y, correct) & ~both_finite, 0.0, errors)


def measure(act: Activation, params: dict[str, Any], derivative: bool, kink: KinkConvention,
            fmt: Format, x: NDArray[np.float64], y: NDArray[np.float64],
            progress: Callable[[int], None] = lambda rows: None) -> Measured:
    """The correctly rounded results at x (values of ``fmt``) and the errors of y (values of
    ``fmt`` too, as float64); ``progress(rows)`` hears of the rows done, in float64 (one exact
    evaluation a row: the slow case)."""
    def evaluate(v: NDArray[Any]) -> NDArray[Any]:
        result: NDArray[Any] = act.grad(v, kink=kink, **params) if derivative else act(v, **params)
        return result

    if fmt.name != "float64":
        x_in = fmt.round(x)
        correct = evaluate(x_in).astype(np.float64)
        exact = evaluate(x_in.astype(np.float64))  # float64: within 1 ULP of float64
        return Measured(correct, ulp_errors(y, exact, correct, fmt))
    from actcli import exact as arbitrary

    kinks = {k.at for k in act.kinks_for(params)} if derivative else set()
    library = evaluate(x)
    correct, errors = np.empty_like(x), np.empty_like(x)
    reported = 0
    for i, (xi, yi) in enumerate(zip(x.tolist(), y.tolist(), strict=True)):
        if i - reported == PROGRESS_STEP:
            progress(PROGRESS_STEP)
            reported = i
        if not math.isfinite(xi) or xi in kinks:  # limits and kink conventions: the library's, exact
            correct[i] = library[i]
            errors[i] = ulp_errors(np.array([yi]), library[i:i + 1], library[i:i + 1], fmt)[0]
            continue
        value = arbitrary.value(act, xi, params, derivative)
        correct[i] = _float(value)
        errors[i] = _error64(yi, value, correct[i])
    progress(len(x) - reported)
    return Measured(correct, errors)


def _float(value: Fraction | None) -> float:
    """The exact value correctly rounded to float64 (NaN where it is not finite)."""
    if value is None:
        return math.nan
    try:
        return float(value)  # correctly rounded: Fraction divides integers exactly, then rounds
    except OverflowError:
        return math.copysign(math.inf, value)


def _error64(y: float, value: Fraction | None, correct: float) -> float:
    """ULPs of float64 between y and the exact value."""
    if value is None or not math.isfinite(correct) or not math.isfinite(y):
        return 0.0 if _same(np.array(y), np.array(correct)) else math.inf
    exponent = max(math.frexp(correct)[1] - 1, -1022) if correct else -1022
    ulps = abs(Fraction(y) - value) / Fraction(2) ** (exponent - 52)
    # Near 0 a ULP is 2**-1074: an error of 0.5 there is 2**1073 ULPs, beyond the doubles; such
    # errors read as the largest double (finite: the output is a number, just a wrong one).
    return float(ulps) if ulps <= MAX_DOUBLE else sys.float_info.max


def histogram_of(errors: NDArray[np.float64]) -> NDArray[np.int64]:
    """How many errors fall in each bin of BINS."""
    finite = np.isfinite(errors)
    edges = [0.5 * 2**k for k in range(22)]  # 0.5, 1, 2, ..., 2**20: bins (0, 0.5], (0.5, 1], ...
    bins = np.bincount(np.searchsorted(edges, errors[finite & (errors > 0)], side="left"),
                       minlength=len(edges) + 1)
    counts: NDArray[np.int64] = np.r_[np.count_nonzero(errors == 0), bins, np.count_nonzero(~finite)]
    return counts.astype(np.int64)


def report(fmt: Format, x: NDArray[np.float64], y: NDArray[np.float64], measured: Measured,
           label: str, derivative: bool, not_in_format: int = 0, skipped: int = 0,
           source: str = "") -> Report:
    """The summary of the measurements: counts, histogram, the worst inputs."""
    errors, correct = measured.errors, measured.correct
    histogram = dict(zip(BINS, histogram_of(errors).tolist(), strict=True))
    order = np.argsort(-errors, kind="stable")[:WORST]
    worst = [{"x": float(x[i]), "y": float(y[i]), "correctly_rounded": float(correct[i]),
              "ulp": float(errors[i])} for i in order if errors[i] > 0]
    top = int(order[0]) if len(order) else None
    return Report(label, derivative, fmt.name, len(x), int(np.count_nonzero(_same(y, correct))),
                  int(np.count_nonzero(errors <= 1)), float(errors.max()) if len(errors) else 0.0,
                  float(x[top]) if top is not None and errors[top] > 0 else None, histogram, worst,
                  not_in_format, skipped, source)


# --- the inputs of --against -----------------------------------------------------------------


def every_value(fmt: Format) -> NDArray[np.float64]:
    """Every finite value of a format of 16 bits or fewer, in order of bit pattern."""
    bits = np.arange(2 ** (8 * fmt.dtype.itemsize), dtype=np.uint16 if fmt.dtype.itemsize == 2 else np.uint8)
    with np.errstate(invalid="ignore"):  # the NaN patterns
        values = bits.view(fmt.dtype).astype(np.float64)
    return values[np.isfinite(values)]


def sweep(act: Activation, params: dict[str, Any], fmt: Format, derivative: bool,
          kink: KinkConvention) -> NDArray[np.float64]:
    """The inputs of an audit in float32 or float64, where there are too many to try them all:
    every binade of the format (subnormals to the largest, both signs, 8 values each), a dense
    grid of 20,001 on [-20, 20] where the activations bend, and 32 neighbours either side of
    each kink and of each zero of the function or its derivative on that grid."""
    binades = np.arange(fmt.emin - fmt.precision + 1, fmt.emax + 1)
    magnitudes = np.ldexp.outer(1.0 + np.arange(8) / 8, binades).ravel()
    dense = np.linspace(-20.0, 20.0, 20_001)
    points = [magnitudes, -magnitudes, dense, np.array([0.0, -0.0])]
    y = act.grad(dense, kink=kink, **params) if derivative else act(dense, **params)
    crossings = dense[:-1][np.sign(y[:-1]) * np.sign(y[1:]) < 0]
    centres = np.concatenate([crossings, [k.at for k in act.kinks_for(params)]])
    scalar = fmt.dtype.type  # float32 or float64: NumPy steps through its values
    for centre in fmt.round(centres).tolist():
        up = down = scalar(centre)
        around = [float(centre)]
        for _ in range(32):
            up, down = np.nextafter(up, scalar(np.inf)), np.nextafter(down, scalar(-np.inf))
            around += [float(up), float(down)]
        points.append(np.array(around))
    values = fmt.round(np.concatenate(points)).astype(np.float64)
    return np.unique(values[np.isfinite(values)])
