"""A fuzzer of our own for the command line and the CSV stream mode: generators and oracles.

Used by ``tests/test_fuzz.py`` (hypothesis, a few hundred cases per CI run) and by
``scripts/fuzz.py`` (thousands, seeded, in parallel).

- Generators build invocations from the documented grammar (README.md, "The grammar" and
  "Pipes and CSV"): activation names and aliases in varied spellings, inline and option
  parameters (valid, extreme, invalid), numbers in many spellings, ranges, files, stdin (with
  garbage bytes), every format and option; CSV inputs with awkward headers, delimiters, quoting,
  line ends, BOM, blank lines, empty/bad cells, ragged rows, unterminated quotes, bad UTF-8.
  Every choice comes from a :class:`Source`, either ``random.Random`` or hypothesis' ``draw``.
- Each generated case keeps its meaning (a spec), from which the oracles know what must happen:
  the exit code, the values (from the library, bit for bit), the rows of a CSV (from Python's
  csv module), JSON validity, one-line errors without tracebacks or warnings.
- :func:`run_inprocess` calls ``actcli.cli.run`` with fake standard streams; :func:`run_subprocess`
  runs ``python -m actcli`` with real pipes. :class:`Report` groups failures into classes, each
  with its smallest reproducer as a shell command line.

Where README/SPEC leave a behaviour open, the oracle accepts every reasonable outcome instead of
asserting one (see ``UNCLEAR`` below); those places are named in the code.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import random
import re
import shlex
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

import actcli
from actcli.registry import ACTIVATIONS, Activation

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]

# --- the sources of choices --------------------------------------------------------------------


class Source:
    """Where a generator's choices come from."""

    def integer(self, low: int, high: int) -> int:
        raise NotImplementedError

    def choice(self, options: Sequence[T]) -> T:
        return options[self.integer(0, len(options) - 1)]

    def chance(self, p: float) -> bool:
        return self.integer(0, 999) < p * 1000

    def seed(self) -> int:
        return self.integer(0, 2**31 - 1)


class RandomSource(Source):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


