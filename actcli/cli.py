"""The command line: a Typer app that only wires inputs, the library and renderers together.

Start-up matters (every TAB press runs this): NumPy, Rich and the renderers load inside the
commands that use them, never at import.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from typer._click import exceptions as click_exceptions  # Typer >= 0.26 vendors Click

from actcli import __version__
from actcli.errors import ActcliError, UsageProblem
from actcli.registry import ACTIVATIONS, KINK_CONVENTIONS, get, spellings
from actcli.spec import Column, parse_specs

if TYPE_CHECKING:
    from rich.console import Console

    from actcli.registry import KinkConvention

DEFAULT_TABLE_RANGE = "-3:3:0.5"
PARAMETER_COMMANDS = ("apply", "grad", "table", "info", "plot")  # they take --NAME VALUE parameters
PARAMETER_NAMES = sorted({p.name for a in ACTIVATIONS for p in a.parameters})

app = typer.Typer(
    name="actcli",
    help="Activation functions and their derivatives, exact to the last bit.\n\n"
    "Example: actcli apply relu 1 -10 0 15 -20 --format tutorial",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
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


class DescribeFormat(StrEnum):
    table = "table"
    json = "json"


class Dtype(StrEnum):
    float64 = "float64"
    float32 = "float32"
    float16 = "float16"


# The conventions come from the registry, the one place that defines them.
KinkChoice = StrEnum("KinkChoice", {k: k for k in KINK_CONVENTIONS})  # type: ignore[misc]
DEFAULT_KINK = KinkChoice(KINK_CONVENTIONS[0])  # pytorch


def _convention(choice: KinkChoice) -> KinkConvention:
    return cast("KinkConvention", choice.value)


def _complete_activation(incomplete: str) -> list[str]:
    """Names and aliases; after ``NAME:``, its parameter names (``elu:al`` -> ``elu:alpha=``)."""
    head, comma, last = incomplete.rpartition(",")
    prefix = head + comma
    if ":" in last:
        given, _, partial = last.rpartition(":")
        try:
            act = get(given.split(":")[0])
        except LookupError:
            return []
        used = {item.partition("=")[0] for item in given.split(":")[1:]}
        return [f"{prefix}{given}:{p.name}=" for p in act.parameters
                if p.name.startswith(partial) and p.name not in used]
    return [prefix + name for name in spellings() if name.startswith(last.lower())]


Act = Annotated[str, typer.Argument(
    metavar="ACT", help="Activation name or alias, with parameters inline: elu, elu:alpha=0.5.",
    autocompletion=_complete_activation, show_default=False)]
Acts = Annotated[str, typer.Argument(
    metavar="ACT[,ACT...]", help="One or more activations, comma-separated: relu,elu:alpha=0.5.",
    autocompletion=_complete_activation, show_default=False)]
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
    min=0, max=30, show_default=False,
    help="Round to N decimals for display (default: exact, the shortest round-trip text).")]
DtypeOption = Annotated[Dtype, typer.Option(help="Round inputs to this dtype; results keep it.")]
KinkOption = Annotated[KinkChoice, typer.Option(
    help="Derivative at kinks: pytorch's choice, the left or right derivative, or their mean.")]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colours (NO_COLOR is respected too).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"actcli {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Activation functions and their derivatives, exact to the last bit."""


def _console(no_color: bool) -> Console:
    from rich.console import Console

    return Console(no_color=True if no_color else None, highlight=False)


def _options(params: list[str] | None) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in params or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageProblem(f"--param takes NAME=VALUE, got {item!r}")
        options[key.strip().replace("-", "_")] = value.strip()
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
    metavar="NAME", show_default=False, help="CSV: name of the result column (default: relu(x)).")]
Replace = Annotated[bool, typer.Option("--replace", help="CSV: write results in place of their columns.")]
Delimiter = Annotated[str, typer.Option(
    "--delimiter", "-d", metavar="CHAR", help="CSV field delimiter; \\t for tab.")]
Tsv = Annotated[bool, typer.Option("--tsv", help="CSV input is tab-separated (-d '\\t').")]
NoHeader = Annotated[bool, typer.Option(
    "--no-header", help="CSV: the first line is data; columns are numbered from 1.")]
