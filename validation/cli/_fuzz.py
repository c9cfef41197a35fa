"""``theorycheck fuzz``: the property-based invariant suite."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from validation.cli._common import nonneg_int, pos_int

__all__ = ["add_parser"]


def _cmd_fuzz(args: argparse.Namespace) -> int:
    from validation.fuzz import all_invariants, run_invariant

    try:
        inv = all_invariants(args.names or None)
    except ValueError as exc:
        print(f"theorycheck fuzz: {exc}", file=sys.stderr)
        return 2
    from tqdm import tqdm

    failed = 0
    for name, fn in tqdm(inv.items(), total=len(inv), desc="invariants", file=sys.stderr, leave=False, disable=args.no_progress):
        out = run_invariant(name, fn, max_examples=args.max_examples, seed=args.seed)
        status = "ok" if out.passed else "FAILED"
        print(f"{name:<56} {status:<7} {out.seconds:6.1f}s")
        if not out.passed:
            failed += 1
            print(f"    {out.error}")
    print(f"\n{len(inv) - failed}/{len(inv)} invariants held ({args.max_examples} examples each)")
    return 0 if failed == 0 else 1



def add_parser(sub: Any) -> None:
    """Declare ``fuzz`` and its arguments on the command line's subparsers.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subparsers of the ``theorycheck`` parser.
    """
    sf = sub.add_parser("fuzz", help="run the property-based invariant suite")
    sf.add_argument("names", nargs="*", help="invariant names, areas or globs (default: all)")
    sf.add_argument("--max-examples", type=pos_int, default=200, help="examples per invariant (default 200)")
    sf.add_argument("--seed", type=nonneg_int, default=None, help="hypothesis seed (default: random)")
    sf.add_argument("--no-progress", action="store_true", help="no progress bar")
    sf.set_defaults(func=_cmd_fuzz)
