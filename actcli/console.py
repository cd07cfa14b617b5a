"""The Rich consoles actcli writes through, and when they may use escape codes.

Colour discipline (https://no-color.org, https://force-color.org): ``--no-color`` or a
non-empty ``NO_COLOR`` mean no escape codes at all (Rich alone would still write bold);
otherwise a non-empty ``FORCE_COLOR`` forces them, even in a pipe or on a dumb terminal; else
they appear only on a terminal that is not ``TERM=dumb``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def make_console(no_color: bool = False, stderr: bool = False) -> Console:
    from rich.console import Console

    if no_color or os.environ.get("NO_COLOR"):
        return Console(stderr=stderr, color_system=None, highlight=False)
    if os.environ.get("FORCE_COLOR"):
        return Console(stderr=stderr, force_terminal=True, color_system="standard"
                       if os.environ.get("TERM") == "dumb" else "auto", highlight=False)
    return Console(stderr=stderr, highlight=False)
