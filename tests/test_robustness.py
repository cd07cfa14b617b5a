"""Nothing lost, nothing leaked: hostile input, interrupts and extreme usage, one test per case
found by hand or by the fuzzer; each failed before its fix."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import actcli
from tests.conftest import Run

ACTCLI = Path(sys.executable).with_name("actcli")


def records(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def clean_error(err: str, code: int, result_code: int) -> None:
    assert result_code == code
    assert err.startswith("actcli: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "Warning" not in err and ".py" not in err


# --- CSV: data kept whole ---------------------------------------------------------------------


@pytest.mark.parametrize("precision", [[], ["--precision", "2"]])
def test_a_bare_cr_in_a_text_field_stays_inside_its_quotes(run: Run, precision: list[str]) -> None:
    data = 'c0;value\n"bare\rcr"; 4.8e-86\n'
    result = run("apply", "prelu", "-c", "value", "-d", ";", *precision, stdin=data)
    assert records(result.out, ";") == [["c0", "value", "prelu(value)"],
                                        ["bare\rcr", " 4.8e-86", "0.00" if precision else "4.8e-86"]]


def test_an_empty_cell_quoted_or_not_gives_an_empty_result(run: Run) -> None:
    assert records(run("apply", "relu", "-c", "x", stdin='x\n""\n1\n  \n').out) == [
        ["x", "relu(x)"], ["", ""], ["1", "1.0"], ["  ", ""]]


@pytest.mark.parametrize("data", ['"c0",2\n\n\n-0.3,1\n', '"c0",2\r\n\r\n-0.3,1\r\n', "c0,2\n\n-0.3,1\n\n"])
def test_blank_lines_right_after_the_header(run: Run, data: str) -> None:
    result = run("apply", "log_sigmoid", "-c", "2", stdin=data)
    assert result.code == 0 and records(result.out)[1] == ["-0.3", "1", "-0.3132616875182228"]


def test_keep_writes_the_bad_cell_and_computes_the_rest_of_its_row(run: Run) -> None:
    result = run("apply", "relu", "-c", "a,b", "--on-error", "keep", "--precision", "2",
                 stdin="a,b\n1,x\n2,-3\n")
    assert records(result.out) == [["a", "b", "relu(a)", "relu(b)"], ["1", "x", "1.00", "x"],
                                   ["2", "-3", "2.00", "0.00"]]
    assert result.err == "actcli: 1 row with a cell that is not a number kept as it was\n"


def test_precision_and_float16(run: Run) -> None:
    result = run("apply", "relu", "-c", "a", "--dtype", "float16", "--precision", "3",
                 stdin="a\n1.5\n70000\n")
    assert records(result.out) == [["a", "relu(a)"], ["1.5", "1.500"], ["70000", "inf"]]
    assert result.err == ""  # no NumPy overflow warning: beyond float16 is inf by definition


def test_duplicate_header_names_and_twice_the_same_activation(run: Run) -> None:
    result = run("apply", "relu", "-c", "1,2", stdin="a,a\n-1,2\n")
    assert records(result.out) == [["a", "a", "relu(a)", "relu(a)"], ["-1", "2", "0.0", "2.0"]]
    clean_error((r := run("table", "relu,relu", "-c", "2", stdin="a,b\n1,2\n")).err, 2, r.code)
    assert "relu is given twice" in r.err


def test_the_input_delimiter_is_kept(run: Run) -> None:
    assert run("apply", "relu", "-c", "b", "-d", ";", stdin="a;b\n1;-2\n").out == "a;b;relu(b)\n1;-2;0.0\n"


# --- CSV: structural problems, after every row before them --------------------------------------

GOOD_ROWS = 300_000
GOOD = "a,b\n" + "".join(f"{i},{i % 7 - 3}\n" for i in range(GOOD_ROWS))
PROBLEMS = {
    "ragged": (GOOD + "3\n4,5\n", "a row of 1 field where the header has 2"),
    "quote": (GOOD + '"x,1\n4,5\n', "a quoted field is never closed"),
    "utf8": (GOOD.encode() + b"\xff,1\n", "not UTF-8 text (invalid start byte)"),
    "cell": (GOOD + "x,oops\n", "column 'b': cannot read 'oops' as a number"),
    "bare-cr": (GOOD + "x,1\r2,3\n", "a carriage return outside quotes"),
}


@pytest.mark.parametrize("fmt", ["csv", "json", "plain"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_every_row_before_a_problem_is_written(run: Run, problem: str, fmt: str) -> None:
    data, message = PROBLEMS[problem]
    result = run("apply", "relu", "-c", "b", "-f", fmt, stdin=data)
    clean_error(result.err, 1, result.code)
    assert f"<stdin>:{GOOD_ROWS + 2}: {message}" in result.err
    if fmt == "json":
        assert len(json.loads(result.out)) == GOOD_ROWS  # the array is closed
    else:
        assert result.out.count("\n") == GOOD_ROWS + (fmt == "csv")


def test_a_quote_never_closed_in_the_header(run: Run) -> None:
    result = run("apply", "relu", "-c", "a", stdin='a,"b\n1,2\n3,4\n')
    clean_error(result.err, 1, result.code)
    assert "<stdin>:1: a quoted field is never closed" in result.err and result.out == ""


def test_a_header_ending_in_bare_cr(run: Run) -> None:
    result = run("grad", "elu", "-c", "c0", "--tsv", stdin='c0,c1\r"x",-3\r')
    clean_error(result.err, 1, result.code)
    assert "<stdin>:1: a carriage return outside quotes" in result.err


def test_fields_longer_than_the_csv_modules_limit(run: Run) -> None:
    big = "y" * 200_000
    result = run("apply", "relu", "-c", "b", stdin=f"a,b\n{big},1\n{big},oops\n")
    clean_error(result.err, 1, result.code)
    assert "<stdin>:3: column 'b'" in result.err and result.out.count("\n") == 2


def test_a_bare_cr_inside_quotes_is_not_a_line(run: Run) -> None:
    result = run("apply", "relu", "-c", "b", stdin='a,b\n"x\ry",1\nz,oops\n')
    assert "<stdin>:3:" in result.err


# --- CSV: column selection ----------------------------------------------------------------------


@pytest.mark.parametrize(("select", "message"), [
    ("²", "column '²' not found"), ("５", "column '５' not found"), ("b,１", "column '１' not found"),
    ("0", "column '0' not found; indexes start at 1"), ("9", "column '9' not found; there are 2 columns"),
])
def test_columns_by_name_or_ascii_index(run: Run, select: str, message: str) -> None:
    result = run("apply", "relu", "-c", select, stdin="a,b\n1,2\n")
    clean_error(result.err, 2, result.code)
    assert message in result.err


def test_a_header_with_another_delimiter_gets_a_hint(run: Run) -> None:
    result = run("apply", "relu", "-c", "b", stdin="a;b\n1;2\n")
    assert "the header holds ';': is that the delimiter? (-d ';')" in result.err


def test_a_column_name_with_a_newline_stays_on_one_line(run: Run) -> None:
    result = run("apply", "relu", "-c", "nope", stdin='"a\nb",c\n1,2\n')
    clean_error(result.err, 2, result.code)
    assert "'a\\nb'" in result.err


def test_into_an_existing_column_needs_replace(run: Run) -> None:
    result = run("apply", "relu", "-c", "a", "--into", "b", stdin="a,b\n-1,2\n")
    clean_error(result.err, 2, result.code)
    replaced = run("apply", "relu", "-c", "a", "--into", "b", "--replace", stdin="a,b\n-1,2\n")
    assert replaced.out == "b,b\n0.0,2\n"


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["apply", "grad"])
def test_softmax_is_over_all_the_values_given(run: Run, command: str, tmp_path: Path) -> None:
    numbers = tmp_path / "more.txt"
    numbers.write_text("4\n5\n")
    out = run(command, "softmax", "1:3", "-i", str(numbers), "10", "-f", "plain").out
    act = actcli.get("softmax")
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 10.0])
    expected = act(x) if command == "apply" else act.grad(x)
    assert [float(v) for v in out.split()] == expected.tolist()


@pytest.mark.parametrize("command", ["apply", "grad", "table"])
def test_softmax_of_no_values_is_nothing(run: Run, command: str) -> None:
    result = run(command, "softmax", "-f", "plain", stdin="")
    title = "# x\tsoftmax(x)\n" if command == "table" else ""  # table's columns named, as CSV's header
    assert (result.code, result.out, result.err) == (0, title, "")
    assert actcli.get("softmax")(np.zeros((2, 0))).shape == (2, 0)


def test_values_and_files_in_the_order_given(run: Run, tmp_path: Path) -> None:
    numbers = tmp_path / "five.txt"
    numbers.write_text("5\n")
    out = run("apply", "relu", "1", "-i", str(numbers), "2", f"--input={numbers}", "3").out
    assert out.split() == ["1.0", "5.0", "2.0", "5.0", "3.0"]


def test_a_bom_at_the_start_of_a_number_file(run: Run) -> None:
    assert run("apply", "relu", stdin=b"\xef\xbb\xbf1\n2\n").out == "1.0\n2.0\n"


@pytest.mark.parametrize(("token", "message"), [
    ("0:1e100", "has 1.00e+100 points, more than 2**63"), ("0:1e19", "has 1.00e+19 points"),
    ("1e-999999:1:1", "1e-999999 is far below the smallest float"),
    ("0:1:1e-999999", "1e-999999 is far below the smallest float"),
    ("５", "cannot read '５' as a number"),
])
def test_ranges_and_numbers_that_cannot_be(run: Run, token: str, message: str) -> None:
    start = time.monotonic()
    result = run("apply", "mish", token)
    clean_error(result.err, 1, result.code)
    assert message in result.err
    assert time.monotonic() - start < 20  # these took 15-55 s before; a loose guard, not a benchmark


def test_huge_ranges_within_limits_stream() -> None:
    done = subprocess.run(["bash", "-c", f"'{ACTCLI}' apply relu 0:1e18 | head -3"], capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout == "0.0\n1.0\n2.0\n" and done.stderr == ""


def test_a_range_from_negative_zero(run: Run) -> None:
    assert run("apply", "identity", "-0.0000:1").out == "-0.0\n1.0\n"


def test_float16_overflow_is_inf_without_warnings(run: Run) -> None:
    result = run("apply", "threshold", "--dtype", "float16", "1e16", "70000", "1")
    assert (result.out, result.err) == ("inf\ninf\n1.0\n", "")


# --- usage ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (("apply", "elu:alpha=0.5", "--alpha", "2", "1"), "elu: parameter 'alpha' is given twice"),
    (("apply", "elu", "-p", "alpha=1", "-p", "alpha=2", "1"), "parameter 'alpha' is given twice"),
    (("apply", "elu:alpha=1:alpha=2", "1"), "elu: parameter 'alpha' is given twice"),
    (("info", "log_softmax:axis=5"), "log_softmax: parameter 'axis' must be -1 or 0 here"),
    (("apply", "softmax:axis=3", "1", "2"), "softmax: parameter 'axis' must be -1 or 0 here"),
    (("apply", "relu", "-c", "a"), "no CSV: give -i FILE, or pipe it in"),
])
def test_usage_errors(run: Run, args: tuple[str, ...], message: str) -> None:
    result = run(*args)  # stdin is a terminal here
    clean_error(result.err, 2, result.code)
    assert message in result.err


def test_a_bad_axis_in_the_library_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="softmax: axis 3 is out of range for 1-dimensional input"):
        actcli.get("softmax")([1.0, 2.0], axis=3)


# --- interrupts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "data"), [(["apply", "relu", "-c", "x"], b"x\n1\n"),
                                            (["apply", "relu"], b"1\n2\n")])
def test_ctrl_c_while_waiting_for_input(args: list[str], data: bytes) -> None:
    """Polars' threads may take the signal; the wait for input wakes to act on it."""
    env = {**os.environ}
    env.pop("FORCE_COLOR", None)
    process = subprocess.Popen([str(ACTCLI), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    assert process.stdin is not None
    process.stdin.write(data)
    process.stdin.flush()
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert err.decode().startswith("actcli: interrupted") and err.count(b"\n") == 1


@pytest.mark.parametrize(("data", "args", "line"), [
    (b"\nb\xff1\n", ("--no-header",), 2),  # the fuzzer, seed 51 case 5665
    (b"\n\nb\xff1\n", (), 3),
    (b"\r\n\"a\n", (), 2),
])
def test_a_bad_first_record_after_blank_lines_names_its_own_line(run: Run, data: bytes,
                                                                 args: tuple[str, ...], line: int) -> None:
    result = run("apply", "relu", "-c", "1", *args, stdin=data)
    assert result.code == 1 and result.err.startswith(f"actcli: error: <stdin>:{line}: ")


def test_a_header_of_empty_fields_is_a_header_not_a_blank_line(run: Run) -> None:
    """A line holding only the delimiter (a tab) is a record of empty fields, as Python's csv
    module reads it; only empty lines are skipped (the fuzzer, seed 81 case 3138)."""
    result = run("table", "-c", "1", "leaky_relu", "-d", "\\t", stdin=b'\n\n\t\n".71"\ta\n')
    assert (result.code, result.out) == (0, "\t\tleaky_relu()\n.71\ta\t0.71\n")


# --- worker threads ---------------------------------------------------------------------------


def test_a_half_imported_numpy_ma_is_not_read(monkeypatch: pytest.MonkeyPatch, run: Run) -> None:
    """While one CSV worker imports numpy.ma (Polars calls np.ma.getmask), the other finds the
    half-made module in sys.modules, without MaskedArray yet: it must not look there."""
    import types

    import numpy.ma

    half_made = types.ModuleType("numpy.ma")
    monkeypatch.setitem(sys.modules, "numpy.ma", half_made)
    assert actcli.get("relu")(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]
    masked = numpy.ma.MaskedArray([-1.0, 2.0], mask=[False, True])  # still known as masked
    assert actcli.get("relu")(masked).mask.tolist() == [False, True]
    assert run("apply", "relu", "-c", "x", stdin="x\n-1\n3\n").out == "x,relu(x)\n-1,0.0\n3,3.0\n"


def test_mpmaths_precision_is_not_shared_between_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """mpmath's working precision is one global: two workers settling near-ties at once (CSV
    chunks in float16) would run at each other's precision, and the first to leave its
    ``workprec`` would set the other's back to 53 bits. The first one in holds it; the second
    waits (here, until the first stops waiting for it, after 0.5 s)."""
    import threading

    from mpmath import mp

    from actcli import exact

    first_in, second_in = threading.Event(), threading.Event()
    seen: list[int] = []
    sigmoid = exact.sigmoid

    def sigmoid_watching_the_precision(x: object) -> object:
        if threading.current_thread() is first:
            first_in.set()
            second_in.wait(0.5)
        elif not seen:
            seen.append(mp.prec)
            second_in.set()
            first.join(2)  # without a lock, the first leaves its workprec meanwhile
            seen.append(mp.prec)
        return sigmoid(x)  # type: ignore[arg-type]

    monkeypatch.setattr(exact, "sigmoid", sigmoid_watching_the_precision)
    act = actcli.get("sigmoid")
    first = threading.Thread(target=exact.side, args=(act, 0.3, {}, False, 0.574))
    first.start()
    first_in.wait(2)
    exact.side(act, 2.0, {}, False, 0.88)
    first.join()
    assert seen[0] == seen[1] > 53


def test_a_wide_header_under_every_output_format_is_linear(tmp_path: Path) -> None:
    """The job's header was rebuilt for each column shown: 30,000 columns took 50 s as JSON."""
    data = ",".join(f"c{i}" for i in range(30_000)) + "\n" + ",".join(["1"] * 30_000) + "\n"
    for fmt in ("ndjson", "json", "plain", "tsv"):
        started = time.monotonic()
        result = subprocess.run([ACTCLI, "apply", "relu", "-c", "c1", "-f", fmt], input=data.encode(),
                                capture_output=True, check=True)
        assert time.monotonic() - started < 20, fmt  # was 50 s; linear takes under 1 s
        assert b"relu(c1)" in result.stdout or fmt == "plain"