class DrawSource(Source):
    """Choices drawn by hypothesis (``st.composite``'s ``draw``)."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        from hypothesis import strategies as st

        self.draw = draw
        self.st = st

    def integer(self, low: int, high: int) -> int:
        return int(self.draw(self.st.integers(low, high)))

    def chance(self, p: float) -> bool:
        # hypothesis favours small integers (and shrinks towards them): small means "no"
        return self.integer(0, 999) >= 1000 - p * 1000


# --- the grammar's pieces ----------------------------------------------------------------------

NAMES = actcli.names()
BY_NAME = {a.name: a for a in ACTIVATIONS}
PARAMETER_NAMES = sorted({p.name for a in ACTIVATIONS for p in a.parameters})
FORMATS = ("auto", "table", "tutorial", "plain", "csv", "tsv", "json", "ndjson")
DTYPES = ("float64", "float32", "float16")
KINKS = ("pytorch", "left", "right", "mean")
ON_ERROR = ("stop", "skip", "nan", "keep")

# A number as README.md writes them (-10, 1e-3, .5, nan, inf, -inf), in ASCII digits.
NUMBER = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)", re.I)
# The same with any Unicode digit: a token that only this matches is left open (UNCLEAR).
UNICODE_NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")

SPECIAL_NUMBERS = (
    "0", "-0.0", "1", "-1", "0.5", "-0.5", "2", "-2", "3", "-3", "6", "nan", "NaN", "-nan", "inf", "-inf",
    "+inf", "Infinity", "-Infinity", "INF", "5e-324", "-5e-324", "2.2250738585072014e-308",
    "2.225073858507201e-308", "1e-310", "-1e-310", "1.7976931348623157e308", "-1.7976931348623157e308",
    "1e308", "1e309", "-1e309", "1e-400", "65504", "65520", "-65504", "6e-08", "5.96e-08", "1e-05",
    "3.4028235e38", "3.4028236e38", "1.4e-45", "20", "37", "-37", "-745", "-745.2", "709.8", "710",
    "800", "-800", "1e-8", "1e16", "9007199254740993", "0.1", "1e300", ".5", "5.", "+2.5E+10",
    "-.5e-3", "0001", "1E5", "-0", "16777217", "1e10",
    "1.00000000000000011102230246251565404236316680908203125", "2.4703282292062327e-324",
    "2.4703282292062328e-324", "0.30000000000000004", "-1e-300",
)
BAD_TOKENS = ("abc", "1_000", "0x10", "1e", "e5", "1.2.3", "#", "nan0", "infinit", "+-1", "1e+", ".",
              "∞", "½", "NULL", "None", "1d5", "--5", "inf inf")
BAD_RANGES = ("", "1:2:0", "2:1", "1:2:-1", "1:", ":1", "1:2:3:4", "a:b", "inf:1", "1:nan", "1::2", "1:2:",
              "0:1e-330")
OPTION_LIKE = ("-x", "-e5", "-abc", "-:1", "-q2")  # tokens Click reads as (unknown) options
CELL_TEXTS = ("abc", "Smith, J.", 'said "hi"', "two\nlines", "a\r\nb", "bare\rcr", "ünïcødé ✓", "007",
              "1.50", "2024-01-01", " spaced ", "#", "null", "NA", "-", "true", "x;y", "a|b", "tab\there",
              "", "", "''", '"', "\\", "🙂", "x" * 40)
BAD_CELLS = ("abc", "oops", "1_000", "0x10", "1e", "NA", "null", "-", "1,5", "two words", "ünï", "1.2.3",
             "'1'", "#")
HEADER_NAMES = ("x", "score", "a", "b", "id", "name", "my col", "with,comma", 'say "q"', "new\nline",
                "ünï ✓", "x", "", " padded ", "col;semi", "pipe|d", "tab\tbed", "relu(x)", "N°", "long " * 5)
INTO_NAMES = ("out", "y", "relu of x", "a,b", 'q"q', "-5", "-x", "ünï", "x")


def spell_name(src: Source, name: str) -> str:
    """An activation name as a user may type it: case, '-' and '_' do not matter (README)."""
    way = src.integer(0, 6)
    if way == 0:
        return name
    if way == 1:
        return name.upper()
    if way == 2:
        return "".join(part.capitalize() for part in name.split("_"))  # LeakyRelu
    if way == 3:
        return name.replace("_", "-")
    if way == 4:
        return name.replace("_", "")
    if way == 5:
        return "".join(c.upper() if src.chance(0.5) else c for c in name)
    out = ""
    for c in name.replace("_", ""):
        out += c + (src.choice("-_") if src.chance(0.2) else "")
    return out


def any_spelling(src: Source) -> tuple[str, str]:
    """(spelling, canonical name) of a random activation, by its name or an alias."""
    name = src.choice(NAMES)
    spellings = [name, *BY_NAME[name].aliases]
    return spell_name(src, src.choice(spellings)), name


def float_from_bits(src: Source) -> float:
    value: float = struct.unpack("<d", src.integer(0, 2**64 - 1).to_bytes(8, "little"))[0]
    return value


def number_text(src: Source) -> str:
    """A number in one of the spellings README.md allows."""
    way = src.integer(0, 6)
    if way == 0:
        return src.choice(SPECIAL_NUMBERS)
    if way == 1:
        return str(src.integer(-20, 20))
    if way == 2:
        sign, whole, digits = src.choice(["", "-", "+"]), src.integer(0, 99), src.integer(1, 4)
        return f"{sign}{whole}.{src.integer(0, 10 ** digits - 1):0{digits}d}"
    if way == 3:
        mantissa = f"{src.integer(1, 9)}.{src.integer(0, 999)}" if src.chance(0.7) else f"{src.integer(1, 9)}"
        return f"{src.choice(['', '-'])}{mantissa}{src.choice('eE')}{src.integer(-330, 330)}"
    if way == 4:
        value = float_from_bits(src)
        return "nan" if value != value else repr(value)
    if way == 5:
        return repr(src.choice([-1.0, 1.0]) * src.integer(0, 2**52) * 2.0 ** src.integer(-1074, -1000))
    return f"{src.choice(['', '-'])}.{src.integer(0, 999)}"


def param_value(src: Source, act: Activation, name: str) -> str:
    """A value for parameter ``name``: valid, extreme (range ends, 1e-308, 1e308) or invalid."""
    param = next((p for p in act.parameters if p.name == name), None)
    if param is not None and param.kind == "choice":
        return src.choice(["none", "tanh", "TANH", "Tanh", "erf", "", "exact"])
    if param is not None and param.kind == "int":
        return src.choice(["-1", "0", "1", "-2", "2", "+1", "1.5", "abc", ""])
    extremes = ["0.5", "2", "-1", "0", "1", "0.01", "1e-308", "1e308", "-1e308", "5e-324", "1e-3", "0.1",
                "1.7976931348623157e308", "-0.0", "20"]
    if param is not None:
        extremes += [repr(param.low), repr(param.high)] if math.isfinite(param.low) else []
        if param.optional:
            extremes += ["none", "None"]
    invalid = ["abc", "", "nan", "inf", "-inf", "1e309", "0x1", "1,5", "none"]
    way = src.integer(0, 19)
    if way < 12:
        return src.choice(extremes)
    if way < 18:
        return number_text(src)
    return src.choice(invalid)


# --- specs: what a case means -----------------------------------------------------------------


@dataclass
class Common:
    """What every computing invocation (apply, grad, table) has."""

    command: str
    acts: str  # ACT[,ACT...], parameters inline
    params: list[tuple[str, str, str]] = field(default_factory=list)  # (form, key, value)
    fmt: tuple[str, str] | None = None  # (form, value)
    precision: str | None = None
    dtype: str | None = None
    kink: str | None = None
    grad: bool = False
    no_color: bool = False
    extra: list[list[str]] = field(default_factory=list)  # groups that make it a usage error
    order: int = 0  # a seed for where the options go among the positional arguments


@dataclass
class ValuesSpec:
    common: Common
    values: list[str] = field(default_factory=list)
    stdin: bytes = b""
    files: list[bytes] = field(default_factory=list)
    huge: bool = False  # holds a range too long to check (or to run in a subprocess)


@dataclass
class CsvSpec:
    common: Common
    header: list[str]
    rows: list[list[str]]
    no_header: bool = False
    delimiter: str = ","
    delim_form: str = ""  # "", "-d", "--delimiter", "--tsv", "-d\\t", "bad:<text>"
    selection: list[list[tuple[int, str]]] = field(default_factory=list)  # -c groups: (column, form)
    bad_selection: str | None = None  # an extra -c token that selects nothing
    into: str | None = None
    replace: bool = False
    on_error: str | None = None
    source: str = "stdin"  # stdin, dash (the value -), file, two-files
    layout: int = 0  # a seed: quoting, line ends, blank lines
    line_ends: str = "lf"  # lf, crlf, mixed
    bom: bool = False
    final_newline: bool = True
    corruption: tuple[str, int] | None = None  # (short|long|unterminated|utf8, data row)
    chunk: int | None = None  # CHUNK_BYTES for an in-process run (chunk boundaries everywhere)
    empty_input: bytes | None = None  # instead of the records: an input with no header at all


@dataclass
class OtherSpec:
    """info, list, plot: the arguments and what is acceptable."""

    args: list[str]
    codes: frozenset[int]
    json_out: bool = False


Spec = ValuesSpec | CsvSpec | OtherSpec


@dataclass
class Invocation:
    """A rendered case: arguments, stdin and files (written to the working directory)."""

    args: list[str]
    stdin: bytes = b""
    files: dict[str, bytes] = field(default_factory=dict)
    chunk: int | None = None
    # values mode: the VALUES (by index) and -i files (by name) in command-line order
    order: list[int | str] = field(default_factory=list)


@dataclass
class Case:
    spec: Spec
    label: str = ""  # where it came from (seed and index)

    def invocation(self) -> Invocation:
        return render(self.spec)


# --- generators --------------------------------------------------------------------------------


def gen_acts(src: Source, command: str, csv_mode: bool) -> tuple[str, list[tuple[str, str, str]]]:
    """ACT[,ACT...] text and option parameters (applying to a single activation)."""
    several = (command == "table" and src.chance(0.4)) or src.chance(0.03)
    count = src.integer(2, 3) if several else 1
    parts, options = [], []
    for _ in range(count):
        if src.chance(0.04):
            parts.append(src.choice(["relu7", "nosuch", "", "elu:", "leaky_relu:negative_slope", "softmax,"]))
            continue
        spelling, name = any_spelling(src)
        act = BY_NAME[name]
        inline = []
        for p in act.parameters:
            if src.chance(0.35):
                inline.append(f"{p.name}={param_value(src, act, p.name)}")
        if src.chance(0.03):
            inline.append(f"{src.choice(PARAMETER_NAMES)}=1")  # maybe not this activation's
        parts.append(":".join([spelling, *inline]))
        if count == 1 and act.parameters and src.chance(0.3):
            p = src.choice(act.parameters)
            if not any(i.startswith(p.name + "=") for i in inline):
                form = src.choice(["opt", "opt=", "-p", "--param"])
                options.append((form, p.name, param_value(src, act, p.name)))
        if src.chance(0.03):
            options.append(("opt", src.choice(PARAMETER_NAMES), "0.5"))
    return ",".join(parts), options


def gen_common(src: Source, command: str, csv_mode: bool) -> Common:
    acts, params = gen_acts(src, command, csv_mode)
    common = Common(command, acts, params, order=src.seed())
    if src.chance(0.6):
        formats = FORMATS if not csv_mode or src.chance(0.1) else tuple(f for f in FORMATS if f != "tutorial")
        common.fmt = (src.choice(["-f", "--format", "--format="]), src.choice(formats))
    if src.chance(0.2):
        common.precision = src.choice(["0", "1", "3", "6", "17", "30"]) if src.chance(0.9) else src.choice(
            ["31", "-1", "abc", "2.5"])
    if src.chance(0.3):
        common.dtype = src.choice(DTYPES) if src.chance(0.95) else src.choice(["float8", "bf16", "int"])
    if (command != "apply" and src.chance(0.4)) or src.chance(0.02):
        common.kink = src.choice(KINKS) if src.chance(0.95) else "up"
    if (command == "table" and src.chance(0.4)) or src.chance(0.02):
        common.grad = True
    common.no_color = src.chance(0.05)
    if src.chance(0.04):
        common.extra.append(src.choice([["--nosuch"], ["-z"], ["--formats", "json"], ["--alph", "0.5"],
                                        ["--fromat=csv"]]))
    return common


def gen_range(src: Source, limit: int, odd: bool) -> str:
    """START:STOP[:STEP] with at most about ``limit`` points (odd: wild magnitudes, off-grid stops)."""
    if odd and src.chance(0.5):
        start_exp = src.integer(-320, 300)
        stop_exp = src.integer(-320, 307)
        start = Decimal(f"{src.choice(['', '-'])}1e{start_exp}")
        stop = Decimal(f"{src.integer(1, 9)}e{stop_exp}")
        if start > stop:
            start, stop = stop, start
        n = src.integer(1, limit)
        with contextlib.suppress(InvalidOperation, ZeroDivisionError):
            step = +((stop - start) / n).normalize()
            return f"{start}:{stop}:{step:e}"
    start_text = src.choice(["-3", "-1", "0", "1", "-1.5", "0.25", "-0.0", "2.5e-3", "-5", "10"])
    step = src.choice(["1", "0.1", "0.25", "0.3", "-1", "-0.1", "1e-3", "2.5", "0.5", "3", "1e-17", "0.0625"])
    n = src.integer(0, limit - 1)
    stop = Fraction(Decimal(start_text)) + n * Fraction(Decimal(step))
    if src.chance(0.3):  # off the grid
        stop += Fraction(Decimal(step)) * Fraction(src.integer(1, 9), 10)
    stop_text = repr(float(stop)) if src.chance(0.5) else f"{Decimal(stop.numerator) / stop.denominator:f}"
    if src.chance(0.3) and step == "1":
        return f"{start_text}:{stop_text}"
    return f"{start_text}:{stop_text}:{step}"


def gen_value_token(src: Source, odd: bool) -> str:
    way = src.integer(0, 59)
    if way < 38:
        text = number_text(src)
        return f" {text}" if src.chance(0.03) else text
    if way < 50:
        return gen_range(src, 12 if not odd else 400, odd)
    if way < 52:
        return "-"
    if way < 57:
        return src.choice((*BAD_TOKENS, *BAD_RANGES))
    if way < 58:
        return src.choice(OPTION_LIKE)
    return src.choice(["1,2", "1 2", "٣", "١٢"])  # the last two: Unicode digits (open: see UNCLEAR)


def gen_text(src: Source, size: int) -> bytes:
    """Plain-text numbers: whitespace, commas and newlines between, '#' comments; some garbage."""
    out = b""
    if src.chance(0.05):
        out += b"\xef\xbb\xbf"
    for _ in range(size):
        way = src.integer(0, 29)
        if way < 22:
            out += number_text(src).encode()
        elif way < 24:
            out += b"# a comment, 1 2 abc"
        elif way < 25:
            out += src.choice(BAD_TOKENS).encode()
        elif way < 26:
            out += src.choice([b"\xff", b"\xc3(", b"\x00", b"\xed\xa0\x80", b"\xe2\x82"])
        elif way < 27:
            out += b"\xef\xbb\xbf"
        else:
            out += src.choice([b"\t", b" ,", b"\r\n"])
        out += src.choice([b" ", b"\n", b",", b"\t", b"\r\n", b", ", b"\n\n", b"  "])
    if src.chance(0.3):
        out = out.rstrip(b" \n\t,\r")
    return out


def gen_values(src: Source, odd: bool = False) -> ValuesSpec:
    command = src.choice(["apply", "grad", "table"])
    spec = ValuesSpec(gen_common(src, command, csv_mode=False))
    count = src.integer(0, 8)
    spec.values = [gen_value_token(src, odd) for _ in range(count)]
    vector = any(a.vector for a, _ in parse_acts(spec.common.acts, {})[0])
    if ((odd and src.chance(0.1)) or src.chance(0.02)) and not vector:  # (softmax needs every value)
        huge = src.choice(["0:1e19", "1:1e300", "0:1:1e-300", "-1e308:1e308:1e-308", "1:1e9"])
        # with no file and no stdin the count is known, so a table computes only its head and tail
        spec.values = [v for v in spec.values if v.strip() != "-"]
        spec.values.insert(src.integer(0, len(spec.values)), huge)
        spec.huge = True
        if not odd:
            spec.common.fmt = ("-f", "table")  # only the rows shown are computed
    if not spec.values or "-" in [v.strip() for v in spec.values] or src.chance(0.1):
        spec.stdin = gen_text(src, src.integer(0, 12 if not odd else 200))
    if src.chance(0.1) and not spec.huge:
        spec.files = [gen_text(src, src.integer(0, 8)) for _ in range(src.integer(1, 2))]
    return spec


def gen_cell(src: Source, selected: bool) -> str:
    if selected:
        way = src.integer(0, 19)
        if way < 14:
            text = number_text(src)
            if src.chance(0.1):
                text = " " * src.integer(1, 2) + text + " " * src.integer(0, 2)
            return text
        if way < 17:
            return ""
        return src.choice(BAD_CELLS)
    if src.chance(0.4):
        return number_text(src)
    return src.choice(CELL_TEXTS)


def gen_csv(src: Source, odd: bool = False) -> CsvSpec:
    command = src.choice(["apply", "grad", "table"])
    common = gen_common(src, command, csv_mode=True)
    width = src.integer(1, 5)
    no_header = src.chance(0.1)
    header = [src.choice(HEADER_NAMES) for _ in range(width)]
    if width == 1 and src.chance(0.5):
        header = ["x"]
    delimiter = src.choice([",", ",", ",", ";", "\t", "|"])
    if delimiter == ",":
        delim_form = src.choice(["", "", "", "-d", "--delimiter"])
    elif delimiter == "\t":
        delim_form = src.choice(["--tsv", "-d\\t", "-d"])
    else:
        delim_form = src.choice(["-d", "--delimiter"])
    if src.chance(0.02):
        delim_form = "bad:" + src.choice(["ab", '"', "", "\\n"])
    # the selection: distinct columns, each by name (when that name is unambiguous) or by index
    chosen = sorted(set(src.integer(0, width - 1) for _ in range(src.integer(1, min(width, 3)))))
    if src.chance(0.5):
        chosen = chosen[::-1] if src.chance(0.5) else chosen
    groups: list[list[tuple[int, str]]] = [[]]
    for index in chosen:
        form = src.choice(["name", "name", "index", "padded"])
        if groups[-1] and src.chance(0.4):
            groups.append([])
        groups[-1].append((index, form))
    rows_count = src.integer(0, 10 if not odd else 300)
    rows = [[gen_cell(src, i in chosen) for i in range(width)] for _ in range(rows_count)]
    spec = CsvSpec(common, header, rows, no_header=no_header, delimiter=delimiter, delim_form=delim_form,
                   selection=groups, layout=src.seed())
    if src.chance(0.04):
        spec.bad_selection = src.choice(["nosuch", "0", str(width + 1), "X ", "-1"])
    if command != "table":
        if src.chance(0.15):
            spec.into = src.choice(INTO_NAMES)
        elif src.chance(0.2):
            spec.replace = True
    elif src.chance(0.03):
        common.extra.append(["--replace"])  # table has no --replace
    if src.chance(0.4):
        spec.on_error = src.choice(ON_ERROR) if src.chance(0.97) else "ignore"
    spec.source = src.choice(["stdin", "stdin", "stdin", "dash", "file", "two-files"])
    spec.line_ends = src.choice(["lf", "lf", "crlf", "mixed"])
    spec.bom = src.chance(0.1)
    spec.final_newline = src.chance(0.85)
    if rows and src.chance(0.15):
        kind = src.choice(["short", "long", "unterminated", "utf8"])
        first = 1 if no_header and kind != "utf8" else 0  # (with --no-header the first record sets the width)
        if first < len(rows):
            spec.corruption = (kind, src.integer(first, len(rows) - 1))
    if src.chance(0.25):
        spec.chunk = src.choice([1, 2, 3, 5, 8, 13, 64, 100])
    if src.chance(0.02):
        spec.empty_input = src.choice([b"", b"\n", b"\r\n\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n"])
    if src.chance(0.02):
        common.extra.append(["1"])  # VALUES with -c: a usage error (not an option: see render)
    return spec


# explain's inputs: kinks, both signs of zero, where notes appear, the ends of the doubles.
EXPLAIN_VALUES = ("-1", "0", "-0.0", "1", "-10", "1e-10", "-1e-10", "40", "-40", "-800", "nan", "inf",
                  "-inf", "0.5", "-0.5", "3", "-3", "6", "1e308", "-1e308", "5e-324", "-745", "0:1:0.25")


def gen_other(src: Source) -> OtherSpec:
    command = src.choice(["info", "info", "list", "plot", "plot", "explain", "explain"])
    if command == "list":
        fmt = src.choice(["auto", "table", "plain", "json", "csv"])
        return OtherSpec(["list", "-f", fmt], frozenset({2} if fmt == "csv" else {0}), fmt == "json")
    acts, params = gen_acts(src, "table" if command == "plot" else "apply", csv_mode=False)
    usage = _acts_problem(acts, _option_params(params), command)
    args = [command, acts, *(token for p in params for token in _param_tokens(p))]
    codes = {2} if usage else {0}
    json_out = False
    if command == "explain":
        args += [src.choice(EXPLAIN_VALUES) for _ in range(src.integer(1, 4))]
        fmt = src.choice(["plain", "json", "auto"])
        args += ["-f", fmt]
        json_out = fmt == "json"
        if src.chance(0.3):
            args += ["--kink", src.choice(KINKS)]
        if src.chance(0.3):
            args += ["--dtype", src.choice([*DTYPES, "bfloat16", "float8_e4m3fn"])]
    elif command == "info":
        fmt = src.choice(["table", "json", "table", "plain"])
        args += ["-f", fmt]
        json_out = fmt == "json"
        if fmt == "plain":
            codes = {2}
    else:
        if src.chance(0.3):
            args.append("--grad")
        if src.chance(0.5):
            bounds = src.choice(["-5:5", "0:1", "-1e-300:1e-300", "-1e308:1e308", "0:5e-324", "1:1", "2:1",
                                 "a:b", "-10:10", "-1e-3:1e-3", "1e300:1.0000001e300", "-inf:1", "0:1:2"])
            args += ["--range", bounds]
            if bounds in ("1:1", "2:1", "a:b", "-1e308:1e308", "-inf:1", "0:1:2"):
                codes = {2}
            elif bounds in ("0:5e-324", "-1e-300:1e-300", "1e300:1.0000001e300"):
                codes |= {2}  # too few distinct numbers for the plot's columns: a usage error
        width, height = src.integer(14, 60), src.integer(5, 16)
        args += ["--width", str(width), "--height", str(height)]
        if width < 20 or height < 8:
            codes = {2}
    if src.chance(0.2):
        args.append("--no-color")
    if src.chance(0.25):  # messages in Japanese; data, exit codes and one-line errors the same
        args += ["--lang", "ja"]
    return OtherSpec(args, frozenset(codes), json_out)


def gen_case(src: Source, kind: str | None = None, odd: bool = False) -> Spec:
    kind = kind or src.choice(["values", "values", "csv", "csv", "csv", "other"])
    if kind == "values":
        return gen_values(src, odd)
    if kind == "csv":
        return gen_csv(src, odd)
    return gen_other(src)


# --- rendering ---------------------------------------------------------------------------------


def _param_tokens(p: tuple[str, str, str]) -> list[str]:
    form, key, value = p
    if form == "opt":
        return [f"--{key.replace('_', '-')}", value]
    if form == "opt=":
        return [f"--{key.replace('_', '-')}={value}"]
    return [form, f"{key}={value}"]


def _option_groups(common: Common) -> list[list[str]]:
    groups = [_param_tokens(p) for p in common.params]
    if common.fmt:
        form, value = common.fmt
        groups.append([f"--format={value}"] if form == "--format=" else [form, value])
    if common.precision is not None:
        groups.append(["--precision", common.precision])
    if common.dtype:
        groups.append(["--dtype", common.dtype])
    if common.kink:
        groups.append(["--kink", common.kink])
    if common.grad:
        groups.append(["--grad"])
    if common.no_color:
        groups.append(["--no-color"])
    return groups + [g for g in common.extra if g != ["1"]]


def _places(common: Common, positional: list[str], groups: list[list[str]]) -> list[int]:
    """Where each option group goes: before the positional argument of that index."""
    rng = random.Random(common.order)
    return sorted(rng.randint(0, len(positional)) for _ in groups)  # groups keep their order


def _arrange(common: Common, positional: list[str], groups: list[list[str]]) -> list[str]:
    """The command, then the positional arguments in order with the option groups among them."""
    places = _places(common, positional, groups)
    out = [common.command]
    for index in range(len(positional) + 1):
        out += [t for group, place in zip(groups, places, strict=True) if place == index for t in group]
        if index < len(positional):
            out.append(positional[index])
    return out


def csv_sources(spec: CsvSpec) -> list[tuple[str, bytes, list[tuple[int, int]]]]:
    """The CSV inputs: (name, bytes, (first, last) physical line of each data row)."""
    if spec.empty_input is not None:
        return [("<stdin>" if spec.source in ("stdin", "dash") else "in1.csv", spec.empty_input, [])]
    rng = random.Random(spec.layout)
    rows = spec.rows
    if spec.corruption and spec.corruption[0] == "unterminated":
        rows = rows[:spec.corruption[1] + 1]
    parts = [rows]
    if spec.source == "two-files":
        cut = rng.randint(0, len(rows))
        if spec.no_header and (cut == 0 or cut == len(rows)):
            cut = len(rows)  # a file with no row is an empty input without a header: not this test
        parts = [rows[:cut], rows[cut:]] if cut < len(rows) else [rows]
    out = []
    offset = 0
    for number, part in enumerate(parts, start=1):
        data, lines = _serialize(spec, rng, part, offset)
        offset += len(part)
        name = "<stdin>" if spec.source in ("stdin", "dash") else f"in{number}.csv"
        out.append((name, data, lines))
    return out


PRIVATE = "\ue000"  # marks where a byte that is not UTF-8 goes


def _field(text: str, delimiter: str, single: bool, rng: random.Random) -> str:
    need = any(c in text for c in (delimiter, '"', "\r", "\n")) or (single and not text.strip())
    if need or rng.random() < 0.12:
        return '"' + text.replace('"', '""') + '"'
    return text


def _serialize(spec: CsvSpec, rng: random.Random, rows: list[list[str]], offset: int
               ) -> tuple[bytes, list[tuple[int, int]]]:
    delimiter = spec.delimiter
    single = len(spec.header) == 1

    def end() -> str:
        crlf = spec.line_ends == "crlf" or (spec.line_ends == "mixed" and rng.random() < 0.5)
        return "\r\n" if crlf else "\n"

    text = ""
    if rng.random() < 0.1:
        text += end() * rng.randint(1, 2)
    records: list[tuple[list[str], int | None]] = [] if spec.no_header else [(spec.header, None)]
    records += [(row, offset + i) for i, row in enumerate(rows)]
    lines: list[tuple[int, int]] = []
    for position, (record, row_index) in enumerate(records):
        cells = list(record)
        corrupt = spec.corruption if spec.corruption and spec.corruption[1] == row_index else None
        if corrupt and corrupt[0] == "short" and len(cells) > 1:
            cells = cells[:-1]
        elif corrupt and corrupt[0] in ("short", "long"):
            cells = [*cells, "extra"]
        elif corrupt and corrupt[0] == "utf8":
            cells[0] = "b" + PRIVATE + cells[0]
        # A record of one empty field is written "" (a short row may be cut to one): else a blank line.
        line = delimiter.join(_field(c, delimiter, single or len(cells) == 1, rng) for c in cells)
        if corrupt and corrupt[0] == "unterminated":  # the one quote left in the input
            line = '"never closed' + delimiter + line.replace('"', "")
        first = 1 + text.count("\n")
        text += line
        if row_index is not None:
            # the last line also counting a bare CR as a line end: README does not say (Python does)
            lines.append((first, 1 + text.count("\n") + len(re.findall("\r(?!\n)", text))))
        last = position == len(records) - 1
        if not last or spec.final_newline:
            text += end()
        if not last and rng.random() < 0.1:
            text += end() * rng.randint(1, 3)
    if spec.final_newline and rng.random() < 0.1:
        text += end()
    data = text.encode("utf-8").replace(PRIVATE.encode(), b"\xff")
    if spec.bom:
        data = b"\xef\xbb\xbf" + data
    return data, lines


def render(spec: Spec) -> Invocation:
    if isinstance(spec, OtherSpec):
        return Invocation(list(spec.args))
    common = spec.common
    if isinstance(spec, ValuesSpec):
        files = {f"in{i}.txt": data for i, data in enumerate(spec.files, start=1)}
        groups = _option_groups(common) + [["-i", name] for name in files]
        positional = [common.acts, *spec.values]
        # README: values and -i files are read in the order given (an -i before the activation
        # comes before every value)
        places = _places(common, positional, groups)[-len(files):] if files else []
        order: list[int | str] = []
        for index in range(len(positional) + 1):
            order += [name for name, place in zip(files, places, strict=True) if place == index]
            if 1 <= index < len(positional):
                order.append(index - 1)
        return Invocation(_arrange(common, positional, groups), spec.stdin, files, order=order)
    sources = csv_sources(spec)
    groups = _option_groups(common)
    for group in spec.selection:
        tokens = [_select_token(spec, index, form) for index, form in group]
        groups.append([random.Random(spec.layout).choice(["-c", "--column"]), ",".join(tokens)])
    if spec.bad_selection is not None:
        groups.append(["-c", spec.bad_selection])
    if spec.into is not None:
        groups.append(["--into", spec.into])
    if spec.replace:
        groups.append(["--replace"])
    if spec.no_header:
        groups.append(["--no-header"])
    if spec.on_error:
        groups.append(["--on-error", spec.on_error])
    form = spec.delim_form
    if form.startswith("bad:"):
        groups.append(["-d", form[4:]])
    elif form == "--tsv":
        groups.append(["--tsv"])
    elif form == "-d\\t":
        groups.append(["-d", "\\t"])
    elif form:
        groups.append([form, spec.delimiter])
    positional = [common.acts]
    stdin = b""
    files: dict[str, bytes] = {}
    for name, data, _ in sources:
        if name == "<stdin>":
            stdin = data
            if spec.source == "dash":
                positional.append("-")
        else:
            files[name] = data
            groups.append(["-i", name])
    if ["1"] in common.extra:
        positional.append("1")
    return Invocation(_arrange(common, positional, groups), stdin, files, spec.chunk)


def _select_token(spec: CsvSpec, index: int, form: str) -> str:
    names = _csv_names(spec)
    name = names[index]
    usable = (form != "index" and name and name == name.strip() and "," not in name
              and names.index(name) == index and not name.isdigit())
    if usable:
        return name
    return f" {index + 1} " if form == "padded" else str(index + 1)


def _csv_names(spec: CsvSpec) -> list[str]:
    return [str(i) for i in range(1, len(spec.header) + 1)] if spec.no_header else spec.header


# --- running -----------------------------------------------------------------------------------

OUTPUT_LIMIT = 1 << 21  # in-process runs stop here (an endless range is not an error)


class OutputLimit(BaseException):
    """The output grew past OUTPUT_LIMIT (a BaseException: actcli must not catch it)."""


class CaseTimeout(BaseException):
    """The per-case alarm of the long runs."""


@dataclass
class Outcome:
    code: int | None  # None when the run did not end by itself (timeout, output limit)
    out: bytes
    err: str
    seconds: float = 0.0
    truncated: bool = False
    timed_out: bool = False
    subprocess: bool = False
    signal_name: str = ""


class _CappedBytes(io.BytesIO):
    def write(self, data: Any) -> int:
        if self.tell() + len(data) > OUTPUT_LIMIT:
            raise OutputLimit()
        return super().write(data)


class _PipedStdin(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def _in_directory(files: dict[str, bytes]) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="actcli-fuzz-") as tmp:
        for name, data in files.items():
            Path(tmp, name).write_bytes(data)
        yield tmp


def run_inprocess(inv: Invocation) -> Outcome:
    """``actcli.cli.run`` with fake stdin/stdout/stderr, as a pipe would give them."""
    from actcli import streams
    from actcli.cli import run

    raw = _CappedBytes()
    stdout = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    stderr = io.StringIO()
    stdin = _PipedStdin(io.BytesIO(inv.stdin), encoding="utf-8")
    saved = sys.stdin, sys.stdout, sys.stderr
    saved_env = {k: os.environ.get(k) for k in ("COLUMNS", "FORCE_COLOR", "NO_COLOR")}
    saved_chunk = streams.CHUNK_BYTES
    code: int | None = None
    truncated = timed_out = False
    start = time.perf_counter()
    shown: set[tuple[str, str, int]] = set()

    def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
             line: Any = None) -> None:
        if (str(message), filename, lineno) not in shown:  # once, as in a fresh interpreter
            shown.add((str(message), filename, lineno))
            stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    with _in_directory(inv.files) as tmp, warnings.catch_warnings():
        # The interpreter's default filters (not pytest's), printing to this run's stderr.
        warnings.simplefilter("always")
        warnings.showwarning = show
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.filterwarnings("ignore", category=category)
        here = os.getcwd()
        os.environ["COLUMNS"] = "80"
        os.environ.pop("FORCE_COLOR", None)
        os.environ.pop("NO_COLOR", None)
        if inv.chunk is not None:
            streams.CHUNK_BYTES = inv.chunk
        try:
            if inv.files:
                os.chdir(tmp)
            sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
            try:
                run(list(inv.args))
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
                if isinstance(exit_.code, str):
                    stderr.write(exit_.code + "\n")
            except OutputLimit:
                truncated = True
            except CaseTimeout:
                timed_out = True
            except BaseException:  # what the interpreter would print: a traceback, exit 1
                stderr.write(traceback.format_exc())
                code = 1
            with contextlib.suppress(BaseException):
                stdout.flush()
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
            os.chdir(here)
            streams.CHUNK_BYTES = saved_chunk
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return Outcome(code, raw.getvalue(), stderr.getvalue(), time.perf_counter() - start, truncated, timed_out)


def subprocess_env() -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(REPO)}
    for key in ("FORCE_COLOR", "NO_COLOR", "PYTHONWARNINGS"):
        env.pop(key, None)
    return env


def run_subprocess(inv: Invocation, timeout: float = 60.0) -> Outcome:
    """``python -m actcli`` with real pipes."""
    assert inv.chunk is None, "the chunk size can only be changed in-process"
    start = time.perf_counter()
    with _in_directory(inv.files) as tmp:
        try:
            done = subprocess.run([sys.executable, "-m", "actcli", *inv.args], input=inv.stdin,
                                  capture_output=True, timeout=timeout, env=subprocess_env(), cwd=tmp,
                                  check=False)
        except subprocess.TimeoutExpired as error:
            return Outcome(None, error.stdout or b"", (error.stderr or b"").decode("utf-8", "replace"),
                           time.perf_counter() - start, timed_out=True, subprocess=True)
    code = done.returncode
    name = ""
    if code < 0:
        name = signal.Signals(-code).name
        code = 128 - code
    return Outcome(code, done.stdout, done.stderr.decode("utf-8", "replace"), time.perf_counter() - start,
                   subprocess=True, signal_name=name)


# --- oracles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    oracle: str  # which oracle
    key: str  # the kind of deviation: failures with the same (oracle, key) are one class
    detail: str  # this instance

    @property
    def klass(self) -> tuple[str, str]:
        return self.oracle, self.key


UNCLEAR = object()  # a token or cell README/SPEC do not decide about: any outcome accepted
BAD = object()
EMPTY = object()


def classify_token(token: str) -> Any:
    """A value token: its float, BAD, or UNCLEAR (Unicode digits, which README does not mention)."""
    text = token.strip()
    if NUMBER.fullmatch(text):
        return float(text)
    if UNICODE_NUMBER.fullmatch(text):
        return UNCLEAR
    return BAD


def classify_cell(cell: str) -> Any:
    """A CSV cell of a selected column: EMPTY, a float, BAD or UNCLEAR.

    README: "An empty cell gives an empty result; spaces around a number are allowed". A cell of
    spaces only, other whitespace around a number, or Unicode digits: not decided (UNCLEAR)."""
    if cell == "":
        return EMPTY
    text = cell.strip(" ")
    if NUMBER.fullmatch(text):
        return float(text)
    stripped = cell.strip()
    if not stripped or NUMBER.fullmatch(stripped) or UNICODE_NUMBER.fullmatch(stripped):
        return UNCLEAR
    return BAD


def normalise(message: str) -> str:
    """A message with its particulars (quoted text, numbers) blanked: the same bug, one class."""
    text = message.strip().splitlines()[0] if message.strip() else ""
    text = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "'…'", text)
    text = re.sub(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?", "N", text)
    return text[:120]


def generic_failures(outcome: Outcome, codes: frozenset[int] | set[int],
                     prefix: str = "actcli: error: ") -> list[Failure]:
    """Exit code, tracebacks, warnings, one-line errors (starting with ``prefix``)."""
    found = []
    err = outcome.err
    if "Traceback" in err:
        frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', err)
        lines = err.splitlines()
        at = max(i for i, line in enumerate(lines) if line.startswith('  File "'))
        while at + 1 < len(lines) and lines[at + 1].startswith("    "):
            at += 1
        last = lines[at + 1] if at + 1 < len(lines) else ""  # "ExceptionType: message"
        exc = last.split(":")[0]
        where = next((f"{Path(f).name}:{fn}" for f, _, fn in reversed(frames) if "/actcli/" in f),
                     frames[-1][2] if frames else "?")
        return [Failure("traceback", f"{exc} in {where}", last[:300])]
    if outcome.timed_out:
        return [Failure("timeout", "no end", f"after {outcome.seconds:.1f} s")]
    if outcome.truncated:
        return []
    if "Warning" in err or ".py:" in err:
        line = next(line for line in err.splitlines() if "Warning" in line or ".py:" in line)
        found.append(Failure("stderr-warning", normalise(line), err[:300]))
    if outcome.code not in codes:
        lines = err.strip().splitlines()
        first = next((x for x in lines if x.startswith("actcli:")), lines[0] if lines else "(no message)")
        found.append(Failure("exit-code", f"{outcome.code} instead of {sorted(codes)}: {normalise(first)}",
                             first[:300]))
    if outcome.code not in (0, None):
        lines = err.split("\n")
        if not err.endswith("\n") or len(lines) != 2:
            found.append(Failure("error-not-one-line", f"exit {outcome.code}", repr(err[:300])))
        if outcome.code == 130:
            if not err.startswith("actcli: interrupted"):
                found.append(Failure("error-prefix", "interrupt message", repr(err[:200])))
        elif outcome.code in (1, 2) and not err.startswith(prefix):
            found.append(Failure("error-prefix", f"exit {outcome.code} without {prefix!r}",
                                 repr(err[:200])))
    try:
        outcome.out.decode("utf-8")
    except UnicodeDecodeError as error:
        found.append(Failure("stdout-utf8", "output is not UTF-8", str(error)))
    return found


class Num(str):
    """A JSON number, as its text."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"bare {name} in JSON")


