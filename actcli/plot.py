"""Plots of activations and their derivatives: in the terminal (plotext) or to an image file
(matplotlib, the optional ``actcli[plot]`` extra). Both draw the same curves, labelled with the
activations and their parameters, with the kinks marked."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from actcli.errors import DataError, UsageProblem
from actcli.spec import Column

IMAGE_TYPES = (".png", ".svg", ".pdf")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Curve:
    label: str
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    kinks_x: NDArray[np.float64]  # kink points inside the range, and the curve's values there
    kinks_y: NDArray[np.float64]
    derivative: bool


def parse_range(text: str) -> tuple[float, float]:
    """``START:STOP`` for the x axis."""
    parts = text.strip().split(":")
    try:
        start, stop = (float(p) for p in parts)
    except ValueError:
        raise UsageProblem(f"--range takes START:STOP, e.g. -5:5, got {text.strip()!r}") from None
    if not (np.isfinite(start) and np.isfinite(stop) and start < stop):
        raise UsageProblem(f"--range needs finite START < STOP, got {text.strip()!r}")
    return start, stop


def curves(columns: Sequence[Column], start: float, stop: float, points: int) -> list[Curve]:
    """Each column's curve over [start, stop], evaluated by the library."""
    x = np.linspace(start, stop, points)
    out = []
    for column in columns:
        spec = column.spec
        kinks = np.array([k.at for k in spec.activation.kinks_for(spec.params) if start <= k.at <= stop])
        out.append(Curve(column.header.replace("(x)", ""), x, column.evaluate(x), kinks,
                         column.evaluate(kinks), column.derivative))
    return out


def terminal(plotted: Sequence[Curve], width: int, height: int, title: str, color: bool) -> str:
    """The curves drawn with Braille dots in ``width`` x ``height`` characters."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("pro" if color else "clear")
    for curve in plotted:
        plt.plot(curve.x, curve.y, label=curve.label, marker="braille")
    kinks = [c for c in plotted if len(c.kinks_x)]
    if kinks:
        plt.scatter(np.concatenate([c.kinks_x for c in kinks]),
                    np.concatenate([c.kinks_y for c in kinks]), marker="x", label="kink")
    plt.title(title)
    plt.xlabel("x")
    text: str = plt.build()
    plt.clear_figure()
    return text if color else ANSI.sub("", text)


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
        axes.plot(curve.x, curve.y, label=curve.label, linewidth=2,
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
