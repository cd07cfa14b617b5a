"""``list`` and ``info``: the registry described, as Rich text for people or JSON for programs.

Everything here is read from the registry entries, so the descriptions cannot disagree with the
code that computes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from actcli.registry import ACTIVATIONS, FAMILIES, Activation, Kink, Param
from actcli.render import format_numbers, json_number
from actcli.spec import Column, Spec, show_value

if TYPE_CHECKING:
    from rich.console import Console

INFO_POINTS = np.arange(-3.0, 3.5, 1.0)  # the x of info's short value table


def _param_record(act: Activation, p: Param) -> dict[str, Any]:
    others = {lib: d[p.name] for lib, d in act.other_defaults.items() if p.name in d}
    return {"name": p.name, "default": p.default, "valid": p.valid_range, "doc": p.doc,
            "other_defaults": others}


def _kink_record(k: Kink) -> dict[str, float]:
    return {"at": k.at, "left": k.left, "right": k.right, "pytorch": k.pytorch,
            "mean": k.derivative("mean")}


def list_records() -> list[dict[str, Any]]:
    return [{"name": a.name, "aliases": list(a.aliases), "family": FAMILIES[a.family],
             "params": a.params, "formula": a.formula, "description": a.description}
            for a in ACTIVATIONS]


def print_list(console: Console) -> None:
    from rich.table import Table

    table = Table(title="Activations", title_style="bold", header_style="bold")
    for header in ("name", "aliases", "parameters", "formula"):
        table.add_column(header, overflow="fold")
    family = None
    for act in ACTIVATIONS:
        if act.family != family:
            family = act.family
            table.add_section()
            table.add_row(f"[italic]{FAMILIES[family]}[/italic]", "", "", "")
        params = "\n".join(f"{p.name}={show_value(p.default)}" for p in act.parameters)
        table.add_row(f"[bold]{act.name}[/bold]", ", ".join(act.aliases), params, act.formula)
    console.print(table)


def _value_rows(spec: Spec) -> list[list[str]]:
    columns = [INFO_POINTS, Column(spec, False).evaluate(INFO_POINTS),
               Column(spec, True).evaluate(INFO_POINTS)]
    return [list(row) for row in zip(*(format_numbers(c, None) for c in columns), strict=True)]


def info_record(spec: Spec) -> dict[str, Any]:
    act = spec.activation
    rows = _value_rows(spec)
    return {
        "name": act.name, "aliases": list(act.aliases), "family": FAMILIES[act.family],
        "description": act.description, "formula": act.formula, "grad_formula": act.grad_formula,
        "grad_note": act.grad_note or None,
        "parameters": [_param_record(act, p) for p in act.parameters],
        "params": spec.params,
        "kinks": [_kink_record(k) for k in act.kinks_for(spec.params)],
        "reference": act.reference,
        "values": [{"x": json.loads(json_number(r[0])), "f": json.loads(json_number(r[1])),
                    "grad": json.loads(json_number(r[2]))} for r in rows],
    }


def print_info(spec: Spec, console: Console) -> None:
    from rich.table import Table

    act = spec.activation
    console.print(f"[bold]{spec.label}[/bold] — {act.description}")
    if act.aliases:
        console.print(f"aliases: {', '.join(act.aliases)}")
    console.print(f"family: {FAMILIES[act.family]}\n")
    console.print(f"  {act.formula}")
    console.print(f"  {act.grad_formula}\n")
    if act.parameters:
        params = Table(title="parameters", title_justify="left", header_style="bold")
        for header in ("name", "value", "default", "valid", "other libraries", "meaning"):
            params.add_column(header, overflow="fold")
        for p in act.parameters:
            record = _param_record(act, p)
            others = ", ".join(f"{lib} {show_value(v)}" for lib, v in record["other_defaults"].items())
            params.add_row(p.name, show_value(spec.params[p.name]), show_value(p.default),
                           p.valid_range, others, p.doc)
        console.print(params)
    kinks = act.kinks_for(spec.params)
    if kinks:
        table = Table(title="kinks: f'(x) at each convention (--kink)", title_justify="left",
                      header_style="bold")
        for header in ("x", "pytorch (default)", "left", "right", "mean"):
            table.add_column(header, justify="right")
        for k in kinks:
            table.add_row(*format_numbers(np.array([k.at, k.pytorch, k.left, k.right,
                                                    k.derivative("mean")]), None))
        console.print(table)
    else:
        console.print("kinks: none (the derivative is continuous)")
    if act.grad_note:
        console.print(f"derivative: {act.grad_note}")
    values = Table(title="values", title_justify="left", header_style="bold")
    for header in ("x", spec.header(False), spec.header(True)):
        values.add_column(header, justify="right", overflow="fold")
    for row in _value_rows(spec):
        values.add_row(*row)
    console.print(values)
    if console.is_terminal:
        _small_plot(spec, console)
    console.print(f"reference: {act.reference}")


def _small_plot(spec: Spec, console: Console) -> None:
    """The function over -5:5, drawn in the terminal."""
    from rich.text import Text

    from actcli import plot

    column = Column(spec, False)
    width = min(console.width, 72)
    drawn = plot.terminal(plot.curves([column], -5.0, 5.0, 4 * width), width, 16, spec.label,
                          color=not console.no_color)
    console.print(Text.from_ansi(drawn))
