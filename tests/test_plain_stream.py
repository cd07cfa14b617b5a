"""Plain numbers, as shell one-liners pipe them: read by the compiled reader (core/decimal.c),
with Python's reader for the lines it leaves, and written as Python's repr spells floats.

The references are independent of the code under test: Python's float() and repr (David Gay's
correctly rounded dtoa) for the conversions, and a real pipe or terminal for the streaming."""

from __future__ import annotations

import bz2
import gzip
import math
import os
import re
import select
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

import actcli
from actcli import _core, streams
from actcli.registry import NUMBER
from tests.conftest import Run
from tests.terminal import ACTCLI, terminal_env

try:
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd  # type: ignore[import-not-found,no-redef]

RNG = np.random.default_rng(20261207)


def _python_text(v: float) -> str:
    return repr(v) if math.isfinite(v) else "NaN" if v != v else "inf" if v > 0 else "-inf"


def _doubles() -> np.ndarray:
    """Every kind of double: random bit patterns, the powers of two and their neighbours (where
    the gap below halves), integers, and the boundaries of repr's positional range."""
    bits = RNG.integers(0, 2**64, 1_000_000, dtype=np.uint64, endpoint=False).view(np.float64)
    powers = 2.0 ** np.arange(-1074, 1024)
    edges = np.array([0.0, -0.0, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1e-4,
                      9.999999999999999e-05, 1e16, 9999999999999998.0, 1e22, 1e23, 1.7976931348623157e308,
                      0.1, 0.3, 123456.789, np.nan, -np.nan, np.inf, -np.inf])
    integers = RNG.integers(0, 2**53, 100_000).astype(np.float64) * 2.0 ** RNG.integers(-60, 60, 100_000)
    return np.concatenate([bits, powers, -powers, np.nextafter(powers, np.inf), np.nextafter(powers, 0),
                           edges, np.arange(-1000.0, 1000.0) / 8, RNG.normal(0, 3, 100_000), integers])


def test_every_double_is_written_as_repr_spells_it() -> None:
    x = _doubles()
    written = _core.write_decimal([x], "\n").decode("ascii").split("\n")[:-1]
    assert written == [_python_text(v) for v in x.tolist()]


def test_rows_of_several_columns_are_tab_separated_and_columns_may_be_strided() -> None:
    x = RNG.normal(0, 3, (1000, 2))  # columns with a stride of 16 bytes
    rows = _core.write_decimal([x[:, 0], x[:, 1]], "\t").decode("ascii")
    assert rows == "".join(f"{a!r}\t{b!r}\n" for a, b in x.tolist())
    unaligned = np.frombuffer(b"\0" + x[:, 0].tobytes(), dtype=np.float64, offset=1)
    expected = "".join(f"{a!r}\n" for a in x[:, 0].tolist())
    assert _core.write_decimal([unaligned], "\t").decode("ascii") == expected
    with pytest.raises(TypeError):
        _core.write_decimal([x[:, 0].astype(np.float32)], "\t")
    with pytest.raises(ValueError):
        _core.write_decimal([x[:10, 0], x[:9, 1]], "\t")


def _decimal_tokens(count: int) -> list[str]:
    """Decimal numbers of 1 to 19 significant digits, the point anywhere, exponents over and past
    the double range, and leading zeros."""
    tokens = []
    for digits, exponent, point, sign, zeros, all_figures in zip(
            RNG.integers(1, 20, count).tolist(), RNG.integers(-360, 330, count).tolist(),
            RNG.integers(0, 20, count).tolist(), RNG.choice(["", "-", "+"], count).tolist(),
            RNG.integers(0, 3, count).tolist(),
            RNG.integers(10**18, 10**19, count, dtype=np.uint64).tolist(), strict=True):
        figures = str(all_figures)[:digits]
        cut = min(point, len(figures))
        mantissa = "0" * zeros + figures[:cut] + "." + figures[cut:] if cut < len(figures) else figures
        tokens.append(f"{sign}{mantissa}e{exponent}" if exponent % 3 else f"{sign}{mantissa}")
    return [*tokens, "9007199254740993", "9007199254740995", "2.4703282292062327e-324",
            "2.4703282292062328e-324", "1.7976931348623158e308", "1.7976931348623159e308",
            "2.2250738585072011e-308", "2.2250738585072012e-308", "0.1", "1e23", "-0", "+0.0",
            ".5", "5.", "0000.000123", "1e99999999999999", "1e-99999999999999", "1E5",
            "1234567890123456789", "0.0000000000000000000001234567890123456789"]


