"""Activations on the containers of the PyData stack, as NumPy's ufuncs behave on them: the
result is the same kind of object, with its index, coordinates, names, dtype and missing values,
and the same bits as the NumPy path, which does all the computing.

Each container is unwrapped to NumPy arrays, computed by ``compute`` (the library's one path),
and wrapped back, the way ``scipy.special``'s ufuncs ride on NumPy's ``__array_ufunc__``; lazy
containers (Dask, Polars expressions) get the computation as a task on each block or batch,
with ``map_blocks`` and ``map_batches(is_elementwise=...)``, as xarray's ``apply_ufunc`` does.
No library is imported here: an object is recognised by its type's module, so only the
libraries whose objects are passed are ever loaded.

Missing values (pandas NA, Polars and Arrow nulls, masked entries) stay missing; NaN stays NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Compute = Callable[[Any], Any]  # NumPy array in, NumPy array (or scalar) out


def _library(x: Any) -> str:
    return type(x).__module__.partition(".")[0]


def declared_dtype(x: Any, params: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Polars' ``map_batches`` calls a function with ``return_dtype=``: that is no parameter of
    the activation but the dtype declared for the result (None elsewhere)."""
    if _library(x) == "polars" and "return_dtype" in params:
        params = dict(params)
        return params, params.pop("return_dtype")
    return params, None


def _is_masked(x: Any) -> bool:
    # By the class hierarchy, not np.ma (4.8 ms to load), and not through sys.modules either:
    # while another thread imports numpy.ma, the half-made module there has no MaskedArray yet.
    return any(c.__name__ == "MaskedArray" and c.__module__.startswith("numpy.ma") for c in type(x).__mro__)


def apply(x: Any, compute: Compute, vector: bool, return_dtype: Any = None) -> Any:
    """``compute`` on ``x``, whatever holds it; NumPy arrays and Python numbers go straight
    through. ``vector``: softmax-like, over an axis, so lazy containers give it whole rows.
    ``return_dtype``: what Polars' ``map_batches`` declared for the result, if anything."""
    library = _library(x)
    masked = _is_masked(x)
    if library in ("builtins", "numpy") and not masked:
        return _numpy(x, compute)
    adapter = ADAPTERS.get(library)
    if masked:
        adapter = _masked
    if adapter is None:
        return _numpy(x, compute)
    if library == "polars":
        return _polars(x, compute, vector, return_dtype)
    return adapter(x, compute, vector)


