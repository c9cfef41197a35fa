"""``theorycheck calibrate``: false-fail rates and twin power over many seeds, on the engine, resumable."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from validation.cli._common import alpha_arg
from validation.cli._parallel import add_engine_arguments

__all__ = ["add_parser"]

PROG = "theorycheck calibrate"


def _fail(msg: Any) -> int:
    print(f"{PROG}: {msg}", file=sys.stderr)
    return 2


def _seeds(text: str) -> Any:
    t = text.strip()
    if t.isdigit():
        n = int(t)
        if n < 1:
            raise argparse.ArgumentTypeError("must be at least 1")
        return n
    return t


def _details(rows: list[Any]) -> str:
    lines = []
    for c in rows:
        lo, hi = c.interval
        lines.append(f"- **{c.check}**: {c.false_fails}/{c.runs} false fails at alpha = {c.alpha:.2g} "
                     f"(95% CI [{lo:.2g}, {hi:.2g}]); {'calibrated' if c.calibrated else 'NOT CALIBRATED'}"
                     + (f"; {len(c.errors)} errors" if c.errors else ""))
        for t in c.twins:
            tlo, thi = t.interval
            lines.append(f"  - twin `{t.name}` ({t.how_wrong}): power {t.power:.3f} = {t.rejections}/{t.seeds} "
                         f"(95% CI [{tlo:.2g}, {thi:.2g}])" + (f", {t.errors} errors" if t.errors else ""))
    return "\n".join(lines)


def _select(patterns: list[str]) -> list[Any]:
    """Exact names already registered (``--from``) are taken as they are; the rest go through select_checks,
    which imports the built-in areas only when needed."""
    from validation.check import get_check, select_checks

    out: dict[str, Any] = {}
    rest = []
    for p in patterns:
        if any(ch in p for ch in "*?["):
            rest.append(p)
            continue
        try:
            out[p] = get_check(p)
        except ValueError:
            rest.append(p)
    for c in select_checks(rest) if rest else []:
        out.setdefault(c.name, c)
    return list(out.values())


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from validation.calibration import calibration_table
    from validation.engine import EngineError
    from validation.plugins import load_checks
    from validation.sweep import SweepInterrupted, calibrate_checks

    if args.out and os.path.splitext(args.out)[1].lower() not in (".md", ".json"):
        return _fail(f"--out must end in .md or .json; got {args.out}")
    try:
        for spec in args.from_ or ():
            load_checks(spec)
        checks = _select(args.checks)
        rows = calibrate_checks(checks, args.seeds, mode=args.mode, workers=args.workers, scheduler=args.scheduler,
                                store=args.store, alpha=args.alpha, resume=args.resume, progress=not args.no_progress)
    except SweepInterrupted:
        print(f"\ninterrupted: every finished seed is in {args.store}; run the same command again to continue.",
              file=sys.stderr)
        return 130
    except (ValueError, TypeError, EngineError) as exc:
        return _fail(exc)
    table = calibration_table(rows)
    print(table)
    print()
    print(_details(rows))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as fh:
            if args.out.lower().endswith(".json"):
                json.dump([c.row() for c in rows], fh, indent=1)
            else:
                fh.write(f"# Calibration ({args.mode}, {args.seeds} seeds)\n\n{table}\n\n{_details(rows)}\n")
        print(f"\nwrote {args.out}")
    ok = all(c.calibrated and not c.errors for c in rows)
    print("CALIBRATED" if ok else "NOT CALIBRATED (see above)")
    return 0 if ok else 1


def add_parser(sub: Any) -> None:
    sc = sub.add_parser("calibrate", help="false-fail rate and twin power of checks over many seeds")
    sc.add_argument("checks", nargs="+", metavar="CHECK", help="check names, areas, name prefixes or shell globs")
    sc.add_argument("--from", dest="from_", action="append", metavar="PATH_OR_MODULE",
                    help="import this Python file or module first (its register_check calls add checks)")
    sc.add_argument("--seeds", type=_seeds, required=True, metavar="N|A..B",
                    help="N suite seeds 0..N-1, or a range A..B / list S1,S2,...")
    sc.add_argument("--mode", choices=("quick", "full"), default="quick", help="parameter set (default quick)")
    add_engine_arguments(sc)
    sc.add_argument("--store", default=os.path.join("results", "calibration.sqlite"), metavar="PATH",
                    help="calibration store: finished seeds are kept, an interrupted run resumes "
                         "(default results/calibration.sqlite)")
    sc.add_argument("--resume", action="store_true", help="also re-run seeds stored as ERROR")
    sc.add_argument("--out", metavar="FILE.md|FILE.json", help="write the table (Markdown) or the rows (JSON)")
    sc.add_argument("--alpha", type=alpha_arg, default=None,
                    help="level to judge at (default: the default suite's per-check level)")
    sc.add_argument("--no-progress", action="store_true", help="no progress display")
    sc.set_defaults(func=_cmd_calibrate)
