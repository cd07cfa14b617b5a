"""Bridge between the registry and the kernels: dtypes, shapes, parameters and kink conventions.

Inputs of any shape become float64 arrays. Inputs in a narrower format (float32, float16,
bfloat16, float8_e4m3fn, float8_e5m2; see actcli.formats) go through the compiled core
(actcli._core): one fused pass in double with a proven error bound and a rounding test. The
rare values the test cannot decide take the accurate path, the reference kernels
(actcli.kernels) in double-double rounded to odd, where those within their own error of a
rounding boundary are decided again at high precision (actcli.exact). Either way each result is
rounded into its format once, correctly. float64 results come from the reference kernels.
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


def _narrow(act: Activation, given: NDArray[Any], params: dict[str, ParamValue], fmt: Format,
            derivative: bool, kinks: list[tuple[float, float]]) -> Any:
    """The results in ``fmt``, correctly rounded: the core's where its rounding test decides, the
    accurate path's where it does not; ``kinks``: (point, derivative) set by the convention."""
    name, numbers = core_kernel(act, params, derivative)
    single = fmt.name == "float32"  # float32 in and out; the other formats' values go as doubles
    x = np.ascontiguousarray(given, dtype=np.float32 if single else np.float64).reshape(-1)
    out = np.empty_like(x)
    doubtful = np.empty(x.size, dtype=np.intp)
    count = _core.narrow(name, x, out, doubtful, numbers, fmt.name)
    if count:
        hard = doubtful[:count]
        out[hard] = accurate(act, x[hard].astype(np.float64), params, fmt, derivative)
    result = out if single else fmt.round(out)
    for at, value in kinks:
        np.copyto(result, fmt.round(np.array([value]))[0], where=x == np.float64(at))
    result = result.reshape(given.shape)
    return result[()] if not given.shape else result


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
    if fmt is not FLOAT64 and not act.vector:
        return _narrow(act, given, params, fmt, False, [])
    values, shape, fmt = _prepare(given)
    y = _run(getattr(kernels, act.name), act, values, params, fmt)
    return _finish(y, values, shape, fmt, act, params, False)


def differentiate(
    act: Activation, x: ArrayLike, params: dict[str, ParamValue], kink: KinkConvention
) -> Any:
    """The first derivative of ``act`` at ``x``; at each kink the value ``kink`` asks for."""
    given, fmt = _given(x)
    kinks = [(point.at, point.derivative(kink)) for point in act.kinks_for(params)]
    if fmt is not FLOAT64 and not act.vector:
        return _narrow(act, given, params, fmt, True, kinks)
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
