"""``explain``: the working behind a value, in the order a teacher writes it on the board.

For each x: the definition, the piece that applies and why, the intermediate quantities with
their values, the result, the derivative (at a kink: what each convention gives and why they
differ), and notes where the point teaches something (a zero gradient, saturation, a result
that rounds to 0 or 1, the digits a textbook formula loses here). Everything comes from the
registry entry (``pieces``, ``taught``, ``naive``); the numbers ``value`` and ``grad`` are the
library's, the same bits as ``apply`` and ``grad``; the intermediate values are mpmath's,
correctly rounded to float64.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from actcli.i18n import _
from actcli.numtext import shortest
from actcli.registry import Piece
from actcli.spec import show_value

if TYPE_CHECKING:
    from rich.console import Console

    from actcli.formats import Format
    from actcli.registry import Activation, KinkConvention
    from actcli.spec import Spec

SATURATED = 1e-3  # |f'(x)| below this (away from 0) is a saturated, vanishing gradient
LOST = 2.0**-40  # a textbook formula off by more than this (relative) has lost digits worth a note


@dataclass
class Explanation:
    """The working for one x: ``value``/``grad`` the results, ``case`` the condition of the piece
    that applies (with x in it), ``steps`` the lines in order, ``notes`` what it teaches."""

    x: float
    value: float
    grad: float
    case: str
    steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return {"x": self.x, "value": self.value, "grad": self.grad, "case": self.case,
                "steps": self.steps, "notes": self.notes}


def compact(v: float) -> str:
    """A number inside a formula: ``-1`` rather than ``-1.0``; every digit otherwise."""
    text = shortest(v)
    return text[:-2] if text.endswith(".0") else text


def _param_texts(params: dict[str, Any]) -> dict[str, str]:
    """Parameters as the command line spells them (threshold = none, as list writes it)."""
    return {k: compact(v) if isinstance(v, float) else show_value(v) for k, v in params.items()}


def _piece(act: Activation, x: float, params: dict[str, Any]) -> Piece:
    return next((p for p in act.pieces if p.holds(x, params)), act.pieces[-1])


def _case(piece: Piece, x: float, params: dict[str, Any]) -> str:
    if not piece.when:
        return _("x = {x}: one formula for every x").format(x=compact(x))
    condition = piece.when.format(x=compact(x), **_param_texts(params))
    if piece.when.startswith("{x}"):
        return "x = " + condition
    return f"x = {compact(x)}: {condition}"


def _mp_text(value: Any) -> str:
    """An mpmath value as a double's shortest text; beyond the doubles' range 17 digits, or,
    when even its exponent is long (e^-(10^616) at x = -1e308), the power of ten it is."""
    import mpmath

    as_double = float(value)
    if math.isfinite(as_double) and (as_double != 0 or value == 0):
        return shortest(as_double)
    if not mpmath.isfinite(value):
        return shortest(as_double)
    exponent = mpmath.log10(abs(value))
    if abs(exponent) < 10**6:
        return str(mpmath.nstr(value, 17))
    return f"{'-' if value < 0 else ''}10^({mpmath.nstr(exponent, 17)})"


def _exact_text(exact: Any) -> str:
    """An exact value (a Fraction): the shortest text of the double nearest to it, or 17
    significant digits beyond the doubles' range; actcli.exact keeps only the sign of values
    beyond 2**±65536, and says so."""
    import mpmath

    from actcli.exact import FAR

    if exact != 0 and abs(exact) <= Fraction(1, 2**FAR):
        return _("{sign}2^-{bits} or less in magnitude").format(sign="-" if exact < 0 else "", bits=FAR)
    try:
        nearest = float(exact)  # a Fraction converts correctly rounded
    except OverflowError:
        nearest = math.inf
    if math.isfinite(nearest) and (nearest != 0 or exact == 0):
        return shortest(nearest)
    with mpmath.mp.workprec(200):
        return str(mpmath.nstr(mpmath.mpf(exact.numerator) / exact.denominator, 17))


def explain(spec: Spec, xs: Sequence[float], fmt: Format, kink: KinkConvention) -> list[Explanation]:
    """The working for each of ``xs`` (already values of ``fmt``)."""
    act, params = spec.activation, spec.params
    points = np.array(xs, dtype=np.float64)
    typed = fmt.round(points)  # an array of the format: the kernels round into it
    values = np.asarray(act(typed, **params), dtype=np.float64)
    grads = np.asarray(act.grad(typed, kink=kink, **params), dtype=np.float64)
    vector = points.tolist()
    return [_one(spec, x, value, grad, fmt, kink, vector, index)
            for index, (x, value, grad) in enumerate(zip(vector, values.tolist(), grads.tolist(),
                                                         strict=True))]


def _one(spec: Spec, x: float, value: float, grad: float, fmt: Format, kink: KinkConvention,
         vector: list[float], index: int) -> Explanation:
    act, params = spec.activation, spec.params
    value_text, grad_text = shortest(value, fmt.dtype), shortest(grad, fmt.dtype)
    steps = [_("definition: {formula}").format(formula=act.formula)]
    shown = {k: v for k, v in params.items() if k != "axis"}
    if shown:
        steps.append(_("parameters: {list}").format(
            list=", ".join(f"{k} = {t}" for k, t in _param_texts(shown).items())))
    if math.isnan(x):
        steps.append(_("x is not a number: the value and the derivative are nan"))
        return Explanation(x, value, grad, f"x = {compact(x)}", steps)
    piece = _piece(act, x, params)
    case = _case(piece, x, params)
    if piece.when:
        steps.append(_("{case}, so f(x) = {formula}").format(case=case, formula=piece.value))
    else:
        steps.append(_("f(x) = {formula} for every x").format(formula=piece.value))
    term_texts = _terms(act, piece, x, params, vector, steps)
    worked = _bracketed(piece.worked.format(x=compact(x), **_param_texts(params),
                                            **{f"t{i}": t for i, t in enumerate(term_texts)}))
    same = worked in (value_text, compact(value))
    steps.append(f"f({compact(x)}) = {worked}" + ("" if same else f" = {value_text}"))
    if fmt.name != "float64":
        steps.append(_("the exact value correctly rounded to {dtype}: {value}").format(
            dtype=fmt.name, value=value_text))
    at_kink = next((k for k in act.kinks_for(params) if k.at == x), None)
    if at_kink is None:
        steps.append(_("f'(x) = {formula} here, so f'({x}) = {grad}").format(
            formula=piece.grad, x=compact(x), grad=grad_text))
    else:
        steps += _kink_steps(act, at_kink, x, kink, grad_text)
    notes = _notes(spec, x, value, grad, fmt, piece, at_kink is not None, vector, index)
    return Explanation(x, value, grad, case, steps, notes)


def _terms(act: Activation, piece: Piece, x: float, params: dict[str, Any], vector: list[float],
           steps: list[str]) -> list[str]:
    """The piece's intermediate quantities as steps (name = with numbers = value); their texts."""
    if not piece.terms:
        return []
    import mpmath

    texts = []
    with mpmath.mp.workprec(160):
        point, values = mpmath.mpf(x), [mpmath.mpf(v) for v in vector] if act.vector else []
        for term in piece.terms:
            text = _mp_text(term.exact(mpmath, point, params, values))
            shown = _bracketed(term.shown.format(x=compact(x), minus_x=compact(-x), **_param_texts(params)))
            steps.append(" = ".join(dict.fromkeys([term.name, shown, text])))
            texts.append(text)
    return texts


