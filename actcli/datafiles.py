"""The files data lives in, beside plain CSV: compressed CSV, Parquet, Arrow IPC and NDJSON.

Which format a file is comes from its name (``--input-format`` says it otherwise); a CSV's
compression from its first bytes, so compressed stdin works too. Parquet, Arrow IPC and NDJSON
are read by Polars in batches (streaming where Polars streams), with their column types: floats
reach the kernels with no text step. Parquet and Arrow IPC are written by a Polars sink fed
frame by frame, so memory stays bounded; NDJSON, JSON, CSV and TSV outputs are the renderers'
own text, the same as on stdout.

Imported only when a file of these formats, or ``-o``, is used.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import IO, Any

import numpy as np
import polars as pl

from actcli.compressed import COMPRESSIONS, compressing, first_line
from actcli.errors import DataError, UsageProblem
from actcli.formats import Format
from actcli.render import ColumnData, Renderer

INPUT_FORMATS = ("csv", "tsv", "parquet", "arrow", "ndjson")
BINARY = ("parquet", "arrow")
TEXT = ("csv", "tsv", "json", "ndjson")
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet",
             ".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow", ".ndjson": "ndjson",
             ".jsonl": "ndjson", ".json": "json"}
_STORED = {"float64": pl.Float64, "float32": pl.Float32, "float16": pl.Float16}  # else Float32


def format_of(path: str) -> tuple[str | None, str | None]:
    """(format, compression) from a file name: ``x.csv.gz`` is ("csv", "gzip")."""
    suffixes = [s.lower() for s in PurePath(path).suffixes]
    compression = COMPRESSIONS.get(suffixes[-1]) if suffixes else None
    if compression:
        suffixes.pop()
    return (_SUFFIXES.get(suffixes[-1]) if suffixes else None), compression


def input_format(path: str, forced: str | None) -> str:
    """How to read ``path``: ``forced`` (--input-format), else by its name, else CSV."""
    if forced:
        return forced
    if path == "-":
        return "csv"
    kind, _ = format_of(path)
    if kind == "json":
        raise UsageProblem(f"{path}: a JSON array is not read as a table; use NDJSON (one record per "
                           f"line, .ndjson) or CSV")
    return kind or "csv"


# --- reading ---------------------------------------------------------------------------------


def batches(path: str, kind: str, stdin: IO[bytes]) -> tuple[pl.Schema, Iterator[pl.DataFrame]]:
    """The schema and the frames of a Parquet, Arrow IPC or NDJSON file (stdin is read whole:
    Parquet and Arrow IPC files need to be seekable)."""
    name = "<stdin>" if path == "-" else path
    source: Any = io.BytesIO(stdin.read()) if path == "-" else path
    scan: Any = {"parquet": pl.scan_parquet, "arrow": pl.scan_ipc, "ndjson": pl.scan_ndjson}[kind]
    try:
        lazy = scan(source)
        schema = lazy.collect_schema()
    except FileNotFoundError:
        raise DataError(f"{name}: cannot read (No such file or directory)") from None
    except (pl.exceptions.PolarsError, OSError) as error:
        raise DataError(f"{name}: cannot read as {kind}: {first_line(error)}") from None

    def frames() -> Iterator[pl.DataFrame]:
        try:
            yield from lazy.collect_batches()
        except (pl.exceptions.PolarsError, OSError) as error:
            raise DataError(f"{name}: cannot read as {kind}: {first_line(error)}") from None

    return schema, frames()


# --- writing ---------------------------------------------------------------------------------


def open_text(path: str, compression: str | None) -> IO[str]:
    """A text file for the renderers, compressed as its name says."""
    try:
        raw: Any = open(path, "wb")  # noqa: SIM115 - closed with the text wrapper
    except OSError as error:
        raise DataError(f"{path}: cannot write ({error.strerror or error})") from None
    return io.TextIOWrapper(compressing(raw, compression), encoding="utf-8", newline="")


class FrameWriter:
    """Frames written in order into one Parquet or Arrow IPC file by a Polars sink, which runs
    in its own thread and pulls them from a short queue: the file is written as they come."""

    def __init__(self, path: str, kind: str, schema: pl.Schema) -> None:
        from polars.io.plugins import register_io_source

        self.path, self.schema = path, schema
        self.frames: queue.Queue[pl.DataFrame | None] = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        lazy = register_io_source(self._frames, schema=schema)
        sink = lazy.sink_parquet if kind == "parquet" else lazy.sink_ipc
        self.thread = threading.Thread(target=self._sink, args=(sink,), daemon=True)
        self.thread.start()

    def _frames(self, *_: Any) -> Iterator[pl.DataFrame]:
        while (frame := self.frames.get()) is not None:
            yield frame

    def _sink(self, sink: Any) -> None:
        try:
            sink(self.path)
        except BaseException as error:  # reported in the main thread
            self.failure = error

    def write(self, frame: pl.DataFrame) -> None:
        try:
            self._put(frame.cast(dict(zip(frame.columns, self.schema.dtypes(), strict=True))))
        except pl.exceptions.InvalidOperationError:
            raise DataError(f"{self.path}: a column's type differs from the first input's") from None

    def _put(self, item: pl.DataFrame | None) -> None:
        while self.thread.is_alive():
            try:
                self.frames.put(item, timeout=0.2)
                return
            except queue.Full:
                continue
        self._check()

    def close(self) -> None:
        self._put(None)
        self.thread.join()
        self._check()

    def _check(self) -> None:
        if self.failure is not None:
            error, self.failure = self.failure, None
            message = error.strerror if isinstance(error, OSError) and error.strerror else first_line(error)
            raise DataError(f"{self.path}: cannot write ({message})")


class FrameRenderer(Renderer):
    """Computed values into a Parquet or Arrow IPC file: x and each result, as floats of the
    computing format (bfloat16 and float8 as float32, which holds them exactly)."""

    def __init__(self, path: str, kind: str, headers: Sequence[str], fmt: Format) -> None:
        super().__init__(io.StringIO(), headers, [True] * len(headers), None)
        self.dtype = _STORED.get(fmt.name, pl.Float32)
        self.writer = FrameWriter(path, kind, pl.Schema({h: self.dtype for h in headers}))

    def write_columns(self, columns: Sequence[ColumnData]) -> None:
        self.rows += len(columns[0]) if columns else 0
        self.writer.write(pl.DataFrame([pl.Series(h, np.asarray(c, dtype=np.float64)).cast(self.dtype)
                                        for h, c in zip(self.headers, columns, strict=True)]))

    def close(self) -> None:
        self.writer.close()
