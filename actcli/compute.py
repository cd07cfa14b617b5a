"""Bridge between the registry and the kernels: dtypes, shapes, parameters and kink conventions.

Inputs of any shape become float64 arrays; float32 and float16 inputs are computed in float64,
rounded to odd (see actcli.extended.round_to_odd), then to their own dtype: correctly rounded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from actcli import kernels
from actcli.extended import ROUND_TO_ODD

if TYPE_CHECKING:
    from actcli.registry import Activation, KinkConvention, ParamValue

NARROW_DTYPES = (np.dtype(np.float32), np.dtype(np.float16))


def _prepare(x: ArrayLike) -> tuple[NDArray[np.float64], tuple[int, ...], np.dtype[Any]]:
    """The input as a float64 array of at least one dimension (kernels assign through masks,
    which 0-d arrays do not allow), its shape, and the dtype the result must have."""
    dtype = getattr(x, "dtype", None)
    out_dtype = np.dtype(dtype) if dtype in NARROW_DTYPES else np.dtype(np.float64)
    values = np.asarray(x, dtype=np.float64)
    return np.atleast_1d(values), values.shape, out_dtype


def _finish(y: NDArray[np.float64], shape: tuple[int, ...], out_dtype: np.dtype[Any]) -> Any:
    with np.errstate(over="ignore"):  # e.g. exp(100) is inf in float32, as it should be
        result = y.reshape(shape).astype(out_dtype, copy=False)
    return result[()] if not shape else result


# Elementwise kernels run over chunks of this many values: their temporaries then stay in the
# CPU cache, which doubles the throughput of the multi-step kernels (gelu, celu, softplus).
CHUNK = 8192


def _run(kernel: Any, act: Activation, values: NDArray[np.float64],
         params: dict[str, ParamValue], out_dtype: np.dtype[Any]) -> NDArray[np.float64]:
    if act.vector:
        axis = params["axis"]
        if not isinstance(axis, int) or not -values.ndim <= axis < values.ndim:
            raise ValueError(f"{act.name}: axis {axis} is out of range for {values.ndim}-dimensional input")
    # For float32/float16 the kernels round to odd, so that _finish's second rounding is correct.
    token = ROUND_TO_ODD.set(out_dtype in NARROW_DTYPES)
    try:
        return _chunks(kernel, act, values, params)
    finally:
        ROUND_TO_ODD.reset(token)


def _chunks(kernel: Any, act: Activation, values: NDArray[np.float64],
            params: dict[str, ParamValue]) -> NDArray[np.float64]:
    with np.errstate(all="ignore"):
        if act.vector or values.size <= CHUNK:
            return kernel(values, **params)  # type: ignore[no-any-return]
        flat = values.ravel()
        out = np.empty_like(flat)
        for start in range(0, flat.size, CHUNK):
            out[start:start + CHUNK] = kernel(flat[start:start + CHUNK], **params)
        return out.reshape(values.shape)


def evaluate(act: Activation, x: ArrayLike, params: dict[str, ParamValue]) -> Any:
    """``act`` at ``x`` with validated ``params``."""
    values, shape, out_dtype = _prepare(x)
    y = _run(getattr(kernels, act.name), act, values, params, out_dtype)
    return _finish(y, shape, out_dtype)


def differentiate(
    act: Activation, x: ArrayLike, params: dict[str, ParamValue], kink: KinkConvention
) -> Any:
    """The first derivative of ``act`` at ``x``; at each kink the value ``kink`` asks for."""
    values, shape, out_dtype = _prepare(x)
    g = _run(getattr(kernels, act.name + "_grad"), act, values, params, out_dtype)
    for point in act.kinks_for(params):
        g[values == point.at] = point.derivative(kink)
    return _finish(g, shape, out_dtype)
