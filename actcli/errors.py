"""The command line's errors: each becomes one line on stderr and a documented exit code."""

from __future__ import annotations


class ActcliError(Exception):
    """A problem the user can fix; ``str(error)`` is the whole message."""

    exit_code = 1


class DataError(ActcliError):
    """Bad input data or an unreadable file: exit 1."""

    exit_code = 1


class UsageProblem(ActcliError):
    """Bad usage (unknown activation or parameter, no values): exit 2, as Click's usage errors."""

    exit_code = 2


class Interrupted(ActcliError):
    """Ctrl-C: exit 130, saying how far the work got."""

    exit_code = 130
