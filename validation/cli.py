"""The ``theorycheck`` command line: list, run, docs, fuzz."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any, Sequence

__all__ = ["main", "format_table"]


def _fmt_num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        f = float(v)
        if not math.isfinite(f):
            return str(f)
        return f"{f:.4g}"
    if isinstance(v, str):
        return _clip(v)
    if isinstance(v, (list, tuple)):
        return f"[{len(v)} values]" if len(v) > 3 else _clip("[" + ", ".join(_fmt_num(x) for x in v) + "]")
    if isinstance(v, dict) and "shape" in v:
        return f"array{tuple(v['shape'])}"
    if isinstance(v, dict):
        return _clip(", ".join(f"{k}={_fmt_num(x)}" for k, x in list(v.items())[:2]))
    return _clip(str(v))


def _clip(s: str, width: int = 44) -> str:
    return s if len(s) <= width else s[: width - 1] + "…"


def _fmt_estimate(e: dict[str, Any] | None) -> str:
    if not e:
        return "-"
    v, s = e.get("value"), e.get("stderr")
    if isinstance(v, (int, float)) and isinstance(s, (int, float)):
        return f"{v:.4g} ± {s:.2g}"
    return _fmt_num(v)


def format_table(results: Sequence[dict[str, Any]]) -> str:
    """Plain-text table of JSON results (check, prediction, measurement ± error, statistic, p, verdict, seconds)."""
    head = ["check", "prediction", "measurement ± error", "statistic", "p", "verdict", "s"]
    rows = [
        [
            r["name"],
            _fmt_num(r.get("prediction")),
            _fmt_estimate(r.get("estimate")),
            _fmt_num(r.get("statistic")),
            _fmt_num(r.get("p_value")),
            r.get("verdict", "PASS" if r.get("passed") else "FAIL"),
            f"{float(r.get('seconds', 0.0)):.1f}",
        ]
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(out)


def _cmd_list(args: argparse.Namespace) -> int:
    from validation.check import all_checks

    area = None
    for c in all_checks():
        if c.area != area:
            area = c.area
            print(f"\n[{area}]")
        print(f"  {c.name:<48} {c.description}")
    return 0


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

    try:
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
        )
    except ValueError as exc:
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


def _cmd_docs(args: argparse.Namespace) -> int:
    from validation.docs import render_derivations

    paths = render_derivations(args.out)
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


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


def _nonneg_int(s: str) -> int:
    v = int(s)
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {s}")
    return v


def _pos_int(s: str) -> int:
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {s}")
    return v


def _alpha(s: str) -> float:
    v = float(s)
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {s}")
    return v


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="theorycheck", description="Theory-vs-experiment checks with honest statistics.")
    sub = p.add_subparsers(dest="command", required=True)

    sl = sub.add_parser("list", help="list the checks by area")
    sl.set_defaults(func=_cmd_list)

    sr = sub.add_parser("run", help="run checks (all by default) and print a verdict table")
    sr.add_argument("names", nargs="*", help="check names, areas or shell globs (default: all)")
    g = sr.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="quick parameter sets (default)")
    g.add_argument("--full", action="store_true", help="full parameter sets (slower, more power)")
    sr.add_argument("--seed", type=_nonneg_int, default=0, help="suite seed (default 0)")
    sr.add_argument("--alpha", type=_alpha, default=0.01, help="family-wise error level of the suite (default 0.01)")
    sr.add_argument("--json", metavar="PATH", help="write results as JSON, updated after every check")
    sr.add_argument("--plots", metavar="DIR", help="write a PNG per check into DIR")
    sr.add_argument("--resume", action="store_true", help="with --json: run only checks missing from PATH")
    sr.add_argument("--no-progress", action="store_true", help="no progress bar")
    sr.set_defaults(func=_cmd_run)

    sd = sub.add_parser("docs", help="render the derivations to Markdown")
    sd.add_argument("--out", default="docs/derivations", help="output folder (default docs/derivations)")
    sd.set_defaults(func=_cmd_docs)

    sf = sub.add_parser("fuzz", help="run the property-based invariant suite")
    sf.add_argument("names", nargs="*", help="invariant names, areas or globs (default: all)")
    sf.add_argument("--max-examples", type=_pos_int, default=200, help="examples per invariant (default 200)")
    sf.add_argument("--seed", type=_nonneg_int, default=None, help="hypothesis seed (default: random)")
    sf.add_argument("--no-progress", action="store_true", help="no progress bar")
    sf.set_defaults(func=_cmd_fuzz)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run" and args.resume and not args.json:
        print("theorycheck run: --resume needs --json PATH", file=sys.stderr)
        return 2
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