# A negative number put in after an operator: 0.01·(-0.7), 2 − (-3), as a person writes them.
_NEGATIVE_OPERAND = re.compile(r"(?<=[·/])-[\d.]+(?:e[+-]?\d+)?|(?<=[−+] )-[\d.]+(?:e[+-]?\d+)?")


def _bracketed(expression: str) -> str:
    return _NEGATIVE_OPERAND.sub(lambda m: f"({m.group(0)})", expression)


def _kink_steps(act: Activation, at: Any, x: float, kink: KinkConvention, grad_text: str) -> list[str]:
    steps = [
        _("x = {x} is a kink: the slope is {left} on the left and {right} on the right, so "
          "f'({x}) is not defined; a convention decides").format(
            x=compact(x), left=compact(at.left), right=compact(at.right)),
        _("left: {left}, right: {right}, mean: {mean}, PyTorch and JAX: {pytorch}").format(
            left=compact(at.left), right=compact(at.right), mean=compact(at.derivative("mean")),
            pytorch=compact(at.pytorch)),
    ]
    if act.taught is not None:
        who, convention = act.taught
        side = {"left": _("the left derivative"), "right": _("the right derivative"),
                "mean": _("the mean of the two"), "pytorch": _("PyTorch's choice")}[convention]
        steps.append(_("{who} gives {value}: {side}").format(
            who=_(who), value=compact(at.derivative(convention)), side=side))
    steps.append(_("--kink {kink} picks f'({x}) = {grad}").format(kink=kink, x=compact(x), grad=grad_text))
    return steps


