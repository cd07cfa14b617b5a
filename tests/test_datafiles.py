"""Parquet, Arrow IPC, NDJSON and compressed CSV in and out (issue 12, item 3): every float goes
through with the bits ``actcli.get(...)`` gives on the same floats, the other columns keep
their types, and a broken file keeps the rows before the break."""

from __future__ import annotations

import bz2
import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import actcli
from tests.conftest import Run

try:
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:  # before Python 3.14: its backport, a dependency of actcli
    from backports import zstd  # type: ignore[import-not-found,no-redef]

ACTCLI = Path(sys.executable).with_name("actcli")
SPECIALS = [
    0.0,
    -0.0,
    np.inf,
    -np.inf,
    np.nan,
    5e-324,
    -2.2250738585072014e-308,
    1e308,
    -1e308,
    0.5,
    -3.75,
    1e-300,
    7.0,
]


def sample() -> pl.DataFrame:
    rng = np.random.default_rng(12)
    x = np.concatenate([SPECIALS, rng.standard_normal(3000) * 4, rng.uniform(-40, 40, 3000)])
    with np.errstate(over="ignore"):  # 1e308 is inf in float32, on purpose
        small = x.astype(np.float32)
    return pl.DataFrame(
        {
            "id": np.arange(len(x), dtype=np.int64),
            "label": [f'row {i}, "quoted"' for i in range(len(x))],
            "x": x,
            "small": small,
        }
    )


def bits(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).view(np.int64)


def write_text_csv(frame: pl.DataFrame, path: Path) -> None:
    data = frame.write_csv().encode()
    if path.suffix == ".gz":
        data = gzip.compress(data)
    elif path.suffix == ".bz2":
        data = bz2.compress(data)
    elif path.suffix == ".zst":
        data = zstd.compress(data)
    path.write_bytes(data)


def write_input(frame: pl.DataFrame, path: Path) -> None:
    name = path.name
    if name.endswith(".parquet"):
        frame.write_parquet(path)
    elif name.endswith((".arrow", ".feather", ".ipc")):
        frame.write_ipc(path)
    elif name.endswith(".ndjson"):
        frame.write_ndjson(path)  # NDJSON has no non-finite numbers: Polars writes null
    else:
        write_text_csv(frame, path)


def read_output(path: Path) -> pl.DataFrame:
    name = path.name
    if name.endswith(".parquet"):
        return pl.read_parquet(path)
    if name.endswith(".arrow"):
        return pl.read_ipc(path)
    if name.endswith(".ndjson"):  # our spellings of non-finite numbers: "NaN", "Infinity", "-Infinity"
        records = [json.loads(line) for line in path.read_text().splitlines()]
        return pl.DataFrame(
            [
                {k: float(v) if isinstance(v, str) and k.startswith("gelu") else v for k, v in r.items()}
                for r in records
            ],
            infer_schema_length=None,
        )
    data = path.read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return pl.read_csv(data, infer_schema_length=None)


INPUTS = [
    "in.parquet",
    "in.arrow",
    "in.feather",
    "in.ipc",
    "in.ndjson",
    "in.csv.gz",
    "in.csv.zst",
    "in.csv.bz2",
    "in.csv",
]
OUTPUTS = ["out.parquet", "out.arrow", "out.csv", "out.ndjson", "out.csv.gz"]


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("source", INPUTS)
def test_gelu_through_every_format_bit_for_bit(run: Run, tmp_path: Path, source: str, output: str) -> None:
    frame = sample()
    write_input(frame, tmp_path / source)
    result = run("apply", "gelu", "-c", "x", "-i", str(tmp_path / source), "-o", str(tmp_path / output))
    assert (result.code, result.out, result.err) == (0, "", "")
    written = read_output(tmp_path / output)
    x = frame["x"].to_numpy()
    expected = actcli.get("gelu")(x)
    got = written["gelu(x)"].to_numpy()
    if source.endswith(".ndjson"):  # what NDJSON cannot hold came in as null and goes out as null
        finite = np.isfinite(x)
        assert written["gelu(x)"].is_null().to_numpy().tolist() == (~finite).tolist()
        x, expected, got = x[finite], expected[finite], got[finite]
    assert np.array_equal(bits(got), bits(expected))
    # A CSV's other columns are text: Parquet and Arrow keep them as text, as they were read.
    text_in = ".csv" in source and output.endswith((".parquet", ".arrow", ".ndjson"))
    assert written.schema["id"] == (pl.String if text_in else pl.Int64)
    assert written["id"].cast(pl.Int64).to_list() == frame["id"].to_list()
    assert written["label"].to_list() == frame["label"].to_list()


