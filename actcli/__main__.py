"""The ``actcli`` command (the console script) and ``python -m actcli``.

Loading the command line takes a moment; a Ctrl-C meanwhile is an interruption like any other
(one line, exit 130), not a traceback from the middle of an import.
"""

import sys


def main() -> None:
    try:
        from actcli.cli import main as run_command_line
    except KeyboardInterrupt:
        sys.stderr.write("actcli: interrupted\n")
        sys.exit(130)
    run_command_line()


if __name__ == "__main__":
    main()
