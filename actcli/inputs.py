"""Input values: numbers and ranges from arguments, plain-text numbers from files and stdin.

Values stream out in batches (NumPy float64 arrays) so that output starts before input ends and
memory stays bounded. A bad token ends the stream with a DataError naming the source, line and
token, after every value before it has been yielded: nothing read before the error is lost.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation
from typing import TYPE_CHECKING, TextIO

import numpy as np
from numpy.typing import NDArray

from actcli.errors import DataError
from actcli.i18n import N_
from actcli.registry import NUMBER

if TYPE_CHECKING:
    from actcli.streams import RecordReader

BATCH = 65536  # values per batch

SEPARATORS = re.compile(r"[\s,]+")


def number(token: str, where: str) -> float:
    """``token`` as a float, or a DataError saying where it came from."""
    if not NUMBER.fullmatch(token):
        raise DataError(f"{where}: cannot read {token.strip()!r} as a number")
    return float(token)


# Range parts are 0 or decimals from 1e-400 up to the float range: then the count and every
# value are computed exactly with this many digits, and rounded once.
EXACT = Context(prec=2000, traps=[Inexact, InvalidOperation])
TINIEST = Decimal("1e-400")
MOST_POINTS = 2**63  # a range's points are counted in 64-bit integers


@dataclass(frozen=True)
class Range:
    """``START:STOP[:STEP]``, STOP included when it falls on the grid, with no drift: the k-th
    value is the decimal START + k·STEP rounded once, so -1:1:0.1 is exactly 21 points."""

    start: Decimal
    stop: Decimal
    step: Decimal
    count: int

    @classmethod
    def parse(cls, token: str, where: str) -> Range:
        text = token.strip()
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise DataError(f"{where}: cannot read {text!r} as a range START:STOP[:STEP]")
        for part in parts:
            value = number(part, where) if part.strip() else None
            if value is None or not np.isfinite(value):
                raise DataError(f"{where}: range {text!r} needs finite START, STOP and STEP")
        texts = [p.strip() for p in [*parts, "1"][:3]]
        start, stop, step = (Decimal(t) for t in texts)
        tiny = next((t for t in texts if Decimal(t) and abs(Decimal(t)) < TINIEST), None)
        if tiny is not None:
            raise DataError(f"{where}: range {text!r}: {tiny} is far below the smallest float "
                            f"(5e-324); write 0 or a larger number")
        if step == 0 or EXACT.multiply(EXACT.subtract(stop, start), step) < 0:
            raise DataError(f"{where}: range {text!r} never reaches its stop from its start")
        count = int(EXACT.divide_int(EXACT.subtract(stop, start), step)) + 1
        if count >= MOST_POINTS:
            raise DataError(f"{where}: range {text!r} has {Decimal(count):.3g} points, more than 2**63")
        return cls(start, stop, step, count)

    def __len__(self) -> int:
        return self.count

    def _grid(self) -> tuple[int, int, int] | None:
        """(first, stride, scale) with START = first/scale and STEP = stride/scale, when every
        first + k·stride of the range is below 2**53 and scale at most 10**22: then both are
        exact doubles, and one IEEE division rounds each decimal value once."""
        exponent = min(int(self.start.as_tuple().exponent), int(self.step.as_tuple().exponent), 0)
        if exponent < -22:
            return None
        first, stride = int(self.start.scaleb(-exponent)), int(self.step.scaleb(-exponent))
        if max(abs(first), abs(first + stride * (self.count - 1))) >= 2**53:
            return None
        return first, stride, 10**-exponent

    def at(self, k: NDArray[np.int64]) -> NDArray[np.float64]:
        """The values at positions ``k``: the decimal START + k·STEP, rounded once."""
        grid = self._grid()
        values: NDArray[np.float64]
        if grid is not None:
            first, stride, scale = grid
            values = (first + stride * k).astype(np.float64) / float(scale)
        else:
            values = np.array([float(EXACT.fma(int(i), self.step, self.start)) for i in k.tolist()])
        if self.start.is_zero() and self.start.is_signed():
            values[k == 0] = -0.0  # START itself, as written
        return values

    def batches(self) -> Iterator[NDArray[np.float64]]:
        for lo in range(0, self.count, BATCH):
            yield self.at(np.arange(lo, min(lo + BATCH, self.count), dtype=np.int64))


def _line_numbers(raw: bytes, line_number: int, source: str) -> tuple[list[float], DataError | None]:
    """The numbers of one line, up to a bad token, and the DataError naming it: what the compiled
    reader leaves to Python (comments, text outside ASCII, inf and nan, over 19 digits, errors)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return [], DataError(f"{source}:{line_number}: not UTF-8 text ({error.reason})")
    where, found = f"{source}:{line_number}", []
    for token in SEPARATORS.split(line.partition("#")[0]):
        if token:
            try:
                found.append(number(token, where))
            except DataError as error:
                return found, error
    return found, None


