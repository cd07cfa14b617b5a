"""Plots of activations and their derivatives: in the terminal (Braille dots, drawn here, so that
ticks, zero lines and kink marks fall on the same rows as their labels) or to an image file
(matplotlib, the optional ``actcli[plot]`` extra). Both draw the same curves, labelled with the
activations and their parameters, derivatives dashed in their function's colour, kinks marked."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from actcli.errors import DataError, UsageProblem
from actcli.i18n import _
from actcli.spec import Column

if TYPE_CHECKING:
    from rich.text import Text

IMAGE_TYPES = (".png", ".svg", ".pdf")


@dataclass(frozen=True)
class Curve:
    label: str
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    kinks_x: NDArray[np.float64]  # kink points inside the range, and the curve's values there
    kinks_y: NDArray[np.float64]
    derivative: bool
    group: int  # which activation: a derivative is drawn in its function's colour


def parse_range(text: str) -> tuple[float, float]:
    """``START:STOP`` for the x axis: finite, START < STOP, and STOP - START a finite number."""
    parts = text.strip().split(":")
    try:
        start, stop = (float(p) for p in parts)
    except ValueError:
        raise UsageProblem(f"--range takes START:STOP, e.g. -5:5, got {text.strip()!r}") from None
    if not (np.isfinite(start) and np.isfinite(stop) and start < stop):
        raise UsageProblem(f"--range needs finite START < STOP, got {text.strip()!r}")
    with np.errstate(over="ignore"):
        if not np.isfinite(np.float64(stop) - np.float64(start)):
            raise UsageProblem(f"--range {text.strip()}: its width is beyond the largest float; "
                               f"plot a narrower range")
    return start, stop


def curves(columns: Sequence[Column], start: float, stop: float, points: int) -> list[Curve]:
    """Each column's curve over [start, stop], evaluated by the library at ``points`` x."""
    x = np.linspace(start, stop, points)
    if not np.all(np.diff(x) > 0):
        raise UsageProblem(f"--range {start!r}:{stop!r} holds fewer distinct numbers than the "
                           f"{points} points of the plot; plot a wider range")
    groups = list(dict.fromkeys(c.spec.label for c in columns))
    out = []
    for column in columns:
        spec = column.spec
        kinks = np.array([k.at for k in spec.activation.kinks_for(spec.params) if start <= k.at <= stop])
        at_kinks = column.evaluate(kinks) if len(kinks) else kinks
        out.append(Curve(column.header.replace("(x)", ""), x, column.evaluate(x), kinks, at_kinks,
                         column.derivative, groups.index(spec.label)))
    return out


# --- the terminal: Braille dots, 2 x 4 per character ----------------------------------------

PALETTE = ("cyan", "magenta", "yellow", "green", "blue", "red")
# Without colour, each activation's own dot pattern: every dot column, every second, every third...
# with the legend's sample of it. (Derivatives are dashed on top: two cells on, two off.)
PATTERNS = ((1, "━"), (2, "┅"), (3, "┈"), (4, "·"), (5, "⋅"), (6, "∙"))
_DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][column] of a cell
_SUB_ROW = 1  # the dot row, within its character, where tick values fall
KINK_MARK = "●"


def nice_step(span: float, count: int) -> float:
    """The 1-2-5 step (…, 0.5, 1, 2, 5, 10, …) that cuts ``span`` into about ``count`` parts."""
    raw = float(span) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))  # Python floats: inf past the top, no warning
    return next((m * power for m in (1, 2, 5) if m * power >= raw), 10 * power)


