"""The ``theorycheck`` command line.

One private module per command (``_run``, ``_list``, ``_docs``, ``_fuzz``...), each with an
``add_parser(subparsers)`` that declares its arguments; :func:`main` dispatches.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from validation.cli import _calibrate, _docs, _fuzz, _list, _plot, _report, _run, _sweep
from validation.cli._common import format_table

__all__ = ["main", "build_parser", "format_table"]

_COMMANDS = (_list, _run, _plot, _docs, _fuzz, _report, _sweep, _calibrate)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command.

    Returns
    -------
    argparse.ArgumentParser
        The ``theorycheck`` parser with ``--version`` and one subcommand per command module.
    """
    from theorycheck import __version__

    p = argparse.ArgumentParser(prog="theorycheck", description="Theory-vs-experiment checks with honest statistics.")
    p.add_argument("--version", action="version", version=f"theorycheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    for mod in _COMMANDS:
        mod.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 passed, 1 failed, 2 bad usage).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        The exit status: 0 passed, 1 failed, 2 bad usage, 130 interrupted.
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
