"""CSV streams: selected columns through the library's kernels, everything else passed through.

The input is cut into chunks at record boundaries (a newline outside quotes) and each chunk is
parsed by Polars with every column read as text, so untouched columns come out as they went in
(quoting is normalised: a field is quoted only when it must be). The selected columns are
parsed as float64 and go through the same kernels as ``apply``, so a CSV gives bit-for-bit the
numbers ``apply`` gives. Chunks are processed by worker threads (Polars and NumPy release the
GIL) while the main thread writes finished ones in order: output starts before input ends and
memory is bounded by a few chunks, whatever the input size.

What users see, documented in README.md: a UTF-8 BOM is dropped; CRLF record ends become LF
(CRLF inside quoted fields is kept); blank lines are skipped; an empty cell in a selected column
gives an empty result; the header is written as it was read.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from actcli.console import progress_bar
from actcli.errors import DataError, UsageProblem
from actcli.formats import FORMATS
from actcli.i18n import N_
from actcli.registry import KinkConvention
from actcli.spec import Column
from actcli.streams import RecordReader, open_source

if TYPE_CHECKING:
    from rich.console import Console

IN_FLIGHT = 2  # chunks being parsed while one is written
BLANK_LINES = re.compile(rb"(^|\n)(?:\r?\n)+")  # a run of blank lines, after a line's end
QUOTED = re.compile(r'"(?:[^"]|"")*"')
BARE_CR = re.compile(r"\r(?!\n)")
OnError = Literal["stop", "skip", "nan", "keep"]


@dataclass(frozen=True)
class Dialect:
    delimiter: str = ","
    header: bool = True

    @property
    def byte(self) -> bytes:
        return self.delimiter.encode()


@dataclass(frozen=True)
class Output:
    """One result column: an activation (or derivative) of one selected column."""

    column: Column
    source: int  # index of the selected input column
    name: str  # its header
    replaces: bool  # written in place of the source column


@dataclass
class ChunkResult:
    """A processed chunk: the output frame for the rows that are fine, and what went wrong."""

    frame: pl.DataFrame
    newlines: int  # physical lines in the chunk, for the line numbers of later chunks
    affected: int = 0  # rows skipped, set to NaN or kept by --on-error
    error: str | None = None  # message without the "file:line:" prefix
    error_line: int = 0  # physical line within the chunk, 0-based


# --- reading -------------------------------------------------------------------------------


# --- parsing helpers -------------------------------------------------------------------------


def parse_header(record: bytes, dialect: Dialect, name: str, line: int = 1) -> list[str]:
    """The fields of the first record, which is on ``line`` (after any blank lines)."""
    problem = _record_problem(record, dialect, None)
    if problem:
        raise DataError(f"{name}:{line}: {problem}")
    fields = _fields(record.decode("utf-8"), dialect)
    if not fields:
        raise DataError(f"{name}:{line}: the header line is empty")
    return fields


def _fields(text: str, dialect: Dialect) -> list[str]:
    """The fields of one record, with Python's csv module (only for the header and on the error
    path; the stream itself goes through Polars)."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter))
    return rows[0] if rows else []


# A field may be as long as a record: the csv module's 128 KiB default would stop long cells.
csv.field_size_limit(2**31 - 1)


def _record_problem(record: bytes, dialect: Dialect, width: int | None) -> str | None:
    """What is wrong with one record (None when nothing is): bytes that are not UTF-8, a quote
    never closed, a stray quote or bare CR, or (given ``width``) the wrong number of fields."""
    try:
        text = record.decode("utf-8")
    except UnicodeDecodeError as error:
        return N_(f"not UTF-8 text ({error.reason})")
    if text.count('"') % 2:
        return N_("a quoted field is never closed")
    if BARE_CR.search(QUOTED.sub("", text)):
        return N_("a carriage return outside quotes (lines must end in LF or CRLF)")
    try:
        fields = _fields(text, dialect)
    except csv.Error as error:
        return N_(f"cannot read this record ({str(error).split(' - ')[0]})")
    if width is not None and len(fields) != width:
        if len(fields) == 1:
            return N_(f"a row of 1 field where the header has {width}")
        return N_(f"a row of {len(fields)} fields where the header has {width}")
    return None