OnError = Annotated[OnErrorChoice, typer.Option(
    help="CSV: a cell that is not a number stops (exit 1), or its row is skipped, gets nan, or "
    "keeps the cell as it is; the count goes to stderr.")]
Progress = Annotated[bool | None, typer.Option(
    "--progress/--no-progress", show_default=False,
    help="Progress bar on stderr (default: on a terminal, for files over 4 MB).")]
Grad = Annotated[bool, typer.Option("--grad", help="Add a derivative column per activation.")]


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

    @property
    def selection(self) -> list[str]:
        return [name.strip() for item in self.column or [] for name in item.split(",") if name.strip()]

    @property
    def any_given(self) -> bool:
        return bool(self.into or self.replace or self.no_header or self.tsv or self.delimiter != ","
                    or self.on_error != OnErrorChoice.stop)


def _run(command: str, acts: str, param: list[str] | None, derivatives: tuple[bool, ...],
         values: list[str] | None, files: list[Path] | None, fmt: Format, precision: int | None,
         dtype: Dtype, kink: KinkChoice, no_color: bool, stream_options: CsvOptions) -> None:
    """The computing commands: values from arguments, files or stdin, or a CSV stream."""

    inputs = [str(path) for path in files or []]
    specs = parse_specs(acts, _options(param))
    if command != "table" and len(specs) > 1:
        raise UsageProblem(f"{command} takes one activation; for several use 'actcli table "
                           f"{','.join(s.activation.name for s in specs)} ...'")
    columns = [Column(s, d) for s in specs for d in derivatives]
    if stream_options.selection:
        _csv(command, columns, values, inputs, fmt, precision, dtype, kink, no_color, stream_options)
    elif stream_options.any_given:
        raise UsageProblem("--into, --replace, --no-header, --tsv, --delimiter and --on-error are "
                           "for CSV input: select its columns with -c NAME")
    else:
        _values(command, columns, values, inputs, fmt, precision, dtype, kink, no_color)


def _resolve_format(fmt: Format, piped: str) -> str:
    return ("table" if sys.stdout.isatty() else piped) if fmt == Format.auto else fmt.value


def _values(command: str, columns: list[Column], values: list[str] | None,
            inputs: list[str] | None, fmt: Format, precision: int | None, dtype: Dtype,
            kink: KinkChoice, no_color: bool) -> None:
    from actcli.inputs import read_values
    from actcli.render import make_renderer

    values, inputs = values or [], inputs or []
    if not values and not inputs and sys.stdin.isatty():
        if command != "table":
            name = columns[0].spec.activation.name
            raise UsageProblem(f"no values: give some (actcli {command} {name} 1 -10 0), a range "
                               f"(-1:1:0.1), -i FILE, or pipe them in")
        values = [DEFAULT_TABLE_RANGE]
    resolved = _resolve_format(fmt, "plain")
    show_x = command == "table" or resolved != "plain"
    headers = (["x"] if show_x else []) + [c.header for c in columns]
    renderer = make_renderer(resolved, sys.stdout, headers, [True] * len(headers), precision,
                             columns=columns, show_x=show_x,
                             console=_console(no_color) if resolved == "table" else None)
    try:
        for batch in read_values(values, inputs):
            x = batch.astype(dtype.value)
            renderer.write(x, [c.evaluate(x, _convention(kink)) for c in columns])
    finally:
        renderer.close()


def _csv(command: str, columns: list[Column], values: list[str] | None, inputs: list[str] | None,
         fmt: Format, precision: int | None, dtype: Dtype, kink: KinkChoice, no_color: bool,
         options: CsvOptions) -> None:
    from actcli import csvstream

    if any(v.strip() != "-" for v in values or []):
        raise UsageProblem("with -c, the CSV comes from -i FILE or stdin (-), not from VALUES")
    paths = list(inputs or []) + [v.strip() for v in values or []]
    separator = "\t" if options.tsv else options.delimiter.replace("\\t", "\t")
    if len(separator) != 1 or separator in '"\r\n':
        raise UsageProblem(f"--delimiter must be one character other than a quote or newline, "
                           f"got {options.delimiter!r}")
    resolved = _resolve_format(fmt, "tsv" if separator == "\t" else "csv")
    request = csvstream.CsvRequest(
        options.selection, columns, csvstream.Dialect(separator, header=not options.no_header),
        options.replace, options.into, options.on_error.value, dtype.value, _convention(kink), precision,
        options.progress)
    affected = csvstream.run(paths, request, resolved, sys.stdout, sys.stdin.buffer,
                             _console(no_color) if resolved == "table" else None,
                             sys.stderr.isatty())
    if affected:
        what = {"skip": "skipped", "nan": "given nan", "keep": "kept as they were"}[options.on_error.value]
        sys.stderr.write(f"actcli: {affected} row{'s' if affected != 1 else ''} with a cell that "
                         f"is not a number {what}\n")