@dataclass(frozen=True)
class YAxis:
    """y ↦ dot row: the tick ``reference`` (a multiple of ``step``) sits on dot row ``row``, and
    each step is ``rows`` character rows, so every tick falls on the same dot row of its
    character as the curves' points of that value."""

    reference: float
    row: int
    step: float
    rows: int
    height: int  # character rows of the canvas

    def dot(self, y: NDArray[np.float64]) -> NDArray[np.float64]:
        """The dot row of each y (fractional; off the canvas for values beyond it)."""
        return self.row + (self.reference - y) / self.step * (4 * self.rows)

    def ticks(self) -> dict[int, float]:
        """{character row: tick value} of the ticks on the canvas."""
        base = round(self.reference / self.step)
        reach = self.height // self.rows + 1
        out = {}
        for j in range(-reach, reach + 1):
            dot = self.row - 4 * self.rows * j
            value = (base + j) * self.step
            if 0 <= dot < 4 * self.height and np.isfinite(value):
                out[dot // 4] = value
        return out


def y_axis(lo: float, hi: float, height: int) -> YAxis:
    """The finest scale that fits [lo, hi] into ``height`` character rows with round ticks
    (1-2-5 steps) at least two of which show, one below 0 when the data go there; ticks two or
    more rows apart when that scale allows, the data centred."""
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    span, dots = hi - lo, 4 * height - 2
    best: tuple[tuple[bool, float, bool, float], YAxis] | None = None
    for parts in range(1, 4 * height):
        step = nice_step(span, parts)
        if not math.isfinite(step):
            continue
        for rows in range(1, max(2, height // 2 + 1)):
            scale = 4 * rows / step  # dots per unit
            if span * scale > dots or not np.isfinite(scale):
                continue
            centre = lo / 2 + hi / 2  # (lo + hi) / 2 overflows near the largest float
            reference = round(centre / step) * step
            # the reference tick's dot row: the data centred, on the tick's row within its character
            row = 4 * round(((4 * height - 1) / 2 - (reference - centre) * scale - _SUB_ROW) / 4) + _SUB_ROW
            axis = YAxis(reference, row, step, rows, height)
            below = lo >= 0 or any(v < 0 for v in axis.ticks().values())  # a curve under 0 gets a tick there
            score = (below, scale, rows >= 2, -step)
            if len(axis.ticks()) >= 2 and (best is None or score > best[0]):
                best = (score, axis)
    if best is None or not np.isfinite(span):
        raise UsageProblem("the values cannot be drawn: their range is beyond the largest float")
    return best[1]


def tick_label(value: float, step: float) -> str:
    """A tick value with the decimals its step needs (``0.5``, ``-2``, ``1e+300``)."""
    if value == 0:
        return "0"
    decimals = max(0, -int(np.floor(np.log10(step))))
    if abs(value) < 1e6 and decimals <= 6:
        return f"{value:.{decimals}f}"
    return f"{value:.3g}"


def _legend(plotted: Sequence[Curve], width: int, merged: bool = False,
            plain: bool = False) -> list[list[tuple[str, str]]]:
    """Legend entries in lines of at most ``width``: a line sample and the label, in colour;
    ``merged``: one entry per activation (``━╍ relu``) where derivatives are drawn too; ``plain``
    (no colour): each activation's sample is its dot pattern (``┅┅ tanh``)."""
    shown = [c for c in plotted if not (merged and c.derivative)]
    grads = {c.group for c in plotted if c.derivative}

    def sample(c: Curve) -> str:
        line = PATTERNS[c.group % len(PATTERNS)][1] if plain else "━"
        return ("╍╍" if c.derivative else line + "╍" if merged and c.group in grads else line * 2) + " "

    entries = [sample(c) + c.label for c in shown]
    styles = [PALETTE[c.group % len(PALETTE)] for c in shown]
    if any(len(c.kinks_x) for c in plotted):
        entries.append(f"{KINK_MARK} {_('kink')}")
        styles.append("bold")
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    for text, style in zip(entries, styles, strict=True):
        need = len(text) + (3 if lines[-1] else 0)
        if lines[-1] and used + need > width:
            lines.append([])
            used, need = 0, len(text)
        lines[-1].append((text, style))
        used += need
    return lines


def terminal(columns: Sequence[Column], start: float, stop: float, width: int, height: int,
             title: str, plain: bool = False) -> Text:
    """The curves drawn in ``width`` x ``height`` characters: title, y axis with round ticks, the
    Braille canvas (derivatives dashed, in their function's colour; kinks marked; the zero
    lines dotted), the x axis, and the legend under it, which small sizes keep. ``plain``: no
    colour to tell the curves apart, so each activation has a dot pattern of its own."""
    from rich.text import Text

    probe = curves(columns, start, stop, 2 * width)
    legend = _legend(probe, width, plain=plain)
    if height - 3 - len(legend) < 3:
        legend = _legend(probe, width, merged=True, plain=plain)
    rows = max(2, height - 3 - len(legend))
    finite = np.concatenate([c.y[np.isfinite(c.y)] for c in probe] + [np.zeros(0)])
    if not finite.size:
        raise UsageProblem("nothing to draw: no finite value in the range")
    axis = y_axis(float(finite.min()), float(finite.max()), rows)
    labels = {row: tick_label(value, axis.step) for row, value in axis.ticks().items()}
    label_width = max(map(len, labels.values()))
    cells = width - label_width - 1
    if cells < 8:
        raise UsageProblem(f"--width {width} leaves no room for the plot beside its labels")
    plotted = curves(columns, start, stop, 2 * cells)
    canvas = _Canvas(rows, cells)
    canvas.zero_lines(axis, plotted[0].x)
    for curve in plotted:
        canvas.curve(curve, axis, PATTERNS[curve.group % len(PATTERNS)][0] if plain else 1)
    for curve in plotted:
        canvas.kinks(curve, axis, start, stop)

    out = Text(no_wrap=True, overflow="crop")
    out.append(title.center(width).rstrip() + "\n", style="bold")
    for row in range(rows):
        out.append(f"{labels[row]:>{label_width}}┤" if row in labels else " " * label_width + "│",
                   style="dim")
        canvas.append_row(out, row)
        out.append("\n")
    out.append_text(_x_axis(start, stop, label_width, cells))
    for line in legend:
        out.append(" " * (label_width + 1))
        for i, (text, style) in enumerate(line):
            out.append("   " * (i > 0))
            out.append(text, style=style)
        out.append("\n")
    out.rstrip()
    return out


def _x_axis(start: float, stop: float, label_width: int, cells: int) -> Text:
    """The x axis line with a tick under each round value, and the values under the ticks."""
    from rich.text import Text

    step = nice_step(stop - start, max(2, cells // 8))
    ticks = np.arange(np.ceil(start / step), np.floor(stop / step) + 1) * step
    line = ["─"] * cells
    under = [" "] * (label_width + 1 + cells + 8)
    for value in ticks:
        column = _cell_of(float(value), start, stop, cells)
        line[column] = "┬"
        text = tick_label(float(value), step)
        left = label_width + 1 + column - len(text) // 2
        if left >= 0 and all(c == " " for c in under[max(0, left - 1):left + len(text) + 1]):
            under[left:left + len(text)] = list(text)
    axis = Text(" " * label_width + "└" + "".join(line) + "\n", style="dim")
    axis.append("".join(under).rstrip() + "\n", style="dim")
    return axis


def _cell_of(x: float, start: float, stop: float, cells: int) -> int:
    """The character column of x: the dot columns are the sampled x, two per character."""
    return round((x - start) / (stop - start) * (2 * cells - 1)) // 2


class _Canvas:
    """Braille cells: dot bits and the colour of the curve that drew there last."""

    def __init__(self, rows: int, cells: int) -> None:
        self.bits = np.zeros((rows, cells), dtype=np.int64)
        self.style: dict[tuple[int, int], str] = {}
        self.marks: dict[tuple[int, int], str] = {}

    def _dots(self, dot_rows: NDArray[np.int64], dot_cols: NDArray[np.int64], style: str) -> None:
        rows, cells = self.bits.shape
        inside = (dot_rows >= 0) & (dot_rows < 4 * rows) & (dot_cols >= 0) & (dot_cols < 2 * cells)
        for r, c in zip(dot_rows[inside].tolist(), dot_cols[inside].tolist(), strict=True):
            self.bits[r // 4, c // 2] |= _DOT_BITS[r % 4][c % 2]
            self.style[r // 4, c // 2] = style

    def zero_lines(self, axis: YAxis, x: NDArray[np.float64]) -> None:
        """y = 0 and x = 0, dotted, where they are inside the plot."""
        rows, cells = self.bits.shape
        zero_row = int(np.rint(axis.dot(np.zeros(1)))[0])
        columns = np.arange(0, 2 * cells, 2)
        self._dots(np.full(columns.size, zero_row), columns, "dim")
        if x[0] <= 0 <= x[-1]:
            zero_col = int(np.argmin(np.abs(x)))
            dots = np.arange(0, 4 * rows, 2)
            self._dots(dots, np.full(dots.size, zero_col), "dim")

    def curve(self, curve: Curve, axis: YAxis, every: int = 1) -> None:
        """The curve as connected dots, on every ``every``-th dot column; a derivative dashed (two
        cells on, two off). A jump (a step far steeper than the steps either side: hardshrink at
        ±λ) is left open, not drawn as a vertical line."""
        style = PALETTE[curve.group % len(PALETTE)]
        with np.errstate(invalid="ignore", over="ignore"):
            dots = axis.dot(curve.y)
        limit = 4 * self.bits.shape[0] + 4
        dots = np.where(np.isfinite(dots), np.clip(dots, -4, limit), np.nan)
        steps = np.nan_to_num(np.abs(np.diff(dots)), nan=0.0)
        beside = np.maximum(np.concatenate([[0.0], steps[:-1]]), np.concatenate([steps[1:], [0.0]]))
        jumps = (steps > 4) & (steps > 3 * beside)
        for column in range(dots.size):
            if (curve.derivative and (column // 4) % 2) or column % every:
                continue
            here = dots[column]
            if np.isnan(here):
                continue
            after = dots[column + 1] if column + 1 < dots.size and not jumps[column] else here
            low, high = sorted((here, here if np.isnan(after) else (here + after) / 2))
            span = np.arange(int(np.rint(low)), int(np.rint(high)) + 1)
            self._dots(span, np.full(span.size, column), style)

    def kinks(self, curve: Curve, axis: YAxis, start: float, stop: float) -> None:
        cells = self.bits.shape[1]
        for x, y in zip(curve.kinks_x.tolist(), curve.kinks_y.tolist(), strict=True):
            row = int(np.rint(axis.dot(np.array([y]))[0])) // 4
            column = _cell_of(x, start, stop, cells)
            if 0 <= row < self.bits.shape[0]:
                self.marks[row, column] = "bold"

    def append_row(self, out: Text, row: int) -> None:
        for column, bits in enumerate(self.bits[row].tolist()):
            if (row, column) in self.marks:
                out.append(KINK_MARK, style=self.marks[row, column])
            else:
                out.append(chr(0x2800 + bits) if bits else " ", style=self.style.get((row, column), ""))


def image(plotted: Sequence[Curve], path: Path, title: str) -> None:
    """The curves written to a PNG, SVG or PDF file with matplotlib."""
    if path.suffix.lower() not in IMAGE_TYPES:
        raise UsageProblem(f"--output must end in {', '.join(IMAGE_TYPES)}, got {path.name!r}")
    try:
        import matplotlib
    except ImportError:
        raise DataError("--output needs matplotlib: pip install 'actcli[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    figure, axes = pyplot.subplots(figsize=(7, 4.5), dpi=120)
    axes.axhline(0, color="0.6", linewidth=0.8)
    axes.axvline(0, color="0.6", linewidth=0.8)
    for curve in plotted:
        axes.plot(curve.x, curve.y, label=curve.label, linewidth=2, color=f"C{curve.group}",
                  linestyle="--" if curve.derivative else "-")
    kinks = [c for c in plotted if len(c.kinks_x)]
    for i, curve in enumerate(kinks):
        axes.plot(curve.kinks_x, curve.kinks_y, "kx", markersize=8, label="kink" if i == 0 else None)
    axes.set_xlabel("x")
    derivatives = {c.derivative for c in plotted}
    axes.set_ylabel("f(x), f'(x)" if len(derivatives) > 1 else "f'(x)" if True in derivatives else "f(x)")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    try:
        figure.savefig(path)
    except OSError as error:
        raise DataError(f"{path}: cannot write ({error.strerror or error})") from None
    finally:
        pyplot.close(figure)