def _has_blank_lines(data: bytes) -> bool:
    """Is there an empty line (LF LF, LF CR LF, or one at the start)? NumPy compares every byte
    at once: a substring search for LF LF slows down on the LF every line has (2.4 ms a chunk,
    a tenth of its whole processing), the regex more."""
    if data.startswith((b"\n", b"\r\n")):
        return True
    octets = np.frombuffer(data, dtype=np.uint8)
    lf = octets == 10
    if (lf[1:] & lf[:-1]).any():
        return True
    return b"\r" in data and bool((lf[2:] & lf[:-2] & (octets[1:-1] == 13)).any())


def _drop_blank_lines(data: bytes) -> bytes:
    """Remove blank lines outside quoted fields; a run of them is one match, of which only the
    previous line's end is kept."""
    out, start, quotes = [], 0, 0
    for match in BLANK_LINES.finditer(data):
        quotes += data.count(b'"', start, match.start())
        out += [data[start:match.start()], match.group(1) if quotes % 2 == 0 else match.group()]
        start = match.end()
    out.append(data[start:])
    return b"".join(out)


def _bare_cr_outside_quotes(data: bytes) -> bool:
    """A CR not followed by LF and not inside a quoted field (a CR-only line end)."""
    if data.count(b"\r") == data.count(b"\r\n"):
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    outside = (np.cumsum(raw == ord('"'), dtype=np.uint8) & 1) == 0
    bare = (raw == ord("\r")) & np.append(raw[1:] != ord("\n"), True)
    return bool(np.any(bare & outside))


def _fields_outside_quotes(data: bytes, delimiter: bytes, quoted: bool) -> int:
    """Number of delimiters outside quoted fields."""
    if not quoted:
        return data.count(delimiter)
    raw = np.frombuffer(data, dtype=np.uint8)
    # A uint8 running count wraps at 256, which keeps its parity: an eighth of int64's memory.
    outside = (np.cumsum(raw == ord('"'), dtype=np.uint8) & 1) == 0
    return int(np.count_nonzero((raw == delimiter[0]) & outside))


def record_spans(data: bytes) -> list[tuple[int, int, int]]:
    """(start, end, physical line, 0-based) of each record that is not blank: records end at a
    newline outside quotes; only newlines count as lines (a bare CR does not). Slow, Python:
    only to say where an error is, or to keep the rows before it."""
    spans, start, line, search, quotes = [], 0, 0, 0, 0
    while start < len(data):
        end = data.find(b"\n", search)
        end = len(data) if end < 0 else end + 1
        quotes += data.count(b'"', search, end)
        search = end
        if quotes % 2 and end < len(data):  # that newline is inside a quoted field
            continue
        if data[start:end].strip(b"\r\n"):
            spans.append((start, end, line))
        line += data.count(b"\n", start, end)
        start, quotes = end, 0
    return spans


# --- the job ---------------------------------------------------------------------------------