def parse_json(text: str) -> Any:
    return json.loads(text, parse_float=Num, parse_int=Num, parse_constant=_reject_constant,
                      object_pairs_hook=list)


def json_failures(out: str, lines: bool) -> tuple[list[Failure], list[Any] | None]:
    """Parse JSON (an array) or NDJSON (one value per line); RFC 8259 only."""
    try:
        if lines:
            if out and not out.endswith("\n"):
                return [Failure("json", "NDJSON without a final newline", out[-80:])], None
            return [], [parse_json(line) for line in out.split("\n")[:-1]] if out else []
        value = parse_json(out)
    except ValueError as error:
        return [Failure("json", f"invalid {'NDJSON' if lines else 'JSON'}: {normalise(str(error))}",
                        f"{error}: {out[-200:]!r}")], None
    if not isinstance(value, list):
        return [Failure("json", "not an array", out[:200])], None
    return [], value


def spell(value: float) -> str:
    return "NaN" if value != value else "inf" if value > 0 else "-inf"


def _bits(value: Any, dtype: str) -> int:
    return int(np.array(value, dtype=dtype).view({"float64": np.uint64, "float32": np.uint32,
                                                  "float16": np.uint16}[dtype]))


def number_problem(text: str, value: Any, dtype: str, precision: int | None,
                   csv_stream: bool = False) -> str | None:
    """Why ``text`` is not how README says ``value`` (of ``dtype``) is written, or None."""
    f = float(value)
    if precision is not None:
        want = f"{f:.{precision}f}" if math.isfinite(f) else spell(f)
        return None if text == want else "--precision not applied"
    if not math.isfinite(f):
        return None if text == spell(f) else "non-finite value spelled otherwise"
    if text.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return "a finite value written as non-finite"
    try:
        parsed = np.array(float(text)).astype(dtype)
    except ValueError:
        return "not a number"
    if _bits(parsed, dtype) != _bits(value, dtype):
        return "value differs from the library's"
    # README: integral values in full; in CSV streams float32 results are Polars' own shortest text
    if f == int(f) and abs(f) < 1e16 and float(text) != f and not (dtype == "float32" and csv_stream):
        return "integral value not written in full"
    return None


