"""The library on the containers of the PyData stack: the same kind of object back, with its
index, coordinates, names, dtype and missing values, and the same bits as the NumPy path; and
activations that pickle, hash and compare, for multiprocessing and clusters."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import actcli

GELU = actcli.get("gelu")
X = np.array([-3.5, -1.0, -0.0, 1e-300, 0.5, 2.0, 40.0])


def same_bits(got: np.ndarray, want: np.ndarray) -> bool:
    got, want = np.ascontiguousarray(got), np.ascontiguousarray(want)
    return got.dtype == want.dtype and np.array_equal(got.view(np.uint8), want.view(np.uint8))


@pytest.mark.parametrize("derivative", [False, True])
def test_pandas(derivative: bool) -> None:
    pd = pytest.importorskip("pandas")
    f = GELU.grad if derivative else GELU
    series = pd.Series(X, index=list("abcdefg"), name="score")
    got = f(series)
    assert isinstance(got, pd.Series) and got.name == "score" and list(got.index) == list("abcdefg")
    assert same_bits(got.to_numpy(), f(X))
    nullable = pd.Series([1.0, None, -2.0], dtype="Float32", name="n")
    got = f(nullable)
    assert str(got.dtype) == "Float32" and got.isna().tolist() == [False, True, False]
    assert same_bits(got.to_numpy(dtype=np.float32, na_value=np.nan)[[0, 2]], f(np.float32([1.0, -2.0])))
    frame = pd.DataFrame({"a": X, "b": X.astype(np.float32)})
    got = f(frame)
    assert list(got.columns) == ["a", "b"] and list(got.dtypes) == [np.float64, np.float32]
    index = pd.Index(X, name="i")
    assert isinstance(f(index), pd.Index) and f(index).name == "i"


def test_pandas_softmax_is_across_each_row() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.0, 0.0], "b": [2.0, 0.0]}, index=["r", "s"])
    got = actcli.get("softmax")(frame)
    assert list(got.index) == ["r", "s"]
    assert same_bits(got.to_numpy(), actcli.get("softmax")(frame.to_numpy()))


def test_xarray() -> None:
    xr = pytest.importorskip("xarray")
    data = xr.DataArray(X, dims=["t"], coords={"t": np.arange(7)}, name="v", attrs={"units": "m"})
    got = GELU(data)
    assert isinstance(got, xr.DataArray) and got.name == "v" and got.attrs == {"units": "m"}
    assert list(got.coords["t"].values) == list(range(7)) and same_bits(got.values, GELU(X))
    dataset = xr.Dataset({"a": data, "b": data * 2}, attrs={"run": 1})
    got_set = GELU.grad(dataset)
    assert got_set.attrs == {"run": 1} and same_bits(got_set["b"].values, GELU.grad(X * 2))


def test_polars_series_and_expressions() -> None:
    pl = pytest.importorskip("polars")
    series = pl.Series("x", [1.0, None, -2.0], dtype=pl.Float32)
    got = GELU(series)
    assert got.dtype == pl.Float32 and got.name == "x" and got.null_count() == 1
    assert same_bits(got.drop_nulls().to_numpy(), GELU(np.float32([1.0, -2.0])))
    frame = pl.DataFrame({"x": X})
    lazy = frame.lazy().with_columns(y=GELU(pl.col("x")), dy=GELU.grad(pl.col("x")))
    for engine in ("in-memory", "streaming"):
        out = lazy.collect(engine=engine)
        assert same_bits(out["y"].to_numpy(), GELU(X)) and same_bits(out["dy"].to_numpy(), GELU.grad(X))
    mapped = frame.select(pl.col("x").map_batches(GELU, return_dtype=pl.Float64))
    assert same_bits(mapped["x"].to_numpy(), GELU(X))


def test_pyarrow() -> None:
    pa = pytest.importorskip("pyarrow")
    array = pa.array([1.0, None, -2.0], type=pa.float32())
    got = GELU(array)
    assert got.type == pa.float32() and got.null_count == 1
    chunked = pa.chunked_array([X[:3], X[3:]])
    got_chunked = GELU(chunked)
    assert isinstance(got_chunked, pa.ChunkedArray) and same_bits(got_chunked.to_numpy(), GELU(X))


def test_dask_stays_lazy() -> None:
    da = pytest.importorskip("dask.array")
    lazy = da.from_array(X, chunks=3)
    got = GELU(lazy)
    assert type(got).__name__ == "Array" and same_bits(got.compute(), GELU(X))
    softmax = actcli.get("softmax")(da.from_array(np.stack([X, X]), chunks=(1, 3)))
    assert same_bits(softmax.compute(), actcli.get("softmax")(np.stack([X, X])))
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    column = dd.from_pandas(pd.DataFrame({"x": X}), npartitions=3)["x"]
    got_column = GELU(column)
    assert not isinstance(got_column, pd.Series) and same_bits(got_column.compute().to_numpy(), GELU(X))


def test_masked_and_big_endian_arrays() -> None:
    masked = np.ma.array(X, mask=[0, 1, 0, 0, 0, 0, 1])
    got = GELU(masked)
    assert isinstance(got, np.ma.MaskedArray) and got.mask.tolist() == masked.mask.tolist()
    for dtype in (">f4", ">f2", ">f8"):
        big = X.astype(dtype)
        got_big = GELU(big)
        assert got_big.dtype == np.dtype(dtype)
        assert same_bits(got_big.astype(dtype[1:]), GELU(X.astype(dtype[1:])))


@pytest.mark.parametrize("bad", [1 + 2j, np.array([1j]), "1.5", ["1.5"], np.array(["a"])])
def test_non_real_input_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="real numbers"):
        GELU(bad)


def test_pickle_hash_and_equality() -> None:
    elu = actcli.get("elu")
    half = elu.with_params(alpha=0.5)
    assert pickle.loads(pickle.dumps(elu)) is elu
    assert pickle.loads(pickle.dumps(half)) == half != elu
    assert hash(half) == hash(actcli.get("elu").with_params(alpha=0.5)) and len({elu, half, elu}) == 2
    assert same_bits(half(X), elu(X, alpha=0.5)) and half.params == {"alpha": 0.5}


def test_in_other_processes() -> None:
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(actcli.get("elu").with_params(alpha=0.5), [X, -X]))
    assert same_bits(results[0], actcli.get("elu")(X, alpha=0.5))


def test_the_readme_dask_example_on_a_local_cluster(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """README's Dask example, as written: two worker processes, 10^6 rows, the same bits."""
    pytest.importorskip("dask.distributed")
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    import re
    import subprocess
    import sys
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    code = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if "LocalCluster" in b)
    x = np.random.default_rng(5).normal(0.0, 4.0, 1_000_000)
    pd.DataFrame({"x": x}).to_parquet(tmp_path / "scores.parquet")
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=300, capture_output=True)
    scored = pd.read_parquet(tmp_path / "scored")
    assert len(scored) == 1_000_000
    assert same_bits(scored["gelu"].to_numpy(), GELU(scored["x"].to_numpy()))
    assert same_bits(scored["gelu_grad"].to_numpy(), GELU.grad(scored["x"].to_numpy()))