@pytest.mark.parametrize("output", ["out.parquet", "out.arrow"])
def test_binary_to_binary_keeps_every_column_type(run: Run, tmp_path: Path, output: str) -> None:
    import datetime

    frame = (
        sample()
        .head(5)
        .with_columns(
            pl.lit(datetime.date(2026, 12, 2)).alias("day"),
            pl.Series("flag", [True, False, None, True, False]),
            pl.Series("nested", [[1, 2], [], None, [3], [4, 5, 6]]),
            pl.Series("maybe", [1.5, None, -2.0, None, 0.0]),
        )
    )
    frame.write_parquet(tmp_path / "in.parquet")
    result = run(
        "table",
        "relu,elu",
        "--grad",
        "-c",
        "small,maybe",
        "-i",
        str(tmp_path / "in.parquet"),
        "-o",
        str(tmp_path / output),
    )
    assert result.code == 0, result.err
    written = read_output(tmp_path / output)
    assert written.select(frame.columns).equals(frame)  # types and values, nulls included
    assert written["elu(maybe)"].to_list()[:2] == [1.5, None]  # null in, null out
    small = frame["small"].to_numpy().astype(np.float64)
    assert np.array_equal(bits(written["elu'(small)"].to_numpy()), bits(actcli.get("elu").grad(small)))
    assert written.schema["relu(small)"] == pl.Float64  # computed in --dtype, float64 by default


@pytest.mark.parametrize(
    ("dtype", "stored"),
    [
        ("float32", pl.Float32),
        ("float16", pl.Float16),
        ("bfloat16", pl.Float32),
        ("float8_e4m3fn", pl.Float32),
    ],
)
def test_narrow_formats_are_stored_as_floats_that_hold_them(
    run: Run, tmp_path: Path, dtype: str, stored: pl.DataType
) -> None:
    import ml_dtypes

    frame = pl.DataFrame({"x": np.linspace(-4, 4, 101)})
    frame.write_parquet(tmp_path / "in.parquet")
    result = run(
        "apply",
        "gelu",
        "-c",
        "x",
        "-i",
        str(tmp_path / "in.parquet"),
        "--dtype",
        dtype,
        "-o",
        str(tmp_path / "out.parquet"),
    )
    assert result.code == 0, result.err
    written = pl.read_parquet(tmp_path / "out.parquet")
    assert written.schema["gelu(x)"] == stored
    narrow = np.dtype(getattr(ml_dtypes, dtype, None) or dtype)
    expected = actcli.get("gelu")(frame["x"].to_numpy().astype(narrow))
    assert written["gelu(x)"].to_numpy().astype(np.float64).tolist() == expected.astype(np.float64).tolist()


