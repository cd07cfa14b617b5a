"""Japanese: chosen by the locale or --lang, in help, errors, list/info, explain and check; data
never changes with the language; the catalog holds every message of the code and is current."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from actcli import i18n

ROOT = Path(__file__).resolve().parents[1]
ACTCLI = str(Path(sys.executable).with_name("actcli"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji


def actcli(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "COLUMNS")}
    environ.update(COLUMNS="100", **env)
    return subprocess.run([ACTCLI, *args], input=stdin, capture_output=True, text=True, env=environ,
                          timeout=60, check=False)


JA = {"LANG": "ja_JP.UTF-8"}
C = {"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}


@pytest.mark.parametrize(("environ", "language"), [
    ({}, "en"),
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "ja"}, "ja"),
    ({"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja"),
    ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),
    ({"LC_ALL": "C.UTF-8", "LANGUAGE": "ja"}, "en"),  # GNU gettext: LANGUAGE not under C
    ({"LANG": "en_US.UTF-8", "LANGUAGE": "ja:en"}, "ja"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({"LC_ALL": "ja_JP.eucJP"}, "ja"),
])
def test_the_language_from_the_environment(environ: dict[str, str], language: str) -> None:
    assert i18n.from_environment(environ) == language


def test_the_catalog_has_every_message_and_is_compiled() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_catalogs.py"), "--check"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_error_templates_match_what_they_made() -> None:
    pattern = i18n.template_pattern("{where}: cannot read {text!r} as a number")
    match = pattern.match("<stdin>:3: cannot read 'abc' as a number")
    assert match is not None and match.groups() == ("<stdin>:3", "'abc'")


HELP_JA = ["使い方:", "オプション"]


@pytest.mark.parametrize("args", [("--help",), ("apply", "--help"), ("explain", "--help")])
def test_help_in_japanese_and_in_english(args: tuple[str, ...]) -> None:
    ja, en = actcli(*args, **JA), actcli(*args, **C)
    assert ja.returncode == en.returncode == 0
    assert all(word in ja.stdout for word in HELP_JA), ja.stdout
    assert "Usage:" in en.stdout and "Options" in en.stdout and not JAPANESE.search(en.stdout)
    # every line of help text in Japanese: option names stay, their descriptions change
    described = [line for line in ja.stdout.splitlines() if re.match(r"\s+-", line) and "  " in line.strip()]
    untranslated = [line for line in described if not JAPANESE.search(line)]
    assert not untranslated, untranslated


def test_lang_option_beats_the_environment() -> None:
    assert "使い方:" in actcli("apply", "--help", "--lang", "ja", **C).stdout
    assert "Usage:" in actcli("--lang=en", "apply", "--help", **JA).stdout
    bad = actcli("apply", "relu", "1", "--lang", "fr")
    assert bad.returncode == 2 and "--lang takes en or ja" in bad.stderr


def test_info_and_list_in_japanese() -> None:
    ja, en = actcli("info", "elu", **JA), actcli("info", "elu", **C)
    assert ja.returncode == en.returncode == 0
    first_ja, first_en = ja.stdout.splitlines()[0], en.stdout.splitlines()[0]
    assert first_en.startswith("elu — Exponential linear unit")
    assert first_ja.startswith("elu — ") and JAPANESE.search(first_ja)
    assert "f(x) = x if x > 0 else α·(eˣ − 1)" in ja.stdout  # formulas are the same
    assert JAPANESE.search(actcli("list", "-f", "table", **JA).stdout)


def test_explain_in_japanese() -> None:
    ja, en = actcli("explain", "elu", "-1", **JA), actcli("explain", "elu", "-1", **C)
    assert ja.returncode == en.returncode == 0
    for number in ("0.36787944117144233", "-0.6321205588285577", "e^(-1)"):
        assert number in ja.stdout and number in en.stdout
    steps = [line for line in ja.stdout.splitlines()[1:] if line.strip()]
    assert sum(bool(JAPANESE.search(line)) for line in steps) >= 3, ja.stdout
    assert not JAPANESE.search(en.stdout)


@pytest.mark.parametrize(("args", "code"), [
    (("apply", "reluu", "1"), 2),
    (("apply", "relu", "abc"), 1),
    (("apply", "relu", "1", "--precision", "99"), 2),
    (("apply", "relu", "1", "--format", "xx"), 2),
    (("apply", "relu", "1", "--kink", "right"), 2),
    (("apply", "elu:beta=2", "1"), 2),
    (("apply", "relu", "1:2:0"), 1),
    (("apply", "relu", "-i", "/nonexistent/file"), 1),
    (("table", "relu,elu", "1", "--alpha", "2"), 2),
    (("nocommand",), 2),
    (("apply",), 2),
])
def test_errors_in_japanese(args: tuple[str, ...], code: int) -> None:
    ja, en = actcli(*args, **JA), actcli(*args, **C)
    assert (ja.returncode, en.returncode) == (code, code)
    assert ja.stderr.startswith("actcli: ") and len(ja.stderr.splitlines()) == 1
    assert JAPANESE.search(ja.stderr), ja.stderr
    assert not JAPANESE.search(en.stderr) and "Traceback" not in ja.stderr + en.stderr


def test_csv_errors_and_warnings_in_japanese() -> None:
    bad = actcli("apply", "relu", "-c", "x", stdin="x\n1\nabc\n", **JA)
    assert bad.returncode == 1 and bad.stdout == "x,relu(x)\n1,1.0\n"
    assert "<stdin>" in bad.stderr and JAPANESE.search(bad.stderr), bad.stderr
    skipped = actcli("apply", "relu", "-c", "x", "--on-error", "skip", stdin="x\nabc\n1\n", **JA)
    assert skipped.returncode == 0 and JAPANESE.search(skipped.stderr), skipped.stderr


@pytest.mark.parametrize("args", [
    ("apply", "leaky_relu", "1", "-10", "0", "15", "-20", "--format", "tutorial"),
    ("apply", "relu", "1", "-f", "json"),
    ("table", "relu,elu", "-2:2:1", "--grad", "-f", "csv"),
    ("grad", "elu", "-1", "0", "1", "-f", "ndjson"),
    ("info", "elu", "-f", "json"),
    ("explain", "elu", "-1", "-f", "json"),
    ("check", "relu", "1=1", "-1=0", "-f", "json"),
    ("list", "-f", "json"),
])
def test_data_never_changes_with_the_language(args: tuple[str, ...]) -> None:
    ja, en = actcli(*args, **JA), actcli(*args, **C)
    assert ja.returncode == en.returncode == 0
    if args[0] == "explain":  # the keys and numbers are data; the steps' words are not
        ja_records, en_records = json.loads(ja.stdout), json.loads(en.stdout)
        assert [set(r) for r in ja_records] == [set(r) for r in en_records]
        assert [[r[k] for k in ("x", "value", "grad")] for r in ja_records] == [
            [r[k] for k in ("x", "value", "grad")] for r in en_records]
        return
    assert ja.stdout == en.stdout


def test_csv_stream_headers_do_not_change() -> None:
    data = "score,name\n-1,a\n2,b\n"
    ja = actcli("apply", "elu", "-c", "score", stdin=data, **JA)
    en = actcli("apply", "elu", "-c", "score", stdin=data, **C)
    assert ja.stdout == en.stdout and ja.returncode == 0


def test_the_english_the_audit_found_is_translated() -> None:
    info = actcli("--lang", "ja", "info", "gelu").stdout
    assert "its exact derivative" not in info and "その式そのものの厳密な導関数" in info
    assert "if a threshold is set" not in actcli("--lang", "ja", "list", "softplus").stdout
    plot = actcli("--lang", "ja", "plot", "relu", "--no-color").stdout
    assert "kink" not in plot and "微分不可能な点" in plot
    mistyped = actcli("--lang", "ja", "aply", "relu", "1").stderr
    assert "apply のことですか？" in mistyped  # full-width inside a Japanese sentence


def test_terminal_columns_and_digits_are_not_both_keta() -> None:
    """桁 is a digit; a terminal is so many characters (文字) wide."""
    catalog = (Path(i18n.__file__).parent / "locale" / "ja" / "LC_MESSAGES" / "actcli.po").read_text()
    assert "桁の幅" not in catalog and "端末の幅 {width} 文字" in catalog


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize(("command", "words"), [
    ((), ["LC_MESSAGES", "LANGUAGE"]), (("apply",), ["NO_COLOR", ".tsv", "ACT(COLUMN)"]),
    (("check",), ["--max-ulp"]), (("list",), []), (("explain",), []), (("plot",), []),
])
def test_japanese_help_breaks_lines_as_japanese_is_written(columns: int, command: tuple[str, ...],
                                                           words: list[str]) -> None:
    """In a terminal of each width: lines fit (but an option's own name), none starts with
    closing punctuation (kinsoku), and ASCII words are never cut."""
    from tests.terminal import in_terminal, terminal_env

    screen = in_terminal(*command, "--help", columns=columns, lines=300, env=terminal_env(LANG="ja_JP.UTF-8"))
    assert screen.status == 0
    for line in screen.lines:
        body = line.strip()
        assert not body or body[0] not in "、。，．)）」』ー", line
        assert i18n.cells(line) <= columns or body.startswith("-"), line
    for word in words:
        assert word in screen.text


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_wrapped_explain_line_continues_further_in_than_a_step(language: str) -> None:
    from tests.terminal import in_terminal, terminal_env

    screen = in_terminal("explain", "relu", "-1", "--lang", language, columns=60, lines=60,
                         env=terminal_env())
    lines = screen.lines[1:]
    note = next(i for i, line in enumerate(lines) if line.startswith(("  note: ", "  注: ")))
    assert len(lines[note + 1:]) >= 2 and all(line.startswith("      ") for line in lines[note + 1:] if line)
    assert all(line.startswith("  ") and not line.startswith("   ") for line in lines[:note])


@pytest.mark.parametrize("columns", [60, 80])
def test_list_headers_keep_their_words_in_japanese(columns: int) -> None:
    from tests.terminal import in_terminal, terminal_env

    screen = in_terminal("list", columns=columns, lines=200, env=terminal_env(LANG="ja_JP.UTF-8"))
    assert "パラメーター" in screen.text  # not パラメ / ーター
