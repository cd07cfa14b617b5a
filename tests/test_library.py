"""The library API of SPEC section 1: lookup, parameters, shapes, dtypes, the registry's fields."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import actcli
from actcli import kernels
from actcli.registry import ACTIVATIONS

ELEMENTWISE = [a.name for a in ACTIVATIONS if not a.vector]

# The alias table of the issue and SPEC: other libraries' spellings resolve to one entry.
ALIASES = {
    "logsigmoid": "log_sigmoid", "hardsigmoid": "hard_sigmoid", "swish": "silu",
    "hard_swish": "hardswish", "hard_silu": "hardswish", "leaky": "leaky_relu",
    "lrelu": "leaky_relu", "leakyrelu": "leaky_relu", "hard_tanh": "hardtanh",
    "soft_sign": "softsign", "linear": "identity", "logsoftmax": "log_softmax",
    "tanh_shrink": "tanhshrink", "soft_shrink": "softshrink", "hard_shrink": "hardshrink",
    "LeakyReLU": "leaky_relu", "leaky-relu": "leaky_relu", "GELU": "gelu", "Hard-Swish": "hardswish",
}


@pytest.mark.parametrize(("alias", "name"), ALIASES.items())
def test_aliases_resolve_to_the_same_entry(alias: str, name: str) -> None:
    assert actcli.get(alias) is actcli.get(name)
    assert actcli.get(alias).name == name


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(LookupError, match="unknown activation 'rleu'; did you mean relu"):
        actcli.get("rleu")


def test_names_are_the_spec_table_in_display_order() -> None:
    assert actcli.names() == [
        "relu", "relu6", "leaky_relu", "prelu", "rrelu", "threshold", "hardtanh",
        "elu", "selu", "celu", "softplus", "sparse_plus", "squareplus", "exponential",
        "sigmoid", "log_sigmoid", "hard_sigmoid", "sparse_sigmoid", "tanh", "softsign",
        "tanhshrink", "hardshrink", "softshrink", "gelu", "silu", "hardswish", "mish",
        "identity", "softmax", "log_softmax",
    ]


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: a.name)
def test_every_entry_is_complete(act: actcli.Activation) -> None:
    for text in (act.name, act.description, act.formula, act.grad_formula, act.reference):
        assert text.strip()
    assert callable(getattr(kernels, act.name)) and callable(getattr(kernels, act.name + "_grad"))
    assert act.bind({}) == act.params  # the defaults are valid
    for p in act.parameters:
        assert p.doc and p.valid_range
    assert all(isinstance(k, float) for k in act.kinks)


def test_every_kernel_belongs_to_an_entry() -> None:
    public = {n for n in vars(kernels) if not n.startswith("_") and callable(getattr(kernels, n))}
    public -= {"annotations", "Any", "NDArray", "Array"}
    public = {n for n in public if getattr(kernels, n).__module__ == kernels.__name__}
    expected = {a.name for a in ACTIVATIONS} | {a.name + "_grad" for a in ACTIVATIONS}
    assert public == expected


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("celu", {"alpha": 0}, r"celu: parameter 'alpha' must be in \[1e-150, 1e\+150\], got 0"),
        ("elu", {"alpha": float("nan")}, r"elu: parameter 'alpha' must be 0 or ±\[1e-150, 1e\+150\]"),
        ("elu", {"alpha": 1e300}, r"elu: parameter 'alpha' must be 0 or ±\[1e-150, 1e\+150\], got 1e\+300"),
        ("leaky_relu", {"negative_slope": -1e-200}, r"must be 0 or ±\[1e-150, 1e\+150\], got -1e-200"),
        ("threshold", {"value": "１"}, r"threshold: parameter 'value' must be any finite number, got '１'"),
        ("elu", {"alhpa": 1}, r"elu: unknown parameter 'alhpa'; did you mean 'alpha'\?"),
        ("relu", {"alpha": 1}, r"relu: unknown parameter 'alpha' \(relu takes no parameters\)"),
        ("gelu", {"approximate": "sigmoid"}, r"gelu: parameter 'approximate' must be none or tanh"),
        ("softplus", {"beta": -1}, r"softplus: parameter 'beta' must be in \[1e-150, 1e\+150\]"),
        ("hardtanh", {"min_val": 2}, r"hardtanh: parameter 'min_val' \(2.0\) must not exceed"),
        ("rrelu", {"lower": 0.5, "upper": 0.1}, r"rrelu: parameter 'lower'"),
        ("hardshrink", {"lambd": -1}, r"hardshrink: parameter 'lambd' must be in \[0, inf\)"),
        ("softmax", {"axis": 0.5}, r"softmax: parameter 'axis' must be any integer"),
        ("elu", {"alpha": "abc"}, r"elu: parameter 'alpha' must be 0 or ±\[1e-150, 1e\+150\], got 'abc'"),
    ],
)
def test_bad_parameters_name_the_parameter_and_range(name: str, params: dict[str, Any],
                                                     message: str) -> None:
    with pytest.raises(ValueError, match=message):
        actcli.get(name)(1.0, **params)


def test_parameters_given_as_text_are_parsed() -> None:
    """The command line hands parameters over as text; the registry reads them."""
    elu = actcli.get("elu")
    assert elu(-1.0, alpha="0.5") == elu(-1.0, alpha=0.5)
    assert actcli.get("softplus").bind({"threshold": "none"})["threshold"] is None
    assert actcli.get("softplus").bind({"threshold": "20"})["threshold"] == 20.0
    assert actcli.get("gelu").bind({"approximate": "TANH"})["approximate"] == "tanh"


def test_params_and_metadata() -> None:
    elu = actcli.get("elu")
    assert elu.name == "elu" and elu.params == {"alpha": 1.0}
    assert "1511.07289" in elu.reference
    assert actcli.get("leaky_relu").aliases == ("leaky", "lrelu", "leakyrelu")
    assert actcli.get("softplus").params == {"beta": 1.0, "threshold": None}
    assert actcli.get("leaky_relu").other_defaults["keras"] == {"negative_slope": 0.2}
    assert actcli.get("gelu").other_defaults["jax"] == {"approximate": "tanh"}
    assert actcli.get("leaky_relu").display_name == "Leaky Relu"
    assert repr(elu) == "Activation(elu(alpha=1.0))"


def test_scalars_sequences_and_arrays() -> None:
    relu = actcli.get("relu")
    assert isinstance(relu(-2), np.float64) and relu(-2) == 0.0
    assert relu([1, -1]).tolist() == [1.0, 0.0]
    assert relu(np.float32(3)).dtype == np.float32
    assert relu(np.array([[1, -2], [3, -4]], dtype=np.int64)).dtype == np.float64
    assert relu(np.zeros((2, 0, 3))).shape == (2, 0, 3)


def test_relu_keeps_signed_zero_and_nan() -> None:
    out = actcli.get("relu")([-0.0, math.nan])
    assert math.copysign(1.0, out[0]) == -1.0 and math.isnan(out[1])


float_arrays = hnp.arrays(
    dtype=st.sampled_from([np.float64, np.float32, np.float16]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
    elements={"allow_nan": True, "allow_infinity": True},
)


@settings(max_examples=30, deadline=None)
@given(x=float_arrays, name=st.sampled_from(actcli.names()))
def test_shape_and_dtype_are_kept(x: np.ndarray, name: str) -> None:
    act = actcli.get(name)
    for out in (act(x), act.grad(x)):
        assert np.shape(out) == x.shape and out.dtype == x.dtype


@settings(max_examples=30, deadline=None)
@given(x=float_arrays, name=st.sampled_from(ELEMENTWISE))
def test_nan_in_nan_out(x: np.ndarray, name: str) -> None:
    act = actcli.get(name)
    nan = np.isnan(x)
    assert np.array_equal(np.isnan(act(x)), nan)
    assert np.array_equal(np.isnan(act.grad(x)), nan)


MONOTONE = ["relu", "relu6", "leaky_relu", "prelu", "rrelu", "threshold", "hardtanh", "elu", "selu",
            "celu", "softplus", "sparse_plus", "squareplus", "exponential", "sigmoid", "log_sigmoid",
            "hard_sigmoid", "sparse_sigmoid", "tanh", "softsign", "tanhshrink", "hardshrink",
            "softshrink", "identity"]


@settings(max_examples=40, deadline=None)
@given(x=hnp.arrays(np.float64, st.integers(2, 50), elements=st.floats(allow_nan=False)),
       name=st.sampled_from(MONOTONE))
def test_monotone_functions_are_monotone(x: np.ndarray, name: str) -> None:
    x = np.sort(x)
    y = actcli.get(name)(x)
    assert np.all(np.diff(y[np.isfinite(y)]) >= 0)
    assert np.all(actcli.get(name).grad(x) >= 0)


@settings(max_examples=40, deadline=None)
@given(x=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(-700, 700)))
def test_softmax_sums_to_one(x: np.ndarray) -> None:
    assert math.isclose(float(np.sum(actcli.get("softmax")(x))), 1.0, rel_tol=1e-14)


def test_import_does_not_load_numpy() -> None:
    """The registry serves --help and completion; NumPy loads only to compute."""
    code = "import sys, actcli; actcli.get('elu').params; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# Special values first, then normal(0, 10): a long array runs in chunks and through NumPy's SIMD
# loops, one value alone through neither, and the kernels' fast paths (clip, maximum) must give
# the bits of the one-value path, which the accuracy tests check against mpmath.
_SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 5e-324, -5e-324, 2.2e-308, -1e308, 1e308,
             0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0]


@pytest.mark.parametrize("act", [a for a in ACTIVATIONS if not a.vector], ids=lambda a: a.name)
def test_long_arrays_give_the_bits_of_single_values(act: actcli.Activation) -> None:
    rng = np.random.default_rng(5)
    x = np.concatenate([np.tile(_SPECIALS, 500), rng.normal(0.0, 10.0, 70_000)])
    rng.shuffle(x[:40_000])
    before = x.copy()
    for fn in (act, act.grad):
        long = fn(x)
        assert before.tobytes() == x.tobytes(), "a kernel wrote into its input"
        picks = np.r_[0:40, rng.integers(0, x.size, 400)]
        single = np.array([fn(x[i]) for i in picks])
        differ = [(x[i], long[i], one) for i, one in zip(picks, single, strict=True)
                  if long[i].tobytes() != one.tobytes()]
        assert not differ, differ[:3]