class CsvJob:
    """What to do with each chunk: which columns, which results, what to do with bad cells."""

    def __init__(self, names: list[str], selection: Sequence[str], columns: Sequence[Column],
                 dialect: Dialect, replace: bool, into: str | None, on_error: OnError,
                 dtype: str, kink: KinkConvention, precision: int | None, source: str,
                 types: list[pl.DataType] | None = None, typed_output: bool = False) -> None:
        self.names = names
        self.dialect = dialect
        self.selected = [_resolve(s, names, source, dialect) for s in selection]
        if len(set(self.selected)) != len(self.selected):
            raise UsageProblem("a column is selected twice")
        # A CSV's columns are text; a Parquet, Arrow or NDJSON file's have their own types.
        self.types = types or [pl.String()] * len(names)
        for index in self.selected:
            kind = self.types[index]
            if kind != pl.String and not kind.is_numeric():
                raise DataError(f"{source}: column {names[index]!r} holds {kind}, not numbers")
        # Parquet and Arrow hold results as floats even in formats Polars lacks (see _result_series).
        self.typed_output = typed_output
        self.columns = list(columns)
        self.replace = replace
        self.on_error = on_error
        self.dtype = dtype
        self.kink = kink
        self.precision = precision
        self.outputs = self._outputs(into)
        self.internal = [f"c{i}" for i in range(len(names))]  # Polars names: duplicates allowed
        # Worked out once: read per column of a wide file, rebuilding them made it quadratic.
        self.results = self._results()
        self.numeric = self._numeric()
        self.header = self._header()

    def _outputs(self, into: str | None) -> list[Output]:
        count = len(self.selected) * len(self.columns)
        if into is not None and count != 1:
            raise UsageProblem(f"--into names one result column, but there are {count}")
        if into is not None and into in self.names and not self.replace:
            raise UsageProblem(f"--into {into!r} names a column of the input; use another name, or "
                               f"--replace to write the results in place")
        if self.replace and len(self.columns) != 1:
            raise UsageProblem("--replace needs a single result per column (one activation, no --grad)")
        outputs = []
        for source, index in enumerate(self.selected):
            for column in self.columns:
                name = into or (self.names[index] if self.replace
                                else column.spec.header(column.derivative, self.names[index]))
                outputs.append(Output(column, source, name, self.replace))
        return outputs

    def _results(self) -> list[bool]:
        """For each output column, in header order: is it a result?"""
        replaced = {self.selected[o.source] for o in self.outputs if o.replaces}
        return [i in replaced for i in range(len(self.names))] + [
            True for o in self.outputs if not o.replaces]

    def _numeric(self) -> list[bool]:
        """For each output column: does it hold numbers (a result, or a number column of a typed input)?"""
        return [result or (i < len(self.types) and self.types[i].is_numeric())
                for i, result in enumerate(self.results)]

    def _header(self) -> list[str]:
        replaced = {self.selected[o.source]: o.name for o in self.outputs if o.replaces}
        kept = [replaced.get(i, n) for i, n in enumerate(self.names)]
        return kept + [o.name for o in self.outputs if not o.replaces]

    def process(self, data: bytes) -> ChunkResult:
        """Parse one chunk and compute its result columns (runs in a worker thread). A chunk
        with a structural problem gives the rows before it and the error."""
        clean = _drop_blank_lines(data) if _has_blank_lines(data) else data
        if not clean.strip(b"\r\n"):  # blank lines only
            return ChunkResult(pl.DataFrame(), data.count(b"\n"))
        try:
            frame = self._parse(clean)
        except pl.exceptions.PolarsError:
            return self._salvage(data)
        quoted = b'"' in clean
        # Without quotes or blank lines every record is one line: no need to count them.
        newlines = data.count(b"\n") if quoted or clean is not data else frame.height
        # Polars reports rows with too many fields; too few it fills with nulls, so count.
        if frame.width != len(self.names):
            return self._salvage(data)
        if len(self.names) == 1:
            short = not quoted and self.dialect.byte in clean
        else:
            short = _fields_outside_quotes(clean, self.dialect.byte, quoted) != (
                (len(self.names) - 1) * frame.height)
        if short or (b"\r" in clean and _bare_cr_outside_quotes(clean)):
            return self._salvage(data)
        return self._compute(frame, newlines, lambda row: record_spans(data)[row][2])

    def process_frame(self, frame: pl.DataFrame) -> ChunkResult:
        """One batch of a typed input (Parquet, Arrow, NDJSON); an error's line is its row."""
        frame = frame.rename(dict(zip(frame.columns, self.internal, strict=True)))
        return self._compute(frame, frame.height, lambda row: row)

    def empty_result(self) -> pl.DataFrame:
        """The output of no rows: its columns and their types."""
        return self._compute(pl.DataFrame(schema=dict(zip(self.internal, self.types, strict=True))),
                             0, lambda row: row).frame

    def _parse(self, data: bytes) -> pl.DataFrame:
        return pl.read_csv(data, has_header=False, new_columns=self.internal, infer_schema=False,
                           separator=self.dialect.delimiter, quote_char='"', raise_if_empty=False)

    def _salvage(self, data: bytes) -> ChunkResult:
        """The rows before the first bad record, and what is wrong with it."""
        for start, end, line in record_spans(data):
            problem = _record_problem(data[start:end], self.dialect, len(self.names))
            if problem:
                good = self.process(data[:start]) if start else ChunkResult(pl.DataFrame(), 0)
                if good.error is not None:  # Polars and the csv module disagree before it
                    return good
                return ChunkResult(good.frame, data.count(b"\n"), good.affected, problem, line)
        return ChunkResult(pl.DataFrame(), data.count(b"\n"), error="cannot read this CSV", error_line=0)

    def _compute(self, frame: pl.DataFrame, newlines: int, line_of: Callable[[int], int]) -> ChunkResult:
        """The frame's results; ``line_of`` gives a row's line within the chunk, for errors."""
        texts = [frame.get_column(self.internal[i]) for i in self.selected]
        empty, values, unread = [], [], []
        for cells in texts:
            blank, number, failed = _read_numbers(cells)
            empty.append(blank)
            values.append(number)
            unread.append(failed)
        bad = np.logical_or.reduce(unread) if unread else np.zeros(frame.height, dtype=bool)
        affected = int(bad.sum())
        if affected and self.on_error == "stop":
            row = int(np.argmax(bad))
            which = next(k for k, failed in enumerate(unread) if failed[row])
            line = line_of(row)
            good = self._with_results(frame.head(row), [v.head(row) for v in values],
                                      [t.head(row) for t in texts], [b[:row] for b in empty],
                                      [u[:row] for u in unread])
            name = self.names[self.selected[which]]
            problem = N_(f"column {name!r}: cannot read {texts[which][row]!r} as a number")
            return ChunkResult(good, newlines, error=problem, error_line=line)
        if affected and self.on_error == "skip":
            keep, rows = ~bad, pl.Series(~bad)
            frame, values = frame.filter(rows), [v.filter(rows) for v in values]
            texts = [t.filter(rows) for t in texts]
            empty, unread = [b[keep] for b in empty], [u[keep] for u in unread]
        return ChunkResult(self._with_results(frame, values, texts, empty, unread), newlines, affected)

    def _with_results(self, frame: pl.DataFrame, values: list[pl.Series], texts: list[pl.Series],
                      empty: list[np.ndarray], unread: list[np.ndarray]) -> pl.DataFrame:
        """The frame with the result columns added, or put in place of their sources. ``values``
        are the parsed cells (null where empty or unread), ``texts`` the cells as read; with
        --on-error keep an unread cell's results are the cell itself, its row's other cells
        are computed."""
        fmt = FORMATS[self.dtype]  # beyond a format's range is inf, by definition
        x = [fmt.round(v.to_numpy()) for v in values]  # empty and unread cells: NaN
        rows: dict[int, np.ndarray] = {}  # vector activations: one matrix per result column
        columns = [frame.get_column(c) for c in self.internal]
        if self.typed_output:  # a CSV's selected columns as their numbers, not as text
            for source, index in enumerate(self.selected):
                if self.types[index] == pl.String:
                    columns[index] = values[source].alias(self.internal[index])
        extra = []
        for number, output in enumerate(self.outputs):
            which = self.columns.index(output.column)
            source = output.source
            if output.column.spec.activation.vector:
                if which not in rows:
                    matrix = np.stack(x, axis=1) if frame.height else fmt.round(np.zeros((0, len(x))))
                    rows[which] = output.column.evaluate(matrix, self.kink, axis=1)
                result = rows[which][:, source]
            else:
                result = output.column.evaluate(x[source], self.kink)
            kept = unread[source] if self.on_error == "keep" else np.zeros(len(result), dtype=bool)
            series = _result_series(result, empty[source], kept, texts[source], self.precision,
                                    self.typed_output)
            # Polars needs unique names; the header written is the job's own.
            series = series.alias(f"r{number}")
            if output.replaces:
                columns[self.selected[source]] = series
            else:
                extra.append(series)
        return pl.DataFrame([*columns, *extra])


