"""Plots: the terminal plot against a snapshot, image files checked as images, the errors."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import Run
from tests.terminal import in_terminal

SNAPSHOTS = Path(__file__).parent / "snapshots"


def test_terminal_plot_at_a_fixed_size(run: Run) -> None:
    result = run("plot", "relu,elu", "--width", "60", "--height", "16")
    assert result.code == 0 and result.err == ""
    assert result.out == (SNAPSHOTS / "plot_relu_elu.txt").read_text(encoding="utf-8")


def test_terminal_plot_has_legend_kinks_and_derivatives(run: Run) -> None:
    out = run("plot", "leaky_relu", "--grad", "--range", "-2:2", "--width", "60", "--height", "14").out
    for text in ("━━ leaky_relu", "╍╍ leaky_relu'", "● kink", "-2", "┤"):
        assert text in out
    assert "\x1b[" not in out  # no colour in a pipe
    assert max(len(line) for line in out.splitlines()) <= 60 and len(out.splitlines()) <= 14


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_png_image(run: Run, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    image = tmp_path / "fig.png"
    result = run("plot", "relu,elu", "--output", str(image))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert png_size(image) == (840, 540)  # 7 x 4.5 inches at 120 dpi
    from matplotlib.image import imread

    pixels = imread(image)
    assert pixels.std() > 0.05  # not blank
    # the curves are drawn in colour, not just axes in grey
    assert np.any(np.abs(pixels[..., 0] - pixels[..., 2]) > 0.3)


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_vector_images(run: Run, tmp_path: Path, suffix: str, magic: bytes) -> None:
    pytest.importorskip("matplotlib")
    image = tmp_path / f"fig{suffix}"
    assert run("plot", "gelu", "--grad", "-o", str(image)).code == 0
    assert image.read_bytes().startswith(magic) and image.stat().st_size > 1000


def test_image_needs_matplotlib(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if not installed
    result = run("plot", "relu", "-o", str(tmp_path / "fig.png"))
    assert result.code == 1
    assert result.err == "actcli: error: --output needs matplotlib: pip install 'actcli[plot]'\n"


@pytest.mark.parametrize(("args", "message"), [
    (("--output", "fig.gif"), "--output must end in .png, .svg, .pdf"),
    (("--range", "5:1"), "--range needs finite START < STOP"),
    (("--range", "a"), "--range takes START:STOP"),
])
def test_plot_usage_errors(run: Run, args: tuple[str, ...], message: str) -> None:
    result = run("plot", "relu", *args)
    assert result.code == 2 and message in result.err


def test_info_draws_a_small_plot_on_a_terminal(run: Run) -> None:
    assert "┤" not in run("info", "elu").out  # not in a pipe
    assert "┤" in in_terminal("info", "elu").text


def _ticks(out: str) -> list[float]:
    return [float(line.split("┤")[0]) for line in out.splitlines() if "┤" in line]


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_without_colour_each_curve_has_its_own_dot_pattern(columns: int) -> None:
    """--no-color and NO_COLOR in a terminal: the legend shows each activation's pattern."""
    from tests.terminal import terminal_env

    for env, flag in (({"NO_COLOR": "1"}, ()), ({}, ("--no-color",))):
        screen = in_terminal("plot", "relu,sigmoid,tanh", *flag, columns=columns, lines=24,
                             env=terminal_env(**env))
        assert "\x1b[3" not in screen.raw  # no colour codes
        assert "━━ relu" in screen.text and "┅┅ sigmoid" in screen.text and "┈┈ tanh" in screen.text
    piped = in_terminal(command="actcli plot relu,sigmoid | cat", columns=columns, lines=24)
    assert "┅┅ sigmoid" in piped.text


def test_the_patterns_draw_what_the_legend_shows() -> None:
    """The same curve drawn solid, every second and every third dot column: fewer dots each time,
    on the columns the pattern keeps."""
    from actcli import plot

    x = np.linspace(-1, 1, 40)
    line = plot.Curve("line", x, x, np.zeros(0), np.zeros(0), False, 0)
    axis = plot.y_axis(-1.0, 1.0, 10)
    counts = []
    for every in (1, 2, 3):
        canvas = plot._Canvas(10, 20)
        canvas.curve(line, axis, every)
        counts.append(sum(bin(b).count("1") for b in canvas.bits.ravel().tolist()))
    assert counts[0] > counts[1] > counts[2] > 0


def test_curves_going_below_zero_get_a_tick_there(run: Run) -> None:
    for name in ("elu", "gelu", "silu"):
        out = run("plot", name, "--width", "60", "--height", "16", "--no-color").out
        assert min(_ticks(out)) < 0, name
    assert min(_ticks(run("plot", "relu", "--width", "60", "--height", "16").out)) == 0


def test_a_jump_is_not_drawn_as_a_vertical_line() -> None:
    from actcli import plot

    x = np.linspace(-1, 1, 40)
    step = plot.Curve("step", x, np.where(x < 0, 0.0, 5.0), np.zeros(0), np.zeros(0), False, 0)
    ramp = plot.Curve("ramp", x, np.clip(x * 40, 0, 5), np.zeros(0), np.zeros(0), False, 0)
    axis = plot.y_axis(0.0, 5.0, 10)
    drawn = []
    for curve in (step, ramp):
        canvas = plot._Canvas(10, 20)
        canvas.curve(curve, axis)
        drawn.append(int(np.count_nonzero(canvas.bits[2:7])))  # the rows between 0 and 5
    assert drawn[0] == 0 and drawn[1] > 0  # the jump left open; a steep ramp still joined


def test_an_image_refuses_the_terminal_size(run: Run, tmp_path: Path) -> None:
    refused = run("plot", "relu", "-o", str(tmp_path / "p.png"), "--width", "30")
    assert refused.code == 2 and "--width and --height size the plot in the terminal" in refused.err
