"""``theorycheck list``: the checks, by area."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser"]


def _cmd_list(args: argparse.Namespace) -> int:
    from validation.check import all_checks

    area = None
    for c in all_checks():
        if c.area != area:
            area = c.area
            print(f"\n[{area}]")
        print(f"  {c.name:<48} {c.description}")
    return 0



def add_parser(sub: Any) -> None:
    sl = sub.add_parser("list", help="list the checks by area")
    sl.set_defaults(func=_cmd_list)
