"""The command line: a Typer app that only wires inputs, the library and renderers together.

Start-up matters (every TAB press runs this): NumPy, Rich and the renderers load inside the
commands that use them, never at import.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from typer._click import core as click_core  # Typer >= 0.26 vendors Click
from typer._click import exceptions as click_exceptions
from typer._click import types as click_types
from typer._click.formatting import HelpFormatter

from actcli import __version__
from actcli.errors import ActcliError, DataError, Interrupted, UsageProblem
from actcli.formats import FORMATS
from actcli.formats import NAMES as FORMAT_NAMES
from actcli.i18n import N_, _
from actcli.registry import ACTIVATIONS, KINK_CONVENTIONS
from actcli.spec import Column, parse_specs

if TYPE_CHECKING:
    from rich.console import Console

    from actcli.registry import KinkConvention

DEFAULT_TABLE_RANGE = "-3:3:0.5"
PROGRESS_ROWS = 2000  # check shows a progress bar on a terminal from this many float64 rows (a few seconds)
PARAMETER_COMMANDS = ("apply", "grad", "table", "info", "plot", "check", "explain")  # they take --NAME VALUE
INPUT_COMMANDS = ("apply", "grad", "table", "check", "explain")  # they take -i FILE
# prepare_args turns ``-i FILE`` into the VALUES token FILE_MARK + FILE: files and numbers are
# then read in the order they were given (Click keeps options and arguments apart).
FILE_MARK = " -i "
PARAMETER_NAMES = sorted({p.name for a in ACTIVATIONS for p in a.parameters})



def _wide(text: str) -> bool:
    """Does ``text`` hold characters that take two columns of a terminal (kana, kanji)?"""
    import unicodedata

    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


class CellFormatter(HelpFormatter):
    """Click's help formatter, for text whose characters take two columns (Japanese): Click
    wraps by characters and between words only, so such text is wrapped by actcli.i18n.wrap,
    by columns, between words and characters as the Japanese line-breaking rules allow. A
    range reads as a person writes it ([0 to 30], not [0<=x<=30])."""

    def write_text(self, text: str) -> None:
        if not _wide(text):
            return super().write_text(text)
        from actcli.i18n import wrap

        indent = " " * self.current_indent
        for number, paragraph in enumerate(text.split("\n\n")):
            if number:
                self.write("\n")
            for line in wrap(paragraph, self.width - self.current_indent):
                self.write(f"{indent}{line}\n")
        return None

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term, _RANGE.sub(lambda m: _("[{low} to {high}]").format(low=m[1], high=m[2]), text))
                for term, text in rows]
        if not any(_wide(text) for _term, text in rows):
            return super().write_dl(rows, col_max, col_spacing)
        from actcli.i18n import cells, wrap

        first = min(max((cells(term) for term, _text in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(f"{indent}{term}")
            if not text:
                self.write("\n")
                continue
            if cells(term) <= first - col_spacing:
                self.write(" " * (first - cells(term)))
            else:
                self.write("\n" + " " * (first + self.current_indent))
            lines = wrap(text, max(self.width - self.current_indent - first - 2, 10))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{indent}{' ' * first}{line}\n")
        return None


_RANGE = re.compile(r"\[(-?[\d.]+)<=x<=(-?[\d.]+)\]")  # Click's way of showing an IntRange


class HelpContext(click_core.Context):
    formatter_class = CellFormatter


class Translated:
    """Help in the language in use, translated when it is shown (a run that shows none loads
    no catalog), Click's own words too: the "Usage: " prefix and the help option's text."""

    context_class: type[click_core.Context] = HelpContext

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _translate_help(self, ctx)
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), _("Usage: "))


class Command(Translated, typer.core.TyperCommand):
    """A command whose usage line reads ``ACT [VALUES]...`` (Typer braces required arguments)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [piece.strip("{}") for piece in super().collect_usage_pieces(ctx)]


def _translate_help(command: Any, ctx: Any = None) -> Any:
    """``command`` with its help texts and its options' (with ``ctx``, the help option's too)
    in the language in use; they are written in English."""
    from actcli import i18n

    if i18n.language() != i18n.ENGLISH:
        command.help = _(command.help) if command.help else command.help
        command.short_help = _(command.short_help) if command.short_help else command.short_help
        for param in command.get_params(ctx) if ctx is not None else command.params:
            if getattr(param, "help", None):
                param.help = _(param.help)
    return command


