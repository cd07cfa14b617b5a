"""Renderers: result columns to text. They know nothing of how the values were computed.

Numbers are written exactly by default, as the shortest text that reads back to the same value
of its dtype (``repr``); ``precision`` rounds for display. JSON has no NaN or infinities
(RFC 8259), so they are written as the strings "NaN", "Infinity" and "-Infinity", everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from actcli.spec import Spec

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("auto", "table", "tutorial", "plain", "csv", "tsv", "json", "ndjson")
TABLE_ROW_LIMIT = 1000  # a terminal table beyond this shows the first rows and says how many more
JSON_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


@dataclass(frozen=True)
class Column:
    """One result column: an activation's values or derivatives."""

    spec: Spec
    derivative: bool

    @property
    def header(self) -> str:
        return self.spec.header(self.derivative)

    @property
    def display_name(self) -> str:
        """As the seed tutorial names it: ``Relu``, ``Leaky Relu``, ``Elu(alpha=0.5) Gradient``."""
        args = ", ".join(f"{k}={v}" for k, v in self.spec.changed.items())
        name = self.spec.activation.display_name + (f"({args})" if args else "")
        return name + (" Gradient" if self.derivative else "")


def format_numbers(values: NDArray[Any], precision: int | None) -> list[str]:
    """Shortest round-trip text of each value in its own dtype, or fixed ``precision`` decimals."""
    if precision is not None:
        return [f"{v:.{precision}f}" for v in values.tolist()]
    if values.dtype == np.float64:
        return list(map(float.__repr__, values.tolist()))
    return [str(v) for v in values]  # NumPy's float32/float16 str is their shortest round-trip


def json_number(text: str) -> str:
    return f'"{JSON_NON_FINITE[text]}"' if text in JSON_NON_FINITE else text


class Renderer:
    """Receives batches of rows (x and one array per column) and writes them as they come."""

    def __init__(self, out: IO[str], columns: Sequence[Column], precision: int | None,
                 show_x: bool = True) -> None:
        self.out = out
        self.columns = list(columns)
        self.precision = precision
        self.show_x = show_x

    def write(self, x: NDArray[Any], results: Sequence[NDArray[Any]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the output (close a JSON array, print a table); called on errors too."""
        self.out.flush()

    def _texts(self, x: NDArray[Any], results: Sequence[NDArray[Any]]) -> list[list[str]]:
        """The cells as text, column by column, x first when shown."""
        arrays = [x, *results] if self.show_x else list(results)
        return [format_numbers(a, self.precision) for a in arrays]

    @property
    def headers(self) -> list[str]:
        return (["x"] if self.show_x else []) + [c.header for c in self.columns]


class PlainRenderer(Renderer):
    """One line per input: the result (apply/grad), or x and the results separated by tabs."""

    def write(self, x: NDArray[Any], results: Sequence[NDArray[Any]]) -> None:
        self.out.writelines("\t".join(row) + "\n" for row in zip(*self._texts(x, results), strict=True))


class DelimitedRenderer(Renderer):
    """CSV or TSV with a header row. Numbers never need quoting."""

    def __init__(self, out: IO[str], columns: Sequence[Column], precision: int | None,
                 delimiter: str) -> None:
        super().__init__(out, columns, precision)
        self.delimiter = delimiter
        header = self.headers
        if delimiter == ",":
            header = [_csv_quote(h) for h in header]
        out.write(delimiter.join(header) + "\n")

    def write(self, x: NDArray[Any], results: Sequence[NDArray[Any]]) -> None:
        rows = zip(*self._texts(x, results), strict=True)
        self.out.writelines(self.delimiter.join(row) + "\n" for row in rows)


def _csv_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text


class JsonRenderer(Renderer):
    """A JSON array of records ``{"x": ..., "relu(x)": ...}``, or one record per line (NDJSON)."""

    def __init__(self, out: IO[str], columns: Sequence[Column], precision: int | None,
                 lines: bool) -> None:
        super().__init__(out, columns, precision)
        self.lines = lines
        self.keys = [json.dumps(h) for h in self.headers]
        self.count = 0
        if not lines:
            out.write("[")

    def write(self, x: NDArray[Any], results: Sequence[NDArray[Any]]) -> None:
        for row in zip(*self._texts(x, results), strict=True):
            fields = ", ".join(f"{k}: {json_number(v)}" for k, v in zip(self.keys, row, strict=True))
            if self.lines:
                self.out.write("{" + fields + "}\n")
            else:
                self.out.write(("\n  " if self.count == 0 else ",\n  ") + "{" + fields + "}")
            self.count += 1

    def close(self) -> None:
        if not self.lines:
            self.out.write("\n]\n" if self.count else "]\n")
        super().close()


class TutorialRenderer(Renderer):
    """The seed tutorial's lines: ``Applying Relu on (1.0) gives 1.0`` (``%.1f`` by default)."""

    def write(self, x: NDArray[Any], results: Sequence[NDArray[Any]]) -> None:
        digits = 1 if self.precision is None else self.precision
        for i, xi in enumerate(x.tolist()):
            for column, result in zip(self.columns, results, strict=True):
                line = "Applying %s on (%.*f) gives %.*f\n" % (
                    column.display_name, digits, xi, digits, float(result[i]))
                self.out.write(line)


class TableRenderer(Renderer):
    """A Rich table for the terminal: a title with the activations and their parameters, right-
    aligned exact numbers; rows beyond TABLE_ROW_LIMIT are counted, not shown."""

    def __init__(self, console: Console, columns: Sequence[Column], precision: int | None) -> None:
        super().__init__(console.file, columns, precision)
        self.console = console
        self.rows: list[tuple[str, ...]] = []
        self.hidden = 0

    def write(self, x: NDArray[Any], results: Sequence[NDArray[Any]]) -> None:
        room = TABLE_ROW_LIMIT - len(self.rows)
        self.rows.extend(zip(*self._texts(x[:room], [r[:room] for r in results]), strict=True))
        self.hidden += max(0, len(x) - room)

    def close(self) -> None:
        from rich.table import Table

        labels = list(dict.fromkeys(c.spec.label for c in self.columns))
        table = Table(title=", ".join(labels), title_style="bold", header_style="bold")
        for header in self.headers:
            table.add_column(header, justify="right", overflow="fold")
        for row in self.rows:
            table.add_row(*row)
        self.console.print(table)
        if self.hidden:
            self.console.print(
                f"[dim]… {self.hidden} more rows not shown; use --format plain, csv or json "
                f"for all of them[/dim]"
            )


def make_renderer(fmt: str, out: IO[str], columns: Sequence[Column], precision: int | None,
                  console: Console | None, show_x: bool) -> Renderer:
    """The renderer for ``fmt`` (already resolved from ``auto``)."""
    if fmt == "table":
        assert console is not None
        return TableRenderer(console, columns, precision)
    if fmt == "tutorial":
        return TutorialRenderer(out, columns, precision)
    if fmt in ("csv", "tsv"):
        return DelimitedRenderer(out, columns, precision, "," if fmt == "csv" else "\t")
    if fmt in ("json", "ndjson"):
        return JsonRenderer(out, columns, precision, lines=fmt == "ndjson")
    return PlainRenderer(out, columns, precision, show_x=show_x)
