"""The Rich consoles actcli writes through, and when they may use escape codes.

Colour discipline (https://no-color.org, https://force-color.org): ``--no-color`` or a
non-empty ``NO_COLOR`` mean no escape codes at all (Rich alone would still write bold);
otherwise a non-empty ``FORCE_COLOR`` forces them, even in a pipe or on a dumb terminal; else
they appear only on a terminal that is not ``TERM=dumb``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

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


class progress_bar:
    """A Rich progress bar on stderr over ``total`` bytes (with the speed) or rows (with the
    time left), or nothing when not ``show``; entering it gives the function that advances it."""

    def __init__(self, show: bool, total: int | None, description: str, no_color: bool,
                 unit: Literal["bytes", "rows"]) -> None:
        self.show, self.total, self.description = show, total, description
        self.no_color, self.unit = no_color, unit
        self.bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.show:
            return lambda n: None
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        counts: tuple[Any, ...] = ((DownloadColumn(), TransferSpeedColumn()) if self.unit == "bytes"
                                   else (MofNCompleteColumn(), TimeRemainingColumn()))
        self.bar = Progress("[progress.description]{task.description}", BarColumn(), *counts,
                            transient=True, console=make_console(self.no_color, stderr=True))
        self.bar.start()
        task = self.bar.add_task(self.description, total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def print_wrapped(console: Console, text: str, indent: int, hanging: int, style: str = "") -> None:
    """Prose in lines of the console's width, continued ``hanging`` columns further in, broken
    between words (and in Japanese between characters, as its line-breaking rules allow)."""
    import textwrap

    from rich.cells import cell_len
    from rich.text import Text

    from actcli.i18n import wrap

    width = max(20, console.width - 1)
    if cell_len(text) == len(text):
        lines = textwrap.wrap(text, width, initial_indent=" " * indent,
                              subsequent_indent=" " * (indent + hanging), break_long_words=False,
                              break_on_hyphens=False)
    else:
        lines = [" " * (indent if n == 0 else indent + hanging) + line
                 for n, line in enumerate(wrap(text, width - indent - hanging))]
    console.print(Text("\n".join(lines), style=style), overflow="ignore", crop=False)
