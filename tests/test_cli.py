"""The command line, called as users call it: exact output, exit codes and one-line errors.

Most cases run ``actcli.cli.main`` in-process (the same entry point as the console script,
argument preparation and error handling included); test_cli_process.py runs the installed
script in real subprocesses and pipes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from actcli.cli import prepare_args
from tests.conftest import Run

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_52d095cde46583ad.txt"


RELU_LINES = """\
Applying Relu on (1.0) gives 1.0
Applying Relu on (-10.0) gives 0.0
Applying Relu on (0.0) gives 0.0
Applying Relu on (15.0) gives 15.0
Applying Relu on (-20.0) gives 0.0
"""
LEAKY_LINES = """\
Applying Leaky Relu on (1.0) gives 1.0
Applying Leaky Relu on (-10.0) gives -0.1
Applying Leaky Relu on (0.0) gives 0.0
Applying Leaky Relu on (15.0) gives 15.0
Applying Leaky Relu on (-20.0) gives -0.2
"""


# --- the seed tutorial -----------------------------------------------------------------------


def test_tutorial_relu(run: Run) -> None:
    assert run("apply", "relu", "1", "-10", "0", "15", "-20", "--format", "tutorial").out == RELU_LINES


def test_tutorial_leaky_relu(run: Run) -> None:
    assert run("apply", "leaky_relu", "1", "-10", "0", "15", "-20", "-f", "tutorial").out == LEAKY_LINES


@pytest.mark.skipif(not SEEDS.exists(), reason="the seed texts sit in ../shared beside the repo")
def test_tutorial_lines_are_the_seed_text() -> None:
    seed = SEEDS.read_text(encoding="utf-8")
    assert RELU_LINES in seed.replace("\r\n", "\n")
    assert LEAKY_LINES in seed.replace("\r\n", "\n")


def test_tutorial_pattern_for_grad_and_parameters(run: Run) -> None:
    assert run("grad", "relu", "-1", "0", "1", "-f", "tutorial").out == (
        "Applying Relu Gradient on (-1.0) gives 0.0\n"
        "Applying Relu Gradient on (0.0) gives 0.0\n"
        "Applying Relu Gradient on (1.0) gives 1.0\n"
    )
    assert run("apply", "elu:alpha=0.5", "-1", "-f", "tutorial", "--precision", "3").out == (
        "Applying Elu(alpha=0.5) on (-1.000) gives -0.316\n"
    )


# --- values ----------------------------------------------------------------------------------


def test_negative_numbers_need_no_double_dash(run: Run) -> None:
    result = run("apply", "relu", "-10", "-0.5", "-1e-3", "-.5", "-inf", "2.5")
    assert (result.code, result.out, result.err) == (0, "0.0\n0.0\n0.0\n0.0\n0.0\n2.5\n", "")


def test_signed_zero_nan_and_infinities(run: Run) -> None:
    assert run("apply", "relu", "-0.0", "nan", "inf", "-inf", "Infinity").out == (
        "-0.0\nNaN\ninf\n0.0\ninf\n"
    )
    assert run("grad", "tanh", "nan", "inf").out == "NaN\n0.0\n"


def test_exact_output_round_trips(run: Run) -> None:
    out = run("apply", "sigmoid", "1", "-745", "40").out.split()
    assert out == ["0.7310585786300049", "5e-324", "1.0"]
    assert float(out[0]) == 1 / (1 + math.exp(-1))


def test_range_has_no_drift(run: Run) -> None:
    out = run("apply", "identity", "-1:1:0.1").out.split()
    assert len(out) == 21
    assert out[:3] == ["-1.0", "-0.9", "-0.8"] and out[10] == "0.0" and out[-1] == "1.0"
    assert run("apply", "identity", "0:1:0.3").out.split() == ["0.0", "0.3", "0.6", "0.9"]
    assert run("apply", "identity", "3:1:-1").out.split() == ["3.0", "2.0", "1.0"]
    assert run("apply", "identity", "1:3").out.split() == ["1.0", "2.0", "3.0"]


def test_values_from_files_and_stdin(run: Run, tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text("1, 2\n# a comment\n-3 4 # trailing\n\n")
    second = tmp_path / "b.txt"
    second.write_text("5\n")
    assert run("apply", "relu", "-i", str(first), "-i", str(second)).out.split() == [
        "1.0", "2.0", "0.0", "4.0", "5.0"]
    assert run("apply", "relu", stdin="-1\n2,3").out.split() == ["0.0", "2.0", "3.0"]
    assert run("apply", "relu", "7", "-", "8", stdin="9").out.split() == ["7.0", "9.0", "8.0"]


def test_dtype_rounds_inputs_and_keeps_outputs(run: Run) -> None:
    assert run("apply", "sigmoid", "1", "--dtype", "float32").out == "0.7310586\n"
    assert run("apply", "identity", "0.1", "--dtype", "float16").out == "0.1\n"
    assert run("table", "identity", "0.1", "--dtype", "float32", "-f", "csv").out == (
        "x,identity(x)\n0.1,0.1\n")


def test_precision_rounds_for_display(run: Run) -> None:
    assert run("apply", "sigmoid", "1", "--precision", "3").out == "0.731\n"


def test_kink_conventions(run: Run) -> None:
    assert run("grad", "relu", "0").out == "0.0\n"
    assert run("grad", "relu", "0", "--kink", "right").out == "1.0\n"
    assert run("grad", "leaky_relu", "0", "--kink", "mean").out == "0.505\n"
    assert run("table", "relu", "0", "--grad", "--kink", "left", "-f", "csv").out == (
        "x,relu(x),relu'(x)\n0.0,0.0,0.0\n")


# --- parameters ------------------------------------------------------------------------------


def test_parameters_inline_as_options_and_with_param(run: Run) -> None:
    expected = "-0.31606027941427883\n"
    assert run("apply", "elu:alpha=0.5", "-1").out == expected
    assert run("apply", "elu", "--alpha", "0.5", "-1").out == expected
    assert run("apply", "elu", "--alpha=0.5", "-1").out == expected
    assert run("apply", "elu", "-p", "alpha=0.5", "-1").out == expected
    assert run("apply", "hardtanh:min_val=-2:max_val=2", "-3", "3").out == "-2.0\n2.0\n"
    assert run("apply", "leaky_relu", "--negative-slope", "-0.5", "-2").out == "1.0\n"
    assert run("apply", "gelu", "--approximate", "tanh", "1").out == "0.8411919906082767\n"


def test_names_ignore_case_hyphens_and_underscores(run: Run) -> None:
    for spelling in ("LeakyReLU", "leaky-relu", "leaky_relu", "LEAKY"):
        assert run("apply", spelling, "-10").out == "-0.1\n"


# --- outputs ---------------------------------------------------------------------------------


def test_plain_csv_tsv_ndjson(run: Run) -> None:
    args = ("table", "relu,elu", "-1", "2")
    assert run(*args).out == "# x\trelu(x)\telu(x)\n-1.0\t0.0\t-0.6321205588285577\n2.0\t2.0\t2.0\n"
    assert run(*args, "-f", "csv").out == "x,relu(x),elu(x)\n-1.0,0.0,-0.6321205588285577\n2.0,2.0,2.0\n"
    assert run(*args, "-f", "tsv").out == (
        "x\trelu(x)\telu(x)\n-1.0\t0.0\t-0.6321205588285577\n2.0\t2.0\t2.0\n")
    assert run(*args, "-f", "ndjson").out == (
        '{"x": -1.0, "relu(x)": 0.0, "elu(x)": -0.6321205588285577}\n'
        '{"x": 2.0, "relu(x)": 2.0, "elu(x)": 2.0}\n'
    )


def test_csv_quotes_headers_that_need_it(run: Run) -> None:
    out = run("table", "elu:alpha=0.5,hardtanh:min_val=-2", "0", "-f", "csv").out
    assert out.splitlines()[0] == "x,elu(x; alpha=0.5),hardtanh(x; min_val=-2.0)"


def test_json_is_valid_and_writes_non_finite_as_strings(run: Run) -> None:
    out = run("apply", "relu", "nan", "inf", "-inf", "1", "-f", "json").out
    records = json.loads(out, parse_constant=lambda c: pytest.fail(f"bare {c} in JSON"))
    assert records == [
        {"x": "NaN", "relu(x)": "NaN"},
        {"x": "Infinity", "relu(x)": "Infinity"},
        {"x": "-Infinity", "relu(x)": 0.0},
        {"x": 1.0, "relu(x)": 1.0},
    ]
    assert json.loads(run("apply", "relu", "-f", "json", stdin="").out) == []


TABLE_80 = """\
          relu, elu(alpha=0.5)           
