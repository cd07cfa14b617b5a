"""Shell completions, generated from the app and tried in a real bash, zsh and fish."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPLETIONS = ROOT / "completions"
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
FORMATS = ["auto", "table", "tutorial", "plain", "csv", "tsv", "json", "ndjson"]

# (what is typed before TAB, what must be offered)
CASES = [
    ("actcli ap", ["apply"]),
    ("actcli apply le", ["leaky_relu", "leaky", "leakyrelu"]),
    ("actcli apply elu:al", ["elu:alpha="]),
    ("actcli table relu,hardtanh:min_val=1:m", ["relu,hardtanh:min_val=1:max_val="]),
    ("actcli table --format ", FORMATS),
    ("actcli grad relu --kink ", ["pytorch", "left", "right", "mean"]),
    ("actcli apply relu --dt", ["--dtype"]),
]


def need(shell: str) -> str:
    path = shutil.which(shell)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{shell} is missing: .ci/run installs it")
        pytest.skip(f"{shell} is not installed")
    return path


def test_committed_scripts_are_up_to_date() -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_completions.py"), "--check"],
                   check=True, env=ENV)


def test_installed_where_shells_look() -> None:
    """pip puts them under the prefix; an editable install may not, so only CI insists."""
    share = Path(sys.prefix) / "share"
    installed = [share / "bash-completion/completions/actcli", share / "zsh/site-functions/_actcli",
                 share / "fish/vendor_completions.d/actcli.fish"]
    if not all(p.exists() for p in installed) and not os.environ.get("CI"):
        pytest.skip("not installed from a wheel")
    for path, name in zip(installed, ["actcli.bash", "_actcli", "actcli.fish"], strict=True):
        assert path.read_text() == (COMPLETIONS / name).read_text()


@pytest.mark.parametrize(("line", "offered"), CASES)
def test_bash(line: str, offered: list[str]) -> None:
    bash = need("bash")
    words = line.split(" ")
    script = (f"source {shlex.quote(str(COMPLETIONS / 'actcli.bash'))}\n"
              f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
              "_actcli_completion actcli\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run([bash, "--norc", "-c", script], capture_output=True, text=True, env=ENV,
                          timeout=60, check=True)
    assert done.stdout.split() == offered


def test_bash_falls_back_to_files_after_input() -> None:
    bash = need("bash")
    script = (f"source {shlex.quote(str(COMPLETIONS / 'actcli.bash'))}\ncomplete -p actcli\n"
              "COMP_WORDS=(actcli apply relu -i READ); COMP_CWORD=4\n_actcli_completion actcli\n"
              "echo \"replies: ${#COMPREPLY[@]}\"\n")
    done = subprocess.run([bash, "--norc", "-c", script], capture_output=True, text=True, env=ENV,
                          timeout=60, check=True)
    # No reply of its own, and -o default: bash then completes file names.
    assert "complete -o default -F _actcli_completion actcli" in done.stdout
    assert "replies: 0" in done.stdout


@pytest.mark.parametrize(("line", "offered"), [*CASES, ("actcli apply relu -i READ", ["README.md"])])
def test_fish(line: str, offered: list[str]) -> None:
    fish = need("fish")
    script = f"source {COMPLETIONS / 'actcli.fish'}; complete -C {shlex.quote(line)}"
    done = subprocess.run([fish, "--no-config", "-c", script], capture_output=True, text=True,
                          env=ENV, cwd=ROOT, timeout=60, check=True)
    # fish sorts what it offers
    assert sorted(row.split("\t")[0] for row in done.stdout.splitlines()) == sorted(offered)


@pytest.fixture
def zsh():  # type: ignore[no-untyped-def]
    """An interactive zsh in a pseudo-terminal with the completion on its fpath."""
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(need("zsh"), ["-f", "-i"], env={**ENV, "TERM": "dumb"}, cwd=str(ROOT),
                          encoding="utf-8", timeout=30, dimensions=(40, 200))
    child.sendline(f"fpath=({COMPLETIONS} $fpath); autoload -Uz compinit; compinit -u; "
                   "PS1='READY> '; unsetopt ZLE_RPROMPT_INDENT")
    child.expect("READY> ")
    yield child
    child.sendline("exit")
    child.close()


@pytest.mark.parametrize(("typed", "completed"), [
    ("actcli ap", "actcli apply "),
    ("actcli apply elu:al", "actcli apply elu:alpha="),
    ("actcli table --format tu", "actcli table --format tutorial "),
    ("actcli apply relu -i READ", "actcli apply relu -i README.md "),
])
def test_zsh_completes_the_line(zsh, typed: str, completed: str) -> None:  # type: ignore[no-untyped-def]
    zsh.send(typed + "\t")
    zsh.expect_exact(completed)
    zsh.send("\x15")  # clear the line


def test_zsh_lists_several(zsh) -> None:  # type: ignore[no-untyped-def]
    zsh.send("actcli apply leaky\t\t")
    zsh.expect("leaky_relu")
    zsh.expect("leakyrelu")
    zsh.send("\x03")
