"""The audit report of ``actcli check``, for people (Rich) and for programs (JSON: the keys of
actcli.audit.Report, written by actcli.render.json_safe)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from actcli.audit import Report

if TYPE_CHECKING:
    from rich.console import Console


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f} %" if whole else "-"


def _count(part: int, whole: int) -> str:
    return f"{part:,}  ({_percent(part, whole)})"


def print_report(report: Report, console: Console) -> None:
    from rich.text import Text

    from actcli import termtable
    from actcli.numtext import shortest

    what = f"{report.activation}{'′' if report.derivative else ''} in {report.format}"
    title = f"check: {what}" + (f" against {report.source}" if report.source else "")
    console.print(Text(title, style="bold"))
    worst = "-" if report.worst_x is None else f"at x = {shortest(report.worst_x)}"
    lines = [("rows", f"{report.rows:,}"),
             ("correctly rounded", _count(report.correctly_rounded, report.rows)),
             ("within 1 ULP", _count(report.within_1ulp, report.rows)),
             ("max error", f"{_ulps(report.max_ulp)} ULP {worst}")]
    if report.not_in_format:
        lines.append(("not values of the format", f"{report.not_in_format:,} (read as the nearest)"))
    if report.skipped:
        lines.append(("rows skipped", f"{report.skipped:,} (--on-error skip)"))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        console.print(Text(f"  {label:<{width}}  {value}"))
    console.print()
    bins = [(name, count) for name, count in report.histogram.items() if count]
    console.print(Text("errors in ULPs of the format, at the exact value", style="bold"))
    termtable.render(termtable.Rows([
        termtable.TableColumn("error", texts=[name for name, _ in bins]),
        termtable.TableColumn("rows", texts=[str(count) for _, count in bins]),
        termtable.TableColumn("share", texts=[_percent(count, report.rows) for _, count in bins]),
    ], len(bins), 0, len(bins)), console, keys=1)
    if report.worst:
        console.print(Text(f"the {len(report.worst)} worst inputs", style="bold"))
        columns = [termtable.TableColumn(header, numbers=np.array([w[key] for w in report.worst]))
                   for header, key in (("x", "x"), ("output", "y"),
                                       ("correctly rounded", "correctly_rounded"), ("ULP", "ulp"))]
        termtable.render(termtable.Rows(columns, len(report.worst), 0, len(report.worst)), console,
                         every_digit="--format json")


def _ulps(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:.3g}"
