"""Renderers: result columns to text. They know nothing of how the values were computed.

A column is either numbers (a NumPy array, written in its own dtype) or text cells (CSV input
passed through). Numbers are written exactly by default, as the shortest text that reads back
to the same value of its dtype; ``precision`` rounds for display. JSON has no NaN or infinities
(RFC 8259), so they are written as the strings "NaN", "Infinity" and "-Infinity", everywhere,
or as null with ``--json-nonfinite null`` (JSON_NONFINITE).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from contextvars import ContextVar
from typing import IO, TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from actcli.numtext import INF, NAN, NEG_INF, exact_texts, fixed_texts
from actcli.spec import Column

if TYPE_CHECKING:
    from rich.console import Console

JSON_NON_FINITE = {NAN: "NaN", INF: "Infinity", NEG_INF: "-Infinity"}
# "string": the strings above; "null": null, for tools that want a number or nothing.
JSON_NONFINITE: ContextVar[str] = ContextVar("JSON_NONFINITE", default="string")
# RFC 8259's number: what may be written bare (float() would also pass '1_000' or ' 2').
JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")

Texts = Sequence[str | None]  # text cells; None is an empty cell
ColumnData = NDArray[Any] | Texts  # numbers, or text cells


def texts_of(column: ColumnData, precision: int | None) -> Texts:
    """A column as text cells: numbers exact, or with ``precision`` decimals."""
    if isinstance(column, np.ndarray):
        return exact_texts(column) if precision is None else fixed_texts(column, precision)
    return column


def csv_record(fields: Sequence[str], delimiter: str) -> str:
    """One CSV record and its LF: a field is quoted when it holds the delimiter, a quote, a CR
    or a LF (Python's csv module leaves a bare CR unquoted when records end in LF); a record of
    one empty field is written ``""``, not as a blank line."""
    specials = (delimiter, '"', "\r", "\n")
    if len(fields) == 1 and not fields[0]:
        return '""\n'
    return delimiter.join('"' + f.replace('"', '""') + '"' if any(c in f for c in specials) else f
                          for f in fields) + "\n"


def json_number(text: str) -> str:
    """A number's text as JSON: itself, or a non-finite one as JSON_NONFINITE says."""
    if text not in JSON_NON_FINITE:
        return text
    return "null" if JSON_NONFINITE.get() == "null" else f'"{JSON_NON_FINITE[text]}"'


def json_safe(data: Any) -> Any:
    """``data`` with every non-finite float spelled as json_number spells it."""
    if isinstance(data, float) and not math.isfinite(data):
        return json.loads(json_number(NAN if math.isnan(data) else INF if data > 0 else NEG_INF))
    if isinstance(data, dict):
        return {k: json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_safe(v) for v in data]
    return data


class Renderer:
    """Writes rows as they come: computed batches (``write``) or columns (``write_columns``)."""

    def __init__(self, out: IO[str], headers: Sequence[str], numeric: Sequence[bool],
                 precision: int | None, show_x: bool = True) -> None:
        self.out = out
        self.headers = list(headers)
        self.numeric = list(numeric)
        self.precision = precision
        self.show_x = show_x
        self.rows = 0  # rows written so far

    def write(self, x: NDArray[Any], results: Sequence[NDArray[Any]]) -> None:
        """A batch of inputs and their results (x written when ``show_x``)."""
        self.write_columns([x, *results] if self.show_x else list(results))

    def write_columns(self, columns: Sequence[ColumnData]) -> None:
        self.rows += len(columns[0]) if columns else 0
        self.write_cells([texts_of(c, self.precision) for c in columns])

    def write_cells(self, cells: Sequence[Texts]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the output (close a JSON array, print a table); called on errors too."""
        self.out.flush()


def _rows(cells: Sequence[Texts]) -> zip[tuple[str, ...]]:
    return zip(*([c if c is not None else "" for c in column] for column in cells), strict=True)


class PlainRenderer(Renderer):
    """One line per row, the cells separated by tabs. ``titled``: first a comment line naming
    the columns (``# x<TAB>relu(x)<TAB>tanh(x)``), which readers of numbers skip (actcli, numpy's
    loadtxt, gnuplot, R) and a person reads; a single result column has none."""

    def __init__(self, out: IO[str], headers: Sequence[str], numeric: Sequence[bool],
                 precision: int | None, show_x: bool = True, titled: bool = False) -> None:
        super().__init__(out, headers, numeric, precision, show_x)
        if titled:
            out.write("# " + "\t".join(headers) + "\n")

    def write_columns(self, columns: Sequence[ColumnData]) -> None:
        doubles = [c for c in columns if isinstance(c, np.ndarray) and c.dtype == np.float64 and c.ndim == 1]
        if self.precision is None and doubles and len(doubles) == len(columns):
            from actcli._core import write_decimal  # the one-liners' path: no str per value

            self.rows += len(doubles[0])
            self.out.write(write_decimal(doubles, "\t").decode("ascii"))
            return
        super().write_columns(columns)

    def write_cells(self, cells: Sequence[Texts]) -> None:
        self.out.writelines("\t".join(row) + "\n" for row in _rows(cells))


class DelimitedRenderer(Renderer):
    """CSV or TSV with a header row, fields quoted where they must be."""

    def __init__(self, out: IO[str], headers: Sequence[str], numeric: Sequence[bool],
                 precision: int | None, delimiter: str, show_x: bool = True,
                 header: bool = True) -> None:
        super().__init__(out, headers, numeric, precision, show_x)
        self.delimiter = delimiter
        if header:
            out.write(csv_record(self.headers, delimiter))

    def write_cells(self, cells: Sequence[Texts]) -> None:
        self.out.writelines(csv_record(row, self.delimiter) for row in _rows(cells))


class JsonRenderer(Renderer):
    """A JSON array of records ``{"x": ..., "relu(x)": ...}``, or one record per line (NDJSON).
    Numeric columns are JSON numbers (null when empty), others strings."""

    def __init__(self, out: IO[str], headers: Sequence[str], numeric: Sequence[bool],
                 precision: int | None, lines: bool, show_x: bool = True) -> None:
        super().__init__(out, headers, numeric, precision, show_x)
        self.lines = lines
        self.keys = [json.dumps(h, ensure_ascii=False) for h in self.headers]
        self.count = 0
        if not lines:
            out.write("[")

    def write_cells(self, cells: Sequence[Texts]) -> None:
        encoded = [[_json_value(v, numeric) for v in column]
                   for column, numeric in zip(cells, self.numeric, strict=True)]
        for row in zip(*encoded, strict=True):
            record = "{" + ", ".join(f"{k}: {v}" for k, v in zip(self.keys, row, strict=True)) + "}"
            if self.lines:
                self.out.write(record + "\n")
            else:
                self.out.write(("\n  " if self.count == 0 else ",\n  ") + record)
            self.count += 1

    def close(self) -> None:
        if not self.lines:
            self.out.write("\n]\n" if self.count else "]\n")
        super().close()


def _json_value(text: str | None, numeric: bool) -> str:
    """A number (null when empty) or, for text columns, a string: CSV has no null, an empty
    field is the empty string."""
    if numeric:
        if not text:
            return "null"
        if text in JSON_NON_FINITE or JSON_NUMBER.fullmatch(text):
            return json_number(text)
    return json.dumps(text or "", ensure_ascii=False)  # also a cell kept by --on-error keep


class TutorialRenderer(Renderer):
    """The seed tutorial's lines: ``Applying Relu on (1.0) gives 1.0`` (``%.1f`` by default)."""

    def __init__(self, out: IO[str], columns: Sequence[Column], precision: int | None) -> None:
        super().__init__(out, [], [], precision, show_x=True)
        self.columns = list(columns)

    def write(self, x: NDArray[Any], results: Sequence[NDArray[Any]]) -> None:
        digits = 1 if self.precision is None else self.precision
        self.rows += len(x)
        for i, xi in enumerate(x.tolist()):
            for column, result in zip(self.columns, results, strict=True):
                self.out.write("Applying %s on (%.*f) gives %.*f\n" % (
                    column.display_name, digits, xi, digits, float(result[i])))


class TableRenderer(Renderer):
    """A table for the terminal (actcli.termtable): every row when there are few, else the first
    and last ones and the count of those between. Only the rows that can be shown are kept."""

    def __init__(self, console: Console, headers: Sequence[str], numeric: Sequence[bool],
                 precision: int | None, title: str, show_x: bool = True) -> None:
        from actcli.termtable import RowKeeper

        super().__init__(console.file, headers, numeric, precision, show_x)
        self.console = console
        self.title = title
        self.kept = RowKeeper(precision)

    def write_columns(self, columns: Sequence[ColumnData]) -> None:
        self.rows += len(columns[0]) if columns else 0
        self.kept.add(columns)

    def skip(self, count: int) -> None:
        """Rows left out between the head and the tail (the caller computed only those two)."""
        self.kept.skip(count)

    def close(self) -> None:
        from actcli import termtable

        rows = self.kept.rows(self.headers)
        if rows.total == 0:  # no values (empty input, or a bad first one): no empty frame, as in a pipe
            return
        termtable.render(rows, self.console, self.title, self.precision, keys=1 if self.show_x else 0)


def title_of(columns: Sequence[Column]) -> str:
    """The activations and their parameters: ``relu, elu(alpha=0.5)``."""
    return ", ".join(dict.fromkeys(c.spec.label for c in columns))


def make_renderer(fmt: str, out: IO[str], headers: Sequence[str], numeric: Sequence[bool],
                  precision: int | None, *, columns: Sequence[Column], console: Console | None = None,
                  show_x: bool = True, header: bool = True, delimiter: str | None = None,
                  titled: bool = False) -> Renderer:
    """The renderer for ``fmt`` (already resolved from ``auto``). ``headers`` and ``numeric``
    describe the written columns, x first when ``show_x``; ``header`` is false for CSV read
    without one; ``delimiter`` replaces csv's comma (a CSV stream keeps its input's); ``titled``
    gives plain text its comment line naming the columns (``table``)."""
    if fmt == "table":
        assert console is not None
        return TableRenderer(console, headers, numeric, precision, title_of(columns), show_x)
    if fmt == "tutorial":
        return TutorialRenderer(out, columns, precision)
    if fmt in ("csv", "tsv"):
        return DelimitedRenderer(out, headers, numeric, precision,
                                 delimiter or ("," if fmt == "csv" else "\t"), show_x=show_x, header=header)
    if fmt in ("json", "ndjson"):
        return JsonRenderer(out, headers, numeric, precision, lines=fmt == "ndjson", show_x=show_x)
    return PlainRenderer(out, headers, numeric, precision, show_x, titled)