@app.command()
def apply(
    act: Act, values: Values = None, input: Inputs = None, param: Params = None,
    column: ColumnsOption = None, into: Into = None, replace: Replace = False,
    format: FormatOption = Format.auto, precision: Precision = None,
    dtype: DtypeOption = Dtype.float64, delimiter: Delimiter = ",", tsv: Tsv = False,
    no_header: NoHeader = False, on_error: OnError = OnErrorChoice.stop, progress: Progress = None,
    no_color: NoColor = False,
) -> None:
    """f(x) for each value: actcli apply relu 1 -10 0 15 -20; or a CSV column: -c x < data.csv."""
    _run("apply", act, param, (False,), values, input, format, precision, dtype, DEFAULT_KINK,
         no_color, CsvOptions(column, into, replace, delimiter, tsv, no_header, on_error, progress))


@app.command()
def grad(
    act: Act, values: Values = None, input: Inputs = None, param: Params = None,
    kink: KinkOption = DEFAULT_KINK, column: ColumnsOption = None, into: Into = None,
    replace: Replace = False, format: FormatOption = Format.auto, precision: Precision = None,
    dtype: DtypeOption = Dtype.float64, delimiter: Delimiter = ",", tsv: Tsv = False,
    no_header: NoHeader = False, on_error: OnError = OnErrorChoice.stop, progress: Progress = None,
    no_color: NoColor = False,
) -> None:
    """f'(x), the first derivative, for each value: actcli grad elu -1 0 1 --kink right."""
    _run("grad", act, param, (True,), values, input, format, precision, dtype, kink, no_color,
         CsvOptions(column, into, replace, delimiter, tsv, no_header, on_error, progress))


@app.command()
def table(
    acts: Acts, values: Values = None, input: Inputs = None, param: Params = None,
    grad: Grad = False, kink: KinkOption = DEFAULT_KINK, column: ColumnsOption = None,
    format: FormatOption = Format.auto, precision: Precision = None,
    dtype: DtypeOption = Dtype.float64, delimiter: Delimiter = ",", tsv: Tsv = False,
    no_header: NoHeader = False, on_error: OnError = OnErrorChoice.stop, progress: Progress = None,
    no_color: NoColor = False,
) -> None:
    """A value table: one row per x, a column per activation (and derivative with --grad).

    With no values on a terminal, x runs over -3:3:0.5; with -c, the CSV with result columns."""
    _run("table", acts, param, (False, True) if grad else (False,), values, input, format,
         precision, dtype, kink, no_color,
         CsvOptions(column, None, False, delimiter, tsv, no_header, on_error, progress))


@app.command()
def plot(
    acts: Acts, param: Params = None, grad: Grad = False,
    x_range: Annotated[str, typer.Option(
        "--range", metavar="START:STOP", help="The x axis.")] = "-5:5",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE.png|.svg|.pdf", show_default=False,
        help="Write an image with matplotlib (pip install 'actcli[plot]') instead.")] = None,
    width: Annotated[int | None, typer.Option(min=20, show_default=False,
                                              help="Characters (default: the terminal's).")] = None,
    height: Annotated[int | None, typer.Option(min=8, show_default=False,
                                               help="Lines (default: fits the terminal).")] = None,
    no_color: NoColor = False,
) -> None:
    """The curves in the terminal, kinks marked; --grad adds the derivatives."""
    import shutil

    from actcli import plot as plots
    from actcli.render import title_of

    specs = parse_specs(acts, _options(param))
    columns = [Column(s, d) for s in specs for d in ((False, True) if grad else (False,))]
    start, stop = plots.parse_range(x_range)
    if output is not None:
        plots.image(plots.curves(columns, start, stop, 1001), output, title_of(columns))
        return
    size = shutil.get_terminal_size()
    columns_wide = width or size.columns
    lines = height or max(12, min(size.lines - 3, 32))
    color = sys.stdout.isatty() and not no_color and "NO_COLOR" not in os.environ
    drawn = plots.terminal(plots.curves(columns, start, stop, 4 * columns_wide), columns_wide,
                           lines, title_of(columns), color)
    sys.stdout.write(drawn + "\n")