def json_problem(item: Any, value: Any, dtype: str, precision: int | None) -> str | None:
    f = float(value)
    if not math.isfinite(f):
        want = {"NaN": math.isnan(f), "Infinity": f == math.inf, "-Infinity": f == -math.inf}
        if isinstance(item, Num) or not isinstance(item, str) or not want.get(item):
            return "non-finite value not the JSON string NaN/Infinity/-Infinity"
        return None
    if not isinstance(item, Num):
        return "a number not written as a JSON number"
    return number_problem(str(item), value, dtype, precision)


# Expected cells: ("text", s) passes through; ("num", value) a result; ("empty",); ("kept", s); ("any",)
Cell = tuple[Any, ...]


@dataclass
class Table:
    """What the output must hold: headers and rows of expected cells."""

    headers: list[str]
    rows: list[list[Cell]]
    dtype: str
    precision: int | None
    write_header: bool = True
    result_columns: list[int] = field(default_factory=list)  # shown by -f plain in CSV mode
    count_problem: str = "row count differs"
    delimiter: str = ""  # of csv output, when not the comma
    stream: bool = False  # a CSV stream's output: csv/tsv float32 cells are Polars' text
    titled: bool = False  # plain text under a comment line naming the columns (table's values)


def _with_dtype(problem: str | None, dtype: str) -> str | None:
    """Problems of spelling depend on the dtype (float16 is written another way): say which."""
    if problem and dtype != "float64" and not problem.startswith(("value differs", "a finite", "not a n")):
        return f"{problem} ({dtype})"
    return problem


