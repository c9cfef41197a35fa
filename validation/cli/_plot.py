"""``theorycheck plot``: re-draw stored results without re-running them."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["add_parser"]


def _cmd_plot(args: argparse.Namespace) -> int:
    from validation.plots import check_plot_dir, plot_results_file

    if not os.path.isfile(args.results):
        print(f"theorycheck plot: no results file {args.results}", file=sys.stderr)
        return 2
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(args.results)), "plots")
    try:
        check_plot_dir(out)
        written, failed = plot_results_file(args.results, out, args.names or None)
    except (ValueError, OSError) as exc:
        print(f"theorycheck plot: {exc}", file=sys.stderr)
        return 2
    for p in written:
        print(p)
    for name, err in failed.items():
        print(f"PLOT FAILED for {name}: {err}", file=sys.stderr)
    print(f"{len(written)} plot(s) written to {out}" + (f", {len(failed)} failed" if failed else ""))
    return 1 if failed else 0


def add_parser(sub: Any) -> None:
    sp = sub.add_parser("plot", help="re-draw stored results (a results JSON file) without re-running them")
    sp.add_argument("results", help="a results file written by `theorycheck run --json`")
    sp.add_argument("names", nargs="*", help="only these checks (default: all stored results)")
    sp.add_argument("--out", metavar="DIR", help="output folder (default: plots/ beside the results file)")
    sp.set_defaults(func=_cmd_plot)