┏━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┓
┃    x ┃ relu(x) ┃    elu(x; alpha=0.5) ┃
┡━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━┩
│ -1.0 │     0.0 │ -0.31606027941427883 │
│  0.0 │     0.0 │  0.0                 │
│  1.0 │     1.0 │  1.0                 │
└──────┴─────────┴──────────────────────┘
"""


def test_rich_table_at_a_fixed_width(run: Run) -> None:
    result = run("table", "relu,elu:alpha=0.5", "-1:1", "-f", "table", "--no-color")
    assert result.out == TABLE_80


def test_rich_table_fits_a_narrow_terminal(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    out = run("table", "relu,elu,gelu", "-1", "-f", "table").out
    assert max(len(line) for line in out.splitlines()) <= 40
    assert "gelu(x)" in out


def test_colour_only_when_asked_and_never_with_no_color(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run("table", "relu", "1", "-f", "table").out
    assert "\x1b[" not in run("table", "relu", "1", "-f", "table", "--no-color").out  # not even bold
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run("table", "relu", "1", "-f", "table").out
    assert "\x1b[" not in run("plot", "relu,elu", "--grad").out + run("list", "-f", "table").out


def test_long_table_shows_head_and_tail_with_the_count(run: Run) -> None:
    lines = run("apply", "relu", "-1000:1000", "-f", "table").out.splitlines()
    body = [line for line in lines if line.startswith("│")]
    assert body[0].split() == ["│", "-1000.0", "│", "0.0", "│"]
    assert body[19].split()[1] == "-981.0" and body[20].split()[1] == "⋮"
    assert body[21].split()[1:4] == ["981.0", "│", "981.0"] and body[-2].split()[1] == "1000.0"
    assert body[-1].split() == ["│", "x", "│", "relu(x)", "│"]  # the header again, under the tail
    assert "⋮ 1,961 rows not shown (2,001 in all)" in lines[-1]


def test_long_input_keeps_its_true_tail(run: Run) -> None:
    numbers = "".join(f"{i}\n" for i in range(1, 70_001))  # more than one batch
    lines = run("apply", "relu", "-f", "table", stdin=numbers).out.splitlines()
    shown = [line.split()[1] for line in lines if line.startswith("│")][:-1]  # less the header
    assert shown == [f"{i}.0" for i in range(1, 21)] + ["⋮"] + [f"{i}.0" for i in range(69_981, 70_001)]
    assert "⋮ 69,960 rows not shown (70,000 in all)" in lines[-1]


def test_table_without_values_on_a_terminal_uses_the_default_range(run: Run) -> None:
    out = run("table", "relu", "-f", "csv").out.splitlines()
    assert out[1] == "-3.0,0.0" and out[-1] == "3.0,3.0" and len(out) == 14


# --- list and info ---------------------------------------------------------------------------


def test_list(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "140")
    out = run("list", "-f", "table").out
    for text in ("leaky_relu", "lrelu", "negative_slope=0.01", "upper=0.3333…", "softmax", "over a vector"):
        assert text in out
    assert max(map(len, out.splitlines())) <= 140


def test_list_in_a_pipe_is_a_line_per_activation(run: Run) -> None:
    lines = run("list").out.splitlines()
    assert len(lines) == 30 and lines[0].split()[0] == "relu"
    rrelu = next(line for line in lines if line.startswith("rrelu "))
    assert "lower=0.125 upper=0.3333333333333333" in rrelu  # exact in a pipe
    assert rrelu.endswith("f(x) = x if x > 0 else ((lower + upper)/2)·x")
    records = json.loads(run("list", "--format", "json").out)
    assert records[0]["name"] == "relu" and len(records) == 30
    assert records[2]["params"] == {"negative_slope": 0.01}


def test_info(run: Run) -> None:
    out = run("info", "leaky-relu").out
    for text in ("leaky_relu", "f(x) = x if x > 0 else negative_slope·x", "keras: 0.2",
                 "pytorch (default)", "Maas", "-0.03"):
        assert text in out
    record = json.loads(run("info", "elu", "--alpha", "0.5", "-f", "json").out)
    assert record["params"] == {"alpha": 0.5}
    assert record["kinks"] == [{"at": 0.0, "left": 0.5, "right": 1.0, "pytorch": 0.5, "mean": 0.75}]
    assert record["reference"].endswith("arXiv:1511.07289")
    assert record["values"][0] == {"x": -3.0, "f": -0.475106465816068, "grad": 0.024893534183931972}


def test_version(run: Run) -> None:
    assert run("--version").out.startswith("actcli ")


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (("apply", "rleu", "1"), "", 2, "unknown activation 'rleu'; did you mean relu, rrelu, relu6?"),
        (("apply", "elu:alhpa=1", "1"), "", 2, "elu: unknown parameter 'alhpa'; did you mean 'alpha'?"),
        (("apply", "celu:alpha=0", "1"), "", 2,
         "celu: parameter 'alpha' must be in [1e-150, 1e+150], got '0'"),
        (("apply", "elu:alpha", "1"), "", 2, "elu: cannot read parameter 'alpha'; write NAME=VALUE"),
        (("apply", "relu", "--alpah", "1"), "", 2, "no such option: --alpah; did you mean --alpha?"),
        (("apply", "relu", "1", "--kink", "right"), "", 2,
         "apply has no option --kink; grad, table, explain and check have it"),
        (("apply", "relu", "1", "--precison", "2"), "", 2, "did you mean --precision?"),
        (("apply", "relu", "--alpha", "1", "2"), "", 2, "relu: unknown parameter 'alpha'"),
        (("apply", "relu", "-x"), "", 2, "no such option: -x"),
        (("table", "relu,elu", "--alpha", "1", "0"), "", 2, "--alpha applies to a single activation"),
        (("apply", "relu,elu", "1"), "", 2, "apply takes one activation; for several use 'actcli table"),
        (("apply", "relu", "--format", "xml", "1"), "", 2, "Invalid value for '--format' / '-f'"),
        (("apply", "relu", "1", "abc", "2"), "", 1, "argument 2: cannot read 'abc' as a number"),
        (("apply", "relu", "1_000"), "", 1, "argument 1: cannot read '1_000' as a number"),
        (("apply", "relu", "5:1:1"), "", 1, "argument 1: range '5:1:1' never reaches its stop"),
        (("apply", "relu", "0:inf:1"), "", 1, "argument 1: range '0:inf:1' needs finite START"),
        (("apply", "relu", "-i", "/no/such/file"), "", 1, "/no/such/file: cannot read"),
        (("apply", "relu"), "1\n2 abc\n", 1, "<stdin>:2: cannot read 'abc' as a number"),
    ],
)
def test_errors_are_one_line_with_an_exit_code(run: Run, args: tuple[str, ...], stdin: str, code: int,
                                               message: str) -> None:
    result = run(*args, stdin=stdin)
    assert result.code == code
    assert result.err.startswith("actcli: error: ") and result.err.count("\n") == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_text_that_is_not_utf8_is_reported_at_its_line(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"".join(b"%d\n" % i for i in range(3000)) + b"\xff\n5\n")
    result = run("apply", "identity", "-i", str(bad))
    assert result.err == f"actcli: error: {bad}:3001: not UTF-8 text (invalid start byte)\n"
    assert result.code == 1 and len(result.out.split()) == 3000  # nothing before it is lost
    piped = run("apply", "relu", stdin=b"1\n\xff\n")
    assert piped.out == "1.0\n"
    assert piped.err == "actcli: error: <stdin>:2: not UTF-8 text (invalid start byte)\n"


def test_values_before_a_bad_token_are_written(run: Run) -> None:
    result = run("apply", "relu", stdin="1\n-2\nabc\n3\n")
    assert (result.code, result.out) == (1, "1.0\n0.0\n")
    result = run("apply", "relu", "1", "2", "x", "-f", "json")
    assert json.loads(result.out) == [{"x": 1.0, "relu(x)": 1.0}, {"x": 2.0, "relu(x)": 2.0}]


def test_apply_without_values_on_a_terminal_gives_a_hint(run: Run) -> None:
    result = run("apply", "relu")
    assert result.code == 2
    assert "no values: give some (actcli apply relu 1 -10 0)" in result.err


def test_prepare_args_leaves_other_commands_alone() -> None:
    assert prepare_args(["list", "--alpha", "-1"]) == ["list", "--alpha", "-1"]
    assert prepare_args(["apply", "elu", "--alpha", "-0.5", "-1"]) == [
        "apply", "elu", "--param", "alpha=-0.5", " -1"]
    assert prepare_args(["grad", "relu", "--", "-2"]) == ["grad", "relu", "--", " -2"]


# --- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["apply", "grad", "table", "plot", "info", "list", "completion"])
def test_help_reads_well(run: Run, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = run(command, "--help").out
    assert "{" not in out.splitlines()[0] and "<int" not in out and "range>" not in out
    assert max(map(len, out.splitlines())) <= 80


def test_help_summaries_and_option_words(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    commands = run("--help").out.split("Commands:")[1]
    assert "..." not in commands and "apply       f(x) for each value, or for a CSV column." in commands
    plot = " ".join(run("plot", "--help").out.split())
    assert "Also draw each derivative (dashed, in its function's colour)." in plot
    assert "--width COLUMNS" in plot and "--height LINES" in plot
    apply = " ".join(run("apply", "--help").out.split())
    assert "Usage: actcli apply [OPTIONS] ACT [VALUES]..." in apply and "--precision N" in apply
    assert "(default: ACT(COLUMN), e.g. elu(score))" in apply and "relu(x))" not in apply


def test_float16_integers_are_written_in_full(run: Run) -> None:
    assert run("apply", "relu", "65504", "0.1", "--dtype", "float16").out == "65504.0\n0.1\n"
    assert "65504.0" in run("apply", "relu", "65504", "--dtype", "float16", "-f", "table").out


def test_numbers_align_on_the_decimal_point(run: Run) -> None:
    out = run("table", "gelu", "-2:2:1", "-f", "table").out
    points = {line.rindex(".") for line in out.splitlines() if line.startswith("│")}
    assert len(points) == 1  # 0.0 and -0.04550026389635842 put their points in one column


# --- the newcomer audit ---------------------------------------------------------------------------


def test_a_mistyped_command_gets_the_close_names(run: Run) -> None:
    assert run("aply", "relu", "1").err == ("actcli: error: no such command: aply; did you mean apply? "
                                            "(see 'actcli --help')\n")
    unknown = run("frobnicate")
    assert unknown.code == 2
    assert unknown.err == "actcli: error: no such command: frobnicate (see 'actcli --help')\n"


def test_list_with_words_shows_the_matching_activations(run: Run) -> None:
    names = [line.split()[0] for line in run("list", "relu").out.splitlines()]
    assert names == ["relu", "relu6", "leaky_relu", "prelu", "rrelu"]
    assert [line.split()[0] for line in run("list", "Leaky-ReLU", "shrink").out.splitlines()] == [
        "leaky_relu", "tanhshrink", "hardshrink", "softshrink"]  # case, '-', and a family
    none = run("list", "xyz")
    assert none.code == 2 and "no activation's name or alias holds 'xyz'" in none.err


def test_an_output_file_of_an_unknown_kind_is_refused(run: Run, tmp_path: Path) -> None:
    refused = run("apply", "relu", "1", "-o", str(tmp_path / "out.xlsx"))
    assert refused.code == 2 and "does not write .xlsx files" in refused.err
    assert not (tmp_path / "out.xlsx").exists()
    assert run("apply", "relu", "1", "-o", str(tmp_path / "out.xlsx"), "-f", "csv").code == 0  # said
    assert run("apply", "relu", "1", "-o", str(tmp_path / "out.txt")).code == 0
    assert (tmp_path / "out.txt").read_text() == "1.0\n"


def test_no_threshold_is_spelled_as_the_command_line_spells_it(run: Run) -> None:
    assert "parameters: beta = 1, threshold = none" in run("explain", "softplus", "50").out
    assert "threshold=none" in run("list", "softplus").out


@pytest.mark.parametrize(("args", "said"), [
    (("apply",), "ACT is missing"),
    (("info", "relu", "extra"), "too many arguments: extra"),
    (("apply", "relu", "1", "--precision", "40"), "--precision takes a number from 0 to 30, not 40"),
    (("apply", "relu", "1", "--precision", "abc"), "--precision takes a whole number, not 'abc'"),
])
def test_clicks_own_errors_read_as_actclis(run: Run, args: tuple[str, ...], said: str) -> None:
    result = run(*args)
    assert result.code == 2
    assert result.err == f"actcli: error: {said} (see 'actcli {args[0]} --help')\n"
