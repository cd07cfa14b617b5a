"""``list`` and ``info``: the registry described, as Rich text for people or JSON for programs.

Everything here is read from the registry entries, so the descriptions cannot disagree with the
code that computes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from actcli.console import print_wrapped
from actcli.formats import FORMATS
from actcli.i18n import _, message
from actcli.numtext import exact_texts, rounded, shortest
from actcli.registry import ACTIVATIONS, FAMILIES, Activation, Kink, Param, ParamValue
from actcli.render import json_number
from actcli.spec import Column, Spec, show_value

if TYPE_CHECKING:
    from rich.console import Console

INFO_POINTS = np.arange(-3.0, 3.5, 1.0)  # the x of info's short value table
JSON = "--format json"


def _param_record(act: Activation, p: Param) -> dict[str, Any]:
    others = {lib: d[p.name] for lib, d in act.other_defaults.items() if p.name in d}
    return {"name": p.name, "default": p.default, "valid": p.valid_range, "doc": p.doc,
            "other_defaults": others}


def _kink_record(k: Kink) -> dict[str, float]:
    return {"at": k.at, "left": k.left, "right": k.right, "pytorch": k.pytorch,
            "mean": k.derivative("mean")}


def list_records(shown: Sequence[Activation] = ACTIVATIONS) -> list[dict[str, Any]]:
    return [{"name": a.name, "aliases": list(a.aliases), "family": FAMILIES[a.family],
             "params": a.params, "formula": a.formula, "description": a.description}
            for a in shown]


def short_value(value: ParamValue) -> str:
    """A parameter value for people: exact when short, else 4 digits and an ellipsis
    (``0.3333…``), never split."""
    if not isinstance(value, float):
        return show_value(value)
    text = rounded(value, 4)
    return text if text == shortest(value) else text + "…"


def wrap_formula(text: str, width: int) -> list[str]:
    """A formula in lines of at most ``width``, broken where a reader pauses (after ';', before
    'if', 'else' or an operator, at a space at worst), continued under its right-hand side."""
    equals = text.find("= ")
    indent = " " * (equals + 2 if 0 <= equals < width // 3 else 2)
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        cut = _break(rest, width)
        lines.append(rest[:cut].rstrip())
        rest = indent + rest[cut:].lstrip()
    return [*lines, rest]


# Where a formula may break, best first: after a clause, before a condition, before an operator.
_BREAKS = (re.compile(r";\s+|\s{2,}"), re.compile(r" (?=if |else |where |tanh: |\()"),
           re.compile(r" (?=[+−·/=<>≤≥] )"), re.compile(r" "))


def _break(text: str, width: int) -> int:
    for pattern in _BREAKS:
        cuts = [m.end() for m in pattern.finditer(text, 0, width + 1) if width // 3 < m.end() <= width]
        if cuts:
            return cuts[-1]
    return width  # one unbroken word longer than the line


def _param_text(p: Param, value: ParamValue) -> str:
    return f"{p.name}={short_value(value)}"


def print_list(console: Console, as_table: bool, shown: Sequence[Activation] = ACTIVATIONS) -> None:
    """The activations: a table fitted to the console (its widths those of the full list, so a
    filtered list lines up with it), or one line each, which grep can use."""
    if not as_table:
        _plain_list(console, shown)
        return
    from rich.table import Table
    from rich.text import Text

    wide = console.width >= 110
    names = max(len(a.name) for a in ACTIVATIONS)
    params = max(len(_param_text(p, p.default)) for a in ACTIVATIONS for p in a.parameters)
    aliases = 22 if wide else 0
    first = max(names, params) if not wide else names
    used = first + aliases + (params if wide else 0)
    formula_width = console.width - used - 3 * (4 if wide else 2) - 1
    table = Table(title=_("Activations"), title_style="bold", header_style="bold")
    from actcli.i18n import wrap

    header = _("name") if wide else _("name, aliases, parameters")
    table.add_column("\n".join(wrap(header, first)), width=first, overflow="fold")  # between words
    if wide:
        table.add_column(_("aliases"), width=aliases, overflow="fold")
        table.add_column(_("parameters"), width=params, overflow="fold")
    table.add_column(_("formula"), width=formula_width, overflow="fold")
    family = None
    for act in shown:
        if act.family != family:
            family = act.family
            table.add_section()
            table.add_row(Text(_(FAMILIES[family]), style="italic"))
        name = Text(act.name, style="bold")
        alias_text = Text(", ".join(act.aliases), style="dim")
        param_text = Text("\n".join(_param_text(p, p.default) for p in act.parameters))
        formula = Text("\n".join(wrap_formula(act.formula, formula_width)))
        if wide:
            table.add_row(name, alias_text, param_text, formula)
        else:
            cell = Text("\n").join(t for t in (name, alias_text, param_text) if t.plain)
            table.add_row(cell, formula)
    console.print(table)


def _plain_list(console: Console, shown: Sequence[Activation]) -> None:
    """One line per activation: name, aliases, parameters with exact defaults, formula."""
    rows = [(a.name, ",".join(a.aliases) or "-",
             " ".join(f"{p.name}={show_value(p.default)}" for p in a.parameters) or "-", a.formula)
            for a in shown]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[3]
        console.file.write(line + "\n")


def _value_columns(spec: Spec) -> list[NDArray[np.float64]]:
    return [INFO_POINTS, Column(spec, False).evaluate(INFO_POINTS), Column(spec, True).evaluate(INFO_POINTS)]


def info_record(spec: Spec) -> dict[str, Any]:
    act = spec.activation
    rows = zip(*(exact_texts(c) for c in _value_columns(spec)), strict=True)
    return {
        "name": act.name, "aliases": list(act.aliases), "family": FAMILIES[act.family],
        "description": act.description, "formula": act.formula, "grad_formula": act.grad_formula,
        "grad_note": act.grad_note or None,
        "parameters": [_param_record(act, p) for p in act.parameters],
        "params": spec.params,
        "kinks": [_kink_record(k) for k in act.kinks_for(spec.params)],
        "reference": act.reference,
        "values": [{"x": json.loads(json_number(x)), "f": json.loads(json_number(f)),
                    "grad": json.loads(json_number(g))} for x, f, g in rows],
        "formats": format_records(),
    }


def format_records() -> dict[str, dict[str, float | int | bool]]:
    """The number formats of --dtype: precision, range and epsilon."""
    return {f.name: {"precision": f.precision, "largest": f.largest, "smallest_normal": f.smallest_normal,
                     "smallest_subnormal": f.smallest_subnormal, "epsilon": f.epsilon,
                     "infinities": f.infinite} for f in FORMATS.values()}


def print_info(spec: Spec, console: Console, plot: bool) -> None:
    """Everything about one activation, laid out for the console's width; ``plot`` adds a
    small plot (on a terminal)."""
    from rich.text import Text

    from actcli import termtable

    act = spec.activation
    heading = Text.assemble((spec.label, "bold"), " — ", _(act.description))
    console.print(heading)
    if act.aliases:
        print_wrapped(console, _("aliases: {names}").format(names=", ".join(act.aliases)), 0, 2)
    console.print(_("family: {family}").format(family=_(FAMILIES[act.family])))
    console.print()
    for formula in (act.formula, act.grad_formula):
        console.print(Text("\n".join("  " + line for line in wrap_formula(formula, console.width - 3))))
    if act.grad_note:
        print_wrapped(console, f"  (f': {_(act.grad_note)})", 0, 4, "dim")
    if act.parameters:
        console.print()
        console.print(Text(_("parameters"), style="bold"))
        for p in act.parameters:
            record = _param_record(act, p)
            others = "; ".join(f"{lib}: {show_value(v)}" for lib, v in record["other_defaults"].items())
            facts = _("default {default}; valid: {valid}").format(
                default=short_value(p.default), valid=message(p.valid_range))
            facts += f"; {others}" if others else ""
            print_wrapped(console, f"{p.name} = {short_value(spec.params[p.name])}   ({facts})", 2, 4)
            print_wrapped(console, _(p.doc), 4, 0, "dim")
    console.print()
    kinks = act.kinks_for(spec.params)
    if kinks:
        console.print(Text(_("kinks: f'(x) there with each --kink convention"), style="bold"))
        points = [np.array(v) for v in zip(*((k.at, k.pytorch, k.left, k.right, k.derivative("mean"))
                                              for k in kinks), strict=True)]
        kink_headers = ("x", _("pytorch (default)"), _("left"), _("right"), _("mean"))
        termtable.render(termtable.rows_of(kink_headers, points), console, every_digit=JSON)
    else:
        console.print(Text(_("kinks: none (the derivative is continuous)")))
    console.print(Text(_("values"), style="bold"))
    headers = ("x", spec.header(False), spec.header(True))
    termtable.render(termtable.rows_of(headers, _value_columns(spec)), console, every_digit=JSON)
    if plot:
        _small_plot(spec, console)
    print_wrapped(console, _("reference: {reference}").format(reference=act.reference), 0, 2)
    _print_formats(console)


def _print_formats(console: Console) -> None:
    from rich.text import Text

    from actcli import termtable

    console.print()
    console.print(Text(_("formats (--dtype): each result the exact value correctly rounded into it"),
                       style="bold"))
    records = format_records()
    facts = {"largest": _("largest"), "smallest_normal": _("smallest normal"),
             "smallest_subnormal": _("smallest subnormal"), "epsilon": _("epsilon")}
    columns = [termtable.TableColumn(_("format"), texts=list(records))] + [
        termtable.TableColumn(header, numbers=np.array([r[key] for r in records.values()], dtype=np.float64))
        for key, header in facts.items()]
    termtable.render(termtable.Rows(columns, len(records), 0, len(records)), console, every_digit=JSON)


def _small_plot(spec: Spec, console: Console) -> None:
    """The function over -5:5, drawn in the terminal."""
    from actcli import plot

    console.print(plot.terminal([Column(spec, False)], -5.0, 5.0, min(console.width, 72), 16, spec.label))