class Group(Translated, typer.core.TyperGroup):
    """The root command. It builds a subcommand only when that one is used: Typer would build
    them all up front, ~8 ms of every run and every TAB press (SPEC section 7)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [str(info.name) for info in COMMANDS.registered_commands]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            info = next((i for i in COMMANDS.registered_commands if i.name == cmd_name), None)
            if info is None:
                return None
            self.commands[cmd_name] = typer.main.get_command_from_info(
                info, pretty_exceptions_short=True, rich_markup_mode=None)
        return self.commands[cmd_name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As Click does, with the close names of an unknown command (aply: apply), as an
        unknown option gets them."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=2, cutoff=0.6)
            if close:
                raise click_exceptions.UsageError(
                    N_(f"no such command: {name}; did you mean {' or '.join(close)}?"), ctx)
            raise click_exceptions.UsageError(N_(f"no such command: {name}"), ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        for name in self.list_commands(ctx):  # their summaries, in the language in use
            _translate_help(self.get_command(ctx, name))
        super().format_commands(ctx, formatter)


COMMANDS = typer.Typer()  # the subcommands, which Group builds one at a time

app = typer.Typer(
    name="actcli",
    cls=Group,
    help="Activation functions and their derivatives, exact to the last bit.\n\n"
    "Example: actcli apply relu 1 -10 0 15 -20 --format tutorial",
    no_args_is_help=True,
    add_completion=False,  # ours (actcli.completion): Typer's lacks ':' and '=' handling in bash
    # Help as wide as the terminal, up to 100 columns (Click stops at 80).
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    # Plain Click help: Typer's Rich help imports rich.markdown and markdown-it, ~50 ms more per
    # --help, and completion and every one-liner pay part of that (SPEC section 7).
    rich_markup_mode=None,
)


class Format(StrEnum):
    auto = "auto"
    table = "table"
    tutorial = "tutorial"
    plain = "plain"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ndjson = "ndjson"


class ListFormat(StrEnum):
    auto = "auto"
    table = "table"
    plain = "plain"
    json = "json"


class InfoFormat(StrEnum):
    table = "table"
    json = "json"


# The formats come from actcli.formats, the one place that defines them.
Dtype = StrEnum("Dtype", {name: name for name in FORMAT_NAMES})  # type: ignore[misc]
DEFAULT_DTYPE = Dtype(FORMAT_NAMES[0])  # float64


# The conventions come from the registry, the one place that defines them.
KinkChoice = StrEnum("KinkChoice", {k: k for k in KINK_CONVENTIONS})  # type: ignore[misc]
DEFAULT_KINK = KinkChoice(KINK_CONVENTIONS[0])  # pytorch


def _convention(choice: KinkChoice) -> KinkConvention:
    return cast("KinkConvention", choice.value)


Act = Annotated[str, typer.Argument(
    metavar="ACT", help="Activation name or alias, with parameters inline: elu, elu:alpha=0.5.",
    show_default=False)]
Acts = Annotated[str, typer.Argument(
    metavar="ACT[,ACT...]", help="One or more activations, comma-separated: relu,elu:alpha=0.5.",
    show_default=False)]
Values = Annotated[list[str] | None, typer.Argument(
    metavar="[VALUES]...", show_default=False,
    help="Numbers (-10, 1e-3, .5, nan, inf), ranges START:STOP[:STEP] (-1:1:0.1) or - for stdin. "
    "None given: stdin when piped.")]
Inputs = Annotated[list[Path] | None, typer.Option(
    "--input", "-i", metavar="FILE", show_default=False,
    help="Read numbers from FILE (whitespace/comma separated, # comments); - is stdin. Repeatable.")]
Params = Annotated[list[str] | None, typer.Option(
    "--param", "-p", metavar="NAME=VALUE", show_default=False,
    help="A parameter of the (single) activation; --NAME VALUE works too, e.g. --alpha 0.5.")]
FormatOption = Annotated[Format, typer.Option(
    "--format", "-f", help="auto: a table on a terminal; in a pipe plain, or CSV for CSV input.")]
Precision = Annotated[int | None, typer.Option(
    min=0, max=30, metavar="N", show_default=False,
    help="Round to N decimals (0 to 30) for display (default: exact, the shortest round-trip text).")]
DtypeOption = Annotated[Dtype, typer.Option(
    help="Round inputs to this format; results are the exact values correctly rounded into it.")]
KinkOption = Annotated[KinkChoice, typer.Option(
    help="Derivative at kinks: pytorch's choice, the left or right derivative, or their mean.")]
NoColor = Annotated[bool, typer.Option(
    "--no-color", help="No colours or other escape codes (NO_COLOR and TERM=dumb too).")]


class Language(StrEnum):
    en = "en"
    ja = "ja"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"actcli {__version__}")
        raise typer.Exit()


def _this_shell() -> str:
    from actcli.completion import current_shell

    shell = current_shell()
    if shell is None:
        raise UsageProblem("cannot tell which shell this is; use 'actcli completion bash|zsh|fish'")
    return shell


def _install_completion(value: bool) -> None:
    if value:
        from actcli.completion import install

        typer.echo(install(_this_shell()))
        raise typer.Exit()


def _show_completion(value: bool) -> None:
    if value:
        from actcli.completion import SCRIPTS

        sys.stdout.write(SCRIPTS[_this_shell()])
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
    install_completion: Annotated[bool, typer.Option(
        "--install-completion", callback=_install_completion, is_eager=True,
        help="Install TAB completion for the shell you are in (bash, zsh or fish).")] = False,
    show_completion: Annotated[bool, typer.Option(
        "--show-completion", callback=_show_completion, is_eager=True,
        help="Print the completion script for the shell you are in.")] = False,
    # Read by _language before Click parses (help must be built in it); declared for --help.
    lang: Annotated[Language | None, typer.Option(
        "--lang", show_default=False,
        help="The language of messages, help and explanations, anywhere on the command line "
        "(default: from LC_ALL, LC_MESSAGES, LANG, LANGUAGE); data never changes.")] = None,
) -> None:
    """Activation functions and their derivatives, exact to the last bit."""


def _console(no_color: bool) -> Console:
    from actcli.console import make_console

    return make_console(no_color)


def _options(params: list[str] | None) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in params or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageProblem(f"--param takes NAME=VALUE, got {item!r}")
        name = key.strip().replace("-", "_")
        if name in options:
            raise UsageProblem(f"parameter {name!r} is given twice ({name}={options[name]} and {item})")
        options[name] = value.strip()
    return options


class OnErrorChoice(StrEnum):
    stop = "stop"
    skip = "skip"
    nan = "nan"
    keep = "keep"


ColumnsOption = Annotated[list[str] | None, typer.Option(
    "--column", "-c", metavar="NAME|INDEX", show_default=False,
    help="CSV input: compute this column (name or 1-based index); repeatable or comma-separated.")]
Into = Annotated[str | None, typer.Option(
    metavar="NAME", show_default=False,
    help="CSV: name of the result column (default: ACT(COLUMN), e.g. elu(score)).")]
Replace = Annotated[bool, typer.Option("--replace", help="CSV: write results in place of their columns.")]
Delimiter = Annotated[str, typer.Option(
    "--delimiter", "-d", metavar="CHAR", help="CSV field delimiter; \\t for tab.")]
Tsv = Annotated[bool, typer.Option("--tsv", help="CSV input is tab-separated (-d '\\t').")]
NoHeader = Annotated[bool, typer.Option(
    "--no-header", help="CSV: the first line is data; columns are numbered from 1.")]
OnError = Annotated[OnErrorChoice, typer.Option(
    help="CSV: a cell that is not a number stops (exit 1), or its row is skipped, gets nan, or "
    "keeps the cell as it is; the count goes to stderr.")]


class CheckOnErrorChoice(StrEnum):  # check has no use for a kept cell: it has no value to audit
    stop = "stop"
    skip = "skip"
    nan = "nan"


CheckOnError = Annotated[CheckOnErrorChoice, typer.Option(
    "--on-error", help="CSV: a cell that is not a number stops (exit 1), or its row is skipped, or "
    "gets nan; the count goes to stderr.")]
CheckInputs = Annotated[list[Path] | None, typer.Option(
    "--input", "-i", metavar="FILE", show_default=False,
    help="Read the inputs and outputs from a CSV FILE (-c X,Y; a two-column file needs none); - is "
    "stdin. Repeatable.")]
Progress = Annotated[bool | None, typer.Option(
    "--progress/--no-progress", show_default=False,
    help="Progress bar on stderr (default: on a terminal, for files over 4 MB).")]
Grad = Annotated[bool, typer.Option("--grad", help="Add a derivative column after each activation.")]


class NonFinite(StrEnum):
    string = "string"
    null = "null"


JsonNonFinite = Annotated[NonFinite, typer.Option(
    "--json-nonfinite", help='JSON: NaN and infinities as the strings "NaN", "Infinity", '
    '"-Infinity", or as null.')]


def _json_nonfinite(choice: NonFinite) -> None:
    if choice != NonFinite.string:
        from actcli.render import JSON_NONFINITE

        JSON_NONFINITE.set(choice.value)


class InputFormat(StrEnum):
    auto = "auto"
    csv = "csv"
    tsv = "tsv"
    parquet = "parquet"
    arrow = "arrow"
    ndjson = "ndjson"


InputFormatOption = Annotated[InputFormat, typer.Option(
    help="How -c reads its input (auto: by the file name, .parquet, .arrow, .feather, .ipc, "
    ".ndjson, .tsv; else CSV, compressed or not).")]
Output = Annotated[str | None, typer.Option(
    "--output", "-o", metavar="FILE", show_default=False,
    help="Write to FILE: .parquet, .arrow (.feather, .ipc), .csv, .tsv, .json, .ndjson set the "
    "format, .gz, .bz2, .zst compress text.")]


@dataclass(frozen=True)
class CsvOptions:
    """The CSV-stream options, as the computing commands received them."""

    column: list[str] | None
    into: str | None
    replace: bool
    delimiter: str
    tsv: bool
    no_header: bool
    on_error: OnErrorChoice
    progress: bool | None
    input_format: InputFormat = InputFormat.auto

    @property
    def selection(self) -> list[str]:
        return [name.strip() for item in self.column or [] for name in item.split(",") if name.strip()]

    @property
    def any_given(self) -> bool:
        return bool(self.into or self.replace or self.no_header or self.tsv or self.delimiter != ","
                    or self.on_error != OnErrorChoice.stop or self.input_format != InputFormat.auto)

    def reading(self, paths: list[str]) -> tuple[str, str]:
        """(input format: csv, parquet, arrow or ndjson; the CSV delimiter) for ``paths``."""
        from actcli.datafiles import input_format

        forced = None if self.input_format == InputFormat.auto else self.input_format.value
        kinds = {input_format(path, forced) for path in paths or ["-"]}
        if len(kinds) > 1:
            raise UsageProblem(f"the inputs are in different formats ({', '.join(sorted(kinds))}); "
                               f"convert them to one first")
        kind = kinds.pop()
        separator = "\t" if self.tsv or (kind == "tsv" and self.delimiter == ",") else (
            self.delimiter.replace("\\t", "\t"))
        if len(separator) != 1 or separator in '"\r\n':
            raise UsageProblem(f"--delimiter must be one character other than a quote or newline, "
                               f"got {self.delimiter!r}")
        return ("csv" if kind == "tsv" else kind), separator


def _run(command: str, acts: str, param: list[str] | None, derivatives: tuple[bool, ...],
         values: list[str] | None, files: list[Path] | None, fmt: Format, precision: int | None,
         dtype: Dtype, kink: KinkChoice, no_color: bool, stream_options: CsvOptions,
         output: str | None) -> None:
    """The computing commands: values from arguments, files or stdin, or a CSV stream."""

    inputs = [str(path) for path in files or []]
    specs = parse_specs(acts, _options(param))
    if command != "table" and len(specs) > 1:
        raise UsageProblem(f"{command} takes one activation; for several use 'actcli table "
                           f"{','.join(s.activation.name for s in specs)} ...'")
    columns = [Column(s, d) for s in specs for d in derivatives]
    if stream_options.selection:
        _csv(command, columns, values, inputs, fmt, precision, dtype, kink, no_color, stream_options,
             Target.of(output, fmt, "csv", precision))
    elif stream_options.any_given:
        raise UsageProblem("--into, --replace, --no-header, --tsv, --delimiter, --on-error and "
                           "--input-format are for CSV input: select its columns with -c NAME")
    else:
        _values(command, columns, values, inputs, fmt, precision, dtype, kink, no_color,
                Target.of(output, fmt, "plain", precision))


def _resolve_format(fmt: Format, piped: str) -> str:
    return ("table" if sys.stdout.isatty() else piped) if fmt == Format.auto else fmt.value


@dataclass(frozen=True)
class Target:
    """Where the output goes: stdout, or -o FILE, whose name may say the format."""

    format: str  # resolved: table, plain, csv, ... or parquet, arrow
    path: str | None = None
    compression: str | None = None

    @classmethod
    def of(cls, output: str | None, fmt: Format, piped: str, precision: int | None) -> Target:
        """``piped``: what auto means in a pipe (and in a file whose name says no format)."""
        if output is None or output == "-":
            return cls(_resolve_format(fmt, piped))
        from actcli.datafiles import BINARY, format_of

        kind, compression = format_of(output)
        suffixes = PurePath(output).suffixes[:-1 if compression else None]
        if kind is None and fmt == Format.auto and suffixes and suffixes[-1].lower() != ".txt":
            raise UsageProblem(f"-o {output}: actcli does not write {suffixes[-1]} files; name it .csv, "
                               f".tsv, .json, .ndjson, .txt, .parquet or .arrow, or give --format")
        if kind is not None and fmt not in (Format.auto, kind):
            raise UsageProblem(f"-o {output} writes {kind}, but --format {fmt.value} was asked")
        resolved = kind or (piped if fmt == Format.auto else fmt.value)
        if resolved == "table":
            raise UsageProblem("--format table is for a terminal; with -o use csv, tsv, json, "
                               "ndjson, plain, parquet or arrow")
        if resolved in BINARY and compression:
            raise UsageProblem(f"-o {output}: {kind} files compress themselves; drop the last suffix")
        if resolved in BINARY and precision is not None:
            raise UsageProblem(f"--precision rounds for display; {kind} files hold the exact floats")
        return cls(resolved, output, compression)

    @property
    def binary(self) -> bool:
        return self.format in ("parquet", "arrow")

    def open(self) -> Any:
        """The text stream to write to (stdout, or the file)."""
        if self.path is None:
            return sys.stdout
        from actcli.datafiles import open_text

        return open_text(self.path, self.compression)


def _values(command: str, columns: list[Column], values: list[str] | None,
            inputs: list[str] | None, fmt: Format, precision: int | None, dtype: Dtype,
            kink: KinkChoice, no_color: bool, target: Target) -> None:
    import numpy as np

    from actcli import inputs as sources
    from actcli.render import TableRenderer, make_renderer

    values, inputs = values or [], inputs or []
    if not values and not inputs and sys.stdin.isatty():
        if command != "table":
            name = columns[0].spec.activation.name
            raise UsageProblem(f"no values: give some (actcli {command} {name} 1 -10 0), a range "
                               f"(-1:1:0.1), -i FILE, or pipe them in")
        values = [DEFAULT_TABLE_RANGE]
    resolved = target.format
    show_x = command == "table" or resolved != "plain"
    headers = (["x"] if show_x else []) + [c.header for c in columns]
    if target.binary:
        from actcli.datafiles import FrameRenderer

        assert target.path is not None
        renderer: Any = FrameRenderer(target.path, resolved, headers, FORMATS[dtype.value])
    else:
        renderer = make_renderer(resolved, target.open(), headers, [True] * len(headers), precision,
                                 columns=columns, show_x=show_x, titled=command == "table",
                                 console=_console(no_color) if resolved == "table" else None)

    def write(x: Any) -> None:
        x = FORMATS[dtype.value].round(x)  # beyond a format's range is inf, by definition
        renderer.write(x, [c.evaluate(x, _convention(kink)) for c in columns])
        renderer.out.flush()  # a batch ends where the input paused: show its results now

    source = sources.Values(_sources(values, inputs))
    vector = any(c.spec.activation.vector for c in columns)
    try:
        terminal = isinstance(renderer, TableRenderer)
        if terminal:  # only a terminal's table needs the head and tail (and loads termtable)
            from actcli.termtable import HEAD, SHOW_ALL, TAIL
        known = source.parts() if terminal and not vector else None
        total = sources.count(known[0]) if known is not None else 0
        if known is not None and total > SHOW_ALL:
            # A terminal shows the ends of a long range: compute those, not the rows between.
            parts, bad = known
            write(sources.take(parts, 0, HEAD))
            renderer.skip(total - HEAD - TAIL)
            write(sources.take(parts, total - TAIL, total))
            if bad is not None:
                raise bad
        elif vector:  # softmax is over all the values given, read first
            write(np.concatenate([np.zeros(0), *source.batches()]))
        else:
            for batch in source.batches():
                write(batch)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted after {renderer.rows:,} values") from None
    finally:
        renderer.close()
        if renderer.out is not sys.stdout:
            renderer.out.close()


def _sources(values: list[str] | None, inputs: list[str] | None) -> list[Any]:
    """The values and files of the command line, in order (inputs: -i given to Click itself)."""
    from actcli.inputs import File

    marked = [File(v[len(FILE_MARK):]) if v.startswith(FILE_MARK) else v for v in values or []]
    return [File("-") if isinstance(v, str) and v.strip() == "-" else v for v in marked] + [
        File(path) for path in inputs or []]


def _csv(command: str, columns: list[Column], values: list[str] | None, inputs: list[str] | None,
         fmt: Format, precision: int | None, dtype: Dtype, kink: KinkChoice, no_color: bool,
         options: CsvOptions, target: Target) -> None:
    from actcli import csvstream
    from actcli.inputs import File

    sources = _sources(values, inputs)
    if any(not isinstance(s, File) for s in sources):
        raise UsageProblem("with -c, the CSV comes from -i FILE or stdin (-), not from VALUES")
    paths = [s.path for s in sources if isinstance(s, File)]
    kind, separator = options.reading(paths)
    if target.path is None and fmt == Format.auto and separator == "\t":
        target = Target.of(None, fmt, "tsv", precision)
    if not paths and sys.stdin.isatty():
        raise UsageProblem("no CSV: give -i FILE, or pipe it in (with - the terminal is read)")
    if target.binary and options.on_error == OnErrorChoice.keep:
        raise UsageProblem(f"--on-error keep writes the cell's text among numbers; {target.format} "
                           f"columns hold one type: use skip or nan")
    request = csvstream.CsvRequest(
        options.selection, columns, csvstream.Dialect(separator, header=not options.no_header),
        options.replace, options.into, options.on_error.value, dtype.value, _convention(kink), precision,
        options.progress, out_delimiter=separator if fmt == Format.auto else None, no_color=no_color,
        input_format=kind, typed_output=target.binary)
    console = _console(no_color) if target.format == "table" else None
    out = None if target.binary else target.open()

    def make_sink(job: csvstream.CsvJob) -> csvstream.Sink:
        if out is None:
            assert target.path is not None
            return csvstream.frame_sink(job, target.path, target.format)
        return csvstream.output_sink(job, request, target.format, out, console)

    try:
        affected = csvstream.run(paths, request, make_sink, sys.stdin.buffer, sys.stderr.isatty())
    finally:
        if out is not None and out is not sys.stdout:
            out.close()
        sys.stdout.flush()
    if affected:
        from actcli.i18n import plural

        sys.stderr.write("actcli: " + {
            "skip": plural("{count} row with a cell that is not a number skipped",
                           "{count} rows with a cell that is not a number skipped", affected),
            "nan": plural("{count} row with a cell that is not a number given nan",
                          "{count} rows with a cell that is not a number given nan", affected),
            "keep": plural("{count} row with a cell that is not a number kept as it was",
                           "{count} rows with a cell that is not a number kept as they were", affected),
        }[options.on_error.value].format(count=affected) + "\n")


@COMMANDS.command("apply", cls=Command, short_help="f(x) for each value, or for a CSV column.")
def apply(
    act: Act, values: Values = None, input: Inputs = None, param: Params = None,
    column: ColumnsOption = None, into: Into = None, replace: Replace = False,
    format: FormatOption = Format.auto, precision: Precision = None,
    dtype: DtypeOption = DEFAULT_DTYPE, delimiter: Delimiter = ",", tsv: Tsv = False,
    no_header: NoHeader = False, on_error: OnError = OnErrorChoice.stop, progress: Progress = None,
    input_format: InputFormatOption = InputFormat.auto, output: Output = None,
    json_nonfinite: JsonNonFinite = NonFinite.string, no_color: NoColor = False,
) -> None:
    """f(x) for each value: actcli apply relu 1 -10 0 15 -20; or a CSV column: -c x < data.csv."""
    _json_nonfinite(json_nonfinite)
    _run("apply", act, param, (False,), values, input, format, precision, dtype, DEFAULT_KINK,
         no_color, CsvOptions(column, into, replace, delimiter, tsv, no_header, on_error, progress,
                              input_format), output)


@COMMANDS.command("grad", cls=Command, short_help="f'(x), the derivative, for each value or a CSV column.")
def grad(
    act: Act, values: Values = None, input: Inputs = None, param: Params = None,
    kink: KinkOption = DEFAULT_KINK, column: ColumnsOption = None, into: Into = None,
    replace: Replace = False, format: FormatOption = Format.auto, precision: Precision = None,
    dtype: DtypeOption = DEFAULT_DTYPE, delimiter: Delimiter = ",", tsv: Tsv = False,
    no_header: NoHeader = False, on_error: OnError = OnErrorChoice.stop, progress: Progress = None,
    input_format: InputFormatOption = InputFormat.auto, output: Output = None,
    json_nonfinite: JsonNonFinite = NonFinite.string, no_color: NoColor = False,
) -> None:
    """f'(x), the first derivative, for each value: actcli grad elu -1 0 1 --kink right."""
    _json_nonfinite(json_nonfinite)
    _run("grad", act, param, (True,), values, input, format, precision, dtype, kink, no_color,
         CsvOptions(column, into, replace, delimiter, tsv, no_header, on_error, progress, input_format),
         output)


