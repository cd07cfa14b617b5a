"""``actcli check --against SUBJECT``: another implementation of an activation, run on values of
a format, for the audit (actcli.audit, actcli.exhaustive). A subject takes a NumPy array of the
format's values (float32, or ml_dtypes' bfloat16...) and gives its outputs in the same format.

A library's own implementation (none is a dependency; each is imported only here, when asked for):

- torch: ``torch.nn.functional`` (or ``torch``) on a tensor of the format, derivatives by
  autograd (PyTorch's own backward formulas).
- jax: ``jax.nn`` on an array of the format, derivatives by ``jax.grad``.
- numpy: the textbook formulas, in the format where NumPy has it (float64/32/16; bfloat16 and
  float8 in float32, then rounded), with ``math.erf`` for GELU: what a NumPy user writes.
- scipy: ``scipy.special`` where it has the function (expit, log_expit, ndtr).

Or any Python function, ``module:function`` or ``path/to/file.py:function``: called on arrays of
the format (for --grad, the derivative's function), it must give an array of the same shape and
dtype. A function that raises is called again on halves of the array, down to the input it fails
on, which the error then names.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from actcli.errors import DataError, UsageProblem
from actcli.formats import Format

LIBRARIES = ("torch", "jax", "numpy", "scipy")
Implementation = Callable[[NDArray[Any]], NDArray[Any]]


def subject(given: str, name: str, params: dict[str, Any], derivative: bool, fmt: Format,
            threads: int | None = None) -> Implementation:
    """The implementation ``given`` names (a library of LIBRARIES, or module:function) of ``name``
    (or its derivative), from values of ``fmt`` to its outputs in ``fmt``; ``threads``: how many
    threads a library may use (None: its own choice)."""
    if given not in LIBRARIES:
        return _function(given, fmt)
    try:
        module = __import__(given)
    except ImportError:
        raise DataError(f"--against {given}: {given} is not installed (pip install {given})") from None
    if given == "torch" and threads:
        module.set_num_threads(threads)
    make = {"torch": _torch, "jax": _jax, "numpy": _numpy, "scipy": _scipy}[given]
    return make(module, name, params, derivative, fmt)


def described(given: str) -> str:
    """The subject as the report names it: a library with its version, or module:function."""
    import importlib.metadata

    if given not in LIBRARIES:
        return given
    try:
        return f"{given} {importlib.metadata.version(given)}"
    except importlib.metadata.PackageNotFoundError:
        return given


def _function(given: str, fmt: Format) -> Implementation:
    """module:function or path/to/file.py:function, checked at every call."""
    import importlib
    import importlib.util

    where, colon, attribute = given.rpartition(":")
    if not colon or not where or not attribute:
        raise UsageProblem(f"--against {given}: give a library ({', '.join(LIBRARIES)}), "
                           f"module:function or path/to/file.py:function")
    try:
        if where.endswith(".py") or "/" in where:
            spec = importlib.util.spec_from_file_location(f"actcli_subject_{abs(hash(where))}", where)
            if spec is None or spec.loader is None or not os.path.isfile(where):
                raise DataError(f"--against {given}: no such file: {where}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except DataError:
        raise
    except Exception as error:  # whatever importing the user's code raises
        raise DataError(f"--against {given}: cannot import {where}: {_said(error)}") from None
    function = getattr(module, attribute, None)
    if not callable(function):
        raise DataError(f"--against {given}: {where} has no function {attribute}")

    def run(x: NDArray[Any]) -> NDArray[Any]:
        try:
            y = np.asarray(function(x))
        except Exception as error:  # the user's code: any exception is theirs to fix
            raise DataError(f"--against {given}: {_said(error)} {_failing(function, x)}") from None
        if y.shape != x.shape or y.dtype != x.dtype:
            raise DataError(f"--against {given}: gave {y.dtype} of shape {y.shape} for {x.dtype} of "
                            f"shape {x.shape}; it must give the format's values, one per input")
        return y

    return run


def _said(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _failing(function: Callable[[Any], Any], x: NDArray[Any]) -> str:
    """'at x = ...', an input ``function`` raises on alone, found by halving ``x`` (it raised on
    the whole); or 'on the whole array' if none does alone."""
    while x.size > 1:
        half = x[:x.size // 2]
        try:
            function(half)
        except Exception:  # the half that raises is the half to keep
            x = half
        else:
            x = x[x.size // 2:]
    try:
        function(x)
    except Exception:
        bits = x.view(f"u{x.itemsize}")[0]
        return f"at x = {float(x[0])!r} (bits {int(bits):#0{2 + 2 * x.itemsize}x})"
    return "on the whole array"


def _missing(library: str, name: str) -> UsageProblem:
    return UsageProblem(f"--against {library}: {library} has no {name}")


# --- PyTorch ---------------------------------------------------------------------------------------


def _torch(torch: Any, name: str, p: dict[str, Any], derivative: bool, fmt: Format) -> Implementation:
    f = torch.nn.functional
    table: dict[str, Callable[[Any], Any]] = {
        "relu": f.relu, "relu6": f.relu6, "selu": f.selu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
        "log_sigmoid": f.logsigmoid, "hard_sigmoid": f.hardsigmoid, "softsign": f.softsign,
        "tanhshrink": f.tanhshrink, "silu": f.silu, "hardswish": f.hardswish, "mish": f.mish,
        "exponential": torch.exp, "identity": lambda x: x,
        "leaky_relu": lambda x: f.leaky_relu(x, p.get("negative_slope", 0.01)),
        "prelu": lambda x: f.prelu(x, torch.tensor([p.get("weight", 0.25)], dtype=x.dtype)),
        "rrelu": lambda x: f.rrelu(x, p.get("lower", 1 / 8), p.get("upper", 1 / 3), training=False),
        "threshold": lambda x: f.threshold(x, p.get("threshold", 0.0), p.get("value", 0.0)),
        "hardtanh": lambda x: f.hardtanh(x, p.get("min_val", -1.0), p.get("max_val", 1.0)),
        "elu": lambda x: f.elu(x, p.get("alpha", 1.0)), "celu": lambda x: f.celu(x, p.get("alpha", 1.0)),
        # PyTorch's threshold shortcut is part of its softplus; actcli's default has none.
        "softplus": lambda x: f.softplus(x, p.get("beta", 1.0), p.get("threshold") or 20.0),
        "hardshrink": lambda x: f.hardshrink(x, p.get("lambd", 0.5)),
        "softshrink": lambda x: f.softshrink(x, p.get("lambd", 0.5)),
        "gelu": lambda x: f.gelu(x, approximate=p.get("approximate", "none")),
    }
    if name not in table:
        raise _missing("torch", name)
    dtype = getattr(torch, fmt.name)
    # Tensors share the arrays' memory; formats NumPy lacks go as their bits.
    bits = None if fmt.library == "numpy" else f"i{fmt.dtype.itemsize}"

    def run(x: NDArray[Any]) -> NDArray[Any]:
        tensor = torch.from_numpy(x if bits is None else x.view(bits))
        tensor = (tensor if bits is None else tensor.view(dtype)).clone().requires_grad_(derivative)
        try:
            y = table[name](tensor)
            if derivative:
                y.backward(torch.ones_like(y))
                y = tensor.grad
        except (NotImplementedError, RuntimeError) as error:
            raise DataError(f"--against torch: {name} in {fmt.name}: {str(error).splitlines()[0]}") from None
        y = y.detach()
        if bits is None:
            return y.numpy()  # type: ignore[no-any-return]
        return y.view(getattr(torch, f"int{8 * fmt.dtype.itemsize}")).numpy().view(fmt.dtype)  # type: ignore[no-any-return]

    return run


# --- JAX -------------------------------------------------------------------------------------------


def _jax(jax: Any, name: str, p: dict[str, Any], derivative: bool, fmt: Format) -> Implementation:
    import jax.numpy as jnp

    nn = jax.nn
    table: dict[str, Callable[[Any], Any] | None] = {
        "relu": nn.relu, "relu6": nn.relu6, "selu": nn.selu, "sigmoid": nn.sigmoid, "tanh": jnp.tanh,
        "log_sigmoid": nn.log_sigmoid, "hard_sigmoid": nn.hard_sigmoid, "softsign": nn.soft_sign,
        "silu": nn.silu, "hardswish": nn.hard_swish, "exponential": jnp.exp, "identity": lambda x: x,
        "sparse_plus": getattr(nn, "sparse_plus", None), "mish": getattr(nn, "mish", None),
        "sparse_sigmoid": getattr(nn, "sparse_sigmoid", None),
        "leaky_relu": lambda x: nn.leaky_relu(x, p.get("negative_slope", 0.01)),
        "elu": lambda x: nn.elu(x, p.get("alpha", 1.0)), "celu": lambda x: nn.celu(x, p.get("alpha", 1.0)),
        "squareplus": lambda x: nn.squareplus(x, p.get("b", 4.0)),
        "gelu": lambda x: nn.gelu(x, approximate=p.get("approximate", "none") == "tanh"),
    }
    function = table.get(name)
    if function is None:
        raise _missing("jax", name)
    dtype = getattr(jnp, fmt.name)
    if derivative:
        function = jax.vmap(jax.grad(function))

    def run(x: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(function(jnp.asarray(x, dtype=dtype))).astype(x.dtype)

    return run


# --- NumPy and SciPy: formulas as users write them -------------------------------------------


def _textbook(name: str, p: dict[str, Any], derivative: bool, erf: Callable[[Any], Any],
              expit: Callable[[Any], Any] | None = None) -> Callable[[Any], Any] | None:
    """The formula (or its derivative) as commonly written with NumPy."""
    sigmoid = expit or (lambda x: 1 / (1 + np.exp(-x)))
    alpha = p.get("alpha", 1.0)
    values: dict[str, Callable[[Any], Any]] = {
        "relu": lambda x: np.maximum(x, 0), "relu6": lambda x: np.minimum(np.maximum(x, 0), 6),
        "leaky_relu": lambda x: np.where(x > 0, x, p.get("negative_slope", 0.01) * x),
        "elu": lambda x: np.where(x > 0, x, alpha * (np.exp(x) - 1)),  # the seed glossary's
        "sigmoid": sigmoid, "tanh": np.tanh, "exponential": np.exp, "identity": lambda x: x,
        "softplus": lambda x: np.log(1 + np.exp(x)), "log_sigmoid": lambda x: np.log(sigmoid(x)),
        "softsign": lambda x: x / (1 + np.abs(x)), "silu": lambda x: x * sigmoid(x),
        "gelu": lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2))),
        "mish": lambda x: x * np.tanh(np.log(1 + np.exp(x))),
        "tanhshrink": lambda x: x - np.tanh(x),
    }
    grads: dict[str, Callable[[Any], Any]] = {
        "relu": lambda x: (x > 0).astype(x.dtype),
        "leaky_relu": lambda x: np.where(x > 0, 1, p.get("negative_slope", 0.01)).astype(x.dtype),
        "elu": lambda x: np.where(x > 0, 1, alpha * np.exp(x)),
        "sigmoid": lambda x: sigmoid(x) * (1 - sigmoid(x)), "tanh": lambda x: 1 - np.tanh(x) ** 2,
        "exponential": np.exp, "softplus": sigmoid, "log_sigmoid": lambda x: 1 - sigmoid(x),
        "softsign": lambda x: 1 / (1 + np.abs(x)) ** 2,
        "silu": lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x))),
        "gelu": lambda x: 0.5 * (1 + erf(x / math.sqrt(2))) + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi),
        "tanhshrink": lambda x: np.tanh(x) ** 2,
    }
    if name == "gelu" and p.get("approximate", "none") != "none":
        return None
    return (grads if derivative else values).get(name)


def _in_numpy(formula: Callable[[Any], Any], fmt: Format) -> Implementation:
    native = fmt.library == "numpy"

    def run(x: NDArray[Any]) -> NDArray[Any]:
        with np.errstate(all="ignore"):
            y = np.asarray(formula(x if native else x.astype(np.float32)))
            return y.astype(fmt.dtype) if native else fmt.round(y.astype(np.float64))

    return run


def _numpy(numpy: Any, name: str, p: dict[str, Any], derivative: bool, fmt: Format) -> Implementation:
    erf = np.vectorize(math.erf, otypes=[np.float64])
    formula = _textbook(name, p, derivative, lambda v: erf(v).astype(v.dtype))
    if formula is None:
        raise _missing("numpy", name)
    return _in_numpy(formula, fmt)


def _scipy(scipy: Any, name: str, p: dict[str, Any], derivative: bool, fmt: Format) -> Implementation:
    import scipy.special as special

    if name not in ("sigmoid", "log_sigmoid", "silu", "gelu", "softplus"):
        raise _missing("scipy", name)
    if name == "log_sigmoid" and not derivative:
        formula: Callable[[Any], Any] | None = special.log_expit
    elif name == "gelu" and not derivative and p.get("approximate", "none") == "none":
        formula = lambda x: x * special.ndtr(x)  # noqa: E731
    else:
        formula = _textbook(name, p, derivative, special.erf, special.expit)
    if formula is None:
        raise _missing("scipy", name)
    return _in_numpy(formula, fmt)