def _read_numbers(cells: pl.Series) -> tuple[np.ndarray, pl.Series, np.ndarray]:
    """(empty, numbers, unread) for a selected column: its numbers as Float64, null where the
    cell is empty or unread. Text cells: an empty cell, quoted ("") or not, or only spaces,
    is empty; spaces around a number are tolerated. Typed cells: null is empty."""
    if cells.dtype != pl.String:
        number = cells.cast(pl.Float64)
        return number.is_null().to_numpy(), number, np.zeros(len(cells), dtype=bool)
    number = cells.cast(pl.Float64, strict=False)
    missing = number.is_null().to_numpy()
    if not missing.any():  # the common case: every cell a number; no text scanned again
        return missing, number, missing
    blank = (cells.is_null() | (cells.str.strip_chars() == "")).to_numpy()
    failed = missing & ~blank
    if failed.any():
        number = cells.str.strip_chars().cast(pl.Float64, strict=False)
        failed = number.is_null().to_numpy() & ~blank
    return blank, number, failed


def numbers(cells: pl.Series) -> np.ndarray:
    """A column as float64 (NaN where empty or not a number: --on-error has dealt with them)."""
    return _read_numbers(cells)[1].fill_null(float("nan")).to_numpy()


def _result_series(result: np.ndarray, empty: np.ndarray, kept: np.ndarray, cells: pl.Series,
                   precision: int | None, typed: bool) -> pl.Series:
    """A result column: floats that Polars writes as the shortest text of their dtype, or text
    where it must be (float16, bfloat16, float8, which Polars's CSV writer lacks; cells kept by
    --on-error keep, with the numbers of their column spelled as the renderer would). ``typed``
    (Parquet, Arrow): always floats, bfloat16 and float8 as float32, which holds them exactly."""
    from actcli.render import texts_of

    if typed and result.dtype not in (np.float64, np.float32, np.float16):
        result = result.astype(np.float32)
    if (result.dtype in (np.float64, np.float32) or typed) and not kept.any():
        series = pl.Series(result)
        if not empty.any():
            return series
        return _where(pl.Series(empty), pl.Series([None], dtype=series.dtype), series)
    texts = list(texts_of(result, precision))
    as_read = cells.to_list()
    return pl.Series([None if e else t if k else n for n, t, e, k in
                      zip(texts, as_read, empty.tolist(), kept.tolist(), strict=True)], dtype=pl.String)


