"""Write completions/ from the app: actcli.bash, _actcli (zsh) and actcli.fish.

    python scripts/make_completions.py [--check]

Each file is what ``actcli completion <shell>`` prints (actcli.completion.SCRIPTS), so the
packaged files, the command and ``--install-completion`` install one and the same script.
``--check`` fails when the committed files differ (tests/test_completions.py runs it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTCLI = str(Path(sys.executable).with_name("actcli"))
FILES = {"bash": "actcli.bash", "zsh": "_actcli", "fish": "actcli.fish"}


def main() -> None:
    check = "--check" in sys.argv[1:]
    stale = []
    for shell, name in FILES.items():
        path = ROOT / "completions" / name
        text = subprocess.run([ACTCLI, "completion", shell], capture_output=True, text=True,
                              check=True).stdout
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        raise SystemExit(f"out of date: {', '.join(stale)}; run python scripts/make_completions.py")


if __name__ == "__main__":
    main()
