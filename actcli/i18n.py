"""The language actcli speaks: English, or Japanese from a gettext catalog.

The catalog is ``actcli/locale/ja/LC_MESSAGES/actcli.mo``, compiled from ``actcli.po`` by
``scripts/make_catalogs.py``, which also collects every message of the code into it: the texts
marked ``_()``, the help of every command and option, the registry's descriptions, and the
messages of errors, which are f-strings at the places they are raised. An error is translated
when it is shown: its English text is matched against those templates (``{name}`` stands for
what the code put there) and the Japanese template gets the same pieces.

English needs nothing loaded; Japanese loads one .mo file (stdlib gettext) on the first message.
The language: ``--lang`` if given, else the locale as GNU gettext reads it (LC_ALL, then
LC_MESSAGES, then LANG; LANGUAGE's list only when that locale is not C or POSIX).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

DOMAIN = "actcli"
# os.path, not pathlib: this module loads with every run, before anything imports pathlib.
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
LANGUAGES = ("en", "ja")
ENGLISH = "en"

_state = {"language": ENGLISH}


def from_environment(environ: Mapping[str, str]) -> str:
    """The language the environment asks for, of those actcli speaks."""
    locale = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
    if _code(locale) in ("", "c", "posix"):
        return ENGLISH
    for wanted in [*environ.get("LANGUAGE", "").split(":"), locale]:
        if _code(wanted) in LANGUAGES:
            return _code(wanted)
    return ENGLISH


def _code(locale: str) -> str:
    """``ja_JP.UTF-8`` -> ``ja``; ``C.UTF-8`` -> ``c``."""
    return re.split(r"[_.@]", locale.strip(), maxsplit=1)[0].lower()


def use(language: str) -> None:
    """Speak ``language`` from now on (Typer's own words too: "Options", "default: ...", which
    go through gettext's global domain and the LANGUAGE variable)."""
    previous = _state["language"]
    _state["language"] = language
    if language == previous:
        return
    import gettext

    if language == ENGLISH:
        gettext.textdomain("messages")
        if os.environ.get("LANGUAGE") == previous:
            del os.environ["LANGUAGE"]
        return
    gettext.bindtextdomain(DOMAIN, LOCALE_DIR)
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language


def language() -> str:
    return _state["language"]


@cache
def _catalog(language: str) -> Any:
    import gettext

    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    """``message`` in the language in use (itself in English, or when it has no translation)."""
    if _state["language"] == ENGLISH or not message:
        return message
    return str(_catalog(_state["language"]).gettext(message))


def N_(text: str) -> str:
    """``text`` unchanged: marks a message (an f-string too) that is put into another one, for
    scripts/make_catalogs.py; ``message`` translates it where it is shown."""
    return text


def plural(singular: str, plural_form: str, n: int) -> str:
    if _state["language"] == ENGLISH:
        return singular if n == 1 else plural_form
    return str(_catalog(_state["language"]).ngettext(singular, plural_form, n))


# --- errors: their English text matched against the templates they were made from -----------

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def template_pattern(template: str) -> re.Pattern[str]:
    """A regular expression that matches the texts ``template`` can produce, one group per
    placeholder, in order."""
    parts = PLACEHOLDER.split(template)
    return re.compile("(.*?)".join(re.escape(part) for part in parts) + r"\Z", re.DOTALL)


@cache
def _templates(language: str) -> list[tuple[re.Pattern[str], list[str], str]]:
    """(pattern, placeholders, translated template) for each translated template, the longest
    (most specific) first."""
    catalog = _catalog(language)
    found = []
    for msgid in getattr(catalog, "_catalog", {}):
        if isinstance(msgid, str) and PLACEHOLDER.search(msgid):
            found.append((template_pattern(msgid), PLACEHOLDER.findall(msgid),
                          str(catalog.gettext(msgid)), len(PLACEHOLDER.sub("", msgid))))
    found.sort(key=lambda item: -item[3])
    return [(pattern, names, text) for pattern, names, text, _length in found]


def message(text: str) -> str:
    """An error's or a warning's text in the language in use: its translation when the text is
    a message of the catalog or was made from one of its templates (the pieces put in are
    translated too, when they are messages themselves)."""
    if _state["language"] == ENGLISH:
        return text
    exact = _(text)
    if exact != text:
        return exact
    for pattern, names, translated in _templates(_state["language"]):
        match = pattern.match(text)
        if match is None:
            continue
        result = translated
        for name, piece in zip(names, match.groups(), strict=True):
            result = result.replace(name, message(piece) if piece else piece, 1)
        return result
    return text


# Japanese line breaking (JIS X 4051's kinsoku, in brief): a line may break between two
# characters when either is wide (kana, kanji), but never before closing punctuation or a
# prolonged sound mark, nor after an opening bracket; ASCII words break only at spaces, and a
# run of katakana (a loanword) not at all.
_NO_LINE_START = set("、。，．,.:;!?)]}）」』】〕！？：；ー・…%％")
_NO_LINE_END = set("([{（「『【〔")
_PIECES = re.compile(r" +|[!-~]+|.", re.DOTALL)  # runs of spaces, of ASCII, or one other character


def _katakana(c: str) -> bool:
    """Katakana spell loanwords (パラメーター): a word, kept whole on its line."""
    return "\u30a1" <= c <= "\u30fa" or c == "ー"


def cells(text: str) -> int:
    """The columns ``text`` takes in a terminal (a wide character two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns where it can be (an ASCII word longer than
    that keeps a line of its own), broken between words and, in Japanese, between characters
    as the kinsoku rules allow."""
    units: list[tuple[str, str]] = []  # (spaces before, text that must stay on one line)
    spaces = ""
    for piece in _PIECES.findall(" ".join(text.split("\n"))):
        if piece.startswith(" "):
            spaces = piece
            continue
        joined = units and not spaces and (not (cells(units[-1][1][-1]) == 2 or cells(piece[0]) == 2)
                                           or (_katakana(units[-1][1][-1]) and _katakana(piece[0])))
        closing = piece[0] in _NO_LINE_START and not piece[1:2].isalnum()  # ")" or "、", not ".tsv"
        held = units and not spaces and (closing or units[-1][1][-1] in _NO_LINE_END)
        tail = units and len(piece) <= 2 and piece[-1] in _NO_LINE_START  # "(終了コード 1)": not "1)" alone
        if joined or held or tail:
            units[-1] = (units[-1][0], units[-1][1] + spaces + piece)
        else:
            units.append((spaces, piece))
        spaces = ""
    lines: list[str] = []
    line, used = "", 0
    for before, unit in units:
        size = cells(unit)
        if line and used + len(before) + size > width:
            lines.append(line)
            line, used = "", 0
        if line:
            line, used = line + before + unit, used + len(before) + size
        else:
            line, used = unit, size
    return [*lines, line] if line or not lines else lines
