"""The formats below float64: every value and derivative correctly rounded on EVERY finite input
of float16, bfloat16, float8_e4m3fn and float8_e5m2, against the exhaustive, independent
reference in tests/data/format_reference.npz (scripts/format_reference.py, from
tests/reference.py); and what the library and the command line do with those formats."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import actcli
from actcli import exact
from actcli.formats import FORMATS
from tests.conftest import Run

DATA = Path(__file__).parent / "data" / "format_reference.npz"
NARROW = ("float16", "bfloat16", "float8_e4m3fn", "float8_e5m2")


@cache
def reference() -> dict[str, np.ndarray]:
    with np.load(DATA) as data:
        return {key: data[key] for key in data.files}


def cases() -> list[str]:
    keys = reference()
    return sorted({key.split("/")[1] for key in keys if key.startswith("float16/") and key.count("/") == 2})


def dtype(name: str) -> np.dtype:
    return np.dtype(getattr(ml_dtypes, name, None) or name)


@pytest.mark.parametrize("kind", ["value", "grad"])
@pytest.mark.parametrize("case", cases())
@pytest.mark.parametrize("name", NARROW)
def test_every_input_is_correctly_rounded(name: str, case: str, kind: str) -> None:
    data, format_dtype = reference(), dtype(name)
    bits = data[f"{name}/x"]
    x = bits.view(format_dtype)
    act_name, _, setting = case.partition(":")
    params = dict([setting.split("=")]) if setting else {}
    act = actcli.get(act_name)
    if act.vector:  # the reference's vectors: [x, 0], entry 0
        pairs = np.stack([x, np.zeros_like(x)], axis=1)
        got = (act(pairs, axis=1) if kind == "value" else act.grad(pairs, axis=1))[:, 0]
    else:
        got = act(x, **params) if kind == "value" else act.grad(x, **params)
    assert got.dtype == format_dtype
    want = data[f"{name}/{case}/{kind}"].view(format_dtype)
    checked = np.ones(len(x), dtype=bool)
    if kind == "grad":
        checked[data[f"{name}/{case}/grad_kinks"]] = False  # conventions: tests/test_kinks.py
    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    # zeros compare without their sign: the reference (mpmath) has none
    same = (got64 == want64) | (np.isnan(got64) & np.isnan(want64))
    wrong = np.flatnonzero(~same & checked)
    assert not len(wrong), [(float(x[i]), float(got[i]), float(want[i])) for i in wrong[:5]]


def test_every_case_of_the_registry_is_in_the_reference() -> None:
    assert {c.partition(":")[0] for c in cases()} == set(actcli.names())


@pytest.mark.parametrize("name", [*NARROW, "float32"])
def test_arrays_keep_their_format(name: str) -> None:
    x = np.array([-2.0, 0.5, 3.0]).astype(dtype(name))
    for act in (actcli.get("gelu"), actcli.get("softmax")):
        assert act(x).dtype == x.dtype and act.grad(x).dtype == x.dtype


def test_overflow_is_inf_or_nan_without_infinities() -> None:
    x = np.array([100.0])
    assert np.isinf(actcli.get("exponential")(x.astype(dtype("bfloat16")))).all()
    assert np.isinf(actcli.get("exponential")(x.astype(dtype("float8_e5m2")))).all()
    e4m3 = actcli.get("exponential")(np.array([7.0]).astype(dtype("float8_e4m3fn")))  # e^7 = 1097 > 448
    assert np.isnan(e4m3.astype(np.float64)).all()


def test_rounding_into_a_format_is_done_once() -> None:
    """ml_dtypes 0.6 casts float64 through float32, rounding twice; actcli does not."""
    bf16 = FORMATS["bfloat16"]
    just_above_a_tie = np.array([5.5 * 2.0**-133 * (1 + 2.0**-40)])
    assert bf16.round(just_above_a_tie).astype(np.float64)[0] == 6 * 2.0**-133
    assert bf16.round(np.array([1 + 2.0**-8 + 2.0**-30])).astype(np.float64)[0] == 1 + 2.0**-7


def test_a_value_next_to_a_boundary_is_decided_exactly() -> None:
    """x − tanh(x) = 2125 + 2e^-4252 at x = 2126: a double sees the midpoint 2125 of float16's
    2124 and 2126; the exact side of it is above."""
    act = actcli.get("tanhshrink")
    assert exact.side(act, 2126.0, {}, False, 2125.0) == 1
    assert exact.side(act, -2126.0, {}, False, -2125.0) == -1
    assert exact.side(actcli.get("hard_sigmoid"), 0.0, {}, False, 0.5) == 0  # an exact tie
    assert float(act(np.float16(2126.0))) == 2126.0


def test_the_command_line_speaks_every_format(run: Run) -> None:
    assert run("apply", "relu", "0.1", "448", "470", "--dtype", "float8_e4m3fn").out == "0.1\n448.0\nNaN\n"
    assert run("apply", "gelu", "1", "--dtype", "bfloat16").out == "0.84\n"
    out = run("apply", "elu", "-c", "x", "--dtype", "bfloat16", stdin="x\n0.1\n-2\n1e39\n").out
    assert out == "x,elu(x)\n0.1,0.1\n-2,-0.863\n1e39,inf\n"
