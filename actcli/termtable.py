"""Tables for a person at a terminal: every number whole, aligned on its decimal point, and the
table fitted to the terminal's width.

The layout is chosen, in this order, as the first that fits:

1. one table with every number exact (its shortest round-trip text);
2. the columns in groups, one table under the other, each repeating the key column (x), every
   number exact;
3. one table, then groups, with fewer significant digits (down to MIN_DIGITS), each the exact
   binary value correctly rounded, and a caption that says so;
4. one block per row, a line per column (``elu(x) = -0.8646647167633873``).

Every digit comes before a single table, so a wider terminal never shows fewer digits.

A number or a header word is never split across lines; headers wrap at their spaces only.
Long inputs show their head and tail with the exact count of the rows between.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from actcli.i18n import _
from actcli.numtext import exact_texts, fixed_texts, rounded

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

MIN_DIGITS = 6  # fewer significant digits than this and the table is laid out another way
SHOW_ALL = 50  # tables up to this many rows are shown whole
HEAD = TAIL = 20  # else the rows shown at each end
GAP = "⋮"
# A number as the renderers write it, to align text columns of numbers (CSV input) like results.
NUMBER_TEXT = re.compile(r"\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|nan|NaN)\s*")
TEXT_WIDTH = 24  # text columns wrap at spaces beyond this width


@dataclass
class TableColumn:
    """One column: numbers (kept as values, so they can be rounded correctly) or text cells."""

    header: str
    numbers: NDArray[Any] | None = None
    texts: Sequence[str | None] | None = None

    def cells(self, digits: int | None, precision: int | None) -> list[str]:
        """The cells as text, numbers with ``digits`` significant digits (None: exact)."""
        if self.numbers is None:
            assert self.texts is not None
            return [t or "" for t in self.texts]
        if precision is not None:
            return fixed_texts(self.numbers, precision)
        if digits is None:
            return exact_texts(self.numbers)
        dtype = self.numbers.dtype
        return [rounded(v, digits, dtype) for v in self.numbers.tolist()]

    @property
    def numeric(self) -> bool:
        return self.numbers is not None or all(
            not t or NUMBER_TEXT.fullmatch(t) for t in self.texts or ())


@dataclass(frozen=True)
class Rows:
    """What a table shows: its columns (head rows, then tail rows) and the rows left out."""

    columns: list[TableColumn]
    head: int  # how many of the rows come before the gap
    hidden: int  # rows not shown between head and tail
    total: int


Data = NDArray[Any] | Sequence[str | None]  # a column's numbers or text cells


class RowKeeper:
    """Keeps, of rows arriving in batches, the ones a table can show: all of them up to
    SHOW_ALL, else the first HEAD and the last TAIL. Rows may also be skipped unseen (a range's
    middle, whose count is known): then the rows before the skip are the head. A column whose
    batches come as numbers and as text (a CSV chunk with empty cells) is kept as text."""

    def __init__(self, precision: int | None = None) -> None:
        self.precision = precision
        self.head: list[Data] = []
        self.tail: list[Data] = []
        self.count = 0
        self.skipped = 0

    def add(self, columns: Sequence[Data]) -> None:
        if not columns:
            return
        room = 0 if self.skipped else max(0, SHOW_ALL - self.count)
        self.count += len(columns[0])
        if room:
            self.head = [self._join(h, c[:room]) for h, c in zip(self.head, columns, strict=True)] \
                if self.head else [c[:room] for c in columns]
        rest = [c[room:] for c in columns]
        if len(rest[0]):
            self.tail = [self._join(t, r)[-TAIL:] for t, r in zip(self.tail, rest, strict=True)] \
                if self.tail else [r[-TAIL:] for r in rest]

    def _join(self, a: Data, b: Data) -> Data:
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
            return np.concatenate([a, b])
        return [*self._texts(a), *self._texts(b)]

    def _texts(self, data: Data) -> Sequence[str | None]:
        if not isinstance(data, np.ndarray):
            return data
        return exact_texts(data) if self.precision is None else fixed_texts(data, self.precision)

    def skip(self, count: int) -> None:
        self.skipped += count

    def rows(self, headers: Sequence[str]) -> Rows:
        """The kept rows as table columns under ``headers``."""
        head, tail, hidden = self.head, self.tail, self.skipped
        if tail and not self.skipped:  # more than SHOW_ALL rows: the tail ends where they end
            tail = [self._join(h[HEAD:], t)[-TAIL:] for h, t in zip(head, tail, strict=True)]
            head = [h[:HEAD] for h in head]
            hidden = self.count - HEAD - len(tail[0])
        shown = [self._join(h, t) for h, t in zip(head, tail, strict=True)] if tail else head
        columns = [TableColumn(h, numbers=c) if isinstance(c, np.ndarray) else TableColumn(h, texts=c)
                   for h, c in zip(headers, shown, strict=True)] if shown else [
            TableColumn(h, texts=[]) for h in headers]
        return Rows(columns, len(head[0]) if head else 0, hidden, self.count + self.skipped)


def align(cells: Sequence[str]) -> list[str]:
    """Numbers padded so that their decimal points (or where the point would be) line up."""
    points = [_point(c) for c in cells]
    left = max((p for p, c in zip(points, cells, strict=True) if c), default=0)
    right = max((len(c) - p for p, c in zip(points, cells, strict=True) if c), default=0)
    return [c[:p].rjust(left) + c[p:].ljust(right) if c else "" for c, p in zip(cells, points, strict=True)]


def _point(text: str) -> int:
    for mark in (".", "e", "E"):
        position = text.find(mark)
        if position >= 0:
            return position
    return len(text)


@dataclass(frozen=True)
class Block:
    """Columns drawn as one table (with the key columns first)."""

    indexes: list[int]
    cells: list[list[str]]  # per column, aligned
    widths: list[int]


@dataclass(frozen=True)
class Layout:
    blocks: list[Block]  # empty: one record per row
    digits: int | None  # significant digits when rounded to fit, else None


def _column_cells(column: TableColumn, digits: int | None, precision: int | None) -> tuple[list[str], int]:
    cells = column.cells(digits, precision)
    from rich.cells import cell_len  # columns, not characters: a kanji takes two

    words = max((cell_len(w) for w in column.header.split()), default=0)
    if column.numeric:
        cells = align(cells)
        return cells, max([1, words, *map(len, cells)])
    return cells, max(1, words, min(TEXT_WIDTH, max(map(cell_len, cells), default=0)))


def table_width(widths: Sequence[int]) -> int:
    """Characters a table with these column widths takes: borders, a space either side."""
    return sum(widths) + 3 * len(widths) + 1


def plan(rows: Rows, width: int, precision: int | None, keys: int = 1) -> Layout:
    """The first layout that fits ``width`` characters (see the module's docstring)."""
    count = len(rows.columns)
    steps: list[int | None] = [None] if precision is not None else [None, *range(16, MIN_DIGITS - 1, -1)]
    keys = min(keys, count - 1)
    headers = [c.header for c in rows.columns]
    for digits in steps:  # at each number of digits: one table, else groups
        laid = [_column_cells(c, digits, precision) for c in rows.columns]
        widths = [w for _, w in laid]
        if table_width(widths) <= width:
            widths = _unwrap_headers(widths, headers, width)
            return Layout([Block(list(range(count)), [c for c, _ in laid], widths)], digits)
        groups = _groups(widths, keys, width)
        if groups:
            blocks = [Block(g, [laid[i][0] for i in g],
                            _unwrap_headers([laid[i][1] for i in g], [headers[i] for i in g], width))
                      for g in groups]
            return Layout(blocks, digits)
    return Layout([], None)


def _unwrap_headers(widths: list[int], headers: list[str], width: int) -> list[int]:
    """Widths grown, where the table has room, so that headers fit on one line."""
    from rich.cells import cell_len

    out = list(widths)
    for i, header in enumerate(headers):
        grown = max(out[i], cell_len(header))
        if table_width(out) - out[i] + grown <= width:
            out[i] = grown
    return out


def _groups(widths: list[int], keys: int, width: int) -> list[list[int]] | None:
    """Columns packed greedily into tables of at most ``width``, each starting with the keys."""
    groups: list[list[int]] = []
    for index in range(keys, len(widths)):
        if groups and table_width([widths[i] for i in groups[-1]] + [widths[index]]) <= width:
            groups[-1].append(index)
            continue
        group = [*range(keys), index]
        if table_width([widths[i] for i in group]) > width:
            return None
        groups.append(group)
    return groups


def rows_of(headers: Sequence[str], numbers: Sequence[NDArray[Any]]) -> Rows:
    """A short table of numbers, every row shown."""
    columns = [TableColumn(h, numbers=n) for h, n in zip(headers, numbers, strict=True)]
    count = len(numbers[0]) if numbers else 0
    return Rows(columns, count, 0, count)


def render(rows: Rows, console: Console, title: str | None = None, precision: int | None = None,
           keys: int = 1, every_digit: str = "--format plain") -> None:
    """Print ``rows`` as the first layout that fits the console's width; ``every_digit`` says
    how to see every digit when they were rounded to fit."""
    layout = plan(rows, console.width, precision, keys)
    notes = []
    if rows.hidden:
        notes.append(_("{gap} {hidden} rows not shown ({total} in all); every row: --format plain, "
                       "csv or json").format(gap=GAP, hidden=f"{rows.hidden:,}", total=f"{rows.total:,}"))
    if layout.digits is not None:
        notes.append(_("rounded to {digits} significant digits to fit {width} columns; every digit: "
                       "{every_digit} or a wider terminal").format(
            digits=layout.digits, width=console.width, every_digit=every_digit))
    if layout.blocks:
        for number, block in enumerate(layout.blocks):
            console.print(_rich_table(rows, block, title if number == 0 else None))
    else:
        _render_records(rows, console, title, precision)
    from rich.text import Text

    for note in notes:
        console.print(Text(note, style="dim"))


def _rich_table(rows: Rows, block: Block, title: str | None) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    long = rows.hidden > 0
    table = Table(title=title, title_style="bold", header_style="bold", show_footer=long,
                  footer_style="bold")
    headers = {i: textwrap.wrap(rows.columns[i].header, w, break_long_words=False, break_on_hyphens=False)
               for i, w in zip(block.indexes, block.widths, strict=True)}
    height = max(map(len, headers.values()))
    for index, width in zip(block.indexes, block.widths, strict=True):
        justify: Literal["right", "left"] = "right" if rows.columns[index].numeric else "left"
        header = Text("\n" * (height - len(headers[index])) + "\n".join(headers[index]), justify=justify)
        # Cells are laid out here (aligned on the point, right-aligned as a block) and given to
        # Rich left-justified: Rich drops trailing spaces, which would undo the alignment.
        table.add_column(header, footer=header.copy() if long else "", width=width, justify="left",
                         overflow="fold")
    body = list(zip(*(_padded(cells, width, rows.columns[i].numeric)
                      for i, cells, width in zip(block.indexes, block.cells, block.widths, strict=True)),
                    strict=True))
    for position, row in enumerate(body):
        if long and position == rows.head:
            table.add_row(*(Text(GAP, justify="center") for _cell in row))
        table.add_row(*(Text(cell) for cell in row))  # cells are data, never markup
    return table


def _padded(cells: list[str], width: int, numeric: bool) -> list[str]:
    return [c.rjust(width) for c in cells] if numeric else cells


def _render_records(rows: Rows, console: Console, title: str | None, precision: int | None) -> None:
    """One block per row: ``header = value`` lines, the value on a line of its own if need be."""
    from rich.text import Text

    if title:
        console.print(Text(title, style="bold"))
    columns = [c.cells(None, precision) for c in rows.columns]
    for position, row in enumerate(zip(*columns, strict=True)):
        if rows.hidden and position == rows.head:
            console.print(Text(_("{gap} {hidden} rows {gap}").format(gap=GAP, hidden=f"{rows.hidden:,}")))
        console.print()
        for column, cell in zip(rows.columns, row, strict=True):
            line = f"{column.header} = {cell}"
            if len(line) > console.width:
                console.print(Text(f"{column.header} =", style="bold"))
                console.print(Text(f"  {cell}"), overflow="fold")
            else:
                console.print(Text(line))