def test_a_csvs_selected_column_becomes_numbers_in_parquet(run: Run, tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("name,x\na,1.50\nb,\nc,-2\n")
    result = run(
        "apply", "relu", "-c", "x", "-i", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.parquet")
    )
    assert result.code == 0, result.err
    written = pl.read_parquet(tmp_path / "o.parquet")
    assert written.schema == pl.Schema({"name": pl.String, "x": pl.Float64, "relu(x)": pl.Float64})
    assert written.rows() == [("a", 1.5, 1.5), ("b", None, None), ("c", -2.0, 0.0)]


def test_values_into_files(run: Run, tmp_path: Path) -> None:
    assert run("table", "relu,gelu", "-3:3:1", "-o", str(tmp_path / "t.parquet")).code == 0
    table = pl.read_parquet(tmp_path / "t.parquet")
    assert table.columns == ["x", "relu(x)", "gelu(x)"]
    assert np.array_equal(bits(table["gelu(x)"].to_numpy()), bits(actcli.get("gelu")(np.arange(-3.0, 4.0))))
    assert run("grad", "elu", "-1", "0", "1", "-o", str(tmp_path / "g.csv.zst")).code == 0
    text = zstd.decompress((tmp_path / "g.csv.zst").read_bytes()).decode()
    assert text == "x,elu'(x)\n-1.0,0.36787944117144233\n0.0,1.0\n1.0,1.0\n"
    assert run("apply", "relu", "-2", "2", "-o", str(tmp_path / "v.json")).code == 0
    assert json.loads((tmp_path / "v.json").read_text()) == [
        {"x": -2.0, "relu(x)": 0.0},
        {"x": 2.0, "relu(x)": 2.0},
    ]
    assert run("apply", "relu", "-2", "2", "-o", str(tmp_path / "v.txt")).code == 0
    assert (tmp_path / "v.txt").read_text() == "0.0\n2.0\n"  # no format in the name: as in a pipe


def test_compressed_stdin_is_recognised_by_its_first_bytes(tmp_path: Path) -> None:
    data = b"x,y\n-1,a\n2,b\n"
    for packed in (gzip.compress(data), bz2.compress(data), zstd.compress(data)):
        result = subprocess.run(
            [str(ACTCLI), "apply", "relu", "-c", "x"], input=packed, capture_output=True, timeout=60
        )
        assert (result.returncode, result.stdout, result.stderr) == (
            0,
            b"x,y,relu(x)\n-1,a,0.0\n2,b,2.0\n",
            b"",
        )


def test_parquet_from_stdin_with_input_format(run: Run, tmp_path: Path) -> None:
    sample().head(3).write_parquet(tmp_path / "in.parquet")
    result = run(
        "apply",
        "relu",
        "-c",
        "x",
        "--input-format",
        "parquet",
        "-f",
        "csv",
        "--replace",
        stdin=(tmp_path / "in.parquet").read_bytes(),
    )
    assert result.code == 0, result.err
    relu = actcli.get("relu")([0.0, -0.0, np.inf]).tolist()
    assert result.out.splitlines() == [
        "id,label,x,small",
        f'0,"row 0, ""quoted""",{relu[0]},0.0',
        f'1,"row 1, ""quoted""",{relu[1]},-0.0',
        f'2,"row 2, ""quoted""",{relu[2]},inf',
    ]


@pytest.mark.parametrize(
    ("suffix", "pack"),
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".zst", zstd.compress)],
)
def test_a_truncated_compressed_csv_keeps_the_rows_before(
    run: Run, tmp_path: Path, suffix: str, pack: object
) -> None:
    rows = "".join(f"{i},{i}.25\n" for i in range(200_000))
    packed = pack(("n,x\n" + rows).encode())  # type: ignore[operator]
    path = tmp_path / f"cut.csv{suffix}"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    result = run("apply", "relu", "-c", "x", "-i", str(path))
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "n,x,relu(x)" and lines[1] == "0,0.25,0.25"
    written = len(lines) - 1
    assert written > 0 and lines[-1] == f"{written - 1},{written - 1}.25,{written - 1}.25"  # whole rows only
    assert result.err.startswith(f"actcli: error: {path}:{written + 2}: cannot decompress (")
    assert result.err.count("\n") == 1


