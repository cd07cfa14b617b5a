"""Write README.md's table of what ``actcli check --against torch`` reports, between the markers
``<!-- against-torch -->`` and ``<!-- /against-torch -->``.

    pip install torch==2.13.0 && python scripts/against_table.py [--check]

Runs the installed ``actcli`` for gelu, silu, sigmoid, tanh, elu and softplus, values and
derivatives, in bfloat16 (every input) and float32 (the documented sweep); ``--check`` only
says whether the table is current (it needs torch, so the test suite does not run it).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTCLI = str(Path(sys.executable).with_name("actcli"))
NAMES = ("gelu", "silu", "sigmoid", "tanh", "elu", "softplus")
MARKERS = re.compile(r"(<!-- against-torch -->\n).*?(<!-- /against-torch -->)", re.S)


def row(name: str, dtype: str, grad: bool) -> str:
    args = [ACTCLI, "check", name, "--against", "torch", "--dtype", dtype, "-f", "json"] + ["--grad"] * grad
    report = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    rows = report["rows"]
    share = 100 * report["correctly_rounded"] / rows
    worst = report["max_ulp"]
    worst_text = "inf" if worst == "Infinity" else f"{worst:.3g}"
    at = f" at x = {report['worst_x']:.6g}" if report["worst_x"] is not None else ""
    return (f"| {name}{chr(39) if grad else ''} | {dtype} | {rows:,} | {share:.2f} % "
            f"| {100 * report['within_1ulp'] / rows:.2f} % | {worst_text}{at} |")


def table() -> str:
    import torch

    lines = [f"PyTorch {torch.__version__}, CPU, measured by `python scripts/against_table.py`:", "",
             "| function | format | inputs | correctly rounded | within 1 ULP | largest error (ULP) |",
             "|---|---|---:|---:|---:|---|"]
    for dtype in ("bfloat16", "float32"):
        for name in NAMES:
            for grad in (False, True):
                lines.append(row(name, dtype, grad))
    return "\n".join(lines) + "\n"


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    new = MARKERS.sub(lambda m: m.group(1) + table() + m.group(2), text)
    if "--check" in sys.argv[1:]:
        if new != text:
            raise SystemExit("README.md's --against torch table is out of date")
        return
    readme.write_text(new)


if __name__ == "__main__":
    main()
