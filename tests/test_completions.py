"""Shell completions: the scripts of completions/ are what the app prints, and they work in a
real bash, zsh and fish: no space after '=' or ':', names matched without case or '-'/'_',
parameters after ':' and after a value, --NAME of the activation given, file names after -i."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import actcli
from tests.terminal import terminal_env

ROOT = Path(__file__).resolve().parent.parent
COMPLETIONS = ROOT / "completions"
ACTCLI = Path(sys.executable).with_name("actcli")
ENV = terminal_env()
FORMATS = ["auto", "table", "tutorial", "plain", "csv", "tsv", "json", "ndjson"]

# (what is typed before TAB, what must be offered, as the whole word)
CASES = [
    ("actcli ap", ["apply"]),
    ("actcli apply le", ["leaky_relu", "leaky"]),
    ("actcli apply LeakyR", ["leakyrelu"]),
    ("actcli apply leaky-", ["leaky-relu"]),
    ("actcli apply elu:al", ["elu:alpha="]),
    ("actcli table relu,hardtanh:min_val=1:m", ["relu,hardtanh:min_val=1:max_val="]),
    ("actcli table relu,elu:alpha=0.5,ge", ["relu,elu:alpha=0.5,gelu"]),
    ("actcli table --format ", FORMATS),
    ("actcli grad relu --kink ", ["pytorch", "left", "right", "mean"]),
    ("actcli apply relu --dt", ["--dtype"]),
    ("actcli apply elu --al", ["--alpha"]),
    ("actcli apply hardtanh -p m", ["min_val=", "max_val="]),
    ("actcli completion ", ["bash", "zsh", "fish"]),
    ("actcli check gelu --against ", ["torch", "jax", "numpy", "scipy"]),
    ("actcli check gelu --ex", ["--exhaustive"]),
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


@pytest.mark.parametrize(("shell", "name"), [("bash", "actcli.bash"), ("zsh", "_actcli"),
                                             ("fish", "actcli.fish")])
def test_the_command_prints_the_shipped_script(shell: str, name: str) -> None:
    done = subprocess.run([str(ACTCLI), "completion", shell], capture_output=True, text=True,
                          env=ENV, check=True)
    assert done.stdout == (COMPLETIONS / name).read_text()


def test_installed_where_shells_look() -> None:
    """A wheel puts them under the prefix. The editable install the test command makes has no data
    files: there .ci/install-check compares each real install's (wheel, pipx, uv) byte for byte."""
    share = Path(sys.prefix) / "share"
    installed = [share / "bash-completion/completions/actcli", share / "zsh/site-functions/_actcli",
                 share / "fish/vendor_completions.d/actcli.fish"]
    if Path(actcli.__file__).parent == COMPLETIONS.parent / "actcli":  # this checkout, editable
        pytest.skip("an editable install: .ci/install-check checks the installed files")
    for path, name in zip(installed, ["actcli.bash", "_actcli", "actcli.fish"], strict=True):
        assert path.read_text() == (COMPLETIONS / name).read_text()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_install_completion_writes_the_same_script(shell: str, tmp_path: Path) -> None:
    """--install-completion, run from each shell, installs the shipped script where it looks."""
    program = need(shell)
    flag = {"bash": "--norc", "zsh": "-f", "fish": "--no-config"}[shell]
    env = {**ENV, "HOME": str(tmp_path), "SHELL": program}
    done = subprocess.run([program, flag, "-c", f"{shlex.quote(str(ACTCLI))} --install-completion"],
                          capture_output=True, text=True, env=env, check=True)
    target = {"bash": ".local/share/bash-completion/completions/actcli", "zsh": ".zfunc/_actcli",
              "fish": ".config/fish/completions/actcli.fish"}[shell]
    name = {"bash": "actcli.bash", "zsh": "_actcli", "fish": "actcli.fish"}[shell]
    assert (tmp_path / target).read_text() == (COMPLETIONS / name).read_text()
    assert str(tmp_path / target) in done.stdout
    if shell != "fish":  # bash and zsh read a line in their rc file; twice installed, once written
        rc = tmp_path / (".bashrc" if shell == "bash" else ".zshrc")
        subprocess.run([program, flag, "-c", f"{shlex.quote(str(ACTCLI))} --install-completion"],
                       capture_output=True, env=env, check=True)
        lines = rc.read_text().splitlines()
        assert len(lines) == 1 and ("source" in lines[0] or "fpath" in lines[0])


def bash_offers(line: str) -> list[str]:
    """The candidates the completion function leaves in COMPREPLY for ``line``."""
    bash = need("bash")
    script = (f"source {shlex.quote(str(COMPLETIONS / 'actcli.bash'))}\n"
              f"COMP_LINE={shlex.quote(line)}; COMP_POINT=${{#COMP_LINE}}\n"
              "compopt() { :; }\n"  # outside a real completion, compopt complains
              "_actcli actcli\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run([bash, "--norc", "-c", script], capture_output=True, text=True, env=ENV,
                          timeout=60, check=True)
    return done.stdout.splitlines()


