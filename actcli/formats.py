"""The number formats actcli computes in: IEEE binary64, binary32 and binary16 (NumPy), and the
formats models run in, bfloat16, float8_e4m3fn and float8_e5m2 (``ml_dtypes``, imported only
when one of them is used).

Below float64, a result is the exact value correctly rounded into the format (ties to even),
overflow giving ±inf, or NaN in float8_e4m3fn, which has no infinity (as ml_dtypes and the OCP
FP8 specification do). How: the kernels form each result as a double-double pair and round it
to odd in float64 (actcli.extended.round_to_odd); rounding that double into a format of p <= 24
bits is then the correct rounding of the pair. The pair is within DOUBT of the exact value, so
where the result lies that close to a rounding boundary of the format (``ambiguous``), the side
of the boundary is decided by actcli.exact at higher precision. A result exactly on a boundary
needs no such help: an inexact pair rounds to an odd double, and boundaries are even doubles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # NumPy is imported where it is used: the command line reads NAMES at start-up
    import numpy as np
    from numpy.typing import NDArray

# A bound on the relative error of the kernels' pairs: they are measured within 2**-57, and a
# result within this of a boundary is decided again at high precision.
DOUBT = 2.0**-48


@dataclass(frozen=True)
class Format:
    """A binary floating-point format: ``precision`` significand bits (the implicit one
    included), normal exponents from ``emin`` to ``emax``, and whether it has infinities."""

    name: str
    precision: int
    emin: int
    emax: int
    infinite: bool = True
    library: str = "numpy"  # where its dtype comes from

    @cached_property
    def dtype(self) -> np.dtype[Any]:
        import numpy as np

        if self.library == "ml_dtypes":
            import ml_dtypes

            dtype: np.dtype[Any] = np.dtype(getattr(ml_dtypes, self.name))
            return dtype
        return np.dtype(self.name)

    @property
    def largest(self) -> float:
        """The largest finite value (float8_e4m3fn spends its top code on NaN: 448, not 480)."""
        top = 2.0 - 2.0 ** (1 - self.precision)
        if not self.infinite and self.name == "float8_e4m3fn":
            top -= 2.0 ** (1 - self.precision)
        return math.ldexp(top, self.emax)

    @property
    def smallest_normal(self) -> float:
        return math.ldexp(1.0, self.emin)

    @property
    def smallest_subnormal(self) -> float:
        return math.ldexp(1.0, self.emin - self.precision + 1)

    @property
    def epsilon(self) -> float:
        """The distance from 1 to the next larger value."""
        return math.ldexp(1.0, 1 - self.precision)

    def quantum(self, magnitude: NDArray[np.float64]) -> NDArray[np.float64]:
        """The distance between neighbouring values of the format at each (positive, finite)
        ``magnitude``: subnormal spacing below the smallest normal."""
        import numpy as np

        # The exponent from the bits (a subnormal double's reads as -1023, below every emin).
        biased = (np.asarray(magnitude, dtype=np.float64).view(np.uint64) >> 52) & 0x7FF
        exponent = np.maximum(biased.astype(np.int64) - 1023, self.emin) - (self.precision - 1)
        if self.emin - (self.precision - 1) >= -1022:  # a normal double: built from its bits
            quantum: NDArray[np.float64] = ((exponent + 1023) << 52).view(np.float64)
            return quantum
        return np.ldexp(1.0, exponent)  # type: ignore[no-any-return]

    def round(self, y: NDArray[Any]) -> NDArray[Any]:
        """Numbers rounded into the format, once: NumPy's casts from float64 do it for float32
        and float16; ml_dtypes 0.6 rounds through float32 (twice), so for its formats the value
        is rounded here and then cast exactly."""
        import numpy as np

        with np.errstate(over="ignore", invalid="ignore"):
            if self.library == "numpy":
                return y.astype(self.dtype, copy=False)
            return self.nearest(np.asarray(y, dtype=np.float64)).astype(np.float32).astype(self.dtype)

    def nearest(self, y: NDArray[np.float64]) -> NDArray[np.float64]:
        """The value of the format nearest to each double (ties to even), as a double: the
        exponent unbounded above, then past the largest value ±inf (NaN without infinities)."""
        import numpy as np

        with np.errstate(over="ignore", invalid="ignore"):
            quantum = self.quantum(np.where(np.isfinite(y) & (y != 0), np.abs(y), 1.0))
            r = np.rint(y / quantum) * quantum  # exact: quantum is a power of two
            overflow = np.abs(r) > self.largest
            if self.infinite:
                return np.where(overflow & np.isfinite(y), np.copysign(np.inf, y), r)
            return np.where(overflow | np.isinf(y), np.nan, r)

    def ambiguous(self, y: NDArray[np.float64]) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        """(where, boundary): the results ``y`` (doubles rounded to odd) within DOUBT of a rounding
        boundary of the format but not on it, and for each such result that boundary, the
        midpoint between the two values of the format it lies between."""
        import numpy as np

        magnitude = np.abs(y)
        with np.errstate(over="ignore", invalid="ignore"):
            low = self.round(magnitude * (1.0 - DOUBT)).astype(np.float64)
            high = self.round(magnitude * (1.0 + DOUBT)).astype(np.float64)
        where = np.isfinite(y) & (y != 0) & (low != high) & np.isfinite(low)
        # The midpoint of two neighbours, exact in float64; past the largest value the next one
        # would be largest + quantum: the overflow boundary.
        past = where & ~np.isfinite(high)
        boundary = np.where(past, low + 0.5 * self.quantum(np.where(past, low, 1.0)), 0.5 * (low + high))
        where &= boundary != magnitude  # on the boundary: the pair was exact, ties go to even
        return where, np.copysign(boundary, y)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("float64", 53, -1022, 1023),
    Format("float32", 24, -126, 127),
    Format("float16", 11, -14, 15),
    Format("bfloat16", 8, -126, 127, library="ml_dtypes"),
    Format("float8_e4m3fn", 4, -6, 8, infinite=False, library="ml_dtypes"),
    Format("float8_e5m2", 3, -14, 15, library="ml_dtypes"),
)}
NAMES = tuple(FORMATS)


def format_of(dtype: Any) -> Format | None:
    """The format of a NumPy dtype, if actcli computes in it."""
    import numpy as np

    try:
        return FORMATS.get(np.dtype(dtype).name)
    except TypeError:
        return None
