"""HTML reports of results files (``theorycheck report``).

A report is one self-contained HTML file: the verdict table (sortable, filterable by
verdict, area and name), and for each result its figure, parameters, comparison,
compared components, the derivations of its area with the mathematics rendered, and
the command that reproduces it.  It loads nothing from the network: styles and
script are inline, figures are ``data:`` URIs, and formulas are MathML converted at
build time (see :func:`latex_to_mathml`).

Examples
--------
>>> from validation.report import build_report
>>> build_report("results/quick.json", "results/quick.html")  # doctest: +SKIP
"""

from __future__ import annotations

import os

from validation.report._derivations import belongs_to
from validation.report._math import MathResult, latex_to_mathml
from validation.report._model import load_document
from validation.report._render import render_report
from validation.report._write import GENERATOR, check_target, is_report

__all__ = [
    "build_report",
    "render_report",
    "load_document",
    "is_report",
    "check_target",
    "latex_to_mathml",
    "MathResult",
    "belongs_to",
    "GENERATOR",
]


def build_report(results: str, out: str, *, force: bool = False, derivations: bool = True) -> str:
    """Write the HTML report of the results file ``results`` to ``out``.

    Parameters
    ----------
    results : str
        A results file written by ``theorycheck run --json``.
    out : str
        Where to write the report.  An existing report there is replaced; any other
        existing file, or a symbolic link, is refused unless ``force``.
    force : bool, optional
        Replace an existing file that is not a report (or the link itself, never its
        target).
    derivations : bool, optional
        Include the derivations of the results' areas.

    Returns
    -------
    str
        The absolute path written.

    Raises
    ------
    FileNotFoundError
        If ``results`` does not exist.
    ValueError
        If ``results`` is not a results file, or ``out`` is that file.
    FileExistsError, IsADirectoryError
        If ``out`` may not be written (see :func:`check_target`).
    """
    from validation.results import write_atomic

    for name, value in (("results", results), ("out", out)):
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be a path; got {type(value).__name__}")
    results, out = os.fspath(results), os.path.abspath(os.fspath(out))
    check_target(out, force=force, results=results)
    doc = load_document(results)
    html = render_report(doc, source=results, base_dir=os.path.dirname(os.path.abspath(results)),
                         derivations=derivations)
    check_target(out, force=force, results=results)  # again: the page took a while to build
    write_atomic(out, html)
    return out