def test_errors_name_the_row_of_a_binary_file(run: Run, tmp_path: Path) -> None:
    pl.DataFrame({"x": ["1", "2", "zz", "4"], "y": ["a", "b", "c", "d"]}).write_parquet(
        tmp_path / "t.parquet"
    )
    result = run(
        "apply", "relu", "-c", "x", "-i", str(tmp_path / "t.parquet"), "-o", str(tmp_path / "o.parquet")
    )
    assert result.code == 1
    assert (
        result.err
        == f"actcli: error: {tmp_path / 't.parquet'}: row 3: column 'x': cannot read 'zz' as a number\n"
    )
    assert pl.read_parquet(tmp_path / "o.parquet").rows() == [
        (1.0, "a", 1.0),
        (2.0, "b", 2.0),
    ]  # a valid file
    result = run(
        "apply", "relu", "-c", "x", "-i", str(tmp_path / "t.parquet"), "--on-error", "skip", "-f", "csv"
    )
    assert (result.out, result.err) == (
        "x,y,relu(x)\n1,a,1.0\n2,b,2.0\n4,d,4.0\n",
        "actcli: 1 row with a cell that is not a number skipped\n",
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("-i", "{d}/missing.parquet"), 1, "{d}/missing.parquet: cannot read (No such file or directory)"),
        (("-i", "{d}/fake.parquet"), 1, "{d}/fake.parquet: cannot read as parquet: "),
        (("-i", "{d}/fake.csv.gz"), 1, "{d}/fake.csv.gz:1: cannot decompress ("),
        (("-i", "{d}/in.parquet", "-c", "day"), 1, "{d}/in.parquet: column 'day' holds Date, not numbers"),
        (
            ("-i", "{d}/in.parquet", "-o", "{d}/no/such/dir/o.parquet"),
            1,
            "{d}/no/such/dir/o.parquet: cannot write (",
        ),
        (("-i", "{d}/in.parquet", "-o", "{d}/o.parquet.gz"), 2, "parquet files compress themselves"),
        (
            ("-i", "{d}/in.parquet", "-o", "{d}/o.parquet", "-f", "csv"),
            2,
            "-o {d}/o.parquet writes parquet, but --format csv was asked",
        ),
        (("-i", "{d}/in.parquet", "-o", "{d}/o.arrow", "--on-error", "keep"), 2, "--on-error keep writes"),
        (
            ("-i", "{d}/in.parquet", "-o", "{d}/o.arrow", "--precision", "3"),
            2,
            "--precision rounds for display",
        ),
        (
            ("-i", "{d}/in.parquet", "-i", "{d}/in.csv"),
            2,
            "the inputs are in different formats (csv, parquet)",
        ),
        (("-i", "{d}/in.json"), 2, "a JSON array is not read as a table"),
        (
            ("-i", "{d}/dup.csv", "-o", "{d}/o.parquet"),
            2,
            "parquet needs distinct column names, and 'x' appears twice",
        ),
    ],
)
def test_file_errors_are_one_line(
    run: Run, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    import datetime

    pl.DataFrame({"x": [1.0], "day": [datetime.date(2026, 1, 1)]}).write_parquet(tmp_path / "in.parquet")
    (tmp_path / "in.csv").write_text("x,day\n1,2\n")
    (tmp_path / "dup.csv").write_text("x,x\n1,2\n")
    (tmp_path / "in.json").write_text("[]")
    (tmp_path / "fake.parquet").write_text("not parquet")
    (tmp_path / "fake.csv.gz").write_bytes(b"\x1f\x8b not really gzip")
    filled = [a.format(d=tmp_path) for a in args]
    result = run("apply", "relu", *(["-c", "x"] if "-c" not in args else []), *filled)
    assert result.code == code
    assert result.err.startswith("actcli: error: ") and result.err.count("\n") == 1, result.err
    assert message.format(d=tmp_path) in result.err
    assert "Traceback" not in result.err


def test_check_reads_parquet(run: Run, tmp_path: Path) -> None:
    x = np.linspace(-3, 3, 61, dtype=np.float32)
    pl.DataFrame({"x": x, "y": actcli.get("gelu")(x)}).write_parquet(tmp_path / "gelu.parquet")
    result = run("check", "gelu", "-i", str(tmp_path / "gelu.parquet"), "--dtype", "float32", "-f", "json")
    assert result.code == 0, result.err
    findings = json.loads(result.out)
    assert (findings["rows"], findings["correctly_rounded"]) == (61, 61)
