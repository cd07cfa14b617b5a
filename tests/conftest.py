"""Shared fixtures: ``run`` calls the command line in-process as a user's shell would."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from actcli.cli import run as run_cli


@dataclass
class Result:
    code: int
    out: str
    err: str


class FakeStdin(io.TextIOWrapper):
    """Text stdin with a binary ``buffer`` (the CSV path reads bytes), a terminal or a pipe."""

    def __init__(self, data: bytes, terminal: bool) -> None:
        super().__init__(io.BufferedReader(io.BytesIO(data)), encoding="utf-8")  # peek, as stdin
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """run(*args, stdin=None) -> Result; stdin None means an interactive terminal, else the
    text or bytes piped in."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("FORCE_COLOR", raising=False)

    def invoke(*args: str, stdin: str | bytes | None = None) -> Result:
        data = stdin.encode() if isinstance(stdin, str) else stdin or b""
        monkeypatch.setattr("sys.stdin", FakeStdin(data, terminal=stdin is None))
        with pytest.raises(SystemExit) as exit_info:
            run_cli(list(args))
        captured = capsys.readouterr()
        return Result(int(exit_info.value.code or 0), captured.out, captured.err)

    return invoke