def _where(mask: pl.Series, then: pl.Series, otherwise: pl.Series) -> pl.Series:
    return pl.select(pl.when(mask).then(then).otherwise(otherwise)).to_series()


def _resolve(selection: str, names: list[str], source: str, dialect: Dialect) -> int:
    """A column by name, or by 1-based index (ASCII digits) when no column has that name."""
    if selection in names:
        return names.index(selection)
    if selection.isascii() and selection.isdigit() and 1 <= int(selection) <= len(names):
        return int(selection) - 1
    shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    hint = ""
    if selection.isascii() and selection.isdigit():
        hint = N_("; indexes start at 1") if int(selection) == 0 else N_(f"; there are {len(names)} columns")
    elif len(names) == 1:
        other = next((d for d in (";", "\t", "|", ",") if d != dialect.delimiter and d in names[0]), None)
        if other is not None:
            hint = N_(f"; the header holds {other!r}: is that the delimiter? (-d {other!r})")
    raise UsageProblem(f"{source}: column {selection!r} not found{hint}; available: {shown}")


# --- the stream ------------------------------------------------------------------------------


def stream(reader: RecordReader, job: CsvJob, sink: Sink, first_line: int) -> int:
    """Process the reader's chunks, writing each result in order; returns the rows affected by
    --on-error. Raises DataError at the first error, after writing every row before it."""
    affected = 0
    line = first_line
    pending: deque[Future[tuple[ChunkResult, Any]]] = deque()

    def work(chunk: bytes) -> tuple[ChunkResult, Any]:
        result = job.process(chunk)
        return result, sink.encode(result.frame) if result.frame.height else None

    def finish(done: tuple[ChunkResult, Any]) -> None:
        nonlocal line, affected
        result, payload = done
        if payload is not None:
            sink.emit(payload)
        if result.error is not None:
            raise DataError(f"{reader.name}:{line + result.error_line}: {result.error}")
        line, affected = line + result.newlines, affected + result.affected

    with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
        try:
            for chunk in reader.chunks():
                pending.append(pool.submit(work, chunk))
                # Keep IN_FLIGHT chunks busy; when the input pauses, write all that is done so a
                # slow producer sees its results before it sends more.
                while len(pending) > (0 if reader.paused else IN_FLIGHT):
                    finish(pending.popleft().result())
            while pending:
                finish(pending.popleft().result())
        finally:
            for future in pending:
                future.cancel()
    if reader.failure is not None:
        raise DataError(f"{reader.name}:{line}: {reader.failure}")
    return affected


