"""What a person reads, in pseudo-terminals of 60, 80 and 120 columns: nothing wider than the
terminal, no number split or wrongly rounded, long tables shown by their ends, colour discipline;
and the 80-column output pinned by snapshots (ACTCLI_UPDATE_SNAPSHOTS=1 rewrites them)."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import numpy as np
import pytest

import actcli
from actcli.describe import short_value
from actcli.formats import FORMATS
from tests.terminal import (
    NUMBER,
    correctly_rounded,
    in_terminal,
    table_cells,
    terminal_env,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
WIDTHS = (60, 80, 120)
X = np.arange(-2.0, 3.0)
FORMAT_FACTS = np.array([v for f in FORMATS.values()
                         for v in (f.largest, f.smallest_normal, f.smallest_subnormal, f.epsilon)])

# (name, arguments, the values its tables may show)
FOUR = ("relu", "elu", "gelu", "silu")
SCREENS = {
    "table": (("table", ",".join(FOUR), "-2:2:1", "--grad"),
              [v for n in FOUR for v in (actcli.get(n)(X), actcli.get(n).grad(X))]),
    "apply": (("apply", "gelu", "-2:2:1"), [actcli.get("gelu")(X)]),
    "grad": (("grad", "gelu", "-2:2:1"), [actcli.get("gelu").grad(X)]),
    "list": (("list",), []),
    "info_gelu": (("info", "gelu"), [actcli.get("gelu")(np.arange(-3.0, 4.0)),
                                     actcli.get("gelu").grad(np.arange(-3.0, 4.0)), FORMAT_FACTS]),
    "info_leaky_relu": (("info", "leaky_relu"), [actcli.get("leaky_relu")(np.arange(-3.0, 4.0)),
                                                 np.array([0.01, 1.0, 0.505]), FORMAT_FACTS]),
    "plot": (("plot", "relu,elu", "--grad"), []),
}


def check_numbers(cells: list[list[str]], values: list[np.ndarray]) -> None:
    """Every number in a table cell is one of ``values`` (or an input), correctly rounded."""
    known = [float(v) for array in values for v in array.tolist()] + [float(v) for v in range(-3, 4)]
    for row in cells:
        for cell in row:
            if not NUMBER.fullmatch(cell):  # text, never a piece of a number
                assert cell in ("", "⋮") or not (cell[0].isdigit() or cell[0] in ".-e"), cell
                continue
            assert any(correctly_rounded(cell, v) for v in known), f"{cell!r} is no shown value"


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("name", list(SCREENS))
def test_fits_and_shows_numbers_whole(name: str, columns: int) -> None:
    args, values = SCREENS[name]
    screen = in_terminal(*args, columns=columns, lines=40)
    assert screen.status == 0, screen.text
    assert max(map(len, screen.lines)) <= columns, "\n".join(screen.lines)
    cells = table_cells(screen.lines)
    if values:
        check_numbers(cells, values)
    if name == "list":  # parameters whole, each on one line, and every formula's words whole
        for act in (actcli.get(n) for n in actcli.names()):
            for p in act.parameters:
                assert any(f"{p.name}={short_value(p.default)}" in line for line in screen.lines)
            for word in act.formula.split():
                assert word in screen.text, (act.name, word)
    if name in ("table", "apply", "grad"):
        # five rows per table (one table, or column groups one under the other), no line of
        # wrapped digits: a split number would add a line with empty cells
        assert len(cells) % 5 == 0 and all(all(row) for row in cells), "\n".join(screen.lines)


@pytest.mark.parametrize("name", list(SCREENS))
def test_snapshot_at_80_columns(name: str) -> None:
    screen = in_terminal(*SCREENS[name][0], columns=80, lines=24)
    path = SNAPSHOTS / f"{name}_80.txt"
    if os.environ.get("ACTCLI_UPDATE_SNAPSHOTS"):
        path.write_text(screen.text, encoding="utf-8")
    assert screen.text == path.read_text(encoding="utf-8")


def test_rounded_digits_are_said_once() -> None:
    # Rounding only when even x and one column do not fit with every digit (30 columns).
    text = " ".join(" ".join(in_terminal("table", "relu,elu,gelu", "-2:2:1", "--grad", columns=30,
                                         lines=80).lines).split())
    assert text.count("significant digits") == 1
    assert "rounded to 15 significant digits to fit 30 columns; every digit: --format plain" in text


def test_headers_break_only_between_words() -> None:
    lines = in_terminal("table", "relu,elu:alpha=0.5,gelu:approximate=tanh,silu", "-1:1", "--grad",
                        columns=60).lines
    text = " ".join(cell for row in (line.strip("┃").split("┃") for line in lines if line.startswith("┃"))
                    for cell in row)
    for word in ("elu'(x;", "alpha=0.5)", "gelu(x;", "approximate=tanh)", "silu'(x)"):
        assert word in text


def test_a_billion_row_range_shows_its_ends_at_once() -> None:
    screen = in_terminal("apply", "relu", "1:1000000000", columns=80, lines=24)
    cells = table_cells(screen.lines)
    assert cells[0] == ["1.0", "1.0"] and cells[20] == ["⋮", "⋮"] and cells[-2] == ["1000000000.0"] * 2
    assert "⋮ 999,999,960 rows not shown (1,000,000,000 in all)" in screen.text


def test_a_bad_first_value_gives_the_error_and_no_empty_table() -> None:
    screen = in_terminal("apply", "relu", "abc", columns=80, lines=24)
    assert screen.status == 1
    assert screen.text.strip() == "actcli: error: argument 1: cannot read 'abc' as a number"
    kept = in_terminal("apply", "relu", "2", "abc", columns=80, lines=24)  # rows before it stay
    assert kept.status == 1 and table_cells(kept.lines)[0] == ["2.0", "2.0"]
    assert kept.lines[-1] == "actcli: error: argument 2: cannot read 'abc' as a number"
    long = in_terminal("apply", "relu", "1:1000000000", "abc", columns=80, lines=24)  # at once
    assert long.status == 1 and "(1,000,000,000 in all)" in long.text
    assert long.lines[-1] == "actcli: error: argument 2: cannot read 'abc' as a number"


def test_ctrl_c_on_a_long_stream_says_how_far_it_got() -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn("bash", ["-c", "yes 1 | actcli apply relu"], dimensions=(24, 80),
                          env=terminal_env(), encoding="utf-8", timeout=60)
    import time

    time.sleep(2)  # reading the endless stream, keeping only the rows it could show
    child.sendintr()
    child.expect(r"actcli: interrupted after ([\d,]+) values")
    count = int(child.match.group(1).replace(",", ""))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and count > 0
    shown = re.search(r"⋮ ([\d,]+) rows not shown \(([\d,]+) in all\)", child.before or "")
    assert shown is None or int(shown.group(2).replace(",", "")) == count


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}, {}], ids=["NO_COLOR", "dumb", "flag"])
def test_no_escape_codes_at_all_when_asked(env: dict[str, str]) -> None:
    flag = [] if env else ["--no-color"]
    for args in (("table", "relu,elu", "-1:1"), ("list",), ("info", "elu"), ("plot", "relu", "--grad")):
        screen = in_terminal(*args, *flag, env=terminal_env(**env))
        assert screen.status == 0 and "\x1b" not in screen.raw, args


def test_colour_on_a_terminal_and_when_forced() -> None:
    assert "\x1b[" in in_terminal("table", "relu", "-1:1").raw
    import subprocess

    from tests.terminal import ACTCLI

    piped = subprocess.run([str(ACTCLI), "table", "relu", "1", "-f", "table"], capture_output=True,
                           text=True, env=terminal_env(FORCE_COLOR="1"), check=True)
    assert "\x1b[" in piped.stdout


# --- plots ----------------------------------------------------------------------------------


def plot_rows(screen_lines: list[str]) -> dict[str, int]:
    """{y tick label: its line} of a terminal plot."""
    return {line.split("┤")[0].strip(): i for i, line in enumerate(screen_lines) if "┤" in line}


def test_plot_ticks_are_round_and_zero_sits_on_its_label() -> None:
    lines = in_terminal("plot", "relu,elu", columns=80, lines=24).lines
    ticks = plot_rows(lines)
    values = [float(v) for v in ticks]
    assert 0 in values and min(values) < 0  # elu goes below 0: a tick there too
    zero = lines[ticks["0"]]
    assert "●" in zero  # the kink of relu at (0, 0), on the row labelled 0
    # relu's flat left half is on the zero row too: dots all the way from the axis
    assert zero.split("┤")[1].startswith("⠒" * 20)
    rows = list(ticks.values())
    assert len({b - a for a, b in itertools.pairwise(rows)}) == 1  # evenly spaced
    assert len({round(a - b, 9) for a, b in itertools.pairwise(values)}) == 1


@pytest.mark.parametrize(("columns", "lines"), [(20, 8), (40, 10), (60, 16), (120, 40)])
def test_plot_keeps_its_legend_at_every_size(columns: int, lines: int) -> None:
    screen = in_terminal("plot", "relu,elu", "--grad", "--width", str(columns), "--height", str(lines),
                         columns=120, lines=50)
    assert screen.status == 0
    text = screen.text
    legend = text.split("└")[1]  # under the x axis
    for label in ("relu", "elu", "╍", "kink"):  # small sizes merge f and f' (━╍ elu)
        assert label in legend
    assert len(screen.lines) <= lines and max(map(len, screen.lines)) <= columns


def test_a_derivative_is_drawn_in_its_functions_colour() -> None:
    raw = in_terminal("plot", "relu,elu", "--grad", "--width", "60", "--height", "16").raw
    legend = raw.splitlines()[-1]
    colours = re.findall(r"\x1b\[([0-9;]+)m[━╍]+ ([^\x1b\s]+)", legend)
    by_label = dict((label, code) for code, label in colours)
    assert by_label["relu"] == by_label["relu'"] != by_label["elu"] == by_label["elu'"]


@pytest.mark.parametrize(("x_range", "message"), [
    ("-1e308:1e308", "its width is beyond the largest float"),
    ("0:1e-320", "fewer distinct numbers than"),
])
def test_ranges_that_cannot_be_drawn(x_range: str, message: str) -> None:
    screen = in_terminal("plot", "relu", "--range", x_range)
    assert screen.status == 2 and message in screen.text and "Traceback" not in screen.text


@pytest.mark.parametrize(("act", "x_range", "tick"), [
    ("relu", "-1e300:1e300", "1e+300"), ("elu", "1e308:1.7e308", "1.6e+308"),
    ("leaky_relu", "-5:1e308", "1e+308"),
])
def test_huge_but_drawable_ranges(act: str, x_range: str, tick: str) -> None:
    screen = in_terminal("plot", act, "--range", x_range, "--width", "60", "--height", "12")
    assert screen.status == 0 and tick in screen.text and "Warning" not in screen.text
    assert sum(c in "⠁⠂⠄⡀⠈⠐⠠⢀" or 0x2800 < ord(c) < 0x2900 for c in screen.text) > 30  # a curve


def test_a_wider_terminal_never_shows_fewer_digits() -> None:
    """Every digit comes first, in groups of columns if need be; rounding only when even a
    group of one column does not fit. The issue's case: 17 digits at 60 columns, 9 at 120."""
    import actcli

    x = np.array([-1.0, 0.0, 1.0])
    exact = {repr(float(v)) for name in ("relu", "elu", "gelu", "silu")
             for f in (actcli.get(name), actcli.get(name).grad) for v in f(x)}
    for columns in (60, 80, 120):
        screen = in_terminal("table", "relu,elu,gelu,silu", "--grad", "-1:1:1", columns=columns, lines=60)
        shown = {cell for row in table_cells(screen.lines) for cell in row[1:]}
        assert shown == exact, columns
        assert "rounded to" not in screen.text


