# The compiled core (core/module.c): its Python face, for type checkers.
from collections.abc import Callable

import numpy as np

instruction_set: str

def narrow(name: str, x: object, y: object, doubtful: object, parameters: tuple[float, ...],
           format: str, /) -> int:
    """Fill y with the kernel at x (float32 buffers for float32, else float64: for float64 the
    double-double kernels, correctly rounded) and doubtful (intp) with the indices the rounding
    test could not decide, first; returns how many."""

def wide_kernels() -> dict[str, float]:
    """name: relative error bound of every float64 (double-double) kernel."""

def wide_parts(name: str, x: object, hi: object, lo: object, scale: object,
               parameters: tuple[float, ...], /) -> None:
    """The float64 kernel's unrounded pairs hi + lo at x, and the scale its bound is relative to
    (0 where the result is exact), for tests."""

def float32_audit(name: str, x: object, out: object, exact: object, doubtful: object,
                  parameters: tuple[float, ...], /) -> int:
    """float32 x through the float64 kernel: its double rounded into out (float32) and kept in exact
    (float64, within 2**-28 of a float32 ULP); doubtful where the rounding into float32 may be
    wrong, or where the double test doubts a float32 value (zeros included)."""

def tally(x: object, y: object, correct: object, exact: object, emin: int, precision: int, wrong: object,
          errors: object, counts: object, /) -> int:
    """For the exhaustive audits: x, y and correct float32 (values of a format with emin and
    precision), exact float64. Writes the wrong outputs' indices (intp) and ULP errors (float64),
    and counts (int64, TALLY_COUNTS): outputs equal to the exact double, signed-zero, NaN, infinite
    input and overflow disagreements, wrong outputs within 1 ULP, then audit.histogram_of's bins.
    Returns how many outputs are wrong."""


def kernels() -> list[tuple[str, int]]:
    """(name, error bound in units of 2**-53) for every kernel, in the table's order."""

def ufunc(name: str, kernel: str, given: int, fixed: tuple[float, ...], doc: str, /) -> np.ufunc:
    """A NumPy ufunc of the kernel: inputs x and `given` parameters, float16/32/64 loops."""

def settle_with(settle: Callable[[str, bytes, tuple[float, ...], str], bytes],
                check: Callable[[str, tuple[float, ...]], bool], /) -> None:
    """The ufuncs' accurate path for the undecided values, and their parameters' validity."""

def read_decimal(text: bytes | bytearray | memoryview, /) -> tuple[np.ndarray, int, int]:
    """The numbers of text (blanks, commas and newlines between them) as float64, correctly
    rounded; where reading stopped: len(text), or the start of the first line it leaves to the
    caller (a comment, non-ASCII text, inf or nan, over 19 digits, or a bad token); and how many
    newlines lie before that."""

def write_decimal(columns: list[np.ndarray], separator: str, /) -> bytes:
    """Rows of the 1-d float64 columns, cells as repr spells them (NaN, inf, -inf for the
    non-finite), separated by separator, each row ending in a newline."""