@COMMANDS.command("table", cls=Command,
                  short_help="A value table of one or more activations (and derivatives).")
def table(
    acts: Acts, values: Values = None, input: Inputs = None, param: Params = None,
    grad: Grad = False, kink: KinkOption = DEFAULT_KINK, column: ColumnsOption = None,
    format: FormatOption = Format.auto, precision: Precision = None,
    dtype: DtypeOption = DEFAULT_DTYPE, delimiter: Delimiter = ",", tsv: Tsv = False,
    no_header: NoHeader = False, on_error: OnError = OnErrorChoice.stop, progress: Progress = None,
    input_format: InputFormatOption = InputFormat.auto, output: Output = None,
    json_nonfinite: JsonNonFinite = NonFinite.string, no_color: NoColor = False,
) -> None:
    """A value table: one row per x, a column per activation (and derivative with --grad).

    With no values on a terminal, x runs over -3:3:0.5; with -c, the CSV with result columns."""
    _json_nonfinite(json_nonfinite)
    _run("table", acts, param, (False, True) if grad else (False,), values, input, format,
         precision, dtype, kink, no_color,
         CsvOptions(column, None, False, delimiter, tsv, no_header, on_error, progress, input_format),
         output)


@COMMANDS.command("plot", cls=Command,
                  short_help="Draw the curves in the terminal, or to a PNG/SVG/PDF file.")
