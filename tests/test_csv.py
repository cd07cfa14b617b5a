"""CSV streams: other columns pass through unchanged in value, numbers are exact, errors say
where, and the stream is a stream (bounded batches, output before input ends, | head)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import actcli
from actcli import csvstream, streams
from tests.conftest import Run

SPECTRUM = Path(__file__).resolve().parents[2] / "shared" / "csv-spectrum"
ACTCLI = Path(sys.executable).with_name("actcli")


def records(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


# --- passthrough -----------------------------------------------------------------------------

AWKWARD = (
    '\ufeffid,name,x,note,when\r\n'
    '007,"Smith, J.",1.50,"said ""hi""",2024-01-01\r\n'
    '008,ünïcødé ✓,-2,"two\r\nlines",\r\n'
    '009,,,"",2024-13-99\r\n'
    '\r\n'
    '010,  spaced  ,1e-3,"a\nb\n\nc",x\r\n'
)


def test_untouched_columns_pass_through_in_value(run: Run) -> None:
    result = run("apply", "relu", "-c", "x", stdin=AWKWARD.encode())
    assert result.code == 0, result.err
    rows = records(result.out)
    expected = [r for r in records(AWKWARD.lstrip("\ufeff")) if r]
    assert [r[:-1] for r in rows] == expected  # every field as it was, the blank line skipped
    assert [r[-1] for r in rows] == ["relu(x)", "1.5", "0.0", "", "0.001"]


def test_runs_of_blank_lines_anywhere_are_skipped(run: Run) -> None:
    data = '\n\r\nx,n\r\n1,"q\r\n\r\n\r\nq"\r\n\r\n\r\n2,b\n\n\n'
    result = run("apply", "relu", "-c", "x", "-f", "json", stdin=data)
    assert result.code == 0, result.err
    assert json.loads(result.out) == [{"x": "1", "n": "q\r\n\r\n\r\nq", "relu(x)": 1.0},
                                      {"x": "2", "n": "b", "relu(x)": 2.0}]
    late = run("apply", "relu", "-c", "x", stdin="\n\nx\n1\n\n\nzz\n")
    assert late.err == "actcli: error: <stdin>:7: column 'x': cannot read 'zz' as a number\n"
    assert run("apply", "relu", "-c", "x", stdin="\n\n").err == (
        "actcli: error: <stdin>: empty input: no header line\n")


def test_quoting_is_normalised_only_where_needed(run: Run) -> None:
    out = run("apply", "identity", "-c", "x", stdin='a,x\n"plain",1\n"with, comma",2\n').out
    assert out == 'a,x,identity(x)\nplain,1,1.0\n"with, comma",2,2.0\n'


@pytest.mark.skipif(not SPECTRUM.exists(), reason="csv-spectrum sits in ../shared beside the repo")
@pytest.mark.parametrize("name", sorted(p.stem for p in (SPECTRUM / "csvs").glob("*.csv"))
                         if SPECTRUM.exists() else [])
def test_csv_spectrum(run: Run, name: str) -> None:
    """Every field of the acid test comes out equal to its expected JSON record."""
    expected = json.loads((SPECTRUM / "json" / f"{name}.json").read_text(encoding="utf-8"))
    data = (SPECTRUM / "csvs" / f"{name}.csv").read_bytes()
    first = next(iter(expected[0]))
    result = run("apply", "identity", "-c", first, "--on-error", "keep", "-f", "json", stdin=data)
    assert result.code == 0, result.err
    got = json.loads(result.out)
    assert [{k: v for k, v in r.items() if k != f"identity({first})"} for r in got] == expected
    out = run("apply", "identity", "-c", first, "--on-error", "keep", stdin=data).out
    assert [r[:-1] for r in records(out)[1:]] == [list(r.values()) for r in expected]


