"""Every ``console`` example in README.md runs as shown: the docs cannot drift from the tool."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BIN = str(Path(sys.executable).parent)


def examples() -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ command`` line of the console blocks."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            found.append((command, output))
    return found


def test_the_readme_has_examples() -> None:
    assert len(examples()) >= 5


@pytest.mark.parametrize(("command", "expected"), examples(), ids=[c for c, _ in examples()])
def test_readme_example(command: str, expected: str) -> None:
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"], "COLUMNS": "80"}
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")


def test_the_first_lines_are_the_two_newcomer_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```bash") + 1: lines.index("```bash") + 6]
    assert "pip install . && actcli apply relu 1 -10 0 15 -20" in block[1]
    test_command = ("pip install meson-python meson ninja numpy && "
                    "pip install --no-build-isolation -e '.[test]' && pytest")
    assert block[4].endswith(test_command)
    ci = (README.parent / ".ci" / "run").read_text()
    assert test_command.replace("pip install", "pip install --quiet") in ci


@pytest.mark.parametrize(("command", "quoted"), [
    (["apply", "relu", "1", "--kink", "left"],
     "apply has no option --kink; grad, table, explain and check have it"),
    (["apply", "relu", "1", "--formt", "csv"], "no such option: --formt; did you mean --format?"),
    (["aply", "relu", "1"], "no such command: aply; did you mean apply?"),
])
def test_the_errors_readme_quotes_are_printed(command: list[str], quoted: str) -> None:
    assert quoted in " ".join(README.read_text().split())  # as README wraps it
    done = subprocess.run([str(Path(BIN) / "actcli"), *command], capture_output=True, text=True, timeout=60,
                          check=False)
    assert quoted in done.stderr


def test_the_long_table_readme_describes_is_printed() -> None:
    from tests.terminal import in_terminal

    quoted = "⋮ 1,961 rows not shown (2,001 in all); every row: --format plain, csv or json"
    assert quoted in " ".join(README.read_text().split())
    assert quoted in in_terminal("apply", "relu", "-1000:1000:1", columns=80, lines=24).lines
