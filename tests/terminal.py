"""The installed ``actcli`` in a pseudo-terminal of a set size, as a person's terminal runs it."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path

import pytest

ACTCLI = Path(sys.executable).with_name("actcli")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NUMBER = re.compile(r"-?(?:\d+\.?\d*(?:e[+-]\d+)?|inf|NaN)")


@dataclass
class Screen:
    raw: str  # as written, escape codes included
    status: int | None

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


def terminal_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", PATH=f"{ACTCLI.parent}{os.pathsep}{env.get('PATH', '')}")
    env.update(extra)
    return env


def in_terminal(*args: str, columns: int = 80, lines: int = 24, env: dict[str, str] | None = None,
                command: str | None = None) -> Screen:
    """Run ``actcli args`` (or a shell ``command``) with a terminal of ``columns`` x ``lines``."""
    pexpect = pytest.importorskip("pexpect")
    program, argv = (str(ACTCLI), list(args)) if command is None else ("bash", ["-c", command])
    child = pexpect.spawn(program, argv, dimensions=(lines, columns), env=env or terminal_env(),
                          encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    return Screen(child.before.replace("\r\n", "\n"), child.exitstatus)


def correctly_rounded(shown: str, exact: float) -> bool:
    """Is ``shown`` the binary value ``exact`` correctly rounded to the digits it shows? (Decimal,
    independently of how actcli formats numbers.)"""
    if shown in ("NaN", "inf", "-inf"):
        return repr(exact) == {"NaN": "nan"}.get(shown, shown)
    if float(shown) == exact:  # the exact spelling: the shortest text that reads back to it
        return True
    mantissa = shown.lstrip("-").partition("e")[0]
    digits = len(mantissa.replace(".", "").lstrip("0")) or 1
    return Decimal(shown) == Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(Decimal(exact))


def table_cells(lines: list[str]) -> list[list[str]]:
    """The body rows of the Rich tables in ``lines``: the cells of each line that starts with │."""
    return [[cell.strip() for cell in line.strip().strip("│").split("│")]
            for line in lines if line.startswith("│")]