@pytest.mark.parametrize(("line", "offered"), CASES)
def test_bash_candidates(line: str, offered: list[str]) -> None:
    # bash replaces only what follows the last ':' or '=' of the word: that is all it is given
    word = line.rpartition(" ")[2]
    cut = max(word.rfind(":"), word.rfind("=")) + 1
    assert bash_offers(line) == [o[cut:] for o in offered]


# In the interactive shells below, ``actcli`` is also a shell function that prints the words
# it is given: Enter after TAB then shows the completed line exactly, while the completion
# scripts run the real program (they call ``command actcli``).
ECHO_WORDS = 'actcli() { printf "LINE:%s|" "$@"; echo; }'


def completed(child, typed: str) -> str:  # type: ignore[no-untyped-def]
    """The words of ``typed`` after TAB, then X typed and Enter: 'apply|elu:alpha=X'."""
    child.send(typed + "\t")
    child.send("X\r")
    child.expect(r"LINE:(.*)\|\r?\n")
    return str(child.match.group(1)).replace("|LINE:", "|")


@pytest.fixture
def bash():  # type: ignore[no-untyped-def]
    """An interactive bash in a pseudo-terminal with the shipped completion sourced."""
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(need("bash"), ["--norc", "-i"], env=ENV, cwd=str(ROOT), encoding="utf-8",
                          timeout=30, dimensions=(40, 200))
    child.sendline(f"source {shlex.quote(str(COMPLETIONS / 'actcli.bash'))}; {ECHO_WORDS}; PS1='READY> '")
    child.expect("READY> ")
    yield child
    child.sendline("exit")
    child.close()


LINES = [
    ("actcli ap", "apply|X"),
    ("actcli apply elu:al", "apply|elu:alpha=X"),  # no space after '='
    ("actcli apply hardtanh:min_val=-2:", "apply|hardtanh:min_val=-2:max_val=X"),
    ("actcli table relu,elu:alpha=0.5,ge", "table|relu,elu:alpha=0.5,gelu|X"),
    ("actcli apply LeakyR", "apply|leakyrelu|X"),
    ("actcli apply leaky-", "apply|leaky-relu|X"),
    ("actcli table --format tu", "table|--format|tutorial|X"),
    ("actcli apply elu --al", "apply|elu|--alpha|X"),
    ("actcli apply relu -i READ", "apply|relu|-i|README.md|X"),
]


@pytest.mark.parametrize(("typed", "words"), LINES)
def test_bash_completes_the_line(bash, typed: str, words: str) -> None:  # type: ignore[no-untyped-def]
    assert completed(bash, typed) == words


def test_bash_word_breaks_stay_as_they_were(bash) -> None:  # type: ignore[no-untyped-def]
    assert completed(bash, "actcli apply elu:al") == "apply|elu:alpha=X"
    bash.sendline('case "$COMP_WORDBREAKS" in *:*=*|*=*:*) echo KEPT-$((1+1));; esac')
    bash.expect("KEPT-2")


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
    child = pexpect.spawn(need("zsh"), ["-f", "-i"], env=ENV, cwd=str(ROOT), encoding="utf-8",
                          timeout=30, dimensions=(40, 200))
    child.sendline(f"fpath=({COMPLETIONS} $fpath); autoload -Uz compinit; compinit -u; "
                   f"{ECHO_WORDS}; PS1='READY> '; unsetopt ZLE_RPROMPT_INDENT")
    child.expect("READY> ")
    yield child
    child.sendline("exit")
    child.close()


@pytest.mark.parametrize(("typed", "words"), LINES)
def test_zsh_completes_the_line(zsh, typed: str, words: str) -> None:  # type: ignore[no-untyped-def]
    assert completed(zsh, typed) == words


def test_zsh_lists_several_with_descriptions(zsh) -> None:  # type: ignore[no-untyped-def]
    zsh.send("actcli apply leaky\t\t")
    zsh.expect(r"leaky +-- ReLU with a small slope")
    zsh.expect(r"leaky_relu +-- ReLU with a small slope")
    zsh.send("\x03")


def test_the_readme_lines_work_on_a_fresh_account(tmp_path: Path) -> None:
    """Each line of README's "by hand" block, in bash with an empty home: no directory is
    assumed to exist (bash-completion's and fish's are not there on a fresh account)."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    block = readme.split("same for every way of installing", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line.split("  #")[0].strip() for line in block.splitlines() if not line.startswith("#")]
    assert len(lines) == 4
    for line in lines:
        done = subprocess.run(["bash", "-c", line], env={**ENV, "HOME": str(tmp_path)}, capture_output=True,
                              text=True, timeout=60, check=False)
        assert (done.returncode, done.stderr) == (0, ""), line
    for made in (".local/share/bash-completion/completions/actcli", ".zfunc/_actcli",
                 ".config/fish/completions/actcli.fish"):
        assert "actcli" in (tmp_path / made).read_text()
    assert "actcli completion bash" in (tmp_path / ".bashrc").read_text()