def test_the_same_numbers_as_apply(run: Run) -> None:
    values = [0.1, -0.0, 5e-324, -1e-310, 1.7976931348623157e308, -745.1, 1e-8, 3.0, -3.0]
    text = "x\n" + "\n".join(map(repr, values)) + "\nnan\ninf\n-inf\n"
    for name in ("relu", "elu", "gelu", "silu", "sigmoid", "tanhshrink"):
        got = [float(r[1]) for r in records(run("apply", name, "-c", "x", stdin=text).out)[1:]]
        expected = actcli.get(name)([*values, math.nan, math.inf, -math.inf]).tolist()
        assert np.array_equal(got, expected, equal_nan=True), name
        grads = [float(r[1]) for r in records(run("grad", name, "-c", "x", stdin=text).out)[1:]]
        assert np.array_equal(grads, actcli.get(name).grad([*values, math.nan, math.inf, -math.inf]),
                              equal_nan=True), name


def test_every_number_round_trips(run: Run) -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(0, 1e3, 2000), rng.uniform(-1e-300, 1e-300, 200),
                             np.ldexp(rng.uniform(0.5, 1, 200), rng.integers(-1074, 1023, 200))])
    text = "x\n" + "\n".join(map(repr, values.tolist())) + "\n"
    rows = records(run("apply", "identity", "-c", "x", stdin=text).out)[1:]
    assert [float(r[1]) for r in rows] == values.tolist()
    assert [r[0] for r in rows] == [repr(v) for v in values.tolist()]


def test_float32_results_are_written_as_float32(run: Run) -> None:
    out = run("apply", "sigmoid", "-c", "x", "--dtype", "float32", stdin="x\n1\n").out
    assert out == "x,sigmoid(x)\n1,0.7310586\n"


# --- selection and layout --------------------------------------------------------------------


def test_columns_by_name_index_and_several(run: Run) -> None:
    data = "a,b,c\n-1,2,-3\n"
    assert run("apply", "relu", "-c", "2", stdin=data).out == "a,b,c,relu(b)\n-1,2,-3,2.0\n"
    assert run("apply", "relu", "-c", "a,c", stdin=data).out == (
        "a,b,c,relu(a),relu(c)\n-1,2,-3,0.0,0.0\n")
    assert run("apply", "relu", "-c", "a", "-c", "c", "--replace", stdin=data).out == (
        "a,b,c\n0.0,2,0.0\n")
    assert run("apply", "relu", "-c", "b", "--into", "out", stdin=data).out == "a,b,c,out\n-1,2,-3,2.0\n"
    assert run("apply", "elu", "--alpha", "0.5", "-c", "a", stdin=data).out == (
        "a,b,c,elu(a; alpha=0.5)\n-1,2,-3,-0.31606027941427883\n")


def test_table_with_columns_and_derivatives(run: Run) -> None:
    out = run("table", "relu,sigmoid", "-c", "x", "--grad", stdin="x\n0\n").out
    assert out == "x,relu(x),relu'(x),sigmoid(x),sigmoid'(x)\n0,0.0,0.0,0.5,0.25\n"


def test_softmax_across_each_rows_selected_columns(run: Run) -> None:
    out = run("apply", "softmax", "-c", "a,b", stdin="a,b,n\n0,0,x\n1,1,y\n0,1000,z\n").out
    assert records(out) == [["a", "b", "n", "softmax(a)", "softmax(b)"], ["0", "0", "x", "0.5", "0.5"],
                            ["1", "1", "y", "0.5", "0.5"], ["0", "1000", "z", "0.0", "1.0"]]


def test_dialects(run: Run) -> None:
    assert run("apply", "relu", "-c", "x", "--tsv", stdin="n\tx\na b\t-1\n").out == (
        "n\tx\trelu(x)\na b\t-1\t0.0\n")
    assert run("apply", "relu", "-c", "x", "-d", ";", stdin="n;x\na,b;-1\n").out == (
        "n;x;relu(x)\na,b;-1;0.0\n")  # the input's delimiter, unless a format is asked for
    assert run("apply", "relu", "-c", "x", "-d", ";", "-f", "csv", stdin="n;x\na,b;-1\n").out == (
        'n,x,relu(x)\n"a,b",-1,0.0\n')
    assert run("apply", "relu", "-c", "2", "--no-header", stdin="a,-1\nb,2\n").out == "a,-1,0.0\nb,2,2.0\n"
    assert run("apply", "relu", "-c", "x", stdin="x\r\n-1\r\n2\r\n").out == "x,relu(x)\n-1,0.0\n2,2.0\n"