def plot(
    acts: Acts, param: Params = None,
    grad: Annotated[bool, typer.Option(
        "--grad", help="Also draw each derivative (dashed, in its function's colour).")] = False,
    x_range: Annotated[str, typer.Option(
        "--range", metavar="START:STOP", help="The x axis.")] = "-5:5",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE.png|.svg|.pdf", show_default=False,
        help="Write an image with matplotlib (pip install 'actcli[plot]') instead.")] = None,
    width: Annotated[int | None, typer.Option(
        min=20, metavar="COLUMNS", show_default=False,
        help="Width in characters, at least 20 (default: the terminal's).")] = None,
    height: Annotated[int | None, typer.Option(
        min=8, metavar="LINES", show_default=False,
        help="Height in lines, at least 8 (default: fits the terminal).")] = None,
    no_color: NoColor = False,
) -> None:
    """The curves in the terminal with round ticks and the kinks marked; --grad adds the
    derivatives; -o FILE.png writes an image."""
    from actcli import plot as plots
    from actcli.render import title_of

    specs = parse_specs(acts, _options(param))
    columns = [Column(s, d) for s in specs for d in ((False, True) if grad else (False,))]
    start, stop = plots.parse_range(x_range)
    if output is not None:
        if width is not None or height is not None:
            raise UsageProblem("--width and --height size the plot in the terminal, in characters; an "
                               "image file from -o has its own size")
        plots.image(plots.curves(columns, start, stop, 1001), output, title_of(columns))
        return
    console = _console(no_color)
    lines = height or max(12, min(console.height - 2, 32))
    plain = console.color_system is None  # no colour: patterns tell the curves apart
    console.print(plots.terminal(columns, start, stop, width or console.width, lines, title_of(columns),
                                 plain))


