"""Bridge between the registry and the kernels: dtypes, shapes, parameters and kink conventions.

Elementwise activations go through the compiled core (actcli._core): one fused pass per value
with a proven error bound and a rounding test. Inputs in a format narrower than float64 (float32,
float16, bfloat16, float8_e4m3fn, float8_e5m2; see actcli.formats) are evaluated in double; the
rare values the test cannot decide take the accurate path, the reference kernels (actcli.kernels)
in double-double rounded to odd, where those within their own error of a rounding boundary are
decided again at high precision (actcli.exact). float64 inputs are evaluated in double-double;
the values its test cannot decide go to actcli.exact directly. Either way each result is rounded
into its format once, correctly. softmax and log_softmax, which are not elementwise, take the
reference kernels, within 0.505 ULP in float64.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from actcli import _core, kernels
from actcli.extended import ROUND_TO_ODD
from actcli.formats import FORMATS, Format, format_of

if TYPE_CHECKING:
    from actcli.registry import Activation, KinkConvention, ParamValue

FLOAT64 = FORMATS["float64"]


def _given(x: ArrayLike) -> tuple[NDArray[Any], Format]:
    """The input as an array, and the format the result must have."""
    fmt = format_of(getattr(x, "dtype", None)) or FLOAT64
    given = np.asarray(x)
    if given.dtype.kind not in "biuf" and format_of(given.dtype) is None:
        raise TypeError(f"an activation takes real numbers, not {given.dtype} ({type(x).__name__})")
    return given, fmt


def _prepare(x: ArrayLike) -> tuple[NDArray[np.float64], tuple[int, ...], Format]:
    """The input as a float64 array of at least one dimension (kernels assign through masks,
    which 0-d arrays do not allow), its shape, and the format the result must have."""
    given, fmt = _given(x)
    # No copy of a float64 array: the kernels never write into their input.
    values = np.asarray(given, dtype=np.float64)
    return np.atleast_1d(values), values.shape, fmt


# Elementwise kernels run over chunks of this many values: their temporaries then stay in the
# CPU cache, which doubles the throughput of the multi-step kernels (gelu, celu, softplus), and
# are not fresh pages of memory (first touches cost more than a pass of a piecewise-linear
# kernel). Those few-pass kernels get longer chunks, so that the loop's own cost stays small.
CHUNK = 8192
LINEAR_CHUNK = 32768


Fix = Callable[[NDArray[np.float64], NDArray[np.float64]], None]


def _run(kernel: Any, act: Activation, values: NDArray[np.float64],
         params: dict[str, ParamValue], fmt: Format, fix: Fix | None = None) -> NDArray[np.float64]:
    """The kernel over the values (in chunks); ``fix(x, y)``, if given, then corrects each
    chunk's results while they are in the cache (the derivative's kinks)."""
    if act.vector:
        axis = params["axis"]
        if not isinstance(axis, int) or not -values.ndim <= axis < values.ndim:
            raise ValueError(f"{act.name}: axis {axis} is out of range for {values.ndim}-dimensional input")
    # Below float64 the kernels round to odd, so that the rounding into the format is correct.
    token = ROUND_TO_ODD.set(fmt is not FLOAT64)
    try:
        return _chunks(kernel, act, values, params, fix)
    finally:
        ROUND_TO_ODD.reset(token)


def _chunks(kernel: Any, act: Activation, values: NDArray[np.float64],
            params: dict[str, ParamValue], fix: Fix | None = None) -> NDArray[np.float64]:
    if values.size == 0:  # softmax's maximum over nothing has no value; nothing in, nothing out
        return values.copy()
    with np.errstate(all="ignore"):
        chunk = LINEAR_CHUNK if act.piecewise_linear else CHUNK
        if act.vector or values.size <= chunk:
            y: NDArray[np.float64] = kernel(values, **params)
            if fix is not None:
                fix(values, y)
            return y
        flat = values.ravel()
        out = np.empty_like(flat)
        for start in range(0, flat.size, chunk):
            part = out[start:start + chunk]
            part[...] = kernel(flat[start:start + chunk], **params)
            if fix is not None:
                fix(flat[start:start + chunk], part)
        return out.reshape(values.shape)


def _finish(y: NDArray[np.float64], values: NDArray[np.float64], shape: tuple[int, ...], fmt: Format,
            act: Activation, params: dict[str, ParamValue], derivative: bool) -> Any:
    """The float64 results in the result's format; below float64, the ambiguous ones decided
    at high precision."""
    if fmt is not FLOAT64:
        y = _decided(y, values, fmt, act, params, derivative)
    result = fmt.round(y).reshape(shape)
    return result[()] if not shape else result


def _decide(y: NDArray[np.float64], values: NDArray[np.float64], doubtful: NDArray[np.bool_],
            boundary: NDArray[np.float64], fmt: Format, act: Activation, params: dict[str, ParamValue],
            derivative: bool) -> NDArray[np.float64]:
    """``y`` with each doubtful result moved to the side of its boundary where the exact value
    lies (a double on that side that rounds like it), or onto the boundary for an exact tie."""
    from actcli import exact

    y = y.copy()
    given = params.get("axis")
    axis = given % values.ndim if isinstance(given, int) else None
    for index in zip(*np.nonzero(doubtful), strict=True):
        point, position = values[index], None
        if axis is not None:  # softmax: the whole vector along the axis, and this entry's place
            point = values[tuple(slice(None) if d == axis else i for d, i in enumerate(index))]
            position = int(index[axis])
        side = exact.side(act, point, params, derivative, float(boundary[index]), position)
        m = boundary[index]
        y[index] = m if side == 0 else np.nextafter(m, np.inf * side)
    return y


def core_kernel(act: Activation, params: dict[str, ParamValue],
                derivative: bool) -> tuple[str, tuple[float, ...]]:
    """The core's kernel for ``act`` and its numeric parameters in the registry's order: a choice
    parameter picks the kernel (gelu's approximate="tanh": gelu_tanh), None stands for +inf (a
    softplus threshold that never applies)."""
    name = act.name + ("_tanh" if params.get("approximate") == "tanh" else "")
    numbers = tuple(float("inf") if v is None else float(v) for k, v in params.items()
                    if not isinstance(v, str))
    return name + ("_grad" if derivative else ""), numbers


# The core's float64 (double-double) kernels, by name: asked of the core once, not at each call.
_WIDE = frozenset(_core.wide_kernels())


def in_core(act: Activation, params: dict[str, ParamValue], fmt: Format, derivative: bool) -> bool:
    """Whether the compiled core evaluates ``act`` in ``fmt``: every elementwise activation below
    float64, those with a double-double kernel in float64."""
    if act.vector:
        return False
    return fmt is not FLOAT64 or core_kernel(act, params, derivative)[0] in _WIDE


def _in_core(act: Activation, given: NDArray[Any], params: dict[str, ParamValue], fmt: Format,
             derivative: bool, kinks: list[tuple[float, float]], settled_from: float = 0.0) -> Any:
    """The results in ``fmt``, correctly rounded: the core's where its rounding test decides, the
    accurate path's where it does not; ``kinks``: (point, derivative) set by the convention. In
    float64, doubtful results below ``settled_from`` in magnitude take the reference kernels'
    double instead (within 0.505 ULP, and signed: the fast path's pair can lose a zero's sign)."""
    name, numbers = core_kernel(act, params, derivative)
    single = fmt.name == "float32"  # float32 in and out; the other formats' values go as doubles
    x = np.ascontiguousarray(given, dtype=np.float32 if single else np.float64).reshape(-1)
    out = np.empty_like(x)
    doubtful = np.empty(x.size, dtype=np.intp)
    count = _core.narrow(name, x, out, doubtful, numbers, fmt.name)
    if count:
        hard = doubtful[:count]
        if fmt is FLOAT64:
            below = np.abs(out[hard]) < settled_from
            if below.any():
                kernel = getattr(kernels, act.name + ("_grad" if derivative else ""))
                out[hard[below]] = _run(kernel, act, x[hard[below]].astype(np.float64), params, fmt)
            hard = hard[~below]
            out[hard] = [nearest(act, v, params, derivative, guess)
                         for v, guess in zip(x[hard], out[hard], strict=True)]
        else:
            out[hard] = accurate(act, x[hard].astype(np.float64), params, fmt, derivative)
    result = out if single or fmt is FLOAT64 else fmt.round(out)
    for at, value in kinks:
        np.copyto(result, fmt.round(np.array([value]))[0], where=x == np.float64(at))
    result = result.reshape(given.shape)
    return result[()] if not given.shape else result


def audit_doubles(act: Activation, x: NDArray[np.float64], params: dict[str, ParamValue], derivative: bool,
                  kink: KinkConvention) -> NDArray[np.float64]:
    """float64 results for the audits of narrower formats: correctly rounded, but for those the
    core doubts below 2**-900 in magnitude, which are the reference kernels' (within 0.505 ULP:
    far below an ULP of any narrower format, whose results there are ±0, and signed); mpmath would
    take a millisecond for each, and gelu has 450,000 of them among the float32 inputs."""
    kinks = [(point.at, point.derivative(kink)) for point in act.kinks_for(params)] if derivative else []
    result: NDArray[np.float64] = _in_core(act, x, params, FLOAT64, derivative, kinks, 2.0**-900)
    return result


def nearest(act: Activation, x: float, params: dict[str, ParamValue], derivative: bool,
            guess: float) -> float:
    """The double nearest to the exact value at ``x`` (ties to even): from the exact value to 90
    bits (``guess``, the fast path's double, where that is not finite), a neighbour or two away at
    most, by asking on which side of each midpoint around it the exact value lies (actcli.exact,
    at a rising precision)."""
    from fractions import Fraction

    from actcli import exact

    def side(a: float, b: float) -> int:
        """Where the exact value lies against the midpoint of neighbours a < b (past the largest
        double, the overflow threshold)."""
        low, high = (Fraction(v) if np.isfinite(v) else Fraction(np.sign(v)) * 2**1024 for v in (a, b))
        return exact.side(act, x, params, derivative, (low + high) / 2)

    def odd(v: float) -> bool:
        return bool(np.float64(v).view(np.int64) & 1)

    approximation = exact.value(act, x, params, derivative)
    if approximation is not None:
        try:
            guess = float(approximation)
        except OverflowError:
            guess = np.inf if approximation > 0 else -np.inf
    y = float(guess)
    for _ in range(8):  # the guess is a neighbour or two away at most
        with np.errstate(over="ignore"):  # past the largest double: the overflow threshold's side
            up, down = float(np.nextafter(y, np.inf)), float(np.nextafter(y, -np.inf))
        if y < np.inf and ((above := side(y, up)) > 0 or (above == 0 and odd(y))):
            y = up
        elif y > -np.inf and ((below := side(down, y)) < 0 or (below == 0 and odd(y))):
            y = down
        else:
            break
    else:
        raise ArithmeticError(f"{act.name}: no nearest double found for x = {x!r} near {guess!r}")
    if y == 0:  # a zero takes the exact value's sign
        y = float(np.copysign(0.0, exact.side(act, x, params, derivative, Fraction(0)) or 1))
    return y


def accurate(act: Activation, values: NDArray[np.float64], params: dict[str, ParamValue], fmt: Format,
             derivative: bool) -> NDArray[np.float64]:
    """The accurate path below float64: the reference kernels' doubles rounded to odd, the
    ambiguous ones decided at high precision, rounded into ``fmt`` (as doubles, exactly)."""
    kernel = getattr(kernels, act.name + ("_grad" if derivative else ""))
    settled = _decided(_run(kernel, act, values, params, fmt), values, fmt, act, params, derivative)
    return fmt.round(settled).astype(np.float64)


def _decided(y: NDArray[np.float64], values: NDArray[np.float64], fmt: Format, act: Activation,
             params: dict[str, ParamValue], derivative: bool) -> NDArray[np.float64]:
    """The reference kernels' doubles (rounded to odd), the ambiguous ones decided at high
    precision."""
    doubtful, boundary = fmt.ambiguous(y)
    if doubtful.any():
        y = _decide(y, values, doubtful, boundary, fmt, act, params, derivative)
    return y


def evaluate(act: Activation, x: ArrayLike, params: dict[str, ParamValue]) -> Any:
    """``act`` at ``x`` with validated ``params``."""
    given, fmt = _given(x)
    if in_core(act, params, fmt, False):
        return _in_core(act, given, params, fmt, False, [])
    values, shape, fmt = _prepare(given)
    y = _run(getattr(kernels, act.name), act, values, params, fmt)
    return _finish(y, values, shape, fmt, act, params, False)


def differentiate(
    act: Activation, x: ArrayLike, params: dict[str, ParamValue], kink: KinkConvention
) -> Any:
    """The first derivative of ``act`` at ``x``; at each kink the value ``kink`` asks for."""
    given, fmt = _given(x)
    kinks = [(point.at, point.derivative(kink)) for point in act.kinks_for(params)]
    if in_core(act, params, fmt, True):
        return _in_core(act, given, params, fmt, True, kinks)
    values, shape, fmt = _prepare(given)
    kernel = getattr(kernels, act.name + "_grad")
    points = kinks
    if fmt is FLOAT64:  # where the kernel's own branch gives the convention's value, keep it
        with np.errstate(all="ignore"):
            points = [(at, d) for at, d in kinks
                      if kernel(np.array([at]), **params).tobytes() != np.array([d]).tobytes()]

    def at_the_kinks(x: NDArray[np.float64], g: NDArray[np.float64]) -> None:
        for at, derivative in points:
            where = x == at
            if where.any():  # the common case is none: any() costs less than a masked copy
                np.copyto(g, derivative, where=where)

    g = _run(kernel, act, values, params, fmt, at_the_kinks if points else None)
    return _finish(g, values, shape, fmt, act, params, True)
