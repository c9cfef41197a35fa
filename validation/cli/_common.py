"""Shared pieces of the command line: argument types and the verdict table."""

from __future__ import annotations

import argparse
import math
from typing import Any, Sequence

__all__ = ["nonneg_int", "pos_int", "alpha_arg", "format_table"]


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


def nonneg_int(s: str) -> int:
    v = int(s)
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {s}")
    return v


def pos_int(s: str) -> int:
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {s}")
    return v


def alpha_arg(s: str) -> float:
    v = float(s)
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {s}")
    return v