@COMMANDS.command("list", cls=Command, short_help="Every activation: aliases, parameters, formula.")
def list_(
    words: Annotated[list[str] | None, typer.Argument(
        metavar="[WORD]...", show_default=False,
        help="Only the activations whose name or alias holds a WORD, or of a family: relu, sigmoid, shrink.",
    )] = None,
    format: Annotated[ListFormat, typer.Option(
        "--format", "-f",
        help="auto: a table on a terminal, one line per activation in a pipe.")] = ListFormat.auto,
    no_color: NoColor = False,
) -> None:
    """Every activation (or those matching WORD): name, aliases, parameters with defaults, formula."""
    from actcli import describe
    from actcli.registry import matching

    shown = matching(words) if words else list(ACTIVATIONS)
    if not shown:
        wanted = " or ".join(map(repr, words or []))
        raise UsageProblem(f"no activation's name or alias holds {wanted}, and no family is called so "
                           f"(see 'actcli list')")
    if format == ListFormat.json:
        _print_json(describe.list_records(shown))
    else:
        table = format == ListFormat.table or (format == ListFormat.auto and sys.stdout.isatty())
        describe.print_list(_console(no_color), table, shown)


@COMMANDS.command("info", cls=Command, short_help="Everything about one activation: formulas, kinks, values.")
def info(
    act: Act, param: Params = None,
    format: Annotated[InfoFormat, typer.Option(
        "--format", "-f", help="table: text for people (a small plot on a terminal); json."),
    ] = InfoFormat.table,
    json_nonfinite: JsonNonFinite = NonFinite.string, no_color: NoColor = False,
) -> None:
    """Formula, derivative, parameters, kinks and their conventions, reference, a value table."""
    from actcli import describe

    _json_nonfinite(json_nonfinite)
    specs = parse_specs(act, _options(param))
    if len(specs) > 1:
        raise UsageProblem("info takes one activation")
    spec = specs[0]
    if format == InfoFormat.json:
        _print_json(describe.info_record(spec))
    else:
        describe.print_info(spec, _console(no_color), plot=sys.stdout.isatty())


ExplainFormat = StrEnum("ExplainFormat", {f: f for f in ("auto", "plain", "json")})  # type: ignore[misc]
EXPLAIN_AUTO = ExplainFormat("auto")


@COMMANDS.command("explain", cls=Command,
                  short_help="The working: the piece that applies, each step, the derivative, notes.")
