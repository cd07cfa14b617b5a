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


# --- every input: --exhaustive, and a Python function as the subject -----------------------------

SUBJECTS = Path(__file__).parent / "subjects.py"


def exhaustive_report(run: Run, dtype: str, *more: str) -> dict:
    result = run("check", "gelu", "--against", f"{SUBJECTS}:bad_gelu", "--dtype", dtype, "--exhaustive",
                 "-f", "json", *more)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_exhaustive_finds_exactly_the_inputs_a_function_breaks(run: Run, dtype: str) -> None:
    from tests.subjects import BROKEN

    broken = BROKEN[dtype]
    (two_low, two_high), (one_low, one_high) = broken["two_places"], broken["one_place"]
    report = exhaustive_report(run, dtype)
    wrong = (two_high - two_low + 1) + (one_high - one_low + 1) + 1
    assert report["rows"] == 65_536 and report["correctly_rounded"] == 65_536 - wrong
    assert report["disagreements"] == {"nan": 1, "infinite_input": 0, "overflow": 0, "signed_zero": 0}
    assert report["histogram"]["non-finite"] == 1 and report["max_ulp"] == "Infinity"
    assert report["range_count"] == 3
    as_value = {
        bits: float(np.array([bits], np.uint16).view(np.float16 if dtype == "float16" else BF16)[0])
        for bits in (two_low, two_high, one_low, one_high, broken["nan"])
    }
    ranges = [(r["from"], r["to"], r["inputs"]) for r in report["ranges"]]
    assert ranges == [(as_value[two_low], as_value[two_high], two_high - two_low + 1),
                      (as_value[one_high], as_value[one_low], one_high - one_low + 1),
                      (as_value[broken["nan"]], as_value[broken["nan"]], 1)]
    assert report["ranges"][0]["max_ulp"] > report["ranges"][1]["max_ulp"] >= 0.5
    assert report["worst"][0]["x"] == as_value[broken["nan"]]
    assert report["worst"][0]["bits"] == f"{broken['nan']:#06x}"
    assert set(report) >= {"seconds", "actcli_version", "source"}


