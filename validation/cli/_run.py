"""``theorycheck run``: run checks and print a verdict table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from validation.cli._common import alpha_arg, format_table, nonneg_int
from validation.cli._parallel import add_engine_arguments, engine_for

__all__ = ["add_parser"]


def _cmd_run(args: argparse.Namespace) -> int:
    from validation.check import select_checks
    from validation.runner import run_suite

    try:
        checks = select_checks(args.names or None)
    except ValueError as exc:
        print(f"theorycheck run: {exc}", file=sys.stderr)
        return 2
    mode = "full" if args.full else "quick"
    bar: Any = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=len(checks), desc="checks", unit="check", file=sys.stderr, leave=False)

    def on_start(c: Any) -> None:
        if bar is not None:
            bar.set_postfix_str(c.name)

    def on_result(r: Any) -> None:
        if bar is not None:
            bar.update(1)
            if r.error is not None:
                bar.write(f"ERROR in {r.name}: {r.error}")

    from validation.engine import EngineError

    try:
        with engine_for(args) as engine:  # None: in this process
            suite = run_suite(
                checks,
                mode=mode,
                seed=args.seed,
                alpha_family=args.alpha,
                json_path=args.json,
                resume=args.resume,
                on_start=on_start,
                on_result=on_result,
                plots_dir=args.plots,
                executor=engine,
            )
    except (ValueError, EngineError) as exc:
        print(f"theorycheck run: {exc}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()
    print(format_table(suite.results))
    npass = sum(r["passed"] for r in suite.results)
    print(
        f"\n{npass}/{len(suite.results)} checks passed (mode {mode}, seed {args.seed}; each check at alpha = "
        f"{suite.alpha_check:.2g}, family-wise error <= {suite.alpha_family:g})"
    )
    print("SUITE PASSED" if suite.passed else "SUITE FAILED")
    return 0 if suite.passed else 1



def add_parser(sub: Any) -> None:
    sr = sub.add_parser("run", help="run checks (all by default) and print a verdict table")
    sr.add_argument("names", nargs="*", help="check names, areas, name prefixes or shell globs (default: all)")
    g = sr.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="quick parameter sets (default)")
    g.add_argument("--full", action="store_true", help="full parameter sets (slower, more power)")
    sr.add_argument("--seed", type=nonneg_int, default=0, help="suite seed (default 0)")
    sr.add_argument("--alpha", type=alpha_arg, default=0.01, help="family-wise error level of the suite (default 0.01)")
    sr.add_argument("--json", metavar="PATH", help="merge results into this JSON file, after every check")
    sr.add_argument("--plots", metavar="DIR", help="write a PNG per check into DIR")
    sr.add_argument("--resume", action="store_true", help="with --json: run only checks missing from PATH")
    sr.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_engine_arguments(sr)
    sr.set_defaults(func=_cmd_run)
