"""Input values: numbers and ranges from arguments, plain-text numbers from files and stdin.

Values stream out in batches (NumPy float64 arrays) so that output starts before input ends and
memory stays bounded. A bad token ends the stream with a DataError naming the source, line and
token, after every value before it has been yielded: nothing read before the error is lost.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

from actcli.errors import DataError

BATCH = 65536  # values per batch

# A number as users type it: 1, -10, .5, 1e-3, +2.5E+10, inf, -Infinity, nan. Stricter than
# float(), which also takes '1_000' and surrounding text; surrounding spaces are tolerated
# because the command line protects negative numbers from option parsing with one.
NUMBER = re.compile(
    r"\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)\s*", re.IGNORECASE
)
SEPARATORS = re.compile(r"[\s,]+")


def number(token: str, where: str) -> float:
    """``token`` as a float, or a DataError saying where it came from."""
    if not NUMBER.fullmatch(token):
        raise DataError(f"{where}: cannot read {token.strip()!r} as a number")
    return float(token)


@dataclass(frozen=True)
class Range:
    """``START:STOP[:STEP]``, STOP included when it falls on the grid, with no drift: the k-th
    value is the decimal START + k·STEP rounded once, so -1:1:0.1 is exactly 21 points."""

    start: Decimal
    stop: Decimal
    step: Decimal

    @classmethod
    def parse(cls, token: str, where: str) -> Range:
        parts = token.strip().split(":")
        if len(parts) not in (2, 3):
            raise DataError(f"{where}: cannot read {token.strip()!r} as a range START:STOP[:STEP]")
        for part in parts:
            value = number(part, where) if part.strip() else None
            if value is None or not np.isfinite(value):
                raise DataError(f"{where}: range {token.strip()!r} needs finite START, STOP and STEP")
        start, stop, step = (Decimal(p.strip()) for p in [*parts, "1"][:3])
        if step == 0 or (stop - start) * step < 0:
            raise DataError(f"{where}: range {token.strip()!r} never reaches its stop from its start")
        return cls(start, stop, step)

    def __len__(self) -> int:
        with localcontext() as ctx:
            ctx.prec = 80
            return int((self.stop - self.start) / self.step) + 1

    def at(self, k: NDArray[np.int64]) -> NDArray[np.float64]:
        """The values at positions ``k``: the decimal START + k·STEP, rounded once."""
        exponent = min(self.start.as_tuple().exponent, self.step.as_tuple().exponent, 0)
        scale = 10 ** -int(exponent)
        first, stride = int(self.start * scale), int(self.step * scale)
        if max(abs(first), abs(first + stride * len(self))) < 2**53 and scale <= 10**22:
            # Both operands are exact doubles, so one IEEE division rounds the decimal once.
            return (first + stride * k).astype(np.float64) / float(scale)
        with localcontext() as ctx:
            ctx.prec = 80
            return np.array([float(self.start + int(i) * self.step) for i in k.tolist()])

    def batches(self) -> Iterator[NDArray[np.float64]]:
        count = len(self)
        for lo in range(0, count, BATCH):
            yield self.at(np.arange(lo, min(lo + BATCH, count), dtype=np.int64))


def _text_batches(lines: Iterable[bytes | str], source: str) -> Iterator[NDArray[np.float64]]:
    """Numbers separated by whitespace, commas or newlines; '#' starts a comment. Lines are
    decoded one by one, so text that is not UTF-8 is reported at its line, after the values
    before it (a text stream decodes ahead and would fail before them)."""
    values: list[float] = []
    for line_number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            for token in SEPARATORS.split(line.partition("#")[0]):
                if token:
                    values.append(number(token, f"{source}:{line_number}"))
        except (DataError, UnicodeDecodeError) as error:
            if values:
                yield np.array(values)
            if isinstance(error, UnicodeDecodeError):
                raise DataError(f"{source}:{line_number}: not UTF-8 text ({error.reason})") from None
            raise
        if len(values) >= BATCH:
            yield np.array(values)
            values = []
    if values:
        yield np.array(values)


def _file_batches(path: str, stdin: TextIO) -> Iterator[NDArray[np.float64]]:
    if path == "-":
        yield from _text_batches(getattr(stdin, "buffer", stdin), "<stdin>")
        return
    try:
        with Path(path).open("rb") as handle:
            yield from _text_batches(handle, path)
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror or error})") from None


class Values:
    """The values of the command line: numbers and ranges from the arguments, then the files
    (``-`` is stdin). With no arguments and no files, stdin is read; the caller decides
    beforehand whether that is right (it is not when stdin is a terminal)."""

    def __init__(self, arguments: list[str], files: list[str], stdin: TextIO | None = None) -> None:
        self.arguments = arguments
        self.files = files if arguments or files else ["-"]
        self.stdin = stdin if stdin is not None else sys.stdin

    def batches(self) -> Iterator[NDArray[np.float64]]:
        """Every value, in batches; a bad token raises DataError after the values before it."""
        pending: list[float] = []
        for index, token in enumerate(self.arguments, start=1):
            where = f"argument {index}"
            try:
                if token.strip() == "-":
                    source = _file_batches("-", self.stdin)
                elif ":" in token:
                    source = Range.parse(token, where).batches()
                else:
                    pending.append(number(token, where))
                    continue
            except DataError:
                if pending:
                    yield np.array(pending)
                raise
            if pending:
                yield np.array(pending)
                pending = []
            yield from source
        if pending:
            yield np.array(pending)
        for path in self.files:
            yield from _file_batches(path, self.stdin)

    def parts(self) -> list[Range | float] | None:
        """The arguments as numbers and ranges when they are all the values (no file, no stdin),
        so that their count and any value are known without computing the others."""
        if self.files or any(t.strip() == "-" for t in self.arguments):
            return None
        return [Range.parse(t, f"argument {i}") if ":" in t else number(t, f"argument {i}")
                for i, t in enumerate(self.arguments, start=1)]


def count(parts: list[Range | float]) -> int:
    return sum(len(p) if isinstance(p, Range) else 1 for p in parts)


def take(parts: list[Range | float], start: int, stop: int) -> NDArray[np.float64]:
    """The values at positions start..stop-1 of ``parts``, computing only those."""
    out: list[NDArray[np.float64]] = []
    offset = 0
    for part in parts:
        size = len(part) if isinstance(part, Range) else 1
        lo, hi = max(start, offset), min(stop, offset + size)
        if lo < hi:
            if isinstance(part, Range):
                out.append(part.at(np.arange(lo - offset, hi - offset, dtype=np.int64)))
            else:
                out.append(np.array([part]))
        offset += size
    return np.concatenate(out) if out else np.zeros(0)