@dataclass(frozen=True)
class Sink:
    """How output leaves: ``encode`` turns a frame into a payload in the worker thread (the costly
    part, in parallel), ``emit`` writes payloads in order, ``close`` finishes the output."""

    encode: Callable[[pl.DataFrame], Any]
    emit: Callable[[Any], None]
    close: Callable[[], None]


def stream_frames(name: str, frames: Iterator[pl.DataFrame], job: CsvJob, sink: Sink) -> int:
    """stream() for the batches of a typed input; errors name the row (1 is the first)."""
    affected, row = 0, 1
    for frame in frames:
        result = job.process_frame(frame)
        if result.frame.height:
            sink.emit(sink.encode(result.frame))
        if result.error is not None:
            raise DataError(f"{name}: row {row + result.error_line}: {result.error}")
        row, affected = row + result.newlines, affected + result.affected
    return affected


# --- the whole run ---------------------------------------------------------------------------

PROGRESS_FROM = 4 << 20  # show a progress bar on a terminal for files larger than this


@dataclass(frozen=True)
class CsvRequest:
    """Everything the command line says about a CSV stream."""

    selection: list[str]
    columns: list[Column]
    dialect: Dialect
    replace: bool
    into: str | None
    on_error: OnError
    dtype: str
    kink: KinkConvention
    precision: int | None
    progress: bool | None  # None: on a terminal, for large files
    out_delimiter: str | None = None  # csv output: the input's delimiter unless -f csv or tsv asked
    no_color: bool = False
    input_format: str = "csv"  # or parquet, arrow, ndjson (actcli.datafiles)
    typed_output: bool = False  # the sink writes Parquet or Arrow


def run(paths: list[str], request: CsvRequest, make_sink: Callable[[CsvJob], Sink], stdin: IO[bytes],
        stderr_is_terminal: bool) -> int:
    """Stream every source through the job into the sink made for it (output_sink writes the
    formats; ``actcli check`` collects); returns the number of rows --on-error affected."""
    job: CsvJob | None = None
    sink: Sink | None = None
    affected = 0

    def start(names: list[str], name: str, types: list[Any] | None = None,
              header_at: str = "") -> tuple[CsvJob, Sink]:
        nonlocal job, sink
        if job is None:
            job = CsvJob(names, request.selection, request.columns, request.dialect,
                         request.replace, request.into, request.on_error, request.dtype,
                         request.kink, request.precision, name, types, request.typed_output)
            sink = make_sink(job)
        elif names != job.names:
            raise DataError(f"{name + header_at}: the header differs from the first input's")
        assert sink is not None
        return job, sink

    try:
        for path in paths or ["-"]:
            if request.input_format != "csv":
                from actcli.datafiles import batches

                name = "<stdin>" if path == "-" else path
                schema, frames = batches(path, request.input_format, stdin)
                affected += stream_frames(name, frames, *start(schema.names(), name, schema.dtypes()))
                continue
            handle, name, size = open_source(path, stdin)
            show = request.progress if request.progress is not None else (
                stderr_is_terminal and size is not None and size > PROGRESS_FROM)
            with progress_bar(show, size, name, request.no_color, unit="bytes") as advance:
                reader = RecordReader(handle, name, advance)
                names, first_line = _read_names(reader, request.dialect, name)
                affected += stream(reader, *start(names, name, header_at=":1"), first_line)
            if path != "-":
                handle.close()
    finally:
        if sink is not None:
            sink.close()
    return affected