def cell_problem(got: str, cell: Cell, table: Table, polars_text: bool = False) -> str | None:
    kind = cell[0]
    if kind == "any":
        return None
    if kind in ("text", "kept"):
        return None if got == cell[1] else f"{'pass-through' if kind == 'text' else 'kept'} cell changed"
    if kind == "empty":
        return None if got == "" else "empty cell gave a non-empty result"
    return _with_dtype(number_problem(got, cell[1], table.dtype, table.precision, polars_text), table.dtype)


def json_cell_problem(got: Any, cell: Cell, table: Table) -> str | None:
    kind = cell[0]
    if kind == "any":
        return None
    if kind in ("text", "kept"):
        ok = isinstance(got, str) and not isinstance(got, Num) and got == cell[1]
        return None if ok else f"{'pass-through' if kind == 'text' else 'kept'} cell changed in JSON"
    if kind == "empty":
        return None if got is None else "empty result not null in JSON"
    return _with_dtype(json_problem(got, cell[1], table.dtype, table.precision), table.dtype)


def table_failures(fmt: str, out: str, table: Table, context: str) -> list[Failure]:
    """Compare the output in ``fmt`` with the expected table; ``context`` goes into the class key."""
    found: list[Failure] = []

    def fail(what: str, detail: str) -> None:
        found.append(Failure("output", f"{what} [{context}]", f"-f {fmt}: {detail}"[:400]))

    if fmt in ("csv", "tsv"):
        delimiter = table.delimiter or ("," if fmt == "csv" else "\t")
        rows = list(csv.reader(io.StringIO(out, newline=""), delimiter=delimiter))
        if table.write_header:
            if not rows or rows[0] != table.headers:
                fail("header differs", f"got {rows[0] if rows else None!r}, want {table.headers!r}")
                return found
            rows = rows[1:]
        if len(rows) != len(table.rows):
            fail(table.count_problem, f"got {len(rows)}, want {len(table.rows)}: {out[-300:]!r}")
            return found
        for number, (got, want) in enumerate(zip(rows, table.rows, strict=True), start=1):
            if got == [] and len(want) == 1:
                fail("a one-field row written as a blank line (which CSV readers skip)", repr(out[:200]))
                return found
            if len(got) != len(want):
                fail("field count differs", f"row {number}: {got!r}")
                return found
            for column, (text, cell) in enumerate(zip(got, want, strict=True)):
                problem = cell_problem(text, cell, table, table.stream and table.precision is None)
                if problem:
                    where = f"row {number} column {table.headers[column]!r}"
                    fail(problem, f"{where}: got {text!r}, want {cell!r}")
                    return found
        return found
    if fmt in ("json", "ndjson"):
        problems, records = json_failures(out, fmt == "ndjson")
        if problems or records is None:
            return problems
        if len(records) != len(table.rows):
            fail(table.count_problem, f"got {len(records)}, want {len(table.rows)}")
            return found
        for number, (record, want) in enumerate(zip(records, table.rows, strict=True), start=1):
            if not isinstance(record, list) or [k for k, _ in record] != table.headers:
                fail("record keys differ", f"record {number}: {record!r} want keys {table.headers!r}")
                return found
            for (key, got), cell in zip(record, want, strict=True):
                problem = json_cell_problem(got, cell, table)
                if problem:
                    fail(problem, f"record {number} key {key!r}: got {got!r}, want {cell!r}")
                    return found
        return found
    if fmt == "plain":
        lines = out.split("\n")
        if out and lines[-1] != "":
            fail("no final newline", repr(out[-80:]))
            return found
        lines = lines[:-1] if out else []
        if table.titled:  # README: "# x<TAB>relu(x)..." first
            if not lines or lines[0] != "# " + "\t".join(table.headers):
                fail("plain title line differs", repr(out[:200]))
                return found
            lines = lines[1:]
        if len(lines) != len(table.rows):
            fail(table.count_problem, f"got {len(lines)}, want {len(table.rows)}: {out[-200:]!r}")
            return found
        for number, (line, want) in enumerate(zip(lines, table.rows, strict=True), start=1):
            cells = line.split("\t")
            if len(cells) != len(want):
                if any(c[0] in ("kept", "text") and ("\t" in c[1] or "\n" in c[1]) for c in want):
                    return found  # a kept cell with a tab or newline: plain is ambiguous by design
                fail("field count differs", f"line {number}: {line!r}")
                return found
            for text, cell in zip(cells, want, strict=True):
                problem = cell_problem(text, cell, table)
                if problem:
                    fail(problem, f"line {number}: got {text!r}, want {cell!r}")
                    return found
    return found


# --- the model of the values mode --------------------------------------------------------------


def _option_params(params: list[tuple[str, str, str]]) -> dict[str, str] | None:
    """The --NAME VALUE / -p NAME=VALUE parameters, or None when one is malformed or given
    twice (in either spelling: README, a usage error)."""
    out: dict[str, str] = {}
    for form, key, value in params:
        name = key.strip().replace("-", "_") if form in ("-p", "--param") else key
        if not name or name in out:
            return None
        out[name] = value.strip()
    return out


def parse_acts(text: str, options: dict[str, str]) -> tuple[list[tuple[Activation, dict[str, Any]]], str]:
    """The activations with bound parameters, or a reason for a usage error (README's grammar;
    the library's ``bind`` decides whether parameter values are valid)."""
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        return [], "no activation"
    if options and len(parts) > 1:
        return [], "option parameters with several activations"
    out = []
    for part in parts:
        name, *assignments = part.strip().split(":")
        try:
            act = actcli.get(name)
        except LookupError:
            return [], "unknown activation"
        raw: dict[str, str] = {}
        for assignment in assignments:
            key, sep, value = assignment.partition("=")
            if not sep or not key.strip():
                return [], "malformed parameter"
            if key.strip().replace("-", "_") in raw:
                return [], "a parameter given twice"
            raw[key.strip().replace("-", "_")] = value.strip()
        if set(raw) & set(options):
            return [], "a parameter given twice"
        raw.update(options)
        try:
            bound = act.bind(raw)
        except ValueError:
            return [], "bad parameter"
        if act.vector and bound.get("axis") not in (-1, 0):
            return [], "softmax's axis must be -1 or 0 on the command line"
        out.append((act, bound))
    labels = [(act.name, tuple(sorted(bound.items(), key=str))) for act, bound in out]
    if len(set(labels)) != len(labels):
        return [], "an activation given twice"
    return out, ""


def _acts_problem(text: str, options: dict[str, str] | None, command: str) -> str:
    if options is None:
        return "malformed --param"
    acts, problem = parse_acts(text, options)
    if not problem and command in ("apply", "grad", "info", "explain") and len(acts) > 1:
        problem = f"{command} takes one activation"
    return problem


def usage_problem(common: Common) -> str:
    """Why the command line is a usage error before any data is read (exit 2), or ''."""
    if common.extra:
        return "unknown option or extra argument"
    if common.fmt and common.fmt[1] not in FORMATS:
        return "bad --format"
    if common.precision is not None:
        try:
            if not 0 <= int(common.precision) <= 30:
                return "--precision out of range"
        except ValueError:
            return "--precision not an integer"
    if common.dtype and common.dtype not in DTYPES:
        return "bad --dtype"
    if common.kink and (common.command == "apply" or common.kink not in KINKS):
        return "--kink where it does not exist or bad"
    if common.grad and common.command != "table":
        return "--grad outside table"
    return _acts_problem(common.acts, _option_params(common.params), common.command)


def header_of(act: Activation, bound: dict[str, Any], derivative: bool, variable: str) -> str:
    """README: ``relu(x)``, ``elu(x; alpha=0.5)``, ``relu'(x)``; parameters that differ from the defaults."""
    changed = [f"{k}={'none' if v is None else v}" for k, v in bound.items() if v != act.params[k]]
    prime = "'" if derivative else ""
    return f"{act.name}{prime}({variable}{'; ' + '; '.join(changed) if changed else ''})"


def evaluate(act: Activation, bound: dict[str, Any], derivative: bool, kink: str, x: np.ndarray,
             **extra: Any) -> np.ndarray:
    params = {**bound, **extra}
    with np.errstate(all="ignore"):
        result = act.grad(x, kink=kink, **params) if derivative else act(x, **params)
    return np.asarray(result)


@dataclass
class TextRead:
    values: list[float]
    error: str = ""  # "where" of the first bad token
    unclear: bool = False


def read_text(data: bytes, name: str) -> TextRead:
    """README: numbers separated by whitespace, commas or newlines; '#' comments."""
    read = TextRead([])
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            read.error = f"{name}:{number}"
            return read
        if "\ufeff" in line:
            read.unclear = True  # a BOM in plain text: README says nothing (it does for CSV)
        for token in re.split(r"[\s,]+", line.partition("#")[0]):
            if not token:
                continue
            value = classify_token(token)
            if value is BAD:
                read.error = f"{name}:{number}"
                return read
            if value is UNCLEAR:
                read.unclear = True
                continue
            read.values.append(value)
    return read


RANGE_LIMIT = 100_000


