"""The installed ``actcli`` script in real processes: pipes, streaming, signals, start-up imports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ACTCLI = Path(sys.executable).with_name("actcli")
ENV = {**os.environ, "COLUMNS": "80"}
ENV.pop("FORCE_COLOR", None)


def actcli(*args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ACTCLI), *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=ENV, check=False)


def test_the_console_script_is_installed() -> None:
    assert ACTCLI.exists(), f"{ACTCLI} missing: install the package first (pip install '.[test]')"


def test_one_liner_and_exit_codes() -> None:
    done = actcli("apply", "relu", "1", "-10", "0", "15", "-20")
    assert (done.returncode, done.stdout, done.stderr) == (0, "1.0\n0.0\n0.0\n15.0\n0.0\n", "")
    assert actcli("apply", "relu", "abc").returncode == 1
    assert actcli("apply", "nosuch", "1").returncode == 2
    bad = actcli("apply", "relu", "--nosuch", "1")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_ctrl_c_while_the_command_line_loads_is_one_line() -> None:
    """A Ctrl-C that lands while actcli.cli is being imported (deterministically: an import hook
    raises it there) ends like any other interruption, without a traceback."""
    hook = ("import sys\n"
            "class Interrupt:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'actcli.cli':\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, Interrupt())\n"
            "from actcli.__main__ import main\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", hook, "apply", "relu", "1"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "actcli: interrupted\n")


def test_python_dash_m() -> None:
    done = subprocess.run([sys.executable, "-m", "actcli", "apply", "leaky_relu", "-10"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout == "-0.1\n"


def test_piped_stdin() -> None:
    assert actcli("grad", "relu", stdin="-1\n0\n1\n").stdout == "0.0\n0.0\n1.0\n"


def test_closed_pipe_ends_at_once_without_traceback() -> None:
    start = time.monotonic()
    done = subprocess.run(
        ["bash", "-c", f"'{ACTCLI}' apply relu 1:100000000:1 | head -3; echo \"status ${{PIPESTATUS[0]}}\""],
        capture_output=True, text=True, timeout=60, env=ENV, check=True,
    )
    assert done.stdout == "1.0\n2.0\n3.0\nstatus 141\n"  # 128 + SIGPIPE, as seq or yes would
    assert done.stderr == ""
    assert time.monotonic() - start < 30  # 10^8 values would take minutes if it did not stop


def test_output_starts_before_input_ends() -> None:
    process = subprocess.Popen([str(ACTCLI), "apply", "relu"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env=ENV)
    assert process.stdin and process.stdout
    stdin = process.stdin

    def produce() -> None:  # from a thread, as a producer runs beside its reader
        stdin.write("-1\n" * 70_000)
        stdin.close()

    producer = threading.Thread(target=produce)
    producer.start()
    assert process.stdout.readline() == "0.0\n"  # while stdin is still open
    assert process.stdout.read() == "0.0\n" * 69_999
    producer.join(timeout=60)
    assert process.wait(timeout=60) == 0


def test_interrupt_exits_130_without_traceback() -> None:
    process = subprocess.Popen([str(ACTCLI), "apply", "relu"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    time.sleep(1.0)  # let it start and block on stdin
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err


def imported_modules(*args: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """(stdout, the modules imported as -X importtime reports them) of a successful run."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "actcli", *args],
                          capture_output=True, text=True, timeout=60, env={**ENV, **(env or {})})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.stdout, done.stderr


@pytest.mark.parametrize(
    ("args", "env", "shown"),
    [
        (("--help",), {}, "Commands:"),
        (("apply", "--help"), {}, "--format"),
        ((), {"_ACTCLI_COMPLETE": "bash", "COMP_LINE": "actcli apply le", "COMP_POINT": "15"},
         "leaky_relu\nleaky\n"),
    ],
    ids=["help", "apply-help", "completion"],
)
def test_help_and_completion_do_not_import_numpy(args: tuple[str, ...], env: dict[str, str],
                                                 shown: str) -> None:
    out, imports = imported_modules(*args, env=env)
    assert shown in out
    assert "actcli.cli" in imports  # the measurement itself worked
    for heavy in ("numpy", "scipy", "rich.markdown", "pydantic"):
        assert f" {heavy}\n" not in imports and f" {heavy}." not in imports, heavy


@pytest.mark.parametrize("language", ["C.UTF-8", "ja_JP.UTF-8"])
def test_one_liner_does_not_import_rich_or_scipy(language: str) -> None:
    out, imports = imported_modules("apply", "relu", "1", env={"LANG": language, "LC_ALL": ""})
    assert out == "1.0\n" and " numpy\n" in imports
    # numpy.ma (4.8 ms) loads only for masked arrays, the terminal's table code only for a
    # terminal, explain's mpmath only in explain, the stdin/file reader only for stdin and files
    for heavy in ("rich", "scipy", "pydantic", "numpy.ma", "actcli.termtable", "mpmath", "actcli.streams"):
        assert f" {heavy}\n" not in imports, heavy
