"""The audit report of ``actcli check``, for people (Rich) and for programs (JSON: the keys of
actcli.audit.Report, written by actcli.render.json_safe)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from actcli.audit import Report
from actcli.i18n import _

if TYPE_CHECKING:
    from rich.console import Console


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f} %" if whole else "-"


def _count(part: int, whole: int) -> str:
    return f"{part:,}  ({_percent(part, whole)})"


def print_report(report: Report, console: Console) -> None:
    from rich.cells import cell_len
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
    width = max(cell_len(label) for label, _value in lines)
    for label, value in lines:
        console.print(Text(f"  {label}{' ' * (width - cell_len(label))}  {value}"))
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


def _ulps(value: float) -> str:
    """An error in ULPs as a person compares them: 1.92, 0.50, 3.1e+12."""
    return "∞" if math.isinf(value) else f"{value:.2f}" if value < 1e6 else f"{value:.2g}"