def test_ranges_that_cross_chunks_and_processes_are_joined(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from actcli import exhaustive

    whole = exhaustive_report(run, "bfloat16")
    monkeypatch.setattr(exhaustive, "CHUNK", 100)  # [1, 2) spans two chunk boundaries
    for jobs in ("1", "2"):
        split = exhaustive_report(run, "bfloat16", "--jobs", jobs)
        for key in ("rows", "correctly_rounded", "within_1ulp", "histogram", "ranges", "range_count",
                    "worst", "max_ulp", "worst_x", "disagreements"):
            assert split[key] == whole[key], key


def test_exhaustive_markdown_names_both_sides_and_bit_patterns(run: Run) -> None:
    result = run("check", "gelu", "--against", f"{SUBJECTS}:bad_gelu", "--dtype", "bfloat16", "--exhaustive",
                 "-f", "markdown")
    assert result.code == 0, result.err
    text = result.out
    assert text.startswith("### actcli check: gelu in bfloat16, every input\n")
    assert f"| implementation | {SUBJECTS}:bad_gelu |" in text and "| reference | actcli " in text
    assert "| `-3.0` | `0xc040` | `NaN` | `-0.00406` | ∞ |" in text
    assert "| `1.0` | `1.99` | 128 |" in text  # the range [1, 2): every one of its 128 inputs


def test_exhaustive_table_for_people(run: Run) -> None:
    out = run("check", "gelu", "--against", f"{SUBJECTS}:bad_gelu", "--dtype", "bfloat16", "--exhaustive").out
    assert "the 3 longest ranges of wrong inputs, of 3" in out
    assert "[1.0, 1.99]: 128 inputs" in out
    assert "NaN against a number" in out and "65,536 inputs in " in out


@pytest.mark.parametrize(("function", "message"), [
    ("raises_at_three", "ValueError: cannot take 3 at x = 3.0 (bits 0x4040), in the chunk of inputs "
                        "0x0000 to 0xffff"),
    ("gives_float64", "gave float64 of shape (65536,) for bfloat16 of shape (65536,)"),
    ("gives_half", "gave bfloat16 of shape (32768,) for bfloat16 of shape (65536,)"),
    ("NOT_A_FUNCTION", "has no function NOT_A_FUNCTION"),
    ("missing", "has no function missing"),
])
def test_a_bad_function_is_one_line_and_exit_1(run: Run, function: str, message: str) -> None:
    given = f"{SUBJECTS}:{function}"
    result = run("check", "gelu", "--against", given, "--dtype", "bfloat16", "--exhaustive")
    assert result.code == 1 and result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith(f"actcli: error: --against {given}: ")
    assert message in result.err, result.err


def test_subjects_that_cannot_be_loaded(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import nowhere_to_be_found\n")
    cases = [(f"{tmp_path}/none.py:f", 1, f"no such file: {tmp_path}/none.py"),
             (f"{broken}:f", 1, "cannot import " + str(broken) + ": ModuleNotFoundError: No module named "
                                "'nowhere_to_be_found'"),
             ("no_such_module_anywhere:f", 1, "cannot import no_such_module_anywhere: ModuleNotFoundError"),
             ("torchy", 2, "give a library (torch, jax, numpy, scipy), module:function or "
                           "path/to/file.py:function")]
    for given, code, message in cases:
        result = run("check", "gelu", "--against", given, "--dtype", "bfloat16", "--exhaustive")
        assert result.code == code and result.err.count("\n") == 1 and message in result.err, result.err


def test_a_slow_function_is_stopped_with_its_rate(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from actcli import exhaustive

    monkeypatch.setattr(exhaustive, "CHUNK", 1024)
    monkeypatch.setattr(exhaustive, "JUDGE_AFTER", 0.2)
    result = run("check", "gelu", "--against", f"{SUBJECTS}:slow", "--dtype", "float16", "--exhaustive",
                 "--jobs", "1", "--time-limit", "1")
    assert result.code == 1
    assert " inputs/s, so the 65,536 inputs would take about " in result.err
    assert result.err.endswith("past --time-limit 1 s\n")


def test_exhaustive_needs_a_subject_and_a_narrow_format(run: Run) -> None:
    assert "give --against" in run("check", "gelu", "--exhaustive", "--dtype", "bfloat16").err
    result = run("check", "gelu", "--exhaustive", "--against", "numpy", "--dtype", "float64")
    assert result.code == 2 and "32 bits or fewer" in result.err


def test_a_function_subject_in_the_sampled_audit(run: Run) -> None:
    """Without --exhaustive the function is audited as the libraries are: every finite input of a
    16-bit format."""
    report = json.loads(run("check", "gelu", "--against", f"{SUBJECTS}:bad_gelu", "--dtype", "bfloat16",
                            "-f", "json").out)
    assert report["rows"] == 65_280 and report["correctly_rounded"] == 65_280 - 257
    assert "ranges" not in report


def test_exhaustive_float8_against_numpy(run: Run) -> None:
    report = json.loads(run("check", "sigmoid", "--against", "numpy", "--dtype", "float8_e4m3fn",
                            "--exhaustive", "-f", "json").out)
    assert report["rows"] == 256 and report["correctly_rounded"] <= 256
    assert sum(report["histogram"].values()) == 256


@pytest.mark.parametrize(("name", "derivative"), [("gelu", False), ("silu", False), ("hardswish", False),
                                                  ("gelu", True), ("tanhshrink", True), ("sigmoid", False)])
def test_the_float32_reference_of_exhaustive_is_the_accurate_paths(name: str, derivative: bool) -> None:
    """exhaustive.reference (the core's float64 rounded into float32, midpoints decided again)
    against the accurate path alone (the reference kernels, mpmath where they cannot decide), on
    random bit patterns and on the tiny inputs where the double is exactly a midpoint (x/2 for an
    odd subnormal x: decided by the sign of f''(0))."""
    import actcli
    from actcli import compute, exhaustive
    from actcli.formats import FORMATS

    act, fmt = actcli.get(name), FORMATS["float32"]
    params = act.bind({})
    rng = np.random.default_rng(7)
    bits = np.r_[rng.integers(0, 2**32, 20_000), np.arange(1, 600), np.arange(0x80000001, 0x80000000 + 600),
                 0x00800001 + 2 * np.arange(300)].astype(np.uint32)
    x = bits.view(np.float32)
    rule = (0.0, 0.0) if derivative else exhaustive.near_zero_rule(act, params)
    with np.errstate(all="ignore"):
        got, _ = exhaustive.reference(act, params, derivative, "pytorch", fmt, x, rule)
        expected = fmt.round(compute.accurate(act, x.astype(np.float64), params, fmt, derivative))
    same = (got.view(np.uint32) == expected.view(np.uint32)) | (np.isnan(got) & np.isnan(expected))
    assert same.all(), x[~same][:5]


def test_a_correct_function_has_no_ranges_and_the_sampled_audits_largest_error(run: Run) -> None:
    """Every output correctly rounded: the largest error is then a correct output's, measured in a
    second pass; it is the one the audit of every finite input (without --exhaustive) finds."""
    args = ("check", "gelu", "--against", f"{SUBJECTS}:correct_gelu", "--dtype", "bfloat16", "-f", "json")
    every = json.loads(run(*args, "--exhaustive").out)
    finite = json.loads(run(*args).out)
    assert every["correctly_rounded"] == every["rows"] == 65_536 and every["ranges"] == []
    assert every["range_count"] == 0 and every["worst"] == []
    assert 0 < every["max_ulp"] == finite["max_ulp"] <= 0.5 and every["worst_x"] == finite["worst_x"]


@pytest.mark.parametrize("dtype", ["float32", "float16", "float8_e5m2"])
def test_the_cores_tally_measures_as_the_sampled_audit(dtype: str) -> None:
    """_core.tally (one pass, for --exhaustive) against actcli.audit's ulp_errors and histogram_of
    on outputs off by 0 to 2**22 ULPs, at the edges of the bins, NaN, ±inf, zeros of both signs,
    subnormals; in float32 and in narrower formats (whose values go in as float32)."""
    from actcli import _core, audit, exhaustive
    from actcli.formats import FORMATS

    fmt, rng = FORMATS[dtype], np.random.default_rng(3)
    finite = fmt.largest * np.r_[rng.random(3000), 2.0 ** rng.integers(-160, 0, 3000) * rng.random(3000)]
    specials = [0.0, -0.0, 1.0, np.inf, -np.inf, np.nan, 0.0, -0.0]
    exact = np.r_[finite * rng.choice([-1, 1], finite.size), specials]
    correct = fmt.round(exact).astype(np.float64)
    steps = np.r_[rng.integers(-2**22, 2**22, exact.size - 8), 0, 0, 0, 1, 0, 0, 0, 0]
    quantum = fmt.quantum(np.where(np.isfinite(exact), np.abs(exact), 1.0))
    y = fmt.round(np.where(rng.random(exact.size) < 0.3, correct, correct + steps * quantum)).astype(float)
    y[-8:] = -0.0, 0.0, 1.0 + 2 * quantum[-6], np.nan, np.inf, 1.0, -0.0, 0.0  # sign, 2 ULPs, NaN, inf
    # On the edges of the bins: 2**k ULPs from an exact value of the format, half one from a midpoint.
    steps = 2.0 ** (np.arange(40) % min(21, fmt.precision - 1))  # within the binade
    exact[:40] = correct[:40] = 2.0 ** rng.integers(fmt.emin, 4, 40)
    y[:40] = fmt.round(correct[:40] + steps * fmt.quantum(correct[:40]))
    exact[40] = correct[40] + fmt.quantum(np.abs(correct[40:41]))[0] / 2
    y[40] = fmt.round(correct[40:41] + 2 * (exact[40] - correct[40]))[0]  # the other side of the midpoint
    x = rng.standard_normal(exact.size)
    x[:3] = np.inf, -np.inf, np.nan
    wrong, errors = np.empty(x.size, dtype=np.intp), np.empty(x.size)
    counts = np.empty(exhaustive.TALLY_COUNTS, dtype=np.int64)
    as_float32 = (a.astype(np.float32) for a in (x, y, correct))
    found = _core.tally(*as_float32, exact, fmt.emin, fmt.precision, wrong, errors, counts)

    differ = (y.astype(np.float32).view(np.uint32) != correct.astype(np.float32).view(np.uint32))
    both_zero, both_nan = (y == 0) & (correct == 0), np.isnan(y) & np.isnan(correct)
    expected_wrong = np.flatnonzero(differ & ~both_zero & ~both_nan)
    assert found == expected_wrong.size > 3000 and errors[:41].tolist() == [*steps, 0.5]
    assert (wrong[:found] == expected_wrong).all()
    expected = audit.ulp_errors(y[expected_wrong], exact[expected_wrong], correct[expected_wrong], fmt)
    assert errors[:found].tolist() == expected.tolist()
    assert counts[6:].tolist() == audit.histogram_of(expected).tolist()
    wy, wc = y[expected_wrong], correct[expected_wrong]
    same_special = ~np.isfinite(y) & ((y == correct) | (np.isnan(y) & np.isnan(correct)))
    assert counts[0] == np.count_nonzero((y == exact) | same_special)
    assert counts[1] == np.count_nonzero(np.isnan(wy) != np.isnan(wc))
    assert counts[2] == np.count_nonzero(np.isinf(x[expected_wrong]))
    assert counts[4] == np.count_nonzero(both_zero & (np.signbit(y) != np.signbit(correct)))
    assert counts[5] == np.count_nonzero(expected <= 1)
