"""Generate completions/ from the app: actcli.bash, _actcli (zsh) and actcli.fish.

    python scripts/make_completions.py [--check]

Each script comes from Typer's own protocol (``_ACTCLI_COMPLETE=source_<shell> actcli``); every
TAB then asks ``actcli`` itself, so subcommands, options, choices and activation names come from
the app and the registry. Two changes fit the scripts to where they are installed: bash keeps
``elu:al`` one word (':' leaves COMP_WORDBREAKS, as npm's completion does), and the zsh file is
an autoloaded completion function (site-functions), so its body completes instead of calling
compdef. ``--check`` fails when the committed files differ (tests/test_completions.py runs it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTCLI = str(Path(sys.executable).with_name("actcli"))
FILES = {"bash": "actcli.bash", "zsh": "_actcli", "fish": "actcli.fish"}
BASH_WORDS = "# Keep elu:alpha=0.5 one word, so parameter names complete after ':'.\n" \
             "COMP_WORDBREAKS=${COMP_WORDBREAKS//:}\n"


def source(shell: str) -> str:
    env = {**os.environ, "_ACTCLI_COMPLETE": f"source_{shell}"}
    text = subprocess.run([ACTCLI], env=env, capture_output=True, text=True, check=True).stdout
    text = text.strip() + "\n"
    if shell == "bash":
        text = BASH_WORDS + text
    if shell == "zsh":
        text = text.replace("compdef _actcli_completion actcli", '_actcli_completion "$@"')
    return text


def main() -> None:
    check = "--check" in sys.argv[1:]
    stale = []
    for shell, name in FILES.items():
        path = ROOT / "completions" / name
        text = source(shell)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        raise SystemExit(f"out of date: {', '.join(stale)}; run python scripts/make_completions.py")


if __name__ == "__main__":
    main()
