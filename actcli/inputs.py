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

    def batches(self) -> Iterator[NDArray[np.float64]]:
        count = len(self)
        exponent = min(self.start.as_tuple().exponent, self.step.as_tuple().exponent, 0)
        scale = 10 ** -int(exponent)
        first, stride = int(self.start * scale), int(self.step * scale)
        exact_ints = max(abs(first), abs(first + stride * count)) < 2**53 and scale <= 10**22
        for lo in range(0, count, BATCH):
            k = np.arange(lo, min(lo + BATCH, count), dtype=np.int64)
            if exact_ints:
                # Both operands are exact doubles, so one IEEE division rounds the decimal once.
                yield (first + stride * k).astype(np.float64) / float(scale)
            else:
                with localcontext() as ctx:
                    ctx.prec = 80
                    yield np.array([float(self.start + int(i) * self.step) for i in k])


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


def read_values(
    arguments: list[str], files: list[str], stdin: TextIO | None = None
) -> Iterator[NDArray[np.float64]]:
    """Batches of values from the arguments (numbers, ranges, '-' for stdin), then the files.

    With no arguments and no files, stdin is read; the caller decides beforehand whether that is
    right (it is not when stdin is a terminal)."""
    stdin = stdin if stdin is not None else sys.stdin
    if not arguments and not files:
        files = ["-"]
    pending: list[float] = []
    for index, token in enumerate(arguments, start=1):
        where = f"argument {index}"
        try:
            if token.strip() == "-":
                source = _file_batches("-", stdin)
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
    for path in files:
        yield from _file_batches(path, stdin)
