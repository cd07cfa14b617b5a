"""Collect every message of actcli into its gettext catalogs, and compile them.

    python scripts/make_catalogs.py            # update actcli/locale: .pot, ja .po (merged), .mo
    python scripts/make_catalogs.py --check    # fail when a message lacks a translation or a file is stale

The messages (see actcli/i18n.py for how each kind is translated at run time):
- texts marked ``_("...")`` or ``plural("...", "...", n)`` in actcli/, and Typer's own ``_()``;
- the help of the app, every command and every option, as ``--help`` shows them;
- the registry's descriptions, parameter docs, families, derivative notes and taught conventions;
- errors: the f-string (or string, or either side of a conditional) given to UsageProblem,
  DataError, Interrupted, ValueError, LookupError or ``_fail`` in actcli/, as a template (``cannot read
  {text!r} as a number``), the pieces put into them marked ``N_(...)`` (``argument {index}``), and
  Click's usage errors (CLICK below), which the vendored Click writes in English.

Needs Babel (in the ``test`` extra); the installed package needs only the compiled .mo.
"""

from __future__ import annotations

import ast
import io
import sys
from pathlib import Path
from typing import Any

import typer
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "actcli"
LOCALES = PACKAGE / "locale"
TEMPLATE = LOCALES / "actcli.pot"
LANGUAGES = ("ja",)
ERRORS = {"UsageProblem", "DataError", "Interrupted", "ActcliError", "ValueError", "LookupError", "_fail"}
# The vendored Click's usage errors, as actcli shows them (the final period dropped).
CLICK = [
    "Missing argument {param_hint}",
    "Missing option {param_hint}",
    "Missing parameter: {param_name}",
    "Invalid value for {param_hint}: {message}",
    "Invalid value: {message}",
    "{value} is not one of {choices}",
    "{value} is not in the range {range}",
    "{value} is not a valid {type}",
    "{value} is not a valid integer",
    "{value} is not a valid float",
    "Option {name} requires an argument",
    "Option {name} does not take a value",
    "No such command {name}",
    "No such option: {name}",
    "Got unexpected extra argument ({args})",
    "Got unexpected extra arguments ({args})",
    "Missing command",
    "Show this message and exit.",
]


def templates_of(node: ast.expr) -> list[str]:
    """The templates an expression can give: both sides of a conditional expression."""
    if isinstance(node, ast.IfExp):
        return templates_of(node.body) + templates_of(node.orelse)
    text = template_of(node)
    return [text] if text is not None else []


