"""The audit report of ``actcli check``, for people (Rich) and for programs (JSON: the keys of
actcli.audit.Report, written by actcli.render.json_safe)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from actcli.audit import Report
from actcli.i18n import N_, _

if TYPE_CHECKING:
    from rich.console import Console


DISAGREEMENTS = {"nan": N_("NaN against a number"), "infinite_input": N_("at ±inf"),
                 "overflow": N_("±inf against a finite value"), "signed_zero": N_("0 of the other sign")}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f} %" if whole else "-"


def _count(part: int, whole: int, gap: str = "  ") -> str:
    return f"{part:,}{gap}({_percent(part, whole)})"


def print_report(report: Report, console: Console) -> None:
    from rich.text import Text

    from actcli import termtable
    from actcli.numtext import shortest

    what = f"{report.activation}{'′' if report.derivative else ''}"
    title = (_("check: {what} in {format} against {source}") if report.source
             else _("check: {what} in {format}")).format(what=what, format=report.format,
                                                         source=report.source)
    console.print(Text(title, style="bold"))
    worst = "-" if report.worst_x is None else _("at x = {x}").format(x=shortest(report.worst_x))
    lines = [(_("rows"), f"{report.rows:,}"),
             (_("correctly rounded"), _count(report.correctly_rounded, report.rows)),
             (_("within 1 ULP"), _count(report.within_1ulp, report.rows)),
             (_("max error"), f"{_ulps(report.max_ulp)} ULP {worst}")]
    if report.not_in_format:
        lines.append((_("not values of the format"),
                       _("{count} (read as the nearest)").format(count=f"{report.not_in_format:,}")))
    if report.skipped:
        lines.append((_("rows skipped"), _("{count} (--on-error skip)").format(count=f"{report.skipped:,}")))
    _aligned(console, lines)
    console.print()
    bins = [(name, count) for name, count in report.histogram.items() if count]
    console.print(Text(_("errors in ULPs of the format, at the exact value"), style="bold"))
    termtable.render(termtable.Rows([
        termtable.TableColumn(_("error"), texts=[name for name, _count in bins]),
        termtable.TableColumn(_("rows"), texts=[str(count) for _name, count in bins]),
        termtable.TableColumn(_("share"), texts=[_percent(count, report.rows) for _name, count in bins]),
    ], len(bins), 0, len(bins)), console, keys=1)
    if report.worst:
        _worst_inputs(report, console)
    if report.ranges:
        _ranges(report, console)
    if report.disagreements and any(report.disagreements.values()):
        console.print(Text(_("disagreements counted apart"), style="bold"))
        _aligned(console, [(_(DISAGREEMENTS[key]), f"{count:,}")
                           for key, count in report.disagreements.items()])
    if report.seconds is not None:
        console.print(Text(_("{rows} inputs in {seconds} s").format(rows=f"{report.rows:,}",
                                                                    seconds=f"{report.seconds:g}")))


def _aligned(console: Console, lines: list[tuple[str, str]]) -> None:
    """Labels and values, the values in one column."""
    from rich.cells import cell_len
    from rich.text import Text

    width = max(cell_len(label) for label, _value in lines)
    for label, value in lines:
        console.print(Text(f"  {label}{' ' * (width - cell_len(label))}  {value}"))


def _worst_inputs(report: Report, console: Console) -> None:
    """Each worst input with its error, then the output above the correctly rounded value, every
    digit of both (the point of the audit), aligned so that the digits where they part, in bold
    red, sit one above the other. Lines, not a table: they fit a terminal of any width."""
    from rich.cells import cell_len
    from rich.text import Text

    from actcli.formats import FORMATS
    from actcli.numtext import shortest

    dtype = FORMATS[report.format].dtype
    console.print(Text(_("the {count} worst inputs").format(count=len(report.worst)), style="bold"))
    labels = [_("output"), _("correctly rounded")]
    width = max(cell_len(label) for label in labels)
    for row in report.worst:
        console.print(Text(f"  x = {shortest(row['x'], dtype)}: {_ulps(row['ulp'])} ULP"))
        texts = [shortest(row["y"], dtype), shortest(row["correctly_rounded"], dtype)]
        same = next((i for i, (a, b) in enumerate(zip(*texts, strict=False)) if a != b), min(map(len, texts)))
        for label, text in zip(labels, texts, strict=True):
            line = Text(f"    {label}{' ' * (width - cell_len(label))}  {text[:same]}")
            line.append(text[same:], style="bold red")
            console.print(line)


def _ranges(report: Report, console: Console) -> None:
    """The longest runs of consecutive wrong inputs: where a kernel writer looks first."""
    from rich.text import Text

    from actcli.formats import FORMATS
    from actcli.numtext import shortest

    dtype = FORMATS[report.format].dtype
    console.print(Text(_("the {count} longest ranges of wrong inputs, of {total}").format(
        count=len(report.ranges or []), total=f"{report.range_count:,}"), style="bold"))
    for r in report.ranges or []:
        console.print(Text(_("  [{low}, {high}]: {inputs} inputs, up to {ulp} ULP at x = {x}").format(
            low=shortest(r["from"], dtype), high=shortest(r["to"], dtype), inputs=f"{r['inputs']:,}",
            ulp=_ulps(r["max_ulp"]), x=shortest(r["worst_x"], dtype))))


def markdown(report: Report) -> str:
    """The report as Markdown, to paste into a bug report: who was checked against what, the
    counts, the histogram, the worst inputs (as decimals and bit patterns) and the ranges. In
    English whatever the language (it is for the implementation's maintainers)."""
    from actcli import __version__
    from actcli.formats import FORMATS
    from actcli.numtext import shortest

    dtype = FORMATS[report.format].dtype

    def number(v: float) -> str:
        return f"`{shortest(v, dtype)}`"

    what = f"{report.activation}{' derivative' if report.derivative else ''}"
    scope = "every input" if report.ranges is not None else "these inputs"
    lines = [f"### actcli check: {what} in {report.format}, {scope}", "",
             "| | |", "|---|---|",
             f"| implementation | {report.source or 'the given outputs'} |",
             f"| reference | actcli {report.actcli_version or __version__}, correctly rounded |",
             f"| inputs | {report.rows:,} |",
             f"| correctly rounded | {_count(report.correctly_rounded, report.rows, ' ')} |",
             f"| within 1 ULP | {_count(report.within_1ulp, report.rows, ' ')} |",
             f"| max error | {_ulps(report.max_ulp)} ULP"
             + (f" at x = {number(report.worst_x)} |" if report.worst_x is not None else " |")]
    for key, count in (report.disagreements or {}).items():
        lines.append(f"| {DISAGREEMENTS[key]} | {count:,} |")
    if report.seconds is not None:
        lines.append(f"| time | {report.seconds:g} s |")
    lines += ["", "Errors in ULPs of the format, at the exact value:", "", "| error | inputs |", "|---|---:|"]
    lines += [f"| {name} | {count:,} |" for name, count in report.histogram.items() if count]
    if report.worst:
        lines += ["", "Worst inputs:", "", "| x | bits | output | correctly rounded | ULP |",
                  "|---|---|---|---|---:|"]
        lines += [f"| {number(row['x'])} | `{row.get('bits', '')}` | {number(row['y'])} | "
                  f"{number(row['correctly_rounded'])} | {_ulps(row['ulp'])} |" for row in report.worst]
    if report.ranges:
        lines += ["", f"Longest ranges of wrong inputs (of {report.range_count:,}):", "",
                  "| from | to | inputs | max ULP | at x |", "|---|---|---:|---:|---|"]
        lines += [f"| {number(r['from'])} | {number(r['to'])} | {r['inputs']:,} | {_ulps(r['max_ulp'])} | "
                  f"{number(r['worst_x'])} |" for r in report.ranges]
    return "\n".join(lines) + "\n"


def _ulps(value: float) -> str:
    """An error in ULPs as a person compares them: 1.92, 0.50, 3.1e+12."""
    return "∞" if math.isinf(value) else f"{value:.2f}" if value < 1e6 else f"{value:.2g}"