def test_numbers_read_as_python_reads_them() -> None:
    tokens = _decimal_tokens(300_000)
    text = "\n".join(" , ".join(tokens[i:i + 3]) for i in range(0, len(tokens), 3)) + "\n"
    values, stop, lines = _core.read_decimal(text.encode())
    assert (stop, lines) == (len(text), math.ceil(len(tokens) / 3))
    expected = np.array([float(t) for t in tokens])
    assert values.view(np.uint64).tolist() == expected.view(np.uint64).tolist()


@pytest.mark.parametrize(("text", "values", "stop", "lines"), [
    ("1\n2 # two\n3\n", [1.0], 2, 1),  # comments are Python's
    ("1,2\ninf\n", [1.0, 2.0], 4, 1),
    ("1\n12345678901234567890\n", [1.0], 2, 1),  # 20 digits
    ("\ufeff1\n", [], 0, 0),
    ("1 2\n3 4\u00a05\n", [1.0, 2.0], 4, 1),  # a no-break space
    ("1\n2 1e\n", [1.0], 2, 1),
    ("1\n1.2.3\n", [1.0], 2, 1),
    ("--1", [], 0, 0),
    (".", [], 0, 0),
    ("1x", [], 0, 0),
    ("\x1c1", [], 0, 0),  # Python's str.split sees whitespace here; the compiled reader leaves it
    ("", [], 0, 0),
    ("1\n\n\n", [1.0], 4, 3),
])
def test_what_the_compiled_reader_leaves_to_python(text: str, values: list[float], stop: int,
                                                   lines: int) -> None:
    data = text.encode()
    found, where, newlines = _core.read_decimal(data)
    assert (found.tolist(), newlines) == (values, lines)
    assert where == (len(data) if stop == len(text) else len(text[:stop].encode()))


def test_the_compiled_reader_accepts_only_what_python_reads_the_same() -> None:
    """Random lines of number-like bytes: a line the compiled reader takes whole is read the same
    by the Python reader's grammar and float()."""
    alphabet = np.array(list("0123456789.eE+-, \t#x\r"))
    taken = 0
    for _ in range(20_000):
        line = "".join(RNG.choice(alphabet, int(RNG.integers(1, 12)))).replace("\r", "") + "\n"
        values, stop, _ = _core.read_decimal(line.encode())
        if stop != len(line):
            continue
        taken += 1
        tokens = [t for t in re.split(r"[\s,]+", line) if t]
        assert all(NUMBER.fullmatch(t) for t in tokens), line
        expected = np.array([float(t) for t in tokens], dtype=np.float64)
        assert values.view(np.uint64).tolist() == expected.view(np.uint64).tolist(), line
    assert taken > 1000  # the property was tried on many lines


def test_a_stream_prints_what_repr_prints(run: Run) -> None:
    x = np.concatenate([RNG.normal(0, 3, 20_000), [0.0, -0.0, 1e-320, 1e300, -1e300]])
    text = "\n".join(map(repr, x.tolist())) + "\n"
    result = run("apply", "sigmoid", stdin=text)
    assert result.code == 0
    assert result.out == "".join(f"{v!r}\n" for v in actcli.get("sigmoid")(x).tolist())
    table = run("table", "relu,tanh", stdin=text)  # several columns: x and each, tab-separated
    expected = zip(x.tolist(), actcli.get("relu")(x).tolist(), actcli.get("tanh")(x).tolist(), strict=True)
    assert table.out == "# x\trelu(x)\ttanh(x)\n" + "".join(f"{a!r}\t{b!r}\t{c!r}\n" for a, b, c in expected)


def test_lines_left_to_python_and_errors_keep_their_numbers_across_chunks(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "CHUNK_BYTES", 64)  # many chunks, cut between lines
    lines = ["\ufeff0.5"] + [f"{i} # n{i}" if i % 7 == 0 else f"{i},{-i}\u00a0{i / 3!r}" if i % 5 == 0
                             else "inf" if i % 11 == 0 else str(i) for i in range(1, 200)]
    result = run("apply", "relu", stdin="\n".join([*lines, "oops", "7"]) + "\n")
    expected = [max(float(t), 0.0) for line in lines
                for t in re.split(r"[\s,]+", line.lstrip("\ufeff").partition("#")[0]) if t]
    assert result.out.split() == [repr(v) for v in expected]
    assert result.err == "actcli: error: <stdin>:201: cannot read 'oops' as a number\n"
    assert result.code == 1


