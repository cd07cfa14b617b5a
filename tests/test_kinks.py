"""Derivatives at kinks, per convention, against the values PyTorch's autograd returns.

The pytorch column was read off torch 2.13 (float64, autograd) and jax.nn 0.10 for sparse_sigmoid,
which PyTorch lacks; left/right are the one-sided derivatives; mean is their average. The values
are exact: for selu PyTorch itself returns fl(λ)·fl(α) = 1.7580993408473766, 1 ULP below λ·α.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import actcli

SELU_SCALE = 1.0507009873554805
SELU_SCALE_ALPHA = 1.7580993408473768

# (activation, parameters, x, pytorch, left, right)
KINKS: list[tuple[str, dict[str, Any], float, float, float, float]] = [
    ("relu", {}, 0.0, 0.0, 0.0, 1.0),
    ("relu", {}, -0.0, 0.0, 0.0, 1.0),
    ("relu6", {}, 0.0, 0.0, 0.0, 1.0),
    ("relu6", {}, 6.0, 0.0, 1.0, 0.0),
    ("leaky_relu", {}, 0.0, 0.01, 0.01, 1.0),
    ("leaky_relu", {"negative_slope": 0.2}, 0.0, 0.2, 0.2, 1.0),
    ("prelu", {}, 0.0, 0.25, 0.25, 1.0),
    ("rrelu", {}, 0.0, (1 / 8 + 1 / 3) / 2, (1 / 8 + 1 / 3) / 2, 1.0),
    ("threshold", {}, 0.0, 0.0, 0.0, 1.0),
    ("threshold", {"threshold": 1.0, "value": 0.5}, 1.0, 0.0, 0.0, 1.0),
    ("hardtanh", {}, -1.0, 0.0, 0.0, 1.0),
    ("hardtanh", {}, 1.0, 0.0, 1.0, 0.0),
    ("hardtanh", {"min_val": -2.0, "max_val": 2.0}, 2.0, 0.0, 1.0, 0.0),
    ("elu", {"alpha": 0.5}, 0.0, 0.5, 0.5, 1.0),
    ("selu", {}, 0.0, SELU_SCALE_ALPHA, SELU_SCALE_ALPHA, SELU_SCALE),
    ("hard_sigmoid", {}, -3.0, 0.0, 0.0, 1 / 6),
    ("hard_sigmoid", {}, 3.0, 0.0, 1 / 6, 0.0),
    ("sparse_sigmoid", {}, -1.0, 0.25, 0.0, 0.5),
    ("sparse_sigmoid", {}, 1.0, 0.25, 0.5, 0.0),
    ("hardswish", {}, -3.0, 0.0, 0.0, -0.5),
    ("hardswish", {}, 3.0, 1.0, 1.5, 1.0),
    ("hardshrink", {}, -0.5, 0.0, 1.0, 0.0),
    ("hardshrink", {}, 0.5, 0.0, 0.0, 1.0),
    ("softshrink", {}, -0.5, 0.0, 1.0, 0.0),
    ("softshrink", {"lambd": 2.0}, 2.0, 0.0, 0.0, 1.0),
]


@pytest.mark.parametrize(("name", "params", "x", "pytorch", "left", "right"), KINKS)
def test_kink_conventions(name: str, params: dict[str, Any], x: float, pytorch: float,
                          left: float, right: float) -> None:
    act = actcli.get(name)
    assert act.grad(x, **params) == pytorch  # the default convention
    assert act.grad(x, kink="pytorch", **params) == pytorch
    assert act.grad(x, kink="left", **params) == left
    assert act.grad(x, kink="right", **params) == right
    assert act.grad(x, kink="mean", **params) == (left + right) / 2
    assert x in [k.at for k in act.kinks_at(**params)]


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_kink_values_in_narrow_dtypes(dtype: type[np.floating]) -> None:
    got = actcli.get("selu").grad(np.array([0.0], dtype=dtype))
    assert got.dtype == dtype and got[0] == dtype(SELU_SCALE_ALPHA)


def test_tutorial_convention_is_right() -> None:
    """The seed tutorial's f'(x) = 1 for x >= 0 is the right-hand derivative at 0."""
    assert actcli.get("relu").grad(0.0, kink="right") == 1.0
    assert actcli.get("leaky_relu").grad(0.0, kink="right") == 1.0


@pytest.mark.parametrize(("name", "params"), [
    ("elu", {}), ("celu", {}), ("leaky_relu", {"negative_slope": 1.0}),
    ("softplus", {}), ("sparse_plus", {}), ("squareplus", {}),
])
def test_smooth_functions_have_no_kinks(name: str, params: dict[str, Any]) -> None:
    act = actcli.get(name)
    assert act.kinks_at(**params) == ()
    assert act.grad(0.0, kink="left", **params) == act.grad(0.0, kink="right", **params)


def test_kinks_are_listed_at_the_defaults() -> None:
    assert actcli.get("relu").kinks == (0.0,)
    assert actcli.get("relu6").kinks == (0.0, 6.0)
    assert actcli.get("hardtanh").kinks == (-1.0, 1.0)
    assert actcli.get("softshrink").kinks == (-0.5, 0.5)


def test_unknown_convention_is_rejected() -> None:
    with pytest.raises(ValueError, match="kink must be one of pytorch, left, right, mean"):
        actcli.get("relu").grad(0.0, kink="middle")  # type: ignore[arg-type]


def test_zero_width_shrink_merges_its_kinks() -> None:
    (kink,) = actcli.get("softshrink").kinks_at(lambd=0.0)
    assert (kink.at, kink.left, kink.right, kink.pytorch) == (0.0, 1.0, 1.0, 0.0)
