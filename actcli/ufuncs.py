"""NumPy ufuncs of every elementwise activation, computed by the compiled core.

>>> import numpy as np
>>> from actcli import ufuncs
>>> ufuncs.elu(np.float32([-1, 0, 2]), 0.5)
array([-0.31606027,  0.        ,  2.        ], dtype=float32)
>>> ufuncs.relu_grad(np.array([-1.0, 0.0, 1.0]))
array([0., 0., 1.])

``NAME(x, *parameters)`` and ``NAME_grad(x, *parameters)`` for every activation but softmax and
log_softmax: the inputs are x, then the parameters that have numeric defaults, in the order
``actcli.get(NAME).params`` lists them, broadcast like any ufunc operands (per-channel
parameters come free). A choice parameter picks another ufunc: gelu's approximate="tanh" is
``gelu_tanh``. softplus's threshold (none by default) is not an input: ``actcli.get`` has it.
Derivatives at kinks take the registry's default convention (PyTorch's, else JAX's); the others
are ``actcli.get(NAME).grad(x, kink=...)``.

float16 and float32 keep their type, every value correctly rounded: the core's fast path with its
rounding test, the rare undecided values settled on the accurate path. Any other real input is
computed in float64 (not NumPy's small-integer rule), by the core's double-double kernels,
correctly rounded too. The results are the bits of ``actcli.get(NAME)``; ``out=``, ``where=``,
``dtype=`` and broadcasting are NumPy's. Parameters outside their valid range give NaN
(``actcli.get`` raises ValueError). bfloat16 and float8 arrays go through ``actcli.get(NAME)``,
which rounds into them directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from actcli import _core, compute
from actcli.formats import FORMATS
from actcli.registry import Activation, ParamValue, get, names

# kernel -> (activation, its parameters as (name, given) in kernel order, the fixed ones' values)
_KERNELS: dict[str, tuple[Activation, list[str], dict[str, ParamValue]]] = {}


def _parameters(kernel: str, values: tuple[float, ...]) -> tuple[Activation, dict[str, ParamValue], bool]:
    act, given, fixed = _KERNELS[kernel]
    params = {**dict(zip(given, values, strict=False)), **fixed}
    return act, params, kernel.endswith("_grad")


def _check(kernel: str, values: tuple[float, ...]) -> bool:
    act, params, _ = _parameters(kernel, values)
    try:
        act.bind(params)
    except ValueError:
        return False
    return True


def _settle(kernel: str, data: bytes, values: tuple[float, ...], fmt: str) -> bytes:
    act, params, derivative = _parameters(kernel, values)
    x = np.frombuffer(data, dtype=np.float64)
    bound = act.bind(params)
    if fmt == "float64":
        with np.errstate(all="ignore"):
            result = (compute.differentiate(act, x, bound, "pytorch") if derivative
                      else compute.evaluate(act, x, bound))
        return np.asarray(result, dtype=np.float64).tobytes()
    with np.errstate(all="ignore"):
        return compute.accurate(act, x, bound, FORMATS[fmt], derivative).tobytes()


def _make() -> dict[str, np.ufunc]:
    made = {}
    for name in names():
        act = get(name)
        if act.vector:
            continue
        given = [p.name for p in act.parameters if p.kind == "real" and p.default is not None]
        fixed = {p.name: p.default for p in act.parameters if p.kind == "real" and p.default is None}
        forms: list[tuple[str, dict[str, ParamValue]]] = [("", {})]
        for p in act.parameters:
            if p.kind == "choice":
                forms = [("" if c == p.default else f"_{c}", {p.name: c}) for c in p.choices]
        for suffix, choice in forms:
            for derivative in (False, True):
                ufunc_name = name + suffix + ("_grad" if derivative else "")
                kernel, numbers = compute.core_kernel(act, {**act.params, **choice}, derivative)
                _KERNELS[kernel] = (act, given, {**fixed, **choice})
                what = f"The derivative of {name}" if derivative else act.description
                doc = (f"{ufunc_name}(x, {', '.join([*given, '/'])}) -> array\n\n{what}"
                       f"{' (' + ', '.join(f'{k}={v}' for k, v in choice.items()) + ')' if choice else ''}.")
                made[ufunc_name] = _core.ufunc(ufunc_name, kernel, len(given), numbers[len(given):], doc)
    return made


_core.settle_with(_settle, _check)
_UFUNCS = _make()
globals().update(_UFUNCS)
__all__ = sorted(_UFUNCS)


def __getattr__(name: str) -> Any:
    raise AttributeError(f"actcli.ufuncs has no {name!r}; it has {', '.join(__all__)}")