def range_values(token: str) -> tuple[list[float] | None, bool, int]:
    """(values, unclear, count) of START:STOP[:STEP], values None when it is not a valid range
    (count -1) or has more than RANGE_LIMIT points. README: STOP included when on the grid, each
    point START + k·STEP of the decimals rounded once."""
    parts = token.strip().split(":")
    if len(parts) not in (2, 3):
        return None, False, -1
    unclear = False
    for part in parts:
        value = classify_token(part) if part.strip() else BAD
        if value is UNCLEAR:
            unclear = True
        elif value is BAD or not math.isfinite(value):
            return None, False, -1
    if unclear:
        return None, True, -1
    start, stop, step = (Fraction(Decimal(p.strip())) for p in [*parts, "1"][:3])
    if any(v and abs(v) < Fraction(1, 10**400) for v in (start, stop, step)):
        return None, False, -1  # README: a part below 1e-400 is refused
    if step == 0 or (stop - start) * step < 0:
        return None, False, -1
    count = math.floor((stop - start) / step) + 1
    if count > RANGE_LIMIT:
        return None, False, count
    out = []
    for k in range(count):
        try:
            out.append(float(start + k * step))
        except OverflowError:
            out.append(math.inf if start + k * step > 0 else -math.inf)
    if out and start == 0 and parts[0].strip().startswith("-"):
        out[0] = -0.0  # README: START as written, -0.0 included
    return out, False, count


def check_values(spec: ValuesSpec, inv: Invocation, outcome: Outcome) -> list[Failure]:
    common = spec.common
    problem = usage_problem(common)
    option_like = [v for v in spec.values if v.startswith("-") and v != "-"
                   and not re.match(r"-(?:\d|\.\d|inf|nan)", v, re.I)]
    if problem:
        return generic_failures(outcome, {2})
    # the values, in order: arguments (- is stdin), then the files
    values: list[float] = []
    where = ""
    unclear = spec.huge
    stdin_left = True
    paths = list(inv.files)

    def text(data: bytes, name: str) -> bool:
        nonlocal where, unclear
        read = read_text(data, name)
        values.extend(read.values)
        unclear = unclear or read.unclear
        where = read.error
        return not where

    order = inv.order or list(range(len(spec.values)))
    for number, item in enumerate(order, start=1):  # actcli numbers the files among the values
        if isinstance(item, str):  # an -i file, where it stands
            if not text(inv.files[item], item):
                break
            continue
        token = spec.values[item]
        if token.strip() == "-":
            if not text(inv.stdin if stdin_left else b"", "<stdin>"):
                break
            stdin_left = False
        elif ":" in token:
            points, unsure, count = range_values(token)
            if points is None and count > RANGE_LIMIT:
                unclear = True
            elif points is None and not unsure:
                where = f"argument {number}"
                break
            elif points is None:
                unclear = True
            else:
                values.extend(points)
        else:
            value = classify_token(token)
            if value is BAD:
                where = f"argument {number}"
                break
            if value is UNCLEAR:
                unclear = True
            else:
                values.append(value)
    if not where and not spec.values and not paths:
        text(inv.stdin, "<stdin>")
    acts, _ = parse_acts(common.acts, _option_params(common.params) or {})
    dtype = common.dtype or "float64"
    kink = common.kink or "pytorch"
    fmt = common.fmt[1] if common.fmt else "auto"
    fmt = "plain" if fmt == "auto" else fmt
    precision = int(common.precision) if common.precision is not None else None
    with np.errstate(all="ignore"):
        x = np.array(values, dtype=np.float64).astype(dtype)
    columns = [(act, bound, d) for act, bound in acts for d in ((False, True) if common.grad else
                                                                 (common.command == "grad",))]
    vector = any(act.vector for act, _, _ in columns)
    results = []
    refused = ""
    for act, bound, derivative in columns:
        try:
            results.append(evaluate(act, bound, derivative, kink, x) if len(x) else x)
        except Exception as error:  # the library refuses (softmax's axis): a bad parameter
            refused = f"{act.name}: {type(error).__name__}"
    for (act, bound, derivative), result in zip(columns, results if not refused else [], strict=False):
        nan = np.isfinite(x) & np.isnan(result) if not act.vector and len(x) else np.zeros(0, dtype=bool)
        if nan.any():
            i = int(np.argmax(nan))
            found_nan = Failure("library-nan", f"{act.name}{chr(39) * derivative}: NaN at a finite input",
                                f"x={x[i]!r} {dtype}, parameters {bound}")
            return [*generic_failures(outcome, {0, 1, 2}), found_nan]
    codes = {1} if where else {0}
    if refused:
        codes = {1, 2}
    if option_like:
        codes |= {1, 2}  # README: negative numbers need no '--'; other '-x' tokens are Click's to judge
    if unclear:
        codes |= {0, 1}
    found = generic_failures(outcome, codes)
    if refused and outcome.code == 0:
        found.append(Failure("library-refuses", "CLI exit 0 where the library raises", refused))
    if found or outcome.code not in (0, 1) or outcome.truncated:
        return found
    if outcome.code == 0 and outcome.err:
        found.append(Failure("stderr-on-success", normalise(outcome.err), outcome.err[:200]))
    if outcome.code == 1 and where and not (unclear or option_like or refused):
        first = outcome.err.split("\n")[0]
        if not first.startswith(f"actcli: error: {where}: "):
            kind = re.sub(r"[0-9]+", "N", where)
            found.append(Failure("error-location", f"bad value not located as '{kind}'",
                                 f"want {where!r}: {first[:200]}"))
    if unclear or option_like or refused or (vector and where):
        return found  # (softmax over values one of which is bad: README does not say what is written)
    show_x = common.command == "table" or fmt != "plain"
    headers = (["x"] if show_x else []) + [header_of(a, b, d, "x") for a, b, d in columns]
    rows = [([("num", x[i])] if show_x else []) + [("num", r[i]) for r in results] for i in range(len(x))]
    table = Table(headers, rows, dtype, precision, titled=common.command == "table")
    out = outcome.out.decode("utf-8", "replace")
    context = f"values{', softmax' if vector else ''}"
    if fmt == "tutorial":
        found += tutorial_failures(out, x, columns, results, precision, context)
    elif fmt != "table":
        found += table_failures(fmt, out, table, context)
    return found


def tutorial_failures(out: str, x: np.ndarray, columns: list[tuple[Activation, dict[str, Any], bool]],
                      results: list[np.ndarray], precision: int | None, context: str) -> list[Failure]:
    """README: ``Applying Relu on (1.0) gives 1.0`` (``%.1f``, or --precision digits)."""
    digits = 1 if precision is None else precision
    want = []
    for i in range(len(x)):
        for (act, _, derivative), result in zip(columns, results, strict=True):
            want.append((act.name.replace("_", " ").title(), derivative,
                         "%.*f" % (digits, float(x[i])), "%.*f" % (digits, float(result[i]))))
    lines = out.split("\n")[:-1] if out else []
    if len(lines) != len(want):
        return [Failure("output", f"tutorial line count differs [{context}]", f"{len(lines)} != {len(want)}")]
    for line, (title, derivative, xt, yt) in zip(lines, want, strict=True):
        match = re.fullmatch(r"Applying (.+) on \((.*)\) gives (.*)", line)
        if not match or not match[1].startswith(title) or (match[2], match[3]) != (xt, yt) or (
                derivative != match[1].endswith(" Gradient")):
            return [Failure("output", f"tutorial line differs [{context}]",
                            f"{line!r} want {title} ({xt}) gives {yt}")]
    return []


# --- the model of the CSV mode -----------------------------------------------------------------


def _records(data: bytes, delimiter: str) -> list[list[str]]:
    """The records of valid CSV bytes, as Python's csv module reads them: BOM dropped, blank
    lines skipped."""
    text = data.decode("utf-8")
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    return [row for row in reader if row]


@dataclass
class CsvState:
    """What the model wrote so far and how the run must end."""

    rows: list[list[Cell]] = field(default_factory=list)
    affected: int = 0
    error: tuple[str, int, int] | None = None  # (name, first line, last line) of the failing record
    error_kind: str = ""
    bad_columns: list[str] = field(default_factory=list)
    bad_cell: str = ""
    unclear: bool = False


def check_csv(spec: CsvSpec, inv: Invocation, outcome: Outcome) -> list[Failure]:
    common = spec.common
    problem = usage_problem(common)
    if not problem and spec.delim_form.startswith("bad:"):
        problem = "bad delimiter"
    if not problem and spec.on_error and spec.on_error not in ON_ERROR:
        problem = "bad --on-error"
    if problem:
        return generic_failures(outcome, {2})
    sources = csv_sources(spec)
    names = _csv_names(spec)
    # 1. the header (of the first source): an empty input is an error with exit 1
    if spec.empty_input is not None:
        return generic_failures(outcome, {1})
    acts, _ = parse_acts(common.acts, _option_params(common.params) or {})
    columns = [(act, bound, d) for act, bound in acts for d in ((False, True) if common.grad else
                                                                 (common.command == "grad",))]
    # 2. usage errors found once the header is known
    selected = [index for group in spec.selection for index, _ in group]
    usage = ""
    if spec.bad_selection is not None:
        usage = "column not found"
    elif spec.into is not None and len(selected) * len(columns) != 1:
        usage = "--into with several results"
    elif spec.into is not None and spec.into in names and not spec.replace:
        usage = "--into names a column of the input"  # README: unless --replace
    elif spec.replace and len(columns) != 1:
        usage = "--replace with several results"
    elif common.fmt and common.fmt[1] == "tutorial":
        usage = "tutorial format with CSV"
    headless = spec.no_header and not spec.rows  # README: "an empty input (no header)" is an error;
    # with --no-header, is an empty input an error or no rows? Not decided: both accepted.
    if usage:
        if headless:
            return generic_failures(outcome, {1, 2})
        # with --no-header the first record is data, read (and found not UTF-8) before the selection
        first_record_ok = not (spec.corruption and spec.corruption[0] == "utf8" and spec.corruption[1] == 0
                               and spec.no_header)
        return generic_failures(outcome, {2} if first_record_ok else {1})
    if headless:
        return generic_failures(outcome, {0, 1})
    dtype = common.dtype or "float64"
    kink = common.kink or "pytorch"
    precision = int(common.precision) if common.precision is not None else None
    on_error = spec.on_error or "stop"
    # 3. the rows, source by source
    state = CsvState()
    if any(act.vector and bound.get("axis", -1) != -1 for act, bound, _ in columns):
        # softmax over each row's selected columns (README); what its 'axis' means there: open
        return generic_failures(outcome, {0, 1, 2})
    for name, data, lines in sources:
        clean_rows = _expected_records(spec, data, lines, name)
        if clean_rows is None:  # the generator made something the csv module reads otherwise
            return [Failure("fuzzer-model", "the csv module does not read the generated input back",
                            repr(data[:200]))]
        for row_index, record in enumerate(clean_rows):
            first, last = lines[row_index]
            if record is None:  # the corrupted record
                kind = spec.corruption[0] if spec.corruption else ""
                state.error = (name, first, last)
                state.error_kind = {"short": "ragged", "long": "ragged", "unterminated": "unterminated quote",
                                    "utf8": "not UTF-8"}[kind]
                break
            if not _model_row(spec, record, names, columns, selected, dtype, kink, on_error, state):
                state.error = (name, first, last)
                state.error_kind = "bad cell"
                break
        if state.error or state.unclear:
            break
    codes = {1} if state.error else {0}
    if state.unclear:
        codes = {0, 1}
    found = generic_failures(outcome, codes)
    if found or outcome.code not in (0, 1) or state.unclear:
        return found
    count_problem = ("rows before the error not all written" if state.error else "row count differs")
    # 4. stderr: the error's place, or the count of rows --on-error touched
    err = outcome.err
    if state.error:
        name, first, last = state.error
        match = re.match(r"actcli: error: (.+?):(\d+): ", err)
        if not match or match[1] != name or not first <= int(match[2]) <= last:
            said = normalise(err[match.end():] if match else err)
            found.append(Failure("error-location", f"{state.error_kind} at its line expected, got: {said}",
                                 f"want {name}:{first}..{last}: {err[:200]!r}"))
        elif state.error_kind == "bad cell":
            if not any(f"column {c!r}" in err for c in state.bad_columns):  # one line: repr
                found.append(Failure("error-location", "bad cell: message does not name the column",
                                     f"want one of {state.bad_columns!r}: {err[:200]!r}"))
            elif repr(state.bad_cell) not in err:
                found.append(Failure("error-location", "bad cell: message does not quote the cell",
                                     f"want {state.bad_cell!r}: {err[:200]!r}"))
    elif state.affected:
        if not re.fullmatch(rf"actcli: [^\n]*\b{state.affected}\b[^\n]*\n", err):
            found.append(Failure("on-error-count", f"--on-error {on_error}: count of rows not on stderr",
                                 f"want {state.affected}: {err[:200]!r}"))
    elif re.fullmatch(r"actcli: [^\n]*\b[0-9]+ rows?\b[^\n]*\n", err):
        found.append(Failure("on-error-count", f"--on-error {on_error}: rows counted where no cell is bad",
                             err[:200]))
    elif err:
        found.append(Failure("stderr-on-success", normalise(err), err[:200]))
    # 5. the output; with --no-header a broken first record leaves no column known: nothing written
    if state.error and spec.no_header and not state.rows and not outcome.out:
        return found
    table = _csv_table(spec, names, columns, selected, state.rows, dtype, precision)
    fmt = common.fmt[1] if common.fmt else "auto"
    if fmt == "auto":  # README: in a pipe, CSV with the input's delimiter
        fmt = "tsv" if spec.delimiter == "\t" else "csv"
        table.delimiter = spec.delimiter
    if fmt == "plain":
        table = Table([table.headers[i] for i in table.result_columns],
                      [[row[i] for i in table.result_columns] for row in table.rows], dtype, precision)
    table.count_problem = count_problem
    vector = any(act.vector for act, _, _ in columns)
    context = f"csv{', softmax' if vector else ''}"
    if fmt != "table":
        found += table_failures(fmt, outcome.out.decode("utf-8", "replace"), table, context)
    return found