def test_empty_cells_stay_empty_and_spaces_are_tolerated(run: Run) -> None:
    out = run("apply", "relu", "-c", "x", stdin="x,n\n,a\n 2 ,b\n").out
    assert out == "x,n,relu(x)\n,a,\n 2 ,b,2.0\n"


def test_header_only_and_files(run: Run, tmp_path: Path) -> None:
    assert run("apply", "relu", "-c", "x", stdin="n,x\n").out == "n,x,relu(x)\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("x\n1\n")
    second.write_text("x\n-2\n")
    assert run("apply", "relu", "-c", "x", "-i", str(first), "-i", str(second)).out == (
        "x,relu(x)\n1,1.0\n-2,0.0\n")


def test_other_formats(run: Run) -> None:
    data = "n,x\na,-1\nb,\n"
    assert json.loads(run("apply", "relu", "-c", "x", "-f", "json", stdin=data).out) == [
        {"n": "a", "x": "-1", "relu(x)": 0.0}, {"n": "b", "x": "", "relu(x)": None}]
    kept = run("apply", "relu", "-c", "x", "--on-error", "keep", "-f", "json", stdin="x\n1_000\n2\n")
    assert json.loads(kept.out) == [{"x": "1_000", "relu(x)": "1_000"}, {"x": "2", "relu(x)": 2.0}]
    assert run("apply", "relu", "-c", "x", "-f", "ndjson", stdin="x\nnan\n").out == (
        '{"x": "nan", "relu(x)": "NaN"}\n')
    assert run("apply", "relu", "-c", "x", "-f", "plain", stdin=data).out == "0.0\n\n"
    assert run("apply", "sigmoid", "-c", "x", "--precision", "3", stdin="x\n1\n").out == (
        "x,sigmoid(x)\n1,0.731\n")
    table = run("apply", "relu", "-c", "x", "-f", "table", stdin=data).out
    assert "relu(x)" in table and "│ a │ -1 │     0.0 │" in table


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "args", "code", "message"),
    [
        ("n,x\na,1\nb,abc\n", (), 1, "<stdin>:3: column 'x': cannot read 'abc' as a number"),
        ('n,x\n"multi\nline",1\n\nb,1_000\n', (), 1, "<stdin>:5: column 'x': cannot read '1_000'"),
        ("n,x\r\na,1\r\nb\r\n", (), 1, "<stdin>:3: a row of 1 field where the header has 2"),
        ("n,x\na,1,2\n", (), 1, "<stdin>:2: a row of 3 fields where the header has 2"),
        ('n,x\na,1\n"b,2\nc,3\n', (), 1, "<stdin>:3: a quoted field is never closed"),
        (b"n,x\na,1\n\xff,2\n", (), 1, "<stdin>:3: not UTF-8 text"),
        ("", (), 1, "<stdin>: empty input: no header line"),
        ("n,x\n", ("-c", "z"), 2, "column 'z' not found; available: 'n', 'x'"),
        ("n,x\n", ("--into", "a", "-c", "n,x"), 2, "--into names one result column, but there are 2"),
        ("n,x\n", ("-f", "tutorial"), 2, "--format tutorial prints plain values"),
        ("x\n1\n", ("-d", "ab"), 2, "--delimiter must be one character"),
        ("x\n1\n", ("1", "2"), 2, "with -c, the CSV comes from -i FILE or stdin"),
    ],
)
def test_errors(run: Run, data: str | bytes, args: tuple[str, ...], code: int, message: str) -> None:
    args = args if "-c" in args else ("-c", "x", *args)
    result = run("apply", "relu", *args, stdin=data)
    assert result.code == code
    assert result.err.startswith("actcli: error: ") and result.err.count("\n") == 1
    assert message in result.err, result.err