def _read_names(reader: RecordReader, dialect: Dialect, name: str) -> tuple[list[str], int]:
    """The column names and the physical line number of the first data record; blank lines
    before the first record are skipped like any other."""
    skipped = 0
    record = reader.first_record()
    while record and not record.strip(b"\r\n"):  # a line of spaces or tabs is a record
        skipped += record.count(b"\n")
        record = reader.first_record()
    if not record and reader.failure is not None:
        raise DataError(f"{name}:{1 + skipped}: {reader.failure}")
    if not record:
        raise DataError(f"{name}: empty input: no header line" if dialect.header
                        else f"{name}: empty input")
    fields = parse_header(record, dialect, name, 1 + skipped)
    if dialect.header:
        return fields, 1 + skipped + record.count(b"\n")
    reader.buffer[:0] = record  # no header: the first record is data
    return [str(i) for i in range(1, len(fields) + 1)], 1 + skipped


def output_sink(job: CsvJob, request: CsvRequest, fmt: str, out: IO[str], console: Console | None) -> Sink:
    """Where the output frames go, for the format."""
    from actcli.render import csv_record, make_renderer

    if fmt == "tutorial":
        raise UsageProblem("--format tutorial prints plain values; with CSV columns use csv, tsv, "
                           "json, ndjson, table or plain")
    delimiter = request.out_delimiter or ("," if fmt == "csv" else "\t")
    if fmt in ("csv", "tsv") and request.precision is None:
        if request.dialect.header:
            out.write(csv_record(job.header, delimiter))
        out.flush()
        binary = getattr(out, "buffer", None)

        def encode(frame: pl.DataFrame) -> memoryview:
            buffer = io.BytesIO()
            # An empty cell alone on its row is written "", not as a blank line (which is skipped).
            frame.write_csv(buffer, include_header=False, separator=delimiter,
                            null_value='""' if frame.width == 1 else "")
            return buffer.getbuffer()  # no copy

        def emit(payload: memoryview) -> None:
            if binary is not None:
                binary.write(payload)
                binary.flush()
            else:  # a text-only stream (tests)
                out.write(bytes(payload).decode("utf-8"))

        return Sink(encode, emit, out.flush)
    numeric = job.numeric
    shown = [i for i, result in enumerate(job.results) if result or fmt != "plain"]
    renderer = make_renderer(fmt, out, [job.header[i] for i in shown], [numeric[i] for i in shown],
                             request.precision, columns=request.columns, console=console,
                             header=request.dialect.header, delimiter=delimiter if fmt == "csv" else None)

    def columns(frame: pl.DataFrame) -> list[Any]:
        return [_column_data(frame.to_series(i), numeric[i], request.precision) for i in shown]

    return Sink(columns, renderer.write_columns, renderer.close)


def frame_sink(job: CsvJob, path: str, kind: str) -> Sink:
    """Into a Parquet or Arrow IPC file: the results as floats, the other columns in their types."""
    from actcli.datafiles import FrameWriter

    header = job.header
    twice = next((name for name in header if header.count(name) > 1), None)
    if twice is not None:
        raise UsageProblem(f"{path}: {kind} needs distinct column names, and {twice!r} appears twice")
    writer = FrameWriter(path, kind, pl.Schema(dict(zip(header, job.empty_result().dtypes, strict=True))))

    def named(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.rename(dict(zip(frame.columns, header, strict=True)))

    return Sink(named, writer.write, writer.close)


def _column_data(column: pl.Series, numeric: bool, precision: int | None) -> Any:
    """A result column as numbers (written by the renderer in their dtype) when it holds only
    numbers; else as text cells (empty cells, cells kept by --on-error keep, input columns)."""
    if numeric and column.dtype in (pl.Float64, pl.Float32):
        if not column.null_count():
            return column.to_numpy()
        from actcli.render import texts_of

        texts = texts_of(column.to_numpy(), precision)
        return [None if empty else t for t, empty in zip(texts, column.is_null().to_list(), strict=True)]
    return column.cast(pl.String).to_list()