def _expected_records(spec: CsvSpec, data: bytes, lines: list[tuple[int, int]], name: str
                      ) -> list[list[str] | None] | None:
    """The data records of one source as the csv module reads the valid part (None marks the
    corrupted record, which ends it); None when the parse disagrees with the generator."""
    records = spec.rows  # the generator's records: check the csv module agrees with them
    corrupt_at = spec.corruption[1] if spec.corruption else None
    # which data rows are in this source: the generator's serialisation numbered them
    valid = data
    count = len(lines)
    try:
        if spec.corruption and spec.corruption[0] == "utf8":
            valid = data.replace(b"\xff", b"")
        if spec.corruption and spec.corruption[0] == "unterminated" and b'"never closed' in valid:
            valid = valid[:valid.rfind(b'"never closed')]
        parsed = _records(valid, spec.delimiter)
    except (UnicodeDecodeError, csv.Error):
        return None
    if not spec.no_header:
        if not parsed or parsed[0] != spec.header:
            return None
        parsed = parsed[1:]
    out: list[list[str] | None] = []
    # the first data row of this source, by position among all rows
    offset = _source_offset(spec, name)
    for i in range(count):
        row_index = offset + i
        if corrupt_at == row_index:
            out.append(None)
            break
        if i >= len(parsed):
            return None
        record = parsed[i]
        if record != records[row_index]:
            return None
        out.append(record)
    return out


def _source_offset(spec: CsvSpec, name: str) -> int:
    if name != "in2.csv":
        return 0
    first = csv_sources(spec)[0]
    return len(first[2])


def _model_row(spec: CsvSpec, record: list[str], names: list[str],
               columns: list[tuple[Activation, dict[str, Any], bool]], selected: list[int], dtype: str,
               kink: str, on_error: str, state: CsvState) -> bool:
    """Add the expected output row of ``record`` to ``state``; False when it stops the run."""
    kinds = [classify_cell(record[i]) for i in selected]
    if any(k is UNCLEAR for k in kinds):
        state.unclear = True
        return True
    bad = [i for i, k in zip(selected, kinds, strict=True) if k is BAD]
    if bad:
        if on_error == "stop":
            state.bad_columns = [names[i] for i in bad]
            state.bad_cell = record[bad[0]]
            return False
        state.affected += 1
        if on_error == "skip":
            return True
    with np.errstate(all="ignore"):
        x = [np.array([math.nan if k is BAD or k is EMPTY else k]).astype(dtype) for k in kinds]
    results: dict[tuple[int, int], Cell] = {}
    for c, (act, bound, derivative) in enumerate(columns):
        if act.vector:
            vector = np.concatenate(x)
            y = evaluate(act, bound, derivative, kink, vector)
            empties = any(k is EMPTY for k in kinds) or (on_error in ("nan", "keep") and bad)
            for s, i in enumerate(selected):
                if kinds[s] is EMPTY:
                    results[i, c] = ("empty",)
                elif kinds[s] is BAD and on_error == "keep":
                    results[i, c] = ("kept", record[i])
                elif empties and kinds[s] is not BAD:
                    results[i, c] = ("any",)  # softmax of a row with an empty or bad cell: open
                else:
                    results[i, c] = ("num", y[s])
        else:
            for s, i in enumerate(selected):
                if kinds[s] is EMPTY:
                    results[i, c] = ("empty",)
                elif kinds[s] is BAD and on_error == "keep":
                    results[i, c] = ("kept", record[i])
                else:
                    results[i, c] = ("num", evaluate(act, bound, derivative, kink, x[s])[0])
    row: list[Cell] = []
    for i, text in enumerate(record):
        row.append(results[i, 0] if spec.replace and i in selected else ("text", text))
    if not spec.replace:
        for i in selected:
            row += [results[i, c] for c in range(len(columns))]
    state.rows.append(row)
    return True


def _csv_table(spec: CsvSpec, names: list[str], columns: list[tuple[Activation, dict[str, Any], bool]],
               selected: list[int], rows: list[list[Cell]], dtype: str, precision: int | None) -> Table:
    headers = list(names)
    result_columns = [i for i in range(len(names)) if spec.replace and i in selected]
    if not spec.replace:
        for i in selected:
            for act, bound, derivative in columns:
                result_columns.append(len(headers))
                name = header_of(act, bound, derivative, names[i])
                headers.append(spec.into if spec.into is not None else name)
    return Table(headers, rows, dtype, precision, write_header=not spec.no_header,
                 result_columns=result_columns, stream=True)


# --- one case, end to end ----------------------------------------------------------------------


def check(spec: Spec, inv: Invocation, outcome: Outcome) -> list[Failure]:
    if isinstance(spec, ValuesSpec):
        return check_values(spec, inv, outcome)
    if isinstance(spec, CsvSpec):
        return check_csv(spec, inv, outcome)
    codes = set(spec.codes)
    if spec.args[0] == "plot" and outcome.code == 2 and "nothing to draw" in outcome.err and 0 in codes:
        if _plot_has_nothing(spec.args):
            codes.add(2)
        else:
            return [Failure("plot", "'nothing to draw' where the library has finite values",
                            outcome.err[:200])]
    prefix = "actcli: エラー: " if "--lang" in spec.args else "actcli: error: "
    found = generic_failures(outcome, codes, prefix)
    if spec.json_out and outcome.code == 0:
        try:
            parse_json(outcome.out.decode("utf-8"))
        except ValueError as error:
            found.append(Failure("json", f"invalid JSON: {normalise(str(error))}", str(error)[:200]))
    return found


def _plot_has_nothing(args: list[str]) -> bool:
    """Whether the library gives no finite value on the plot's range (then 'nothing to draw' is right)."""
    params = []
    for i, token in enumerate(args):
        if token in ("-p", "--param"):
            params.append(("-p", *args[i + 1].partition("=")[::2]))
        elif token.startswith("--") and token[2:].partition("=")[0].replace("-", "_") in PARAMETER_NAMES:
            key, eq, value = token[2:].partition("=")
            params.append(("opt", key.replace("-", "_"), value if eq else args[i + 1]))
    bounds = args[args.index("--range") + 1] if "--range" in args else "-5:5"
    start, stop = (float(b) for b in bounds.split(":"))
    acts, _ = parse_acts(args[1], _option_params(params) or {})
    x = np.linspace(start, stop, 1001)
    derivatives = (False, True) if "--grad" in args else (False,)
    return not any(np.isfinite(evaluate(a, b, d, "pytorch", x)).any() for a, b in acts for d in derivatives)


def run_case(spec: Spec, use_subprocess: bool = False, timeout: float = 60.0
             ) -> tuple[Outcome, list[Failure]]:
    """Run one case (in-process, or ``python -m actcli`` when asked and possible) and check it."""
    inv = render(spec)
    outcome = run_subprocess(inv, timeout) if use_subprocess and inv.chunk is None else run_inprocess(inv)
    try:
        return outcome, check(spec, inv, outcome)
    except Exception as error:  # the fuzzer's own bug: reported, not hidden
        return outcome, [Failure("fuzzer-error", f"{type(error).__name__} in the oracle",
                                 traceback.format_exc()[-600:])]


# --- reproducers, reduction and the report -----------------------------------------------------


PRINTF_ESCAPES = {"\\": "\\\\", "%": "%%", "'": "'\\''", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _printf(data: bytes) -> str:
    """A printf command writing ``data`` exactly (octal escapes for what is not plain ASCII)."""
    out = ""
    for byte in data:
        char = chr(byte)
        if char in PRINTF_ESCAPES:
            out += PRINTF_ESCAPES[char]
        elif 32 <= byte < 127:
            out += char
        else:
            out += f"\\{byte:03o}"
    return f"printf {'-- ' if out.startswith('-') else ''}'{out}'"


def shell_quote(arg: str) -> str:
    """``arg`` for bash: plain, in single quotes, or ANSI-C quoted ($'...') when it holds controls."""
    if arg and re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", arg):
        return arg
    if not any(ord(c) < 32 or ord(c) == 127 for c in arg):
        return shlex.quote(arg)
    escapes = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    body = "".join(escapes.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 32 or ord(c) == 127 else c) for c in arg)
    return f"$'{body}'"


