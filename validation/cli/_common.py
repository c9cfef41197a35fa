"""Shared pieces of the command line: argument types and the verdict table."""

from __future__ import annotations

import argparse
import io
from typing import Any, Sequence

from validation.record import decisive, fmt_num as _num

__all__ = ["nonneg_int", "pos_int", "alpha_arg", "format_table"]


def _p_text(r: dict[str, Any]) -> str:
    if r.get("error"):
        return "-"
    if r.get("kind") == "deterministic":
        return f"≤tol ({_num(r.get('statistic'), 2)})" if r.get("passed") else f">tol ({_num(r.get('statistic'), 2)})"
    p = r.get("p_value")
    parts = (r.get("details") or {}).get("parts")
    return _num(p, 3) + (f" (×{len(parts)})" if parts and isinstance(p, (int, float)) else "")


def format_table(results: Sequence[dict[str, Any]], *, width: int = 100, color: bool | None = None) -> str:
    """The verdict table (rich), at most ``width`` columns: check, verdict, the deciding quantity, p, seconds.

    FAIL and ERROR are highlighted on a terminal; results reused by ``--resume`` are marked "(reused)".
    A p-value marked ``(×k)`` is Bonferroni-combined over k parts of one check; a deterministic
    check shows its discrepancy/tolerance ratio instead of a p-value.

    Parameters
    ----------
    results : sequence of dict
        Stored result records (:func:`validation.record.result_record`).
    width : int, default 100
        The table's width in columns.
    color : bool, optional
        Colour the verdicts (``True``), never (``False``), or as the output allows (``None``).

    Returns
    -------
    str
        The rendered table, without a trailing newline.
    """
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
    table.add_column("check", overflow="fold", max_width=38)
    table.add_column("verdict", no_wrap=True)
    table.add_column("measurement ± error vs prediction", overflow="fold", max_width=38)
    table.add_column("p", no_wrap=True, max_width=13)
    table.add_column("s", justify="right", no_wrap=True)
    styles = {"PASS": "green", "FAIL": "bold red", "ERROR": "bold magenta"}
    for r in results:
        verdict = r.get("verdict", "PASS" if r.get("passed") else "FAIL")
        name = r["name"] + (" (reused)" if r.get("reused") else "")
        table.add_row(name, f"[{styles.get(verdict, '')}]{verdict}[/]", r.get("decisive") or decisive(r), _p_text(r),
                      f"{float(r.get('seconds', 0.0)):.1f}")
    console = Console(width=width, record=True, force_terminal=color, no_color=color is False,
                      file=io.StringIO(), highlight=False)
    console.print(table)
    return console.export_text(styles=bool(color)).rstrip("\n")


def nonneg_int(s: str) -> int:
    """An ``argparse`` type: a non-negative integer.

    Parameters
    ----------
    s : str
        The argument's text.

    Returns
    -------
    int
        The integer.

    Raises
    ------
    ValueError
        If ``s`` is not an integer.
    argparse.ArgumentTypeError
        If it is negative.
    """
    v = int(s)
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {s}")
    return v


def pos_int(s: str) -> int:
    """An ``argparse`` type: a positive integer.

    Parameters
    ----------
    s : str
        The argument's text.

    Returns
    -------
    int
        The integer.

    Raises
    ------
    ValueError
        If ``s`` is not an integer.
    argparse.ArgumentTypeError
        If it is below 1.
    """
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {s}")
    return v


def alpha_arg(s: str) -> float:
    """An ``argparse`` type: a significance level in (0, 1).

    Parameters
    ----------
    s : str
        The argument's text.

    Returns
    -------
    float
        The level.

    Raises
    ------
    ValueError
        If ``s`` is not a number.
    argparse.ArgumentTypeError
        If it is not in (0, 1).
    """
    v = float(s)
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {s}")
    return v


