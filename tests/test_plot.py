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