def reproducer(spec: Spec) -> str:
    """A shell command line that shows the failure (bash, in an empty directory)."""
    inv = render(spec)
    setup = "".join(f"{_printf(data)} > {name}; " for name, data in inv.files.items())
    if inv.chunk is not None:
        call = ("python -c 'import sys, actcli.streams as c, actcli.cli as m; "
                f"c.CHUNK_BYTES = {inv.chunk}; m.run(sys.argv[1:])' {' '.join(map(shell_quote, inv.args))}")
    else:
        call = "actcli " + " ".join(map(shell_quote, inv.args))
    if inv.stdin:
        return f"{setup}{_printf(inv.stdin)} | {call}"
    return f"{setup}{call} < /dev/null"


def _without(items: list[T], index: int) -> list[T]:
    return items[:index] + items[index + 1:]


def reductions(spec: Spec) -> Iterator[Spec]:
    """Smaller variants of ``spec``, most promising first."""
    if isinstance(spec, OtherSpec):
        return
    common = spec.common
    simpler = [replace(common, fmt=None), replace(common, precision=None), replace(common, dtype=None),
               replace(common, kink=None), replace(common, grad=False), replace(common, no_color=False),
               replace(common, extra=[])]
    simpler += [replace(common, params=_without(common.params, i)) for i in range(len(common.params))]
    parts = common.acts.split(",")
    if len(parts) > 1:
        simpler += [replace(common, acts=p) for p in parts]
    simpler += [replace(common, acts=":".join(common.acts.split(":")[:1])), replace(common, order=0)]
    if isinstance(spec, ValuesSpec):
        values = spec.values
        for size in (len(values) // 2, 1):
            if size:
                for start in range(0, len(values), size):
                    yield replace(spec, values=values[:start] + values[start + size:])
        yield replace(spec, files=[])
        yield replace(spec, stdin=b"")
        lines = spec.stdin.split(b"\n")
        for i in range(len(lines)):
            yield replace(spec, stdin=b"\n".join(_without(lines, i)))
        for i, value in enumerate(values):
            if ":" in value and not spec.huge:
                yield replace(spec, values=[*values[:i], value.split(":")[0], *values[i + 1:]])
        for c in simpler:
            if c != common:
                yield replace(spec, common=c)
        return
    assert isinstance(spec, CsvSpec)
    rows = spec.rows
    corrupt = spec.corruption
    for size in (len(rows) // 2, len(rows) // 8):
        if size > 1 and not corrupt:
            for start in range(0, len(rows), size):
                yield replace(spec, rows=rows[:start] + rows[start + size:])
    for i in range(len(rows)):
        if corrupt and corrupt[1] == i:
            continue
        shifted = (corrupt[0], corrupt[1] - 1) if corrupt and corrupt[1] > i else corrupt
        yield replace(spec, rows=_without(rows, i), corruption=shifted)
    for option in (dict(chunk=None), dict(bom=False), dict(line_ends="lf"), dict(final_newline=True),
                   dict(source="stdin"), dict(layout=0), dict(on_error=None), dict(into=None),
                   dict(replace=False), dict(corruption=None), dict(bad_selection=None)):
        candidate = replace(spec, **option)  # type: ignore[arg-type]
        if candidate != spec:
            yield candidate
    selected = {index for group in spec.selection for index, _ in group}
    for column in range(len(spec.header)):
        if column not in selected and len(spec.header) > 1:
            remap = [[(i - (i > column), form) for i, form in group] for group in spec.selection]
            yield replace(spec, header=_without(spec.header, column),
                          rows=[_without(r, column) for r in rows], selection=remap)
    if len(spec.selection) > 1 or len(spec.selection[0]) > 1:
        flat = [pair for group in spec.selection for pair in group]
        for pair in flat:
            yield replace(spec, selection=[[pair]])
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if j not in selected and cell not in ("", "a"):
                yield replace(spec, rows=[*rows[:i], [*row[:j], "a", *row[j + 1:]], *rows[i + 1:]])
    for c in simpler:
        if c != common:
            yield replace(spec, common=c)


def size_of(spec: Spec) -> int:
    return len(reproducer(spec))


def reduce(spec: Spec, klass: tuple[str, str], budget: int = 150, seconds: float = 60.0,
           run_timeout: float = 0.0) -> Spec:
    """Greedy reduction: keep any smaller variant that still fails in the same class, within
    ``budget`` runs and ``seconds``; ``run_timeout`` (seconds, main thread) bounds each run."""
    deadline = time.monotonic() + seconds
    runs = 0
    progress = True
    while progress and runs < budget and time.monotonic() < deadline:
        progress = False
        current = size_of(spec)
        for candidate in reductions(spec):
            if runs >= budget or time.monotonic() >= deadline:
                break
            if size_of(candidate) >= current:
                continue
            runs += 1
            if run_timeout:
                signal.setitimer(signal.ITIMER_REAL, run_timeout)
            try:
                _, failures = run_case(candidate)
            except (Exception, CaseTimeout):  # a variant the model cannot describe, or too slow
                continue
            finally:
                if run_timeout:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            if any(f.klass == klass for f in failures):
                spec = candidate
                progress = True
                break
    return spec


@dataclass
class FailureClass:
    oracle: str
    key: str
    count: int
    spec: Spec
    detail: str
    label: str
    subprocess: bool


@dataclass
class Report:
    """Failures grouped into classes, the smallest case of each kept."""

    classes: dict[tuple[str, str], FailureClass] = field(default_factory=dict)
    cases: int = 0
    codes: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    seconds: float = 0.0

    def add(self, spec: Spec, outcome: Outcome, failures: list[Failure], label: str = "") -> None:
        self.cases += 1
        self.seconds += outcome.seconds
        code = "truncated" if outcome.truncated else str(outcome.code)
        self.codes[code] = self.codes.get(code, 0) + 1
        for failure in {f.klass: f for f in failures}.values():
            known = self.classes.get(failure.klass)
            if known is None:
                self.classes[failure.klass] = FailureClass(failure.oracle, failure.key, 1, spec,
                                                           failure.detail, label, outcome.subprocess)
            else:
                known.count += 1
                if size_of(spec) < size_of(known.spec):
                    known.spec, known.detail, known.label = spec, failure.detail, label
                    known.subprocess = outcome.subprocess

    def merge(self, other: Report) -> None:
        for klass, fc in other.classes.items():
            known = self.classes.get(klass)
            if known is None:
                self.classes[klass] = fc
            else:
                known.count += fc.count
                if size_of(fc.spec) < size_of(known.spec):
                    known.spec, known.detail, known.label = fc.spec, fc.detail, fc.label
        self.cases += other.cases
        self.skipped += other.skipped
        self.seconds += other.seconds
        for code, n in other.codes.items():
            self.codes[code] = self.codes.get(code, 0) + n

    def reduce_all(self, budget: int = 150, seconds: float = 5.0, total: float = 30.0) -> None:
        """Reduce each class's case (in-process ones only), within ``total`` seconds in all."""
        deadline = time.monotonic() + total
        for fc in self.classes.values():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if fc.subprocess or isinstance(fc.spec, OtherSpec):
                continue
            fc.spec = reduce(fc.spec, (fc.oracle, fc.key), budget, min(seconds, left))
            _, failures = run_case(fc.spec)
            fc.detail = next((f.detail for f in failures if f.klass == (fc.oracle, fc.key)), fc.detail)

    def render(self) -> str:
        lines = [f"{self.cases} cases, exit codes {dict(sorted(self.codes.items()))}, "
                 f"{len(self.classes)} failure class{'es' if len(self.classes) != 1 else ''}"]
        for number, fc in enumerate(sorted(self.classes.values(), key=lambda c: (c.oracle, -c.count)), 1):
            lines.append(f"\n[{number}] {fc.oracle}: {fc.key}  ({fc.count} case{'s' * (fc.count != 1)}"
                         f"{', ' + fc.label if fc.label else ''})")
            lines.append(f"    {fc.detail}")
            lines.append(f"    $ {reproducer(fc.spec)}")
        return "\n".join(lines)


# --- closed pipes and interrupts (real processes) ----------------------------------------------


def _popen(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "actcli", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env())


def _feed(process: subprocess.Popen[bytes], data: bytes, close: bool) -> None:
    import threading

    def write() -> None:
        assert process.stdin is not None
        with contextlib.suppress(OSError):
            process.stdin.write(data)
            process.stdin.flush()
            if close:
                process.stdin.close()

    threading.Thread(target=write, daemon=True).start()


def gen_stream_case(src: Source) -> tuple[list[str], bytes]:
    """A command with a long output: a long range, or a long CSV on stdin."""
    name = src.choice([n for n in NAMES if not BY_NAME[n].vector])  # softmax needs every value first
    fmt = src.choice(["plain", "csv", "tsv", "json", "ndjson"])
    if src.chance(0.5):
        return [src.choice(["apply", "grad"]), name, "1:100000000", "-f", fmt], b""
    rows = b"".join(b"%d,a\n" % (i % 7 - 3) for i in range(200_000))
    return ["apply", name, "-c", "x", "-f", fmt], b"x,n\n" + rows


def check_closed_pipe(args: list[str], stdin: bytes, timeout: float = 60.0) -> list[Failure]:
    """README: the reader closing the pipe ends the program quietly (141, as seq or yes)."""
    process = _popen(args)
    assert process.stdout is not None and process.stderr is not None
    _feed(process, stdin, close=True)
    first = process.stdout.readline()
    process.stdout.close()
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return [Failure("closed-pipe", "the program goes on after its reader left", shlex.join(args))]
    err = process.stderr.read().decode("utf-8", "replace")
    found = []
    if not first:
        found.append(Failure("closed-pipe", "no output at all", err[:200]))
    if code != -signal.SIGPIPE:
        shown = 128 - code if code < 0 else code
        found.append(Failure("closed-pipe", f"exit {shown} instead of 141 (SIGPIPE)", err[:200]))
    if err:
        found.append(Failure("closed-pipe", "stderr not empty", err[:200]))
    return found


def check_interrupt(args: list[str], stdin: bytes, timeout: float = 60.0) -> list[Failure]:
    """README: Ctrl-C ends with 130 and one line (``actcli: interrupted...``), no traceback."""
    process = _popen(args)
    assert process.stdout is not None and process.stderr is not None
    _feed(process, stdin, close=False)
    first = process.stdout.readline()  # it started, read and wrote: now interrupt it
    process.send_signal(signal.SIGINT)
    try:
        out, err_bytes = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return [Failure("interrupt", "no end after SIGINT", shlex.join(args))]
    outcome = Outcome(process.returncode, first + out, err_bytes.decode("utf-8", "replace"), subprocess=True)
    return [replace(f, oracle=f"interrupt {f.oracle}") for f in generic_failures(outcome, {130})]


def gen_interrupt_case(src: Source) -> tuple[list[str], bytes]:
    """A command reading stdin that stays open, with output already written."""
    name = src.choice([n for n in NAMES if not BY_NAME[n].vector])
    if src.chance(0.5):
        return ["apply", name], b"-1\n" * 70_000  # more than a batch: output starts
    return ["apply", name, "-c", "x"], b"x\n-1\n2\n"