def _numpy(x: Any, compute: Compute) -> Any:
    """Arrays of another byte order come back in it (ufuncs keep a big-endian dtype)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and not dtype.isnative:
        return compute(x.astype(dtype.newbyteorder("="))).astype(dtype)
    return compute(x)


def _masked(x: Any, compute: Compute, vector: bool) -> Any:
    return np.ma.MaskedArray(_numpy(x.data, compute), mask=np.ma.getmaskarray(x).copy())


# --- pandas ------------------------------------------------------------------------------------


def _pandas(x: Any, compute: Compute, vector: bool) -> Any:
    import pandas as pd

    if isinstance(x, pd.DataFrame):
        if vector:  # across each row, as on a 2-D array
            return pd.DataFrame(compute(_pandas_values(x)), index=x.index, columns=x.columns)
        return pd.DataFrame({k: _pandas(x[k], compute, vector) for k in x.columns}, index=x.index)[x.columns]
    result = compute(_pandas_values(x))
    missing = np.asarray(x.isna())
    if isinstance(x.dtype, pd.api.extensions.ExtensionDtype) and missing.any():
        result = pd.array(result, dtype=_masked_dtype(x.dtype, result.dtype))
        result[missing] = pd.NA
    if isinstance(x, pd.Index):
        return pd.Index(result, name=x.name)
    return pd.Series(result, index=x.index, name=x.name)


def _pandas_values(x: Any) -> Any:
    """Numbers as a NumPy array, NA as NaN (in the column's own float dtype)."""
    dtype = getattr(x.dtype, "numpy_dtype", x.dtype) if hasattr(x, "dtype") else None
    if hasattr(x, "dtypes") and not hasattr(x, "dtype"):  # a DataFrame
        return x.to_numpy(dtype=np.result_type(*[_float(d) for d in x.dtypes]), na_value=np.nan)
    return x.to_numpy(dtype=_float(dtype), na_value=np.nan)


def _float(dtype: Any) -> Any:
    """The float dtype a column is computed in: its own when it is float32 or float16."""
    numpy_dtype = np.dtype(getattr(dtype, "numpy_dtype", dtype))
    if numpy_dtype.kind not in "biuf":
        raise TypeError(f"not a real number dtype: {dtype}")
    return numpy_dtype if numpy_dtype in (np.float32, np.float16) else np.dtype(np.float64)


def _masked_dtype(dtype: Any, result: Any) -> str:
    return "Float32" if np.dtype(result) == np.float32 else "Float64"


# --- xarray, Polars, PyArrow, Dask -------------------------------------------------------------


def _xarray(x: Any, compute: Compute, vector: bool) -> Any:
    import xarray as xr

    if isinstance(x, xr.Dataset):
        return x.map(lambda v: _xarray(v, compute, vector), keep_attrs=True)
    return x.copy(data=apply(x.data, compute, vector))  # coords, dims, attrs and name kept


def _polars(x: Any, compute: Compute, vector: bool, return_dtype: Any) -> Any:
    import polars as pl

    if isinstance(x, pl.Expr):  # a task on each batch; element by element unless softmax
        return x.map_batches(lambda s: _polars(s, compute, vector, None), is_elementwise=not vector)
    if isinstance(x, pl.DataFrame):
        return x.select(_polars(x.to_series(i), compute, vector, None) for i in range(x.width))
    if not x.dtype.is_numeric():
        raise TypeError(f"not a real number dtype: {x.dtype}")
    values = x.to_numpy() if x.dtype in (pl.Float32, pl.Float64) else x.cast(pl.Float64).to_numpy()
    result = pl.Series(x.name, compute(values))
    if x.null_count():
        result = pl.select(pl.when(x.is_null()).then(None).otherwise(result)).to_series().alias(x.name)
    return result if return_dtype is None else result.cast(return_dtype)


def _pyarrow(x: Any, compute: Compute, vector: bool) -> Any:
    import pyarrow as pa

    if isinstance(x, pa.ChunkedArray):
        chunks = [_pyarrow(c, compute, vector) for c in x.chunks]
        return pa.chunked_array(chunks, type=chunks[0].type if chunks else pa.float64())
    if not (pa.types.is_floating(x.type) or pa.types.is_integer(x.type)):
        raise TypeError(f"not a real number type: {x.type}")
    values = x.to_numpy(zero_copy_only=False)
    values = values if pa.types.is_floating(x.type) else values.astype(np.float64)
    result = compute(np.where(np.asarray(x.is_null()), np.nan, values).astype(values.dtype))
    return pa.array(result, mask=np.asarray(x.is_null()), type=pa.from_numpy_dtype(result.dtype))


def _dask(x: Any, compute: Compute, vector: bool) -> Any:
    """Lazily, block by block (whole rows along the axis for softmax)."""
    import dask.array as da

    if isinstance(x, da.Array):
        dtype = x.dtype if x.dtype in (np.float32, np.float16) else np.dtype(np.float64)
        blocks: Any = x.rechunk({-1: -1}) if vector else x  # type: ignore[no-untyped-call]
        return blocks.map_blocks(compute, dtype=dtype)
    meta = x._meta  # a dask DataFrame or Series: its pandas partitions
    return x.map_partitions(_pandas, compute, vector, meta=_pandas(meta, compute, vector))


ADAPTERS: dict[str, Callable[[Any, Compute, bool], Any]] = {
    "pandas": _pandas, "xarray": _xarray, "pyarrow": _pyarrow, "dask": _dask, "polars": _polars,  # type: ignore[dict-item]
}
