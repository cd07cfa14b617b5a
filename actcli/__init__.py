"""actcli: neural-network activation functions and their derivatives, exact to the last bits.

>>> import actcli
>>> elu = actcli.get("elu")
>>> float(elu(-1.0, alpha=0.5))
-0.31606027941427883
>>> float(elu.grad(-1.0, alpha=0.5))
0.18393972058572117
>>> actcli.names()[:3]
['relu', 'relu6', 'leaky_relu']

The registry (names, parameters, formulas) loads without NumPy; computing imports it.
"""

from typing import Any

from actcli.registry import Activation, Kink, Param, get, names

__version__ = "0.1.0"
__all__ = ["Activation", "Kink", "Param", "__version__", "get", "names", "ufuncs"]


def __getattr__(name: str) -> Any:
    # actcli.ufuncs loads NumPy and the compiled core: only when asked for.
    if name == "ufuncs":
        import importlib

        return importlib.import_module("actcli.ufuncs")
    raise AttributeError(f"module 'actcli' has no attribute {name!r}")
