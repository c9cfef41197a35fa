"""``theorycheck list``: the checks, by area (with ``--params``: their declared parameters and twins)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_parser"]


def _cmd_list(args: argparse.Namespace) -> int:
    from validation.check import all_checks, select_checks

    try:
        if args.from_:
            from validation.plugins import load_checks

            names = [n for spec in args.from_ for n in load_checks(spec)]
            checks = select_checks(args.names or names)
        else:
            checks = select_checks(args.names) if args.names else all_checks()
    except ValueError as exc:
        print(f"theorycheck list: {exc}", file=sys.stderr)
        return 2
    area = None
    for c in checks:
        if c.area != area:
            area = c.area
            print(f"\n[{area}]")
        print(f"  {c.name:<48} {c.description}")
        if args.params:
            for key, p in c.schema.items():
                print(f"      {key} = {c.quick[key]!r}: {p.describe()}")
            for t in c.twins:
                print(f"      twin {t.name}: {t.how_wrong}")
    return 0


def add_parser(sub: Any) -> None:
    sl = sub.add_parser("list", help="list the checks by area")
    sl.add_argument("names", nargs="*", help="only checks matching these names, areas, prefixes or globs")
    sl.add_argument("--from", dest="from_", action="append", metavar="PATH_OR_MODULE",
                    help="load a user's checks from a Python file or module (repeatable); without names, list those")
    sl.add_argument("--params", action="store_true", help="show each check's parameters (quick values) and twins")
    sl.set_defaults(func=_cmd_list)