def explain(
    act: Act, values: Values = None, input: Inputs = None, param: Params = None,
    kink: KinkOption = DEFAULT_KINK, dtype: DtypeOption = DEFAULT_DTYPE,
    format: Annotated[ExplainFormat, typer.Option(
        "--format", "-f", help="auto: formula lines on a terminal, plain text in a pipe; json: "
        "records with x, value, grad, case, steps and notes.")] = EXPLAIN_AUTO,
    json_nonfinite: JsonNonFinite = NonFinite.string, no_color: NoColor = False,
) -> None:
    """The working for each value, as a teacher writes it: the definition, the piece that applies
    and why, the intermediate values, the result, the derivative (at a kink, what each
    convention gives), and notes: a zero gradient, saturation, rounding, lost digits."""
    import numpy as np

    from actcli import explain as explaining
    from actcli import inputs as sources

    _json_nonfinite(json_nonfinite)
    specs = parse_specs(act, _options(param))
    if len(specs) > 1:
        raise UsageProblem("explain takes one activation")
    spec, fmt = specs[0], FORMATS[dtype.value]
    if not values and not input and sys.stdin.isatty():
        raise UsageProblem(f"no values: give some (actcli explain {spec.activation.name} -1 0 1), "
                           f"-i FILE, or pipe them in")
    read = sources.Values(_sources(values, [str(path) for path in input or []])).batches()
    xs = fmt.round(np.concatenate([np.zeros(0), *read])).astype(np.float64)
    found = explaining.explain(spec, xs.tolist(), fmt, _convention(kink))
    if format == "json":
        _print_json([item.record() for item in found])
    elif format == "plain" or not sys.stdout.isatty():
        sys.stdout.write("".join(line + "\n" for line in explaining.plain_lines(spec, found)))
    else:
        explaining.print_rich(spec, found, _console(no_color))


class Subject(click_types.ParamType):
    """--against: a library's name (offered by TAB), or module:function (any text)."""

    name = "subject"
    choices = ("torch", "jax", "numpy", "scipy")  # actcli.against.LIBRARIES, without importing NumPy

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        return str(value)


class CheckFormat(StrEnum):
    auto = "auto"
    table = "table"
    json = "json"
    markdown = "markdown"


@COMMANDS.command("check", cls=Command,
                  short_help="Audit another implementation's outputs against the exact results.")
def check(
    act: Act,
    values: Annotated[list[str] | None, typer.Argument(
        metavar="[X=Y]...", show_default=False,
        help="Pairs of an input and its output, -1=0.5; else a CSV from -i FILE or stdin.")] = None,
    input: CheckInputs = None, param: Params = None,
    column: Annotated[list[str] | None, typer.Option(
        "--column", "-c", metavar="X,Y", show_default=False,
        help="CSV: the input and output columns (names or 1-based indexes); a two-column file "
        "needs none.")] = None,
    grad: Annotated[bool, typer.Option("--grad", help="The outputs are derivatives.")] = False,
    kink: KinkOption = DEFAULT_KINK,
    dtype: Annotated[Dtype, typer.Option(
        help="The format the outputs were computed in: each is read as a value of it.")] = DEFAULT_DTYPE,
    max_ulp: Annotated[float | None, typer.Option(
        "--max-ulp", metavar="N", show_default=False,
        help="Exit 1 when an error exceeds N ULPs (a gate for CI).")] = None,
    against: Annotated[str | None, typer.Option(
        metavar="SUBJECT", show_default=False, click_type=Subject(),
        help="Audit that implementation instead: a library (torch, jax, numpy, scipy), or "
        "module:function or path/to/file.py:function, called on arrays of the format. Every input "
        "of a 16- or 8-bit format, a sweep for float32/float64.")] = None,
    exhaustive: Annotated[bool, typer.Option(
        "--exhaustive", help="With --against: every bit pattern of the format, float32's 2**32 "
        "included, with the ranges of wrong inputs.")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", metavar="N", min=1, show_default=False,
        help="--exhaustive: processes to run (default: one a processor core).")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", metavar="SECONDS", min=0,
        help="--exhaustive: stop after 30 s if the whole would take longer.")] = 3600.0,
    format: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="table: a report for people; json: the findings as an object; "
        "markdown: a report to paste into a bug report."),
    ] = CheckFormat.auto,
    delimiter: Delimiter = ",", tsv: Tsv = False, no_header: NoHeader = False,
    on_error: CheckOnError = CheckOnErrorChoice.stop, input_format: InputFormatOption = InputFormat.auto,
    json_nonfinite: JsonNonFinite = NonFinite.string, no_color: NoColor = False,
) -> None:
    """Audit another implementation of ACT: given its inputs X and outputs Y (a CSV, -c X,Y, or
    X=Y pairs), count the correctly rounded outputs, measure every error in ULPs of the format
    at the exact value, and list the worst inputs. --against LIB audits that library instead."""
    import numpy as np

    from actcli import audit, report
    from actcli.console import progress_bar

    _json_nonfinite(json_nonfinite)
    specs = parse_specs(act, _options(param))
    if len(specs) > 1 or specs[0].activation.vector:
        raise UsageProblem("check audits one elementwise activation (softmax takes vectors)")
    spec, fmt = specs[0], FORMATS[dtype.value]
    source, skipped = "", 0
    if exhaustive:
        findings = _exhaustive(against, spec, fmt, grad, _convention(kink), jobs, time_limit, no_color)
    elif against is not None:
        x, y, source = _against(against, spec, fmt, grad, _convention(kink))
    elif any("=" in v for v in values or []):
        x, y = _pairs(values or [])
    else:
        options = CsvOptions(column, None, False, delimiter, tsv, no_header, OnErrorChoice(on_error.value),
                             None, input_format)
        x, y, skipped = _csv_pairs(_sources(values, [str(path) for path in input or []]), options)
    if not exhaustive:
        x_in, y_in = fmt.round(x).astype(np.float64), fmt.round(y).astype(np.float64)
        outside = (x_in != x) & ~np.isnan(x) | (y_in != y) & ~np.isnan(y)
        # float64 is exact, row by row: slow
        slow = fmt.name == "float64" and len(x_in) > PROGRESS_ROWS and sys.stderr.isatty()
        with progress_bar(slow, len(x_in), _("checking"), no_color, unit="rows") as advance:
            measured = audit.measure(spec.activation, spec.params, grad, _convention(kink), fmt, x_in, y_in,
                                     advance)
        findings = audit.report(fmt, x_in, y_in, measured, spec.label, grad, int(np.count_nonzero(outside)),
                                skipped, source)
    if format == CheckFormat.json:
        _print_json(findings.record())
    elif format == CheckFormat.markdown:
        sys.stdout.write(report.markdown(findings))
    else:
        report.print_report(findings, _console(no_color))
    if max_ulp is not None and findings.max_ulp > max_ulp:
        raise DataError(f"the largest error, {findings.max_ulp:.3g} ULP, exceeds --max-ulp {max_ulp:g}")


