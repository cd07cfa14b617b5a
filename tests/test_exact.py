"""actcli.exact (the arbitrary-precision formulas behind narrow-format rounding and ``check``)
against the independent reference, tests/reference.py: the same values to 85 bits, on a
sample of each function's hard points, in every regime (tails, near 0, near roots)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import actcli
from actcli import exact
from tests import reference
from tests.points import hard_points


@pytest.mark.parametrize("kind", ["value", "grad"])
@pytest.mark.parametrize("name", reference.NAMES)
def test_exact_agrees_with_the_reference(name: str, kind: str) -> None:
    act = actcli.get(name)
    params = act.bind({})
    points = hard_points(name, {}, np.float64)
    sample = np.random.default_rng(sum(map(ord, name))).choice(points, min(40, len(points)), replace=False)
    for x in (v for v in sample.tolist() if np.isfinite(v)):
        try:
            expected = (reference.derivative if kind == "grad" else reference.value)(name, x)
        except ValueError:  # a kink
            continue
        far = mpmath.mpf(2) ** 1100
        if not mpmath.isfinite(expected) or 0 < abs(expected) < 1 / far or abs(expected) > far:
            continue  # far beyond the float range exact is right in sign only (exact.FAR)
        got = exact.value(act, x, params, kind == "grad")
        assert got is not None
        with mpmath.workprec(300):
            value = mpmath.mpf(got.numerator) / got.denominator
            error = abs(value - expected) / abs(expected) if expected else abs(value)
        assert error <= mpmath.mpf(2) ** -85, (x, mpmath.nstr(value, 25), mpmath.nstr(expected, 25))


@pytest.mark.parametrize("kind", ["value", "grad"])
@pytest.mark.parametrize("name", reference.VECTOR_NAMES)
def test_exact_vectors(name: str, kind: str) -> None:
    act = actcli.get(name)
    for xs in ([1.0, 2.0, 3.0], [0.0, -30.0], [0.0, -1000.0, 700.0], [-745.0, 0.0, 0.5, 1e-20]):
        expected = (reference.vector_derivative if kind == "grad" else reference.vector_value)(name, xs)
        for i, e in enumerate(expected):
            got = exact.value(act, xs, {"axis": -1}, kind == "grad", i)
            assert got is not None
            with mpmath.workprec(300):
                value = mpmath.mpf(got.numerator) / got.denominator
                assert abs(value - e) <= abs(e) * mpmath.mpf(2) ** -85, (xs, i)
