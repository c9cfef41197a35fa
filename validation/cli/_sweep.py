"""``theorycheck sweep``: a check over a parameter grid and many seeds, into a results store."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from validation.cli._common import alpha_arg
from validation.cli._parallel import add_engine_arguments

__all__ = ["add_parser", "print_frame"]

PROG = "theorycheck sweep"


def _fail(msg: Any) -> int:
    print(f"{PROG}: {msg}", file=sys.stderr)
    return 2


def _command(args: argparse.Namespace, check: str) -> str:
    """The command that continues this sweep (printed on Ctrl-C)."""
    parts = ["theorycheck", "sweep", check]
    for f in args.from_ or ():
        parts += ["--from", f]
    if args.file:
        parts += ["--file", args.file]
    for p in args.param or ():
        parts += ["--param", p]
    if args.seeds:
        parts += ["--seeds", args.seeds]
    if args.mode:
        parts += ["--mode", args.mode]
    if args.workers:
        parts += ["--workers", str(args.workers)]
    if args.scheduler:
        parts += ["--scheduler", args.scheduler]
    parts += ["--store", args.store, "--resume"]
    if args.plots:
        parts += ["--plots", args.plots]
    return shlex.join(parts)


def print_frame(df: Any, title: str = "") -> None:
    """A table: rich's on a terminal, plain text otherwise."""
    if sys.stdout.isatty():
        try:
            from rich.console import Console
            from rich.table import Table

            t = Table(title=title or None)
            for c in df.columns:
                t.add_column(str(c))
            for row in df.itertuples(index=False):
                t.add_row(*(f"{x:.3g}" if isinstance(x, float) else str(x) for x in row))
            Console().print(t)
            return
        except ImportError:
            pass
    if title:
        print(title)
    print(df.to_string(index=False, float_format=lambda x: f"{x:.3g}"))


def _summary(frame: Any, grid: dict[str, list[Any]]) -> Any:
    from validation.sweep import param_column

    keys = [param_column(n) for n in grid] or ["check"]
    g = frame.groupby(keys, sort=False, dropna=False)
    out = g.agg(cells=("verdict", "size"), passed=("verdict", lambda s: int((s == "PASS").sum())),
                failed=("verdict", lambda s: int((s == "FAIL").sum())),
                errors=("verdict", lambda s: int((s == "ERROR").sum())), min_p=("p_value", "min"),
                seconds=("seconds", "mean"))
    return out.reset_index()


def _cmd_sweep(args: argparse.Namespace) -> int:
    from validation.check import get_check
    from validation.engine import EngineError
    from validation.plugins import load_checks
    from validation.sweep import SweepInterrupted, parse_param, plot_sweep, read_sweep_file, sweep
    from validation.sweep._grid import SweepSpec

    try:
        for spec in args.from_ or ():
            load_checks(spec)
        file = read_sweep_file(args.file) if args.file else SweepSpec()
        name = args.check or file.check
        if not name:
            return _fail("name the check to sweep (CHECK, or check = ... in the sweep file)")
        check = get_check(name)
        grid = dict(file.grid)
        seen: set[str] = set()
        for text in args.param or ():
            pname, values = parse_param(check, text)
            if pname in seen:
                return _fail(f"--param {pname} given twice; list all its values in one --param {pname}=V1,V2,...")
            seen.add(pname)
            grid[pname] = values
        seeds = args.seeds if args.seeds is not None else file.seeds if file.seeds is not None else "0"
        mode = args.mode or file.mode or "quick"
        result = sweep(check, grid, seeds, mode=mode, workers=args.workers, scheduler=args.scheduler, store=args.store,
                       resume=args.resume, alpha_family=args.alpha, fixed=file.fixed, progress=not args.no_progress)
    except SweepInterrupted as exc:
        r = exc.result
        done = len(r.rows())
        print(f"\ninterrupted: {done}/{r.cells} cells are in {r.store}; nothing else was written.\n"
              f"continue with:\n  {_command(args, r.check)}", file=sys.stderr)
        return 130
    except (ValueError, TypeError, EngineError) as exc:
        return _fail(exc)
    frame = result.to_frame()
    print_frame(_summary(frame, result.grid), f"{result.check} ({mode}): cells per grid point")
    npass = int(frame["passed"].sum())
    print(f"\n{npass}/{result.cells} cells passed ({result.ran} measured, {result.reused} already in the store; "
          f"each statistical cell at alpha = {result.alpha:.2g}, family-wise error <= {args.alpha:g})")
    print(f"store: {result.store}  (python: validation.sweep.load({result.store!r}))")
    if args.plots:
        out = plot_sweep(result.rows(), check, result.grid, args.plots)
        print(f"plots: {len(out['plots'])} figures in {args.plots}")
        for f in out["scaling"]:
            pred = (f" vs predicted {f['predicted_slope']:.4g} (z = {f['z']:.2f}, p = {f['p_value']:.3g})"
                    if "predicted_slope" in f else "")
            lo, hi = f["interval95"]
            series = f" [{f['series']}]" if f["series"] else ""
            print(f"  scaling of {f['quantity'] or 'value'} with {f['parameter']}{series}: exponent {f['slope']:.4g} "
                  f"(95% CI [{lo:.4g}, {hi:.4g}]){pred}")
    print("SWEEP PASSED" if result.passed else "SWEEP FAILED")
    return 0 if result.passed else 1


def add_parser(sub: Any) -> None:
    sp = sub.add_parser("sweep", help="run a check over a parameter grid and many seeds, into a results store",
                        description="Each (parameters, seed) cell is one task; finished cells are stored at once "
                                    "and skipped by a re-run.")
    sp.add_argument("check", nargs="?", help="the check to sweep (or check = ... in --file)")
    sp.add_argument("--from", dest="from_", action="append", metavar="PATH_OR_MODULE",
                    help="import this Python file or module first (its register_check calls add checks)")
    sp.add_argument("--file", metavar="SWEEP.toml", help="read check, grid, seeds, mode and fixed params from TOML")
    sp.add_argument("--param", action="append", metavar="NAME=V1,V2,...",
                    help="sweep NAME over these values (repeat for a grid; sequences as JSON, e.g. [8,8])")
    sp.add_argument("--seeds", metavar="A..B|S1,S2,...", help="suite seeds: a range A..B (inclusive) or a list (default 0)")
    sp.add_argument("--mode", choices=("quick", "full"), help="parameter set the grid overrides (default quick)")
    add_engine_arguments(sp)
    sp.add_argument("--store", required=True, metavar="PATH", help="SQLite results store (created if missing)")
    sp.add_argument("--resume", action="store_true", help="also re-run cells stored as ERROR")
    sp.add_argument("--plots", metavar="DIR", help="draw each quantity against each swept parameter, fit scaling laws")
    sp.add_argument("--alpha", type=alpha_arg, default=0.01, help="family-wise error level of the sweep (default 0.01)")
    sp.add_argument("--no-progress", action="store_true", help="no progress display")
    sp.set_defaults(func=_cmd_sweep)