def _against(given: str, spec: Any, fmt: Any, derivative: bool,
             kink: KinkConvention) -> tuple[Any, Any, str]:
    from actcli import against, audit

    act = spec.activation
    x = (audit.every_value(fmt) if fmt.dtype.itemsize <= 2
         else audit.sweep(act, spec.params, fmt, derivative, kink))
    y = against.subject(given, act.name, spec.params, derivative, fmt)(fmt.round(x))
    return x, y.astype("float64"), against.described(given)


def _exhaustive(given: str | None, spec: Any, fmt: Any, derivative: bool, kink: KinkConvention,
                jobs: int | None, time_limit: float, no_color: bool) -> Any:
    """The report of --exhaustive: every input of the format through the subject ``given``."""
    from actcli import against, exhaustive
    from actcli.console import progress_bar

    if given is None:
        raise UsageProblem("--exhaustive audits an implementation: give --against LIB or module:function")
    if fmt.name == "float64":
        raise UsageProblem("--exhaustive takes a format of 32 bits or fewer (float64 has 2**64 inputs)")
    job = exhaustive.Job(spec.activation.name, spec.params, derivative, kink, fmt.name, given)
    total = 1 << (8 * fmt.dtype.itemsize)
    with progress_bar(sys.stderr.isatty() and total > exhaustive.CHUNK, total, _("checking every input"),
                      no_color, unit="rows") as advance:
        found, seconds = exhaustive.run(job, jobs or exhaustive.default_jobs(), advance, time_limit)
    return exhaustive.report(found, fmt, spec.label, derivative, against.described(given), seconds)


def _pairs(values: list[str]) -> tuple[Any, Any]:
    """X=Y arguments as two arrays."""
    import numpy as np

    from actcli.inputs import number

    pairs = []
    for index, token in enumerate(values, start=1):
        x, sep, y = token.strip().partition("=")
        if not sep:
            raise DataError(f"argument {index}: cannot read {token.strip()!r} as X=Y")
        pairs.append((number(x, f"argument {index}"), number(y, f"argument {index}")))
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def _csv_pairs(sources: list[Any], options: CsvOptions) -> tuple[Any, Any, int]:
    """(x, y, rows skipped) from the CSV's X and Y columns."""
    import numpy as np

    from actcli import csvstream
    from actcli.inputs import File

    if any(not isinstance(s, File) for s in sources):
        raise UsageProblem("check reads X=Y pairs, or a CSV from -i FILE or stdin (-)")
    paths = [s.path for s in sources]
    if not paths and sys.stdin.isatty():
        raise UsageProblem("nothing to check: give X=Y pairs, -i FILE with the outputs, pipe them "
                           "in, or --against LIB")
    kind, separator = options.reading(paths)
    selection = options.selection or ["1", "2"]
    if len(selection) != 2:
        raise UsageProblem(f"-c takes the two columns X,Y, got {len(selection)}")
    dialect = csvstream.Dialect(separator, header=not options.no_header)
    request = csvstream.CsvRequest(selection, [], dialect, False, None, options.on_error.value, "float64",
                                   "pytorch", None, None, input_format=kind)
    parts: list[tuple[Any, Any]] = []

    def collect(job: csvstream.CsvJob) -> csvstream.Sink:
        if not options.selection and len(job.names) != 2:
            raise UsageProblem(f"which columns hold x and y? give -c X,Y (the input has {len(job.names)})")

        def encode(frame: Any) -> tuple[Any, Any]:
            return tuple(csvstream.numbers(frame.to_series(i)) for i in job.selected)  # type: ignore[return-value]

        return csvstream.Sink(encode, parts.append, lambda: None)

    skipped = csvstream.run(paths, request, collect, sys.stdin.buffer, False)
    x = np.concatenate([np.zeros(0), *(p[0] for p in parts)])
    y = np.concatenate([np.zeros(0), *(p[1] for p in parts)])
    return x, y, skipped if options.on_error == OnErrorChoice.skip else 0


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@COMMANDS.command("completion", cls=Command,
                  short_help="Print the TAB completion script for bash, zsh or fish.")
