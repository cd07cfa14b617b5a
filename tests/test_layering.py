"""The package's layers: data flows one way, from the registry and the API down to the numerics and
the compiled core. The numerics (compute, kernels, exact, extended, formats, constants) import
nothing above them, at any level, but for type annotations (under TYPE_CHECKING)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "actcli"
NUMERICS = {"compute", "kernels", "exact", "extended", "formats", "constants", "_core"}


def imported(module: str) -> set[str]:
    """The actcli modules ``module`` imports when it runs: at the top or in a function, not in an
    ``if TYPE_CHECKING:`` block."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    typing_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                   for statement in block.body for node in ast.walk(statement)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("actcli"):
            if node.module == "actcli":
                found |= {alias.name for alias in node.names}
            else:
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("actcli.")}
    return found


def test_the_numerics_import_nothing_above_them() -> None:
    for module in NUMERICS - {"_core"}:
        above = imported(module) - NUMERICS
        assert not above, f"actcli/{module}.py imports {sorted(above)}"


def test_registry_and_numerics_have_no_import_cycle() -> None:
    modules = NUMERICS - {"_core"} | {"registry", "containers", "ufuncs"}
    edges = {m: imported(m) & modules for m in modules}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module not in done:
            for target in edges[module]:
                visit(target, (*path, module))
            done.add(module)

    for module in modules:
        visit(module, ())