def _chunk_numbers(chunk: bytes, line_number: int, source: str) -> Generator[NDArray[np.float64], None, int]:
    """The numbers of a chunk of lines, the first numbered ``line_number``; returns the number
    of the line after it. A bad token raises DataError after the numbers before it are yielded."""
    from actcli._core import read_decimal

    view, start, found = memoryview(chunk), 0, []
    while True:
        values, stop, lines = read_decimal(view[start:])
        found.append(values)
        line_number += lines
        start += stop
        if start == len(chunk):
            break
        end = chunk.find(b"\n", start) + 1 or len(chunk)  # a line left to Python
        numbers, error = _line_numbers(chunk[start:end], line_number, source)
        found.append(np.array(numbers, dtype=np.float64))
        if error is not None:  # the numbers before it first, the line's own included
            yield np.concatenate(found)
            raise error
        start, line_number = end, line_number + (chunk[end - 1:end] == b"\n")
    yield np.concatenate(found) if len(found) > 1 else found[0]
    return line_number


def _text_batches(reader: RecordReader, source: str) -> Iterator[NDArray[np.float64]]:
    """Numbers separated by whitespace, commas or newlines; '#' starts a comment; a UTF-8 BOM
    is dropped, as CSV input drops it. Chunks of whole lines are read as they come, so output
    follows a slow producer line by line."""
    line_number = 1
    for chunk in reader.chunks():
        line_number = yield from _chunk_numbers(chunk, line_number, source)
    if reader.failure is not None:
        raise DataError(f"{source}:{line_number}: {reader.failure}")


def _file_batches(path: str, stdin: TextIO) -> Iterator[NDArray[np.float64]]:
    from actcli.streams import RecordReader, open_source  # numbers given as arguments need neither

    handle, source, _ = open_source(path, stdin.buffer)
    try:
        yield from _text_batches(RecordReader(handle, source, lambda _: None, quoted=False), source)
    finally:
        if path != "-":
            handle.close()


@dataclass(frozen=True)
class File:
    """A file of numbers given among the values (``-i FILE``); ``-`` is stdin."""

    path: str


class Values:
    """The values of the command line, in the order given: numbers and ranges (text), files,
    and ``-`` for stdin. With none at all, stdin is read; the caller decides beforehand
    whether that is right (it is not when stdin is a terminal)."""

    def __init__(self, sources: list[str | File], stdin: TextIO | None = None) -> None:
        self.sources = sources or [File("-")]
        self.stdin = stdin if stdin is not None else sys.stdin

    def batches(self) -> Iterator[NDArray[np.float64]]:
        """Every value, in batches; a bad token raises DataError after the values before it."""
        pending: list[float] = []
        for index, source in enumerate(self.sources, start=1):
            where = N_(f"argument {index}")
            try:
                if isinstance(source, File):
                    batches = _file_batches(source.path, self.stdin)
                elif ":" in source:
                    batches = Range.parse(source, where).batches()
                else:
                    pending.append(number(source, where))
                    continue
            except DataError:
                if pending:
                    yield np.array(pending)
                raise
            if pending:
                yield np.array(pending)
                pending = []
            yield from batches
        if pending:
            yield np.array(pending)

    def parts(self) -> tuple[list[Range | float], DataError | None] | None:
        """The values as numbers and ranges when there is no file and no stdin, so that their
        count and any value are known without computing the others: those before a bad token,
        and its error (raised once they are written, as batches() does)."""
        if any(isinstance(s, File) for s in self.sources):
            return None
        found: list[Range | float] = []
        for index, source in enumerate(self.sources, start=1):
            assert isinstance(source, str)
            where = f"argument {index}"
            try:
                found.append(Range.parse(source, where) if ":" in source else number(source, where))
            except DataError as error:
                return found, error
        return found, None


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