def completion(shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")]) -> None:
    """Print the TAB completion script for SHELL (the same as completions/ in the source).
    Save it where the shell looks: actcli completion bash > FILE, with FILE

    \b
    bash  ~/.local/share/bash-completion/completions/actcli
    zsh   ~/.zfunc/_actcli (fpath+=(~/.zfunc) before compinit)
    fish  ~/.config/fish/completions/actcli.fish"""
    from actcli.completion import SCRIPTS

    sys.stdout.write(SCRIPTS[shell.value])


def _print_json(data: Any) -> None:
    import json

    from actcli.render import json_safe

    # allow_nan=False: json_safe spelled every non-finite number as JSON can hold it (RFC 8259).
    sys.stdout.write(json.dumps(json_safe(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


# --- argument preparation and the entry point ------------------------------------------------

NUMBER_LIKE = re.compile(r"-(?:\d|\.\d|inf|nan)", re.IGNORECASE)


def prepare_args(args: list[str], root: Any = None) -> list[str]:
    """Make the arguments of the commands that take activations safe for Click.

    - A negative number or range among the values (-10, -.5, -1e-3, -inf, -1:1:0.1) would be
      read as an option cluster; a leading space makes Click see a value, and number parsing
      ignores it. An option's own value (--into -5, --range -5:5) is left as it is.
    - ``--alpha 0.5`` / ``--alpha=0.5`` for any parameter name of the registry becomes
      ``--param alpha=0.5``, the one option that carries parameters.
    - ``-i FILE`` (``--input FILE``, ``--input=FILE``, ``-iFILE``) becomes the VALUES token
      FILE_MARK + FILE, so that files and numbers are read in the order they were given (after
      ACT, which is always the first of the positional arguments).
    Other commands' arguments pass unchanged. ``root`` is the Click group (built if not given).
    """
    place = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
    if place is None or args[place] not in PARAMETER_COMMANDS:
        return args
    command = args[place]
    group: Any = root if root is not None else typer.main.get_command(app)
    with_value = {o for p in group.get_command(None, command).params if getattr(p, "opts", None)
                  and p.param_type_name == "option" and not p.is_flag and not p.count for o in p.opts}
    out, held, act_seen = list(args[:place + 1]), list[str](), False
    tokens = iter(args[place + 1:])
    for token in tokens:
        if token == "--":
            out.append(token)
            out.extend(f" {t}" if NUMBER_LIKE.match(t) else t for t in tokens)
            break
        name, eq, inline = token[2:].partition("=")
        path = _input_path(token, tokens) if command in INPUT_COMMANDS else None
        if path is not None:
            (out if act_seen else held).append(FILE_MARK + path)
        elif token.startswith("--") and name.replace("-", "_") in PARAMETER_NAMES:
            value = inline if eq else next(tokens, "")
            out += ["--param", f"{name.replace('-', '_')}={value.strip()}"]
        elif token in with_value:
            out += [token, *(t for t in [next(tokens, None)] if t is not None)]
        elif NUMBER_LIKE.match(token):
            out.append(f" {token}")
        else:
            out.append(token)
            if not token.startswith("-") and not act_seen:  # ACT: the files held come after it
                act_seen = True
                out += held
                held = []
    return out + held


def _input_path(token: str, rest: Iterator[str]) -> str | None:
    """The FILE of ``-i FILE`` and its other spellings, taking it from ``rest`` when it is the
    next token; None for any other token (or an -i with nothing after it: Click says so)."""
    if token in ("-i", "--input"):
        return next(rest, None)
    if token.startswith("--input="):
        return token[len("--input="):]
    if token.startswith("-i") and len(token) > 2 and not NUMBER_LIKE.match(token):  # not -inf
        return token[2:]
    return None


def _usage_line(error: click_exceptions.UsageError) -> str:
    message = _in_our_words(error.format_message().rstrip("."))
    if isinstance(error, click_exceptions.NoSuchOption) and error.ctx is not None:
        message = _no_such_option(error.option_name, error.ctx)
    from actcli.i18n import message as translated

    where = error.ctx.command_path if error.ctx else "actcli"
    return _("{message} (see '{where} --help')").format(message=translated(message.rstrip(".")),
                                                        where=where)


def _in_our_words(message: str) -> str:
    """Click's own usage errors worded as actcli's are: lower case, a range as a person writes it
    (from 0 to 30, not 0<=x<=30), what was missing or too much."""
    invalid = r"Invalid value for '(.+?)': (.+?)"
    if found := re.fullmatch(r"Missing argument '(.+)'", message):
        return N_(f"{found[1]} is missing")
    if found := re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)", message):
        return N_(f"too many arguments: {found[1]}")
    if found := re.fullmatch(invalid + r" is not in the range (-?[\d.]+)<=x<=(-?[\d.]+)", message):
        return N_(f"{found[1]} takes a number from {found[3]} to {found[4]}, not {found[2]}")
    if found := re.fullmatch(invalid + r" is not a valid (?:int range|integer)", message):
        return N_(f"{found[1]} takes a whole number, not {found[2]}")
    return message


def _no_such_option(name: str, ctx: Any) -> str:
    """What to say of an unknown option: which commands have it, or the close names."""
    import difflib  # only for error messages: kept off the start-up path

    def options(command: Any) -> list[str]:
        return [o for p in command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")]

    here = ctx.command.name
    group = ctx.parent.command if ctx.parent is not None else ctx.command
    siblings = group.list_commands(ctx) if ctx.parent is not None else []
    owners = [n for n in siblings if n != here and name in options(group.get_command(ctx, n))]
    if owners:
        if len(owners) == 1:
            return N_(f"{here} has no option {name}; {owners[0]} has it")
        return N_(f"{here} has no option {name}; {', '.join(owners[:-1])} and {owners[-1]} have it")
    known = options(ctx.command) + [f"--{p.replace('_', '-')}" for p in PARAMETER_NAMES]
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.75)
    if close:
        return N_(f"no such option: {name}; did you mean {' or '.join(close)}?")
    return N_(f"no such option: {name}")


def _fail(message: str, code: int, error: bool = True) -> None:
    from actcli.i18n import message as translated

    sys.stdout.flush()
    sys.stderr.write(f"actcli: {_('error: ') if error else ''}{translated(message)}\n")
    sys.exit(code)


def _language(args: list[str]) -> tuple[str, list[str]]:
    """The language (--lang anywhere before a --, else the environment's) and the arguments
    without --lang: every command takes it, and it must be known before any help is built."""
    from actcli import i18n

    chosen, rest, tokens = None, [], iter(args)
    for token in tokens:
        if token == "--":
            rest += [token, *tokens]
            break
        if token == "--lang":
            chosen = next(tokens, "")
        elif token.startswith("--lang="):
            chosen = token[len("--lang="):]
        else:
            rest.append(token)
    if chosen is None:
        return i18n.from_environment(os.environ), rest
    if chosen not in i18n.LANGUAGES:
        i18n.use(i18n.from_environment(os.environ))  # the error in the environment's language
        _fail(f"--lang takes {' or '.join(i18n.LANGUAGES)}, got {chosen!r}", 2)
    return chosen, rest


def main() -> None:
    """The console script."""
    if hasattr(signal, "SIGPIPE"):
        # Die quietly like other Unix tools when the reader goes away (`| head`): exit 141.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    shell = os.environ.get("_ACTCLI_COMPLETE")
    if shell:  # a TAB press: answer it and nothing else
        from actcli import completion, i18n

        i18n.use(i18n.from_environment(os.environ))
        root: Any = typer.main.get_command(app)
        if shell != "bash":  # zsh and fish show descriptions: in the language in use
            for name in root.list_commands(None):
                _translate_help(root.get_command(None, name))
            _translate_help(root)
        completion.main(shell, root)
        return
    run(sys.argv[1:])


def run(args: list[str]) -> None:
    """Run the app on ``args`` and exit, every failure turned into one line and an exit code
    (0 ok, 1 bad data or file, 2 usage, 130 interrupted)."""
    import contextvars

    from actcli import i18n

    language, args = _language(args)
    i18n.use(language)
    command = typer.main.get_command(app)
    try:
        # In a context of its own: settings such as --json-nonfinite end with the command.
        code = contextvars.copy_context().run(
            command.main, args=prepare_args(args, command), prog_name="actcli", standalone_mode=False)
    except Interrupted as error:
        _fail(str(error), error.exit_code, error=False)
    except ActcliError as error:
        _fail(str(error), error.exit_code)
    except click_exceptions.NoArgsIsHelpError as error:
        sys.stderr.write(error.format_message() + "\n")  # the help text itself
        sys.exit(2)
    except click_exceptions.UsageError as error:
        _fail(_usage_line(error), 2)
    except click_exceptions.ClickException as error:
        _fail(error.format_message(), error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 130, error=False)
    except OSError as error:
        _fail(f"{error.filename or 'output'}: {error.strerror or error}", 1)
    if code == 130:  # Typer turns a KeyboardInterrupt into a bare exit 130: say what it was
        _fail("interrupted", 130, error=False)
    sys.exit(code if isinstance(code, int) else 0)