def template_of(node: ast.expr) -> str | None:
    """A string constant, or an f-string as a template: ``{expression!r:spec}`` per piece."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
        elif isinstance(value, ast.FormattedValue):
            conversion = f"!{chr(value.conversion)}" if value.conversion != -1 else ""
            spec = f":{template_of(value.format_spec)}" if value.format_spec is not None else ""
            parts.append("{" + ast.unparse(value.value) + conversion + spec + "}")
    return "".join(parts)


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def from_source(path: Path, errors: bool) -> list[tuple[str | tuple[str, str], str]]:
    """(msgid or (singular, plural), where) for the marked texts of ``path`` and, with
    ``errors``, the messages of the errors it raises."""
    found: list[tuple[str | tuple[str, str], str]] = []
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _name(node)
        if name == "_" and isinstance(node.args[0], ast.Constant):
            found.append((str(node.args[0].value), f"{where}:{node.lineno}"))
        elif name == "plural" and len(node.args) >= 2:
            one, many = (template_of(a) for a in node.args[:2])
            if one and many:
                found.append(((one, many), f"{where}:{node.lineno}"))
        elif (errors and name in ERRORS) or name == "N_":
            found += [(text, f"{where}:{node.lineno}") for text in templates_of(node.args[0])
                      if any(c.isalpha() for c in text)]
    return found


def from_app() -> list[tuple[str, str]]:
    """The help of the app, its commands and their options (English: no --lang here)."""
    from actcli.cli import app

    group = typer.main.get_command(app)
    root = group.make_context("actcli", ["--help"], resilient_parsing=True)
    found: list[tuple[str, str]] = []

    def add(command: Any, where: str) -> None:
        for text in (command.help, command.short_help):
            if text:
                found.append((text, where))
        for param in command.params:
            if getattr(param, "help", None):
                found.append((param.help, f"{where} {param.name}"))

    add(group, "actcli")
    for name in group.list_commands(root):
        add(group.get_command(root, name), f"actcli {name}")
    return found


def from_registry() -> list[tuple[str, str]]:
    from actcli.registry import ACTIVATIONS, FAMILIES

    found = [(text, "registry: families") for text in FAMILIES.values()]
    for act in ACTIVATIONS:
        where = f"registry: {act.name}"
        found += [(act.description, where)] + [(p.doc, f"{where} {p.name}") for p in act.parameters]
        if act.grad_note:
            found.append((act.grad_note, where))
        if act.taught:
            found.append((act.taught[0], where))
    return found


def template() -> Catalog:
    catalog = Catalog(project="actcli", domain="actcli")
    sources: list[tuple[Any, str]] = []
    for path in sorted(PACKAGE.glob("*.py")):
        sources += from_source(path, errors=True)
    typer_core = Path(typer.__file__).parent / "core.py"
    sources += from_source(typer_core, errors=False)
    sources += from_app() + from_registry() + [(text, "Click (vendored by Typer)") for text in CLICK]
    for message, where in sources:
        existing = catalog.get(message)
        if existing is not None:
            existing.locations.append((where, None))  # type: ignore[union-attr]
        else:
            catalog.add(message, locations=[(where, None)],
                        flags=("python-brace-format",) if "{" in str(message) else ())
    return catalog


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "actcli.po"


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def problems(language: str, pot: Catalog) -> list[str]:
    path = po_path(language)
    if not path.exists():
        return [f"{path.relative_to(ROOT)} is missing"]
    with path.open("rb") as file:
        po = read_po(file, locale=language)
    wanted = {m.id for m in pot if m.id}
    have = {m.id for m in po if m.id}
    found = [f"{language}: no entry for {_short(m)}" for m in wanted - have]
    found += [f"{language}: not in the code any more: {_short(m)}" for m in have - wanted]
    found += [f"{language}: untranslated or fuzzy: {_short(m.id)}" for m in po
              if m.id and m.id in wanted and (not _translated(m.string) or m.fuzzy)]
    found += [f"{language}: placeholders differ: {_short(m.id)}" for m in po
              if m.id and _translated(m.string) and not _same_placeholders(m.id, m.string)]
    # "{a}{b}" cannot be split again when the text is shown: write the pieces apart in the code.
    found += [f"two placeholders side by side (write them apart in the code): {_short(m)}"
              for m in wanted if "}{" in str(m)]
    mo = path.with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled(po):
        found.append(f"{mo.relative_to(ROOT)} is not compiled from its .po")
    return found


def _translated(string: Any) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def _same_placeholders(msgid: Any, string: Any) -> bool:
    from actcli.i18n import PLACEHOLDER

    ids = msgid if isinstance(msgid, tuple) else (msgid,)
    strings = string if isinstance(string, tuple) else (string,)
    wanted = sorted(set(PLACEHOLDER.findall("".join(ids))))
    return all(sorted(set(PLACEHOLDER.findall(s))) == wanted for s in strings)


def _short(msgid: Any) -> str:
    text = msgid[0] if isinstance(msgid, tuple) else msgid
    return repr(text if len(text) < 70 else text[:67] + "...")


def update(pot: Catalog) -> None:
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as file:
        write_po(file, pot, width=100, omit_header=False, sort_output=False)
    for language in LANGUAGES:
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as file:
                po = read_po(file, locale=language)
        else:
            po = Catalog(locale=language, project="actcli", domain="actcli")
        po.update(pot, no_fuzzy_matching=True)
        po.fuzzy = False  # the header: filled in here, not by a translator
        po.obsolete.clear()  # messages gone from the code go from the catalog
        with path.open("wb") as file:
            write_po(file, po, width=100, sort_output=False)
        path.with_suffix(".mo").write_bytes(compiled(po))


def main() -> None:
    pot = template()
    if "--check" in sys.argv[1:]:
        found = [p for language in LANGUAGES for p in problems(language, pot)]
        if found:
            print("\n".join(found[:50]) + ("\n..." if len(found) > 50 else ""))
            raise SystemExit(f"{len(found)} problems; run python scripts/make_catalogs.py, translate, rerun")
        return
    update(pot)


if __name__ == "__main__":
    main()
