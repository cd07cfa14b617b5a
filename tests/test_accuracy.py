"""Every activation and derivative against the independent mpmath reference, in ULPs.

One table of cases drives one generic test per (case, value|grad, dtype). The bounds are the
issue's bar: float64 within 1 ULP, float32 and float16 correctly rounded (within 0.5 ULP). Points
where the derivative has a kink are checked in test_kinks.py instead.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest

import actcli
from tests import reference
from tests.points import hard_points

# (activation, parameters) pairs: every entry at its defaults, plus other parameter values.
CASES: list[tuple[str, dict[str, Any]]] = [(name, {}) for name in reference.NAMES] + [
    ("leaky_relu", {"negative_slope": 0.2}),
    ("leaky_relu", {"negative_slope": -0.5}),
    ("prelu", {"weight": 0.1}),
    ("rrelu", {"lower": 0.1, "upper": 0.3}),
    ("threshold", {"threshold": 1.0, "value": -2.5}),
    ("hardtanh", {"min_val": -2.0, "max_val": 3.5}),
    ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": 2.0}),
    ("celu", {"alpha": 0.5}),
    ("celu", {"alpha": 3.0}),
    ("softplus", {"beta": 2.0}),
    ("softplus", {"beta": 0.5}),
    ("softplus", {"threshold": 20.0}),
    ("squareplus", {"b": 1.0}),
    ("squareplus", {"b": 0.01}),
    ("hardshrink", {"lambd": 1.5}),
    ("softshrink", {"lambd": 2.0}),
    ("gelu", {"approximate": "tanh"}),
]

DTYPES = {"float64": np.float64, "float32": np.float32, "float16": np.float16}
BOUNDS = {"float64": 1.0, "float32": 0.5, "float16": 0.5}


def case_id(case: tuple[str, dict[str, Any]]) -> str:
    name, params = case
    return name + "".join(f":{k}={v}" for k, v in params.items())


@cache
def reference_values(name: str, kind: str, params_key: tuple[tuple[str, Any], ...],
                     dtype_name: str) -> tuple[np.ndarray, list[Any]]:
    """The sweep points and their exact values (None at kinks), computed once per session."""
    params = dict(params_key)
    x = hard_points(name, params, DTYPES[dtype_name])
    exact_of = reference.value if kind == "value" else reference.derivative
    exact: list[Any] = []
    for xi in x.tolist():
        try:
            exact.append(exact_of(name, xi, **params))
        except ValueError:  # a kink: test_kinks.py checks the conventions there
            exact.append(None)
    return x, exact


def worst_ulp(name: str, kind: str, params: dict[str, Any], dtype_name: str) -> tuple[float, float]:
    """The largest ULP error over the sweep and the input where it occurs."""
    x, exact = reference_values(name, kind, tuple(sorted(params.items())), dtype_name)
    act = actcli.get(name)
    got = act(x, **params) if kind == "value" else act.grad(x, **params)
    assert got.dtype == x.dtype and got.shape == x.shape
    worst, where = 0.0, float("nan")
    for xi, gi, ei in zip(x.tolist(), got.tolist(), exact, strict=True):
        if ei is None:
            continue
        err = reference.ulp_error(gi, ei, DTYPES[dtype_name])
        if err > worst:
            worst, where = err, xi
    return worst, where


@pytest.mark.parametrize("dtype_name", list(DTYPES))
@pytest.mark.parametrize("kind", ["value", "grad"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_within_ulp_bound(case: tuple[str, dict[str, Any]], kind: str, dtype_name: str) -> None:
    name, params = case
    worst, where = worst_ulp(name, kind, params, dtype_name)
    assert worst <= BOUNDS[dtype_name], f"{worst:.3g} ULP at x = {where!r}"


def test_every_registry_entry_has_a_reference() -> None:
    assert set(reference.NAMES) | set(reference.VECTOR_NAMES) == set(actcli.names())


VECTORS = [
    [1.0, 2.0, 3.0],
    [0.0, -30.0],
    [0.0, -1000.0, 700.0],
    [1e-300, -1e-300, 0.0],
    [5.0],
    [-745.0, 0.0, 0.5, 1e-20],
    [np.inf, 0.0, np.inf],
    [-np.inf, 1.0, 2.0],
    [1.0, np.nan],
    list(np.linspace(-50.0, 50.0, 37)),
    list(np.random.default_rng(3).normal(0.0, 3.0, 500)),  # long enough for summation errors
]


@pytest.mark.parametrize("kind", ["value", "grad"])
@pytest.mark.parametrize("name", reference.VECTOR_NAMES)
def test_vector_activations(name: str, kind: str) -> None:
    act = actcli.get(name)
    for xs in VECTORS:
        got = act(xs) if kind == "value" else act.grad(xs)
        exact = (reference.vector_value if kind == "value" else reference.vector_derivative)(
            name, [float(v) for v in xs]
        )
        errors = [reference.ulp_error(g, e, np.float64) for g, e in zip(got.tolist(), exact, strict=True)]
        assert max(errors) <= 1, f"{xs}: {errors}"


def test_vector_activations_along_an_axis() -> None:
    matrix = np.array([[1.0, -2.0, 0.5], [300.0, 0.0, -300.0]])
    for name in reference.VECTOR_NAMES:
        act = actcli.get(name)
        by_rows = act(matrix, axis=1)
        by_columns = act(matrix.T, axis=0).T
        assert np.array_equal(by_rows, by_columns)
        for row, got in zip(matrix, by_rows, strict=True):
            exact = reference.vector_value(name, row.tolist())
            assert max(reference.ulp_error(g, e, np.float64) for g, e in zip(got, exact, strict=True)) <= 1


def parameter_extremes() -> list[tuple[str, dict[str, Any]]]:
    """Every numeric parameter at the ends of its valid range (and ±1e308 where it has none),
    the others at their defaults: within range, the 1-ULP promise holds everywhere."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for name in reference.NAMES:
        act = actcli.get(name)
        for p in act.parameters:
            if p.kind != "real":
                continue
            ends = [p.low if np.isfinite(p.low) else -1e308, p.high if np.isfinite(p.high) else 1e308]
            ends += [p.tiniest, -p.tiniest] if p.tiniest else []
            for value in ends:
                try:
                    cases.append((name, act.bind({p.name: value})))
                except ValueError:  # against another parameter's constraint (rrelu, hardtanh)
                    partner = {"lower": "upper", "upper": "lower", "min_val": "max_val", "max_val": "min_val"}
                    cases.append((name, act.bind({p.name: value, partner[p.name]: value})))
    return [(n, {k: v for k, v in params.items() if v is not None}) for n, params in cases]


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("case", parameter_extremes(), ids=case_id)
def test_parameters_over_their_whole_range(case: tuple[str, dict[str, Any]], dtype_name: str) -> None:
    name, params = case
    act = actcli.get(name)
    x = hard_points(name, params, DTYPES[dtype_name])[::7]
    for kind in ("value", "grad"):
        got = act(x, **params) if kind == "value" else act.grad(x, **params)
        exact_of = reference.value if kind == "value" else reference.derivative
        for xi, gi in zip(x.tolist(), got.tolist(), strict=True):
            try:
                exact = exact_of(name, xi, **params)
            except ValueError:  # a kink
                continue
            error = reference.ulp_error(gi, exact, DTYPES[dtype_name])
            assert error <= BOUNDS[dtype_name], f"{kind} {error:.3g} ULP at x = {xi!r}"
