# The compiled core (core/module.c): its Python face, for type checkers.
from collections.abc import Callable

import numpy as np

instruction_set: str

def narrow(name: str, x: object, y: object, doubtful: object, parameters: tuple[float, ...],
           format: str, /) -> int:
    """Fill y with the kernel at x (float64 buffers) and doubtful (uint8) with 1 where the rounding
    test could not decide; returns how many."""

def kernels() -> list[tuple[str, int]]:
    """(name, error bound in units of 2**-53) for every kernel, in the table's order."""

def ufunc(name: str, kernel: str, given: int, fixed: tuple[float, ...], doc: str, /) -> np.ufunc:
    """A NumPy ufunc of the kernel: inputs x and `given` parameters, float16/32/64 loops."""

def settle_with(settle: Callable[[str, bytes, tuple[float, ...], str], bytes],
                check: Callable[[str, tuple[float, ...]], bool], /) -> None:
    """The ufuncs' accurate path for the undecided values, and their parameters' validity."""