@app.command("list")
def list_(
    format: Annotated[DescribeFormat, typer.Option("--format", "-f")] = DescribeFormat.table,
    no_color: NoColor = False,
) -> None:
    """Every activation: name, aliases, parameters with defaults, formula."""
    from actcli import describe

    if format == DescribeFormat.json:
        _print_json(describe.list_records())
    else:
        describe.print_list(_console(no_color))


@app.command()
def info(
    act: Act, param: Params = None,
    format: Annotated[DescribeFormat, typer.Option("--format", "-f")] = DescribeFormat.table,
    no_color: NoColor = False,
) -> None:
    """Formula, derivative, parameters, kinks and their conventions, reference, a value table."""
    from actcli import describe

    specs = parse_specs(act, _options(param))
    if len(specs) > 1:
        raise UsageProblem("info takes one activation")
    spec = specs[0]
    if format == DescribeFormat.json:
        _print_json(describe.info_record(spec))
    else:
        describe.print_info(spec, _console(no_color))


def _print_json(data: Any) -> None:
    import json

    # allow_nan=False: every non-finite number was turned into a string already (RFC 8259).
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


# --- argument preparation and the entry point ------------------------------------------------

NUMBER_LIKE = re.compile(r"-(?:\d|\.\d|inf|nan)", re.IGNORECASE)


def prepare_args(args: list[str]) -> list[str]:
    """Make the arguments of the commands that take activations safe for Click.

    - A negative number or range (-10, -.5, -1e-3, -inf, -1:1:0.1) would be read as an option
      cluster; a leading space makes Click see a value, and number parsing ignores it.
    - ``--alpha 0.5`` / ``--alpha=0.5`` for any parameter name of the registry becomes
      ``--param alpha=0.5``, the one option that carries parameters.
    Other commands' arguments pass unchanged.
    """
    command = next((a for a in args if not a.startswith("-")), None)
    if command not in PARAMETER_COMMANDS:
        return args
    out: list[str] = []
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            out.append(token)
            out.extend(f" {t}" if NUMBER_LIKE.match(t) else t for t in tokens)
            break
        name, eq, inline = token[2:].partition("=")
        if token.startswith("--") and name.replace("-", "_") in PARAMETER_NAMES:
            value = inline if eq else next(tokens, "")
            out += ["--param", f"{name.replace('-', '_')}={value.strip()}"]
        elif NUMBER_LIKE.match(token):
            out.append(f" {token}")
        else:
            out.append(token)
    return out


def _usage_line(error: click_exceptions.UsageError) -> str:
    message = error.format_message()
    if isinstance(error, click_exceptions.NoSuchOption):
        wanted = error.option_name.lstrip("-").replace("-", "_")
        import difflib  # only for error messages: kept off the start-up path
        close = difflib.get_close_matches(wanted, PARAMETER_NAMES, n=1, cutoff=0.7)
        if close:
            message = f"No such option: {error.option_name}; did you mean --{close[0].replace('_', '-')}?"
    where = error.ctx.command_path if error.ctx else "actcli"
    return f"{message.rstrip('.')} (see '{where} --help')"


def _fail(message: str, code: int) -> None:
    sys.stdout.flush()
    sys.stderr.write(f"actcli: error: {message}\n")
    sys.exit(code)


def main() -> None:
    """The console script."""
    if hasattr(signal, "SIGPIPE"):
        # Die quietly like other Unix tools when the reader goes away (`| head`): exit 141.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    run(sys.argv[1:])


def run(args: list[str]) -> None:
    """Run the app on ``args`` and exit, every failure turned into one line and an exit code
    (0 ok, 1 bad data or file, 2 usage, 130 interrupted)."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=prepare_args(args), prog_name="actcli", standalone_mode=False)
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
        _fail("interrupted", 130)
    except OSError as error:
        _fail(f"{error.filename or 'output'}: {error.strerror or error}", 1)
    sys.exit(code if isinstance(code, int) else 0)
