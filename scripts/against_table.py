"""Write README.md's tables of what ``actcli check --against torch`` reports, between the markers
``<!-- against-torch -->`` and ``<!-- /against-torch -->`` (and ``exhaustive-torch``).

    pip install torch==2.13.0 && python scripts/against_table.py [--exhaustive [NAME...]] [--check]

Runs the installed ``actcli`` for gelu, silu, sigmoid, tanh, elu and softplus, values and
derivatives, in bfloat16 (every input) and float32 (the documented sweep); with ``--exhaustive``
instead every one of the 2**32 float32 inputs (``check --exhaustive``) for gelu, the tanh GELU,
silu, sigmoid, tanh, elu, softplus and mish (or the NAMEs given), values and derivatives: the
wrong inputs, the largest error, the longest ranges of wrong inputs and the time of each run
(minutes each, on every core). ``--check`` only says whether the table is current (it needs torch, so the test
suite does not run it).
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
EXHAUSTIVE_NAMES = ("gelu", "gelu:approximate=tanh", "silu", "sigmoid", "tanh", "elu", "softplus", "mish")


def markers(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name} -->\n).*?(<!-- /{name} -->)", re.S)


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


def shown(value: float | str, digits: int = 6) -> str:
    """A number of the JSON report (non-finite ones are the strings "Infinity", "NaN"...)."""
    return value.lower().replace("infinity", "inf") if isinstance(value, str) else f"{value:.{digits}g}"


def exhaustive_row(name: str, grad: bool) -> str:
    args = [ACTCLI, "check", name, "--against", "torch", "--dtype", "float32", "--exhaustive", "-f", "json"]
    report = json.loads(subprocess.run(args + ["--grad"] * grad, capture_output=True, text=True,
                                       check=True).stdout)
    wrong = report["rows"] - report["correctly_rounded"]
    at = f" at x = {shown(report['worst_x'])}" if report["worst_x"] is not None else ""
    # the longest range, and among the ten longest the one with the largest error
    ranges = report["ranges"][:1]
    worst_range = max(report["ranges"], key=lambda r: float(r["max_ulp"]), default=None)
    ranges += [worst_range] if worst_range is not None and worst_range is not ranges[0] else []
    ranges_text = "; ".join(f"[{shown(r['from'], 4)}, {shown(r['to'], 4)}] ({r['inputs']:,}, "
                            f"≤ {shown(r['max_ulp'], 3)} ULP)" for r in ranges) or "-"
    label = name.replace(":approximate=tanh", " (tanh)") + ("′" if grad else "")
    return (f"| {label} | {wrong:,} | {100 * report['correctly_rounded'] / report['rows']:.2f} % "
            f"| {shown(report['max_ulp'], 3)}{at} | {ranges_text} | {report['seconds']:.0f} s |")


def exhaustive_table(names: list[str]) -> str:
    import os

    import torch

    lines = [f"PyTorch {torch.__version__}, CPU, every one of the 4,294,967,296 float32 inputs, measured "
             f"on {os.cpu_count()} cores by `python scripts/against_table.py --exhaustive`:", "",
             "| function | wrong inputs | correctly rounded | largest error (ULP) | ranges of wrong inputs: "
             "the longest, the worst (inputs, largest error) | time |",
             "|---|---:|---:|---|---|---:|"]
    for name in names:
        for grad in (False, True):
            lines.append(exhaustive_row(name, grad))
    return "\n".join(lines) + "\n"


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
    exhaustive = "--exhaustive" in sys.argv[1:]
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or list(EXHAUSTIVE_NAMES)
    make = (lambda: exhaustive_table(names)) if exhaustive else table
    new = markers("exhaustive-torch" if exhaustive else "against-torch").sub(
        lambda m: m.group(1) + make() + m.group(2), text)
    if "--check" in sys.argv[1:]:
        if new != text:
            raise SystemExit("README.md's --against torch table is out of date")
        return
    readme.write_text(new)


if __name__ == "__main__":
    main()
