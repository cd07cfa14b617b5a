"""``actcli check``: an implementation's outputs audited against the exact results. The wrong
implementations here are made from the exhaustive reference (tests/data), so the test knows
every answer without asking actcli."""

from __future__ import annotations

import json
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from tests.conftest import Run

DATA = Path(__file__).parent / "data" / "format_reference.npz"
BF16 = np.dtype(ml_dtypes.bfloat16)


def bf16_gelu() -> tuple[np.ndarray, np.ndarray]:
    """Every finite bfloat16 input and its correctly rounded gelu, from the reference."""
    with np.load(DATA) as data:
        return data["bfloat16/x"].view(BF16), data["bfloat16/gelu/value"].view(BF16)


def steps(values: np.ndarray, count: int) -> np.ndarray:
    """``values`` moved ``count`` places along the bfloat16 grid, away from zero (by their bits)."""
    bits = values.view(np.uint16).astype(np.int64)
    return (bits + count).astype(np.uint16).view(BF16)


def write(path: Path, x: np.ndarray, y: np.ndarray) -> None:
    pairs = zip(x.astype(np.float64).tolist(), y.astype(np.float64).tolist(), strict=True)
    lines = [f"{a!r},{b!r}" for a, b in pairs]
    path.write_text("x,y\n" + "\n".join(lines).replace("nan", "NaN") + "\n")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A 'kernel' that is right but for 300 normal inputs 3 places off and 40 giving inf."""
    x, y = bf16_gelu()
    finite = np.isfinite(y.astype(np.float64)) & (np.abs(y.astype(np.float64)) > 1e-30)
    chosen = np.flatnonzero(finite)[::60][:340]
    assert len(chosen) == 340
    off, infinite = chosen[:300], chosen[300:]
    wrong = y.copy()
    wrong[off] = steps(y[off], 3)
    wrong[infinite] = np.array([np.inf], dtype=BF16)[0]
    path = tmp_path_factory.mktemp("check") / "gelu.csv"
    write(path, x, wrong)
    return path, {"rows": len(x), "off": len(off), "infinite": len(infinite)}


def test_the_counts_are_those_of_a_straight_count(run: Run, broken: tuple[Path, dict[str, int]]) -> None:
    path, known = broken
    report = json.loads(run("check", "gelu", "-i", str(path), "--dtype", "bfloat16", "-f", "json").out)
    keys = {"rows", "correctly_rounded", "within_1ulp", "max_ulp", "worst_x", "histogram", "worst"}
    assert keys <= set(report)
    assert report["rows"] == known["rows"]
    assert report["correctly_rounded"] == known["rows"] - known["off"] - known["infinite"]
    assert report["within_1ulp"] == known["rows"] - known["off"] - known["infinite"]
    assert report["max_ulp"] == "Infinity"  # non-finite where the exact value is finite
    assert report["histogram"]["non-finite"] == known["infinite"]
    # three places along the grid: 2.5 to 3.5 ULPs at the exact value, up to 5.5 across a binade
    histogram = report["histogram"]
    assert histogram["<=4"] + histogram["<=8"] == known["off"] and histogram["<=4"] > 0.9 * known["off"]
    assert len(report["worst"]) == 10 and all(w["ulp"] == "Infinity" for w in report["worst"])


def test_max_ulp_gates(run: Run, broken: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    path, _ = broken
    failed = run("check", "gelu", "-i", str(path), "--dtype", "bfloat16", "--max-ulp", "1000", "-f", "json")
    assert failed.code == 1 and "exceeds --max-ulp 1000" in failed.err
    x, y = bf16_gelu()
    exact = tmp_path / "right.csv"
    write(exact, x, y)
    passed = run("check", "gelu", "-i", str(exact), "--dtype", "bfloat16", "--max-ulp", "0.5", "-f", "json")
    assert passed.code == 0 and json.loads(passed.out)["correctly_rounded"] == len(x)


def test_pairs_derivatives_and_bad_rows(run: Run) -> None:
    report = json.loads(run("check", "sigmoid", "0=0.25", "1=0.2", "--grad", "-f", "json").out)
    assert report["rows"] == 2 and report["correctly_rounded"] == 1 and report["worst_x"] == 1.0
    skipped = run("check", "relu", "--on-error", "skip", "-f", "json", stdin="x,y\n1,1\noops,2\n-1,0\n")
    assert json.loads(skipped.out)["rows"] == 2 and json.loads(skipped.out)["skipped"] == 1
    stopped = run("check", "relu", stdin="x,y\n1,1\noops,2\n")
    assert stopped.code == 1 and "<stdin>:3: column 'x': cannot read 'oops'" in stopped.err


def test_which_columns(run: Run) -> None:
    three = "a,x,y\n0,1,1\n"
    assert run("check", "relu", stdin=three).code == 2
    report = json.loads(run("check", "relu", "-c", "x,y", "-f", "json", stdin=three).out)
    assert report["rows"] == 1 and report["correctly_rounded"] == 1


def test_a_value_outside_the_format_is_reported(run: Run) -> None:
    report = json.loads(run("check", "relu", "0.1=0.1", "--dtype", "bfloat16", "-f", "json").out)
    assert report["not_in_format"] == 1


def test_against_numpy_in_float16(run: Run) -> None:
    report = json.loads(run("check", "sigmoid", "--against", "numpy", "--dtype", "float16", "-f", "json").out)
    assert report["rows"] == 63_488 and report["source"].startswith("numpy")
    assert 0 < report["correctly_rounded"] < report["rows"]


def test_against_a_missing_library(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "jax", None)
    result = run("check", "gelu", "--against", "jax", "--dtype", "bfloat16")
    assert result.code == 1
    assert result.err == "actcli: error: --against jax: jax is not installed (pip install jax)\n"


def test_against_torch(run: Run) -> None:
    pytest.importorskip("torch")
    report = json.loads(run("check", "gelu", "--against", "torch", "--dtype", "bfloat16", "-f", "json").out)
    assert report["rows"] == 65_280 and report["correctly_rounded"] < report["rows"]


def test_an_error_beyond_the_doubles_in_ulps_near_zero(run: Run) -> None:
    """relu(0) = 0, whose ULP is 2**-1074: an output of 0.5 is 2**1073 ULPs off, more than a
    double holds (found by a reviewer: it ended in an OverflowError). It reads as the largest
    double, in the top bin, not as non-finite."""
    result = run("check", "relu", "1=1", "0=0.5", "-1=0", "-f", "json")
    assert result.code == 0, result.err
    record = json.loads(result.out)
    assert record["max_ulp"] == 1.7976931348623157e308 and record["worst_x"] == 0.0
    assert record["histogram"][">1048576"] == 1 and record["histogram"]["non-finite"] == 0
    assert run("check", "relu", "0=0.5", "--max-ulp", "1e300").code == 1


# --- what a person reads ------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_worst_inputs_show_every_digit_of_both_values(columns: int) -> None:
    """At any width: x as written, the error with two decimals, and the output above the
    correctly rounded value, every digit of both, the digits where they part in bold red."""
    from tests.terminal import in_terminal, terminal_env

    screen = in_terminal("check", "sigmoid", "0=0.5", "1=0.73", "2=0.8807970779778823", columns=columns,
                         lines=40, env=terminal_env(FORCE_COLOR="1"))
    lines = screen.lines
    start = lines.index("the 2 worst inputs")
    assert lines[start + 1:start + 7] == [
        "  x = 1.0: 9.5e+12 ULP",
        "    output             0.73",
        "    correctly rounded  0.7310585786300049",
        "  x = 2.0: 1.17 ULP",
        "    output             0.8807970779778823",
        "    correctly rounded  0.8807970779778824",
    ]
    assert "  max error          9.5e+12 ULP at x = 1.0" in lines
    bold_red = "\x1b[1;31m"  # the differing tails, and nothing else of the two values
    assert f"0.880797077977882{bold_red}3" in screen.raw and f"0.880797077977882{bold_red}4" in screen.raw
    assert f"rounded  0.73{bold_red}10585786300049" in screen.raw  # 0.73 is where the output ends


def test_the_help_offers_what_check_reads_and_accepts(run: Run) -> None:
    shown = " ".join(run("check", "--help").out.split())
    assert "Read the inputs and outputs from a CSV FILE (-c X,Y" in shown
    assert "--on-error <stop|skip|nan>" in shown and "keep" not in shown
    refused = run("check", "relu", "--on-error", "keep", stdin="x,y\n1,1\n")
    assert refused.code == 2 and "'keep' is not one of 'stop', 'skip', 'nan'" in refused.err


@pytest.mark.parametrize("rows", [0, 1, 255, 256, 257, 600])
def test_the_progress_bar_hears_of_every_row_once(rows: int) -> None:
    from actcli import audit
    from actcli.formats import FORMATS
    from actcli.registry import get

    relu, heard = get("relu"), []
    x = np.linspace(-1.0, 1.0, rows)
    audit.measure(relu, relu.params, False, "pytorch", FORMATS["float64"], x, np.zeros(rows), heard.append)
    assert sum(heard) == rows and all(0 <= n <= audit.PROGRESS_STEP for n in heard)