def test_rows_before_an_error_are_written(run: Run) -> None:
    result = run("apply", "relu", "-c", "x", stdin="x\n1\n-2\nabc\n3\n")
    assert (result.code, result.out) == (1, "x,relu(x)\n1,1.0\n-2,0.0\n")


@pytest.mark.parametrize(("mode", "cells", "note"), [
    ("skip", None, "skipped"), ("nan", ("NaN", "NaN"), "given nan"),
    ("keep", ("abc", "q"), "kept as they were"),
])
def test_on_error_modes(run: Run, mode: str, cells: tuple[str, str] | None, note: str) -> None:
    result = run("apply", "relu", "-c", "x", "--on-error", mode, stdin="x\n1\nabc\nq\n-2\n")
    bad = [] if cells is None else [["abc", cells[0]], ["q", cells[1]]]
    assert result.code == 0
    assert records(result.out) == [["x", "relu(x)"], ["1", "1.0"], *bad, ["-2", "0.0"]]
    assert result.err == f"actcli: 2 rows with a cell that is not a number {note}\n"


def test_line_numbers_across_chunks(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "CHUNK_BYTES", 64)  # many small chunks
    lines = ["n,x"] + [f'"r\n{i}",{i}' for i in range(40)] + ["bad,oops"]
    result = run("apply", "relu", "-c", "x", stdin="\n".join(lines) + "\n")
    assert result.err == "actcli: error: <stdin>:82: column 'x': cannot read 'oops' as a number\n"
    assert len(records(result.out)) == 41  # the header and all 40 good rows


# --- streaming -------------------------------------------------------------------------------


def test_closed_pipe_on_a_large_csv_ends_at_once(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("w") as out:
        out.write("x\n")
        for _ in range(40):
            out.write("\n".join(["-1.5", "2.25"] * 50_000) + "\n")
    start = time.monotonic()
    done = subprocess.run(["bash", "-c", f"'{ACTCLI}' apply relu -c x -i '{big}' | head -2"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout == "x,relu(x)\n-1.5,0.0\n" and done.stderr == ""
    assert time.monotonic() - start < 20


def test_csv_output_starts_before_input_ends() -> None:
    process = subprocess.Popen([str(ACTCLI), "apply", "relu", "-c", "x"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env={**os.environ})
    assert process.stdin and process.stdout
    process.stdin.write("x\n-1\n2\n")
    process.stdin.flush()
    assert process.stdout.readline() == "x,relu(x)\n"
    assert process.stdout.readline() == "-1,0.0\n"  # while stdin is still open
    process.stdin.close()
    assert process.stdout.read() == "2,2.0\n"
    assert process.wait(timeout=60) == 0


def test_reader_cuts_only_between_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "CHUNK_BYTES", 100)
    data = b'h\n"a\nb",1\n' * 1000
    reader = streams.RecordReader(io.BytesIO(data), "t", lambda n: None)
    chunks = list(reader.chunks())
    assert b"".join(chunks) == data
    for chunk in chunks:
        assert chunk.count(b'"') % 2 == 0 and chunk.endswith(b"\n")


def test_progress_only_when_asked(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("x\n-1\n2\n")
    quiet = run("apply", "relu", "-c", "x", "-i", str(data))
    shown = run("apply", "relu", "-c", "x", "-i", str(data), "--progress")
    assert quiet.err == "" and quiet.out == shown.out == "x,relu(x)\n-1,0.0\n2,2.0\n"
    assert shown.code == 0 and "Traceback" not in shown.err


@given(st.binary(max_size=64)
       | st.lists(st.sampled_from([b"\n", b"\r", b"a", b",", b'"']), max_size=40).map(b"".join))
def test_blank_line_detection_is_the_regex(data: bytes) -> None:
    """The NumPy scan finds what the plain regular expression finds (an empty line: LF LF,
    LF CR LF, or one at the very start)."""
    assert csvstream._has_blank_lines(data) == (re.search(rb"\A\r?\n|\n\r?\n", data) is not None)
