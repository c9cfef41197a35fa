"""``theorycheck docs``: render the derivations."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser"]


def _cmd_docs(args: argparse.Namespace) -> int:
    from validation.docs import render_derivations

    paths = render_derivations(args.out)
    print(f"wrote {len(paths)} files to {args.out}")
    return 0



def add_parser(sub: Any) -> None:
    """Declare ``docs`` and its arguments on the command line's subparsers.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subparsers of the ``theorycheck`` parser.
    """
    sd = sub.add_parser("docs", help="render the derivations to Markdown")
    sd.add_argument("--out", default="docs/derivations", help="output folder (default docs/derivations)")
    sd.set_defaults(func=_cmd_docs)
