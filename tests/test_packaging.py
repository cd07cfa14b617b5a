"""What an install carries besides the code: the man page (generated, current, readable at any
width), one version number, the typing marker and the licence. The wheel itself, pipx and uv
installs are built and tried by .ci/install-check (too slow for every test run)."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import actcli

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_the_man_page_is_current() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_manpage.py"), "--check"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_man_page_renders_without_warnings(width: int) -> None:
    env = {**os.environ, "MANWIDTH": str(width), "MAN_KEEP_FORMATTING": "", "MANPAGER": "cat",
           "PAGER": "cat", "LC_ALL": "C.UTF-8"}
    done = subprocess.run(["man", "--warnings", "-l", str(ROOT / "docs" / "actcli.1")],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    text = re.sub(r".\x08", "", done.stdout)  # overstrike bold/underline, if any
    assert "actcli apply" in text and "EXIT STATUS" in text
    assert max(len(line) for line in text.splitlines()) <= width


def test_the_version_is_written_in_one_place() -> None:
    assert importlib.metadata.version("actcli") == actcli.__version__
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert actcli.__version__ not in pyproject
    assert 'dynamic = ["version"]' in pyproject


def test_version_option() -> None:
    done = subprocess.run([str(BIN / "actcli"), "--version"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert (done.returncode, done.stdout) == (0, f"actcli {actcli.__version__}\n")


def test_the_package_carries_its_typing_marker_and_licence() -> None:
    assert (Path(actcli.__file__).parent / "py.typed").is_file()
    meta = importlib.metadata.metadata("actcli")
    assert "MIT" in (meta.get("License-Expression") or meta.get("License") or "")
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
