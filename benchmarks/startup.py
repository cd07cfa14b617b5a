"""Start-up time of actcli's commands beside the Python imports they cannot avoid (SPEC section 7).

    python benchmarks/startup.py [--runs 21]

Each pair runs interleaved (baseline, actcli, baseline, ...) so machine noise hits both alike;
the ratio of medians is the figure, the ratio of best runs is shown beside it. Uses the
``actcli`` installed next to this Python, with bytecode caching on (a real install has .pyc).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ACTCLI = str(Path(sys.executable).with_name("actcli"))
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
COMPLETION = {"_ACTCLI_COMPLETE": "bash", "COMP_LINE": "actcli apply le", "COMP_POINT": "15"}

ENGLISH = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
JAPANESE = {"LANG": "ja_JP.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
ONE_LINER = [ACTCLI, "apply", "relu", "1", "-10", "0", "15", "-20"]

# (what, actcli command, extra environment, baseline command, target ratio); the baselines run
# in the same environment. Japanese loads its catalog: the same targets hold.
CASES = [
    ("one-liner (piped)", ONE_LINER, ENGLISH, [sys.executable, "-c", "import typer, numpy"], 1.3),
    ("one-liner, ja", ONE_LINER, JAPANESE, [sys.executable, "-c", "import typer, numpy"], 1.3),
    ("--help", [ACTCLI, "--help"], ENGLISH, [sys.executable, "-c", "import typer, rich.console"], 1.3),
    ("--help, ja", [ACTCLI, "--help"], JAPANESE, [sys.executable, "-c", "import typer, rich.console"], 1.3),
    ("TAB completion", [ACTCLI], {**ENGLISH, **COMPLETION}, [sys.executable, "-c", "import typer"], 1.3),
    ("TAB completion, ja", [ACTCLI], {**JAPANESE, **COMPLETION}, [sys.executable, "-c", "import typer"], 1.3),
]


def seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    print(f"{'case':20} {'actcli ms':>10} {'baseline ms':>12} {'ratio':>6} {'best':>6}  target")
    for what, command, extra, baseline, target in CASES:
        env = {**ENV, **extra}
        seconds(command, env), seconds(baseline, env)  # warm caches, write .pyc
        ours, theirs = [], []
        for _ in range(args.runs):
            theirs.append(seconds(baseline, env))
            ours.append(seconds(command, env))
        ratio = statistics.median(ours) / statistics.median(theirs)
        best = min(ours) / min(theirs)
        verdict = "ok" if ratio <= target else "over"
        print(f"{what:20} {1e3 * statistics.median(ours):10.1f} {1e3 * statistics.median(theirs):12.1f} "
              f"{ratio:6.2f} {best:6.2f}  <= {target} {verdict}   vs `{' '.join(baseline[1:])}`")


if __name__ == "__main__":
    main()