KINSOKU_START = "、。，．)）」』ー"


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(("args", "shown"), [
    (("check", "sigmoid", "0=0.5", "1=0.73"), {"en": "correctly rounded  0.7310585786300049",
                                              "ja": "正しく丸められた値  0.7310585786300049"}),
    (("explain", "elu", "-1e-10"), {"en": "eˣ − 1 = e^(-1e-10) − 1", "ja": "eˣ − 1 = e^(-1e-10) − 1"}),
    (("--help",), {"en": "Commands", "ja": "コマンド"}),
    (("list", "relu"), {"en": "leaky_relu", "ja": "leaky_relu"}),
    (("plot", "relu,elu", "--no-color"), {"en": "┅┅ elu", "ja": "┅┅ elu"}),
])
def test_what_a_person_reads_fits_in_both_languages(columns: int, language: str, args: tuple[str, ...],
                                                     shown: dict[str, str]) -> None:
    """check, explain, help, list and plot in a terminal of each width, in English and Japanese:
    the lines fit (but an option's own name), no Japanese line starts
    with closing punctuation, and what the command is for is there."""
    screen = in_terminal("--lang", language, *args, columns=columns, lines=200)
    assert screen.status == 0
    assert shown[language] in screen.text
    for line in screen.lines:
        if language == "ja":
            assert not line.strip() or line.strip()[0] not in KINSOKU_START, line
        if not line.strip().startswith("-"):  # an option name is never broken
            from actcli.i18n import cells

            assert cells(line) <= columns, line
