"""actcli.ufuncs: real NumPy ufuncs with the bits of actcli.get, and NumPy's machinery around them."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import actcli
from actcli import ufuncs


def cases() -> list[tuple[str, actcli.Activation, dict[str, Any], bool]]:
    """(ufunc name, activation, its choice parameters, derivative) for every ufunc."""
    found = []
    for name in actcli.names():
        act = actcli.get(name)
        if act.vector:
            continue
        for suffix, choice in [("", {})] + ([("_tanh", {"approximate": "tanh"})] if name == "gelu" else []):
            for derivative in (False, True):
                found.append((name + suffix + ("_grad" if derivative else ""), act, choice, derivative))
    return found


CASES = cases()


def inputs() -> np.ndarray:
    rng = np.random.default_rng(21)
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, -1e-300, 1e300, -1, 1, 3, -3, 6, 0.5, -0.5]
    return np.concatenate([rng.normal(0, 3, 20_000), rng.normal(0, 300, 2_000), specials])


def numeric_defaults(act: actcli.Activation) -> list[float]:
    return [v for v in act.params.values() if isinstance(v, float)]


def test_every_elementwise_activation_has_its_two_ufuncs() -> None:
    assert sorted(ufuncs.__all__) == sorted(name for name, *_ in CASES)
    assert all(isinstance(getattr(ufuncs, name), np.ufunc) for name in ufuncs.__all__)
    assert ufuncs.elu.nin == 2 and ufuncs.rrelu.nin == 3 and ufuncs.softplus.nin == 2 and ufuncs.relu.nin == 1
    with pytest.raises(AttributeError, match="has no 'softmax'"):
        ufuncs.softmax  # noqa: B018


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(("name", "act", "choice", "derivative"), CASES, ids=[c[0] for c in CASES])
def test_the_bits_of_actcli_get(name: str, act: actcli.Activation, choice: dict[str, Any], derivative: bool,
                                dtype: type) -> None:
    with np.errstate(all="ignore"):
        x = inputs().astype(dtype)
        expected = act.grad(x, **choice) if derivative else act(x, **choice)
        got = getattr(ufuncs, name)(x, *numeric_defaults(act))
    assert got.dtype == expected.dtype == x.dtype
    same = (got.view(np.uint8) == expected.view(np.uint8)).reshape(x.size, -1).all(axis=1)
    assert (same | (np.isnan(got) & np.isnan(expected))).all()


def test_parameters_broadcast_per_channel() -> None:
    x = np.float32([[-1.0], [1.0], [-2.0]])
    alpha = np.array([0.5, 1.0, 2.0])
    got = ufuncs.elu(x, alpha)
    assert got.shape == (3, 3) and got.dtype == np.float32
    for j, a in enumerate(alpha):
        assert got[:, j].tobytes() == actcli.get("elu")(x[:, 0], alpha=a).tobytes()


def test_out_where_and_dtype() -> None:
    out = np.full(3, 7.0, dtype=np.float32)
    ufuncs.relu(np.float32([-1.0, 2.0, -3.0]), out=out, where=[True, False, True])
    assert out.tolist() == [0.0, 7.0, 0.0]
    wide = ufuncs.sigmoid(np.float32([1.0]), dtype=np.float64)
    assert wide.dtype == np.float64 and wide[0] == actcli.get("sigmoid")(1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_strided_reversed_and_in_place_operands(dtype: type) -> None:
    """The loops read and write contiguous operands where they are, and copy the others (strided,
    or exactly in place, where the settled values need the inputs the outputs overwrite): the same
    bits every way, the accurate path's values (tanhshrink's doubtful ones in float32) included."""
    from actcli import _core

    with np.errstate(over="ignore"):
        x = inputs().astype(dtype)
    if dtype is np.float32:  # with inputs the rounding test leaves to the accurate path
        candidates = np.random.default_rng(5).normal(0, 3, 4 * 10**6).astype(dtype)
        doubtful = np.empty(candidates.size, dtype=np.intp)
        count = _core.narrow("tanhshrink", candidates, np.empty_like(candidates), doubtful, (), "float32")
        assert count > 0
        x = np.r_[x, candidates[doubtful[:count]]]
    expected = ufuncs.tanhshrink(x)
    assert expected[-1] == actcli.get("tanhshrink")(x[-1])
    assert ufuncs.tanhshrink(x[::-1]).tobytes() == expected[::-1].tobytes()
    assert ufuncs.tanhshrink(x[::3]).tobytes() == expected[::3].tobytes()
    wide = np.zeros((x.size, 2), dtype=dtype)
    ufuncs.tanhshrink(x, out=wide[:, 1])
    assert wide[:, 1].tobytes() == expected.tobytes() and not wide[:, 0].any()
    alpha = np.full(x.size, 1.5)
    assert ufuncs.elu(x, alpha).tobytes() == ufuncs.elu(x, 1.5).tobytes()  # per value, and broadcast
    ufuncs.tanhshrink(x, out=x)
    assert x.tobytes() == expected.tobytes()


def test_inputs_other_than_float16_and_float32_are_float64() -> None:
    assert ufuncs.relu(np.int8([-1, 2])).dtype == np.float64  # not NumPy's int8 -> float16
    assert ufuncs.gelu(3).dtype == np.float64
    with pytest.raises(TypeError, match="real numbers"):
        ufuncs.relu(np.array([1 + 2j]))


def test_a_parameter_out_of_range_gives_nan() -> None:
    assert np.isnan(ufuncs.celu(np.float32([1.0, -1.0]), 0.0)).all()  # actcli.get raises ValueError
    assert not np.isnan(ufuncs.celu(np.float32([1.0, -1.0]), 0.5)).any()


def test_no_floating_point_warnings_from_discarded_branches() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ufuncs.softsign(np.float32([3e38, -3e38]))
        ufuncs.mish_grad(np.float32([-1e38, 1e38]))


def test_containers_ride_on_array_ufunc() -> None:
    import dask.array as da
    import pandas as pd

    series = pd.Series(np.float32([-1.0, 2.0]), index=["a", "b"], name="s")
    result = ufuncs.relu(series)
    assert isinstance(result, pd.Series) and list(result.index) == ["a", "b"] and result.dtype == np.float32
    lazy = ufuncs.gelu(da.from_array(np.linspace(-2, 2, 8), chunks=4))
    assert isinstance(lazy, da.Array)
    assert lazy.compute().tobytes() == actcli.get("gelu")(np.linspace(-2, 2, 8)).tobytes()


def test_importing_actcli_loads_no_ufunc() -> None:
    code = "import sys, actcli; assert 'actcli.ufuncs' not in sys.modules and 'numpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert actcli.ufuncs is ufuncs