def test_a_long_line_without_newlines_is_read_whole(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "CHUNK_BYTES", 64)
    result = run("apply", "relu", stdin=" ".join(str(i) for i in range(1000)))
    assert result.out.split() == [f"{i}.0" for i in range(1000)]


def test_not_utf8_is_reported_at_its_line_after_the_values_before_it(run: Run) -> None:
    result = run("apply", "relu", stdin=b"1\n2\n\xff3\n")
    assert (result.out, result.code) == ("1.0\n2.0\n", 1)
    assert result.err.startswith("actcli: error: <stdin>:3: not UTF-8 text")


@pytest.mark.parametrize("pack", [gzip.compress, bz2.compress, zstd.compress], ids=["gzip", "bzip2", "zstd"])
def test_compressed_numbers_are_read_as_csv_is(pack: object, tmp_path: Path) -> None:
    data = pack(b"1\n-2\n3.5\n" * 1000)  # type: ignore[operator]
    piped = subprocess.run([ACTCLI, "apply", "relu"], input=data, capture_output=True, check=True)
    assert piped.stdout == b"1.0\n0.0\n3.5\n" * 1000
    (tmp_path / "n.txt.x").write_bytes(data)
    named = subprocess.run([ACTCLI, "apply", "relu", "-i", tmp_path / "n.txt.x"], capture_output=True,
                           check=True)
    assert named.stdout == piped.stdout


def test_results_follow_a_slow_producer_line_by_line() -> None:
    """`tail -f log | actcli apply sigmoid`: each result comes while the input is still open."""
    child = subprocess.Popen([ACTCLI, "apply", "relu"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    try:
        for value, expected in (("1", b"1.0\n"), ("-2", b"0.0\n"), ("3", b"3.0\n")):
            child.stdin.write(f"{value}\n".encode())
            child.stdin.flush()
            ready, _, _ = select.select([child.stdout], [], [], 60)
            assert ready, "no result while the input stays open"
            assert os.read(child.stdout.fileno(), 100) == expected
    finally:
        child.stdin.close()
        child.wait(timeout=60)
    assert child.returncode == 0


def test_head_stops_it_at_once(tmp_path: Path) -> None:
    numbers = tmp_path / "n.txt"
    numbers.write_text("\n".join(map(repr, RNG.normal(0, 3, 500_000).tolist())) + "\n")
    done = subprocess.run(f"'{ACTCLI}' apply sigmoid -i '{numbers}' | head -2", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert len(done.stdout.splitlines()) == 2 and done.stderr == ""


def _wait_until_reading_stdin(pid: int) -> None:
    """Until the process blocks in read(0, ...) or select() on stdin (Linux: /proc/PID/syscall),
    after the results of what it was given; elsewhere, a pause."""
    syscall = Path(f"/proc/{pid}/syscall")
    if not syscall.exists():
        time.sleep(5)
        return
    deadline = time.monotonic() + 60
    time.sleep(0.3)  # let it wake up to what was just typed
    while time.monotonic() < deadline:
        fields = syscall.read_text().split()
        if fields and ((fields[0] == "0" and fields[1] == "0x0") or fields[0] in ("7", "23", "270")):
            return
        time.sleep(0.05)
    raise AssertionError("actcli never waited for input")


def test_ctrl_c_at_a_terminal_prints_the_table_of_what_was_typed() -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(str(ACTCLI), ["apply", "relu", "-"], dimensions=(24, 80),
                          env=terminal_env(), encoding="utf-8", timeout=60)
    _wait_until_reading_stdin(child.pid)
    for value in ("1", "-2", "3.5"):
        child.sendline(value)
    _wait_until_reading_stdin(child.pid)
    child.sendintr()
    child.expect(r"actcli: interrupted after 3 values")
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before or "")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    rows = re.findall(r"│\s*(\S+)\s*│\s*(\S+)\s*│", shown)
    assert rows == [("1.0", "1.0"), ("-2.0", "0.0"), ("3.5", "3.5")]


def test_the_numbers_before_a_bad_token_on_its_own_line_are_written(run: Run) -> None:
    """The fuzzer's case: a line the compiled reader leaves to Python (INF), then a bad token on
    that line; every number before the bad one is written, then the error."""
    result = run("grad", "threshold", stdin="4,-3 -8.189e203 INF 14,abc")
    assert (result.out, result.code) == ("1.0\n0.0\n0.0\n1.0\n1.0\n", 1)
    assert result.err == "actcli: error: <stdin>:1: cannot read 'abc' as a number\n"
