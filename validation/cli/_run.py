"""``theorycheck run``: run checks and print a verdict table."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from validation.cli._common import alpha_arg, format_table, nonneg_int
from validation.cli._parallel import add_engine_arguments, engine_for

__all__ = ["add_parser"]


def _fail(msg: str) -> int:
    print(f"theorycheck run: {msg}", file=sys.stderr)
    return 2


def _check_outputs(args: argparse.Namespace) -> str | None:
    """Check ``--json`` and ``--plots`` before any check runs; return an error message or None."""
    if args.json:
        from validation.results import load_results, resolve_output

        path = resolve_output(args.json)
        d = os.path.dirname(path)
        if os.path.isdir(path):
            return f"--json {args.json} is a folder"
        try:
            os.makedirs(d, exist_ok=True)
        except OSError as exc:
            return f"--json {args.json}: cannot create {d}: {exc.strerror}"
        if not os.access(d, os.W_OK | os.X_OK):
            return f"--json {args.json}: folder {d} is not writable"
        if os.path.exists(path):
            if not os.access(path, os.R_OK | os.W_OK):
                return f"--json {args.json} is not readable and writable"
            try:
                load_results(path)
            except ValueError as exc:
                return str(exc)
    if args.plots:
        from validation.plots import check_plot_dir

        try:
            check_plot_dir(args.plots)
        except ValueError as exc:
            return f"--plots: {exc}"
    return None


def _cmd_run(args: argparse.Namespace) -> int:
    from validation.check import select_checks
    from validation.runner import family_alpha, run_suite

    if args.resume and not args.json:
        return _fail("--resume needs --json PATH")
    try:
        if args.from_:
            from validation.plugins import load_checks

            user = [n for spec in args.from_ for n in load_checks(spec)]
            checks = select_checks(args.names or user)
        else:
            checks = select_checks(args.names or None)
    except ValueError as exc:
        return _fail(str(exc))
    check_seeds = None
    if args.check_seed is not None:
        if len(checks) != 1:
            return _fail(f"--check-seed reruns one check; the patterns select {len(checks)}")
        check_seeds = {checks[0].name: args.check_seed}
    err = _check_outputs(args)
    if err:
        return _fail(err)
    mode = "full" if args.full else "quick"
    alpha = family_alpha(checks, args.alpha)
    m = sum(1 for c in checks if not c.deterministic)
    if args.alpha_given and args.alpha / max(m, 1) > alpha:
        print(f"note: each check is judged at alpha = {alpha:.2g}, the per-check ceiling; --alpha {args.alpha:g} "
              f"over {m} statistical checks would allow {args.alpha / max(m, 1):.2g} (the suite stays more conservative)",
              file=sys.stderr)
    tty = sys.stderr.isatty()
    progress: Any = None
    done = {"n": 0, "failed": 0}
    if not args.no_progress and tty:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[failed]} failed"), TimeRemainingColumn(), transient=True)
        task = progress.add_task("checks", total=len(checks), failed=0)
        progress.start()

    def on_start(c: Any) -> None:
        if progress is not None:
            progress.update(task, description=c.name[:40])

    def on_result(r: Any) -> None:
        done["n"] += 1
        done["failed"] += int(not r.passed)
        if progress is not None:
            progress.update(task, advance=1, failed=done["failed"])
        elif not args.no_progress:
            print(f"[{done['n']}/{len(checks)}] {r.verdict:<5} {r.name} ({r.seconds:.1f} s)", file=sys.stderr, flush=True)
        if r.error is not None:
            print(f"ERROR in {r.name}: {r.error}", file=sys.stderr)

    from validation.engine import EngineError

    try:
        with engine_for(args) as engine:  # None: in this process
            suite = run_suite(checks, mode=mode, seed=args.seed, alpha_family=args.alpha, json_path=args.json,
                              resume=args.resume, on_start=on_start, on_result=on_result, plots_dir=args.plots,
                              check_seeds=check_seeds, executor=engine)
    except KeyboardInterrupt:
        if progress is not None:
            progress.stop()
        where = f" in {args.json}; resume with: theorycheck run {' '.join(args.names)} --json {args.json} --resume" \
            if args.json else " (no --json file was given, so nothing was kept)"
        print(f"\ninterrupted: {done['n']} of {len(checks)} results kept{where}", file=sys.stderr)
        return 130
    except (ValueError, EngineError) as exc:
        return _fail(str(exc))
    finally:
        if progress is not None:
            progress.stop()
    shown = [r for r in suite.results if not r["passed"]] if args.only_failures else suite.results
    color = sys.stdout.isatty()
    if shown:
        print(format_table(shown, color=color))
    plot_errors = [r for r in suite.results if r.get("plot_error")]
    for r in plot_errors:
        print(f"PLOT FAILED for {r['name']}: {r['plot_error']}", file=sys.stderr)
    npass = sum(r["passed"] for r in suite.results)
    reused = sum(1 for r in suite.results if r.get("reused"))
    for name in suite.rerun_tampered:
        print(f"note: the stored result of {name} failed its checksum and was run again", file=sys.stderr)
    print(f"\n{npass}/{len(suite.results)} checks passed (mode {mode}, seed {args.seed}"
          f"{f', {reused} reused' if reused else ''})")
    print(f"each statistical check judged at alpha = {suite.alpha_check:.2g}; family-wise error <= {suite.alpha_family:g}")
    if plot_errors:
        print(f"{len(plot_errors)} plot(s) failed")
    print("SUITE PASSED" if suite.passed and not plot_errors else "SUITE FAILED")
    return 0 if suite.passed and not plot_errors else 1


class _AlphaAction(argparse.Action):
    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        setattr(namespace, self.dest, values)
        namespace.alpha_given = True


def add_parser(sub: Any) -> None:
    """Declare ``run`` and its arguments on the command line's subparsers.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subparsers of the ``theorycheck`` parser.
    """
    sr = sub.add_parser("run", help="run checks (all by default) and print a verdict table")
    sr.add_argument("names", nargs="*", help="check names, areas, name prefixes or shell globs (default: all)")
    g = sr.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="quick parameter sets (default)")
    g.add_argument("--full", action="store_true", help="full parameter sets (slower, more power)")
    sr.add_argument("--seed", type=nonneg_int, default=0, help="suite seed (default 0)")
    sr.add_argument("--from", dest="from_", action="append", metavar="PATH_OR_MODULE",
                    help="load a user's checks from a Python file or module (repeatable); without names, run those")
    sr.add_argument("--check-seed", type=nonneg_int, default=None, metavar="S",
                    help="run one check with this seed (the 'seed' recorded in a result): reproduces that result")
    sr.add_argument("--alpha", type=alpha_arg, default=0.01, action=_AlphaAction,
                    help="family-wise error level of the suite (default 0.01)")
    sr.add_argument("--json", metavar="PATH", help="merge results into this JSON file, after every check")
    sr.add_argument("--plots", metavar="DIR", help="write a PNG per check into DIR")
    sr.add_argument("--resume", action="store_true", help="with --json: run only checks missing from PATH")
    sr.add_argument("--only-failures", action="store_true", help="show only failed and errored checks in the table")
    sr.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")
    add_engine_arguments(sr)
    sr.set_defaults(func=_cmd_run, alpha_given=False)
