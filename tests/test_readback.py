"""actcli's text outputs read back as floats by the tools people pipe them into (issue 12, item
4): pandas, Polars, DuckDB, NumPy and Python's float(), NaN and infinities included; JSON
spells them as documented strings, or null with --json-nonfinite null."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

import actcli
from tests.conftest import Run

VALUES = ["nan", "inf", "-inf", "-0.0", "1e-310", "2.5", "-7"]
X = np.array([float(v) for v in VALUES])


def expected(command: str) -> list[np.ndarray]:
    act = actcli.get("elu")
    return [X, act(X) if command == "apply" else act.grad(X)]


def outputs(run: Run, command: str) -> dict[str, tuple[str, str]]:
    """name -> (text, delimiter): every text output with a header, holding x and the result."""
    found = {}
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        found[fmt] = (run(command, "elu", *VALUES, "-f", fmt).out, delimiter)
    # A CSV stream: x passes through as it came (here in actcli's own spelling), with the result.
    stream = "x\n" + "".join(f"{v}\n" for v in run("apply", "identity", *VALUES, "-f", "plain").out.split())
    found["csv stream"] = (run(command, "elu", "-c", "x", "-f", "csv", stdin=stream).out, ",")
    return found


@pytest.mark.parametrize("command", ["apply", "grad"])
def test_every_reader_gets_floats(run: Run, command: str, tmp_path: Path) -> None:
    want = expected(command)
    for name, (text, delimiter) in outputs(run, command).items():
        path = tmp_path / "out.txt"
        path.write_text(text)
        frames = {
            "pandas": pd.read_csv(path, sep=delimiter).to_numpy(dtype=np.float64).T,
            "polars": pl.read_csv(path, separator=delimiter).to_numpy().T,
            "duckdb": np.array(
                duckdb.sql(f"select * from read_csv('{path}', delim='{delimiter}')").fetchall(),
                dtype=np.float64,
            ).T,
            "numpy": np.loadtxt(path, delimiter=delimiter, skiprows=1, dtype=np.float64).T,
            "float": np.array(
                [[float(c) for c in line.split(delimiter)] for line in text.splitlines()[1:]]
            ).T,
        }
        for reader, columns in frames.items():
            assert columns.dtype == np.float64, (name, reader)
            for got, column in zip(columns, want, strict=True):
                assert got.tolist() == pytest.approx(column.tolist(), nan_ok=True, rel=0, abs=0), (
                    name,
                    reader,
                )


def test_polars_and_duckdb_type_every_column_as_float(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text(run("table", "relu,elu", *VALUES, "-f", "csv").out)
    assert pl.read_csv(path).dtypes == [pl.Float64] * 3
    assert [str(t) for t in duckdb.sql(f"select * from read_csv('{path}')").types] == ["DOUBLE"] * 3


def test_plain_and_table_spell_them_the_same(run: Run) -> None:
    plain = run("apply", "elu", *VALUES, "-f", "plain").out.split()
    assert plain[:3] == ["NaN", "inf", "-1.0"]
    assert [float(v) for v in plain] == pytest.approx(expected("apply")[1].tolist(), nan_ok=True, rel=0)
    table = run("table", "elu", *VALUES, "-f", "table").out
    for spelling in ("NaN", "inf", "-inf"):
        assert spelling in table.split()
    assert not {"nan", "Infinity", "-Infinity", "∞"} & set(table.split())


@pytest.mark.parametrize(
    ("choice", "spelled"),
    [([], ["NaN", "Infinity", "-Infinity"]), (["--json-nonfinite", "null"], [None, None, None])],
)
def test_json_strings_or_null_in_every_command(run: Run, choice: list[str], spelled: list[object]) -> None:
    records = json.loads(run("apply", "relu", "nan", "inf", "-inf", "-f", "json", *choice).out)
    assert [r["x"] for r in records] == spelled
    lines = run("table", "relu", "nan", "inf", "-inf", "-f", "ndjson", *choice).out.splitlines()
    assert [json.loads(line)["x"] for line in lines] == spelled
    stream = run("apply", "relu", "-c", "x", "-f", "json", *choice, stdin="x\nnan\ninf\n-inf\n").out
    assert [r["relu(x)"] for r in json.loads(stream)] == [spelled[0], spelled[1], 0.0]
    report = json.loads(run("check", "relu", "nan=nan", "inf=inf", "-f", "json", *choice).out)
    assert report["rows"] == 2 and "worst_x" in report
    info = run("info", "elu", "-f", "json", *choice)
    assert info.code == 0 and json.loads(info.out)["formats"]["float64"]["largest"] > 1e308


def test_json_is_strict_rfc_8259(run: Run) -> None:
    text = run("table", "relu", "nan", "inf", "-f", "json").out

    def refuse(token: str) -> float:
        raise AssertionError(f"bare {token} in JSON")

    json.loads(text, parse_constant=refuse)
    assert math.isnan(float(json.loads(text)[0]["x"]))  # float() reads the strings back too
