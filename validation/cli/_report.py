"""``theorycheck report``: one self-contained HTML page of a results file."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["add_parser"]


def _default_out(results: str) -> str:
    root, ext = os.path.splitext(results)
    return (root if ext == ".json" else results) + ".html"


def _cmd_report(args: argparse.Namespace) -> int:
    from validation.report import build_report

    out = args.out or _default_out(args.results)
    try:
        path = build_report(args.results, out, force=args.force, derivations=not args.no_derivations)
    except (OSError, ValueError) as exc:
        print(f"theorycheck report: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def add_parser(sub: Any) -> None:
    """Declare ``report`` and its arguments on the command line's subparsers.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subparsers of the ``theorycheck`` parser.
    """
    sp = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a results file",
        description="Write one HTML file (no network needed to view it) with the verdict table, figures, "
        "parameters, comparison details, derivations and reproduction commands of a results file.",
    )
    sp.add_argument("results", help="a results file written by 'theorycheck run --json'")
    sp.add_argument("--out", help="the HTML file to write (default: the results path with .html)")
    sp.add_argument("--force", action="store_true",
                    help="replace an existing file that is not a theorycheck report (or a link, never its target)")
    sp.add_argument("--no-derivations", action="store_true", help="leave out the derivations (faster)")
    sp.set_defaults(func=_cmd_report)