def _notes(spec: Spec, x: float, value: float, grad: float, fmt: Format, piece: Piece,
           at_kink: bool, vector: list[float], index: int) -> list[str]:
    act, params = spec.activation, spec.params
    notes = []
    if grad == 0 and not at_kink and act.piecewise_linear:
        if act.family == "rectifiers" and x < 0:
            notes.append(_(
                "f'(x) = 0 for x < 0: no gradient flows back through this unit, so the weights "
                "before it stop learning from this input. A unit whose inputs all fall here never "
                "recovers: the dying-ReLU problem. Leaky ReLU keeps a small slope (0.01) for x < 0, "
                "ELU a gradient α·eˣ, so the unit can come back."))
        else:
            notes.append(_("f'(x) = 0 on this piece: no gradient flows back from here, so nothing "
                           "before it learns from this input."))
    if act.vector or act.piecewise_linear or not math.isfinite(x):
        return notes
    if grad != 0 and abs(grad) < SATURATED and abs(x) > 1:
        notes.append(_(
            "saturation: f'(x) = {grad} is almost 0 here, where the curve is flat. Gradients "
            "through several such layers multiply and vanish (the vanishing-gradient problem of "
            "sigmoid and tanh networks); ReLU-like functions keep f'(x) = 1 for x > 0.").format(
                grad=shortest(grad, fmt.dtype)))
    rounds_to_a_unit = value in (0.0, 1.0, -1.0) and x != 0
    exact = _exact(act, x, params) if rounds_to_a_unit or act.naive else None
    if exact is not None and rounds_to_a_unit and exact != value:
        notes.append(_("f({x}) rounds to {value} in {dtype}; the exact value is {exact}").format(
            x=compact(x), value=shortest(value, fmt.dtype), dtype=fmt.name,
            exact=_exact_text(exact) if value == 0 else _offset_text(value, exact)))
    if act.naive is not None and exact is not None:
        notes += _naive_note(act, x, params, exact)
    return notes


def _offset_text(value: float, exact: Any) -> str:
    """``exact`` as ``value`` plus or minus a small difference: ``1 − 4.2483542552915889e-18``."""
    difference = exact - Fraction(value)
    sign = "+" if difference > 0 else "−"
    return f"{compact(value)} {sign} {_exact_text(abs(difference))}"


def _exact(act: Activation, x: float, params: dict[str, Any]) -> Any:
    from actcli import exact

    return exact.value(act, x, params, False)


def _naive_note(act: Activation, x: float, params: dict[str, Any], exact: Any) -> list[str]:
    assert act.naive is not None
    code, formula = act.naive
    with np.errstate(all="ignore"):
        given = formula(np, np.float64(x), params)
    if given is None:  # the formula is for other parameters (GELU's erf form, not its tanh one)
        return []
    naive = float(given)
    if not math.isfinite(naive):
        return [_("the textbook formula {code} gives {naive} here (an intermediate overflows); the "
                  "exact value is {exact}").format(code=code, naive=shortest(naive),
                                                   exact=_exact_text(exact))]
    if exact == 0:
        return []
    error = abs(Fraction(naive) - exact) / abs(exact)
    if error <= LOST:
        return []
    digits = max(0, math.floor(-math.log10(float(error)))) if error < 1 else 0
    if digits == 0:
        return [_("the textbook formula {code} gives {naive} here, where the exact value is {exact}: "
                  "not one digit is right. Subtracting nearly equal numbers (or adding a tiny "
                  "number to 1) cancels the leading digits; actcli computes this without the "
                  "loss.").format(code=code, naive=shortest(naive), exact=_exact_text(exact))]
    return [_("the textbook formula {code} gives {naive} here: only {digits} correct digits of "
              "{exact}. Subtracting nearly equal numbers (or adding a tiny number to 1) cancels "
              "the leading digits; actcli computes this without the loss.").format(
        code=code, naive=shortest(naive), digits=digits, exact=_exact_text(exact))]


# --- output ------------------------------------------------------------------------------------


def heading(spec: Spec, x: float) -> str:
    return _("{name} at x = {x}").format(name=spec.label, x=compact(x))


def plain_lines(spec: Spec, explanations: Sequence[Explanation]) -> list[str]:
    lines: list[str] = []
    for number, item in enumerate(explanations):
        if number:
            lines.append("")
        lines.append(heading(spec, item.x))
        lines += [f"  {step}" for step in item.steps]
        lines += [f"  {_('note')}: {note}" for note in item.notes]
    return lines


def print_rich(spec: Spec, explanations: Sequence[Explanation], console: Console) -> None:
    """Formula lines, not a table: the heading bold, the result and the derivative's lines in
    the results' colour, notes in yellow; a long line continues further in than a new step."""
    from rich.text import Text

    from actcli.console import print_wrapped

    for number, item in enumerate(explanations):
        if number:
            console.print()
        console.print(Text(heading(spec, item.x), style="bold"))
        for step in item.steps:
            style = "cyan" if step.startswith(("f(", "f'(", "--kink")) else ""
            print_wrapped(console, step, 2, 4, style)
        for note in item.notes:
            print_wrapped(console, f"{_('note')}: {note}", 2, 4, "yellow")
