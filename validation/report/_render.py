"""The report page, rendered with Jinja2 (autoescaping) from ``templates/``.

The CSS and JavaScript are inlined and figures become ``data:`` URIs, so the page is
one file; its Content-Security-Policy forbids every network load.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
from typing import Any, Mapping

from validation.report._derivations import derivations_by_area
from validation.report._format import clip, fmt_value
from validation.report._model import VERDICTS, build_entries

__all__ = ["render_report", "COLUMNS"]

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

#: the verdict table's columns: key, heading, numeric?
COLUMNS = (
    ("name", "check", False),
    ("area", "area", False),
    ("mode", "mode", False),
    ("verdict", "verdict", False),
    ("decisive", "deciding quantity", False),
    ("prediction", "prediction", True),
    ("measurement", "measurement ± error", True),
    ("statistic", "statistic", True),
    ("p_value", "p", True),
    ("alpha", "alpha", True),
    ("seconds", "s", True),
)


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(("html", "j2")),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _asset(name: str) -> str:
    with open(os.path.join(_TEMPLATES, name), encoding="utf-8") as fh:
        return fh.read()


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("theorycheck")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _suite_value(v: Any) -> str:
    if isinstance(v, list) and all(isinstance(x, (str, int, float)) for x in v):
        return clip(", ".join(str(x) for x in v), 600)
    return fmt_value(v, 160)


def render_report(
    doc: Mapping[str, Any],
    *,
    source: str = "",
    base_dir: str = ".",
    derivations: bool = True,
) -> str:
    """Render a results document as one self-contained HTML page.

    Parameters
    ----------
    doc : mapping
        A results document: ``{"schema": ..., "suite": {...}, "results": [...]}``.
        Only each result's ``name`` is required; other fields are shown when present.
    source : str, optional
        The results file's path, shown in the header.
    base_dir : str, optional
        Folder against which relative figure and sidecar paths are resolved.
    derivations : bool, optional
        Include the registered derivations of the results' areas (building them
        imports every theory module, a few seconds).

    Returns
    -------
    str
        The HTML document.
    """
    from markupsafe import Markup

    entries, skipped = build_entries(doc, base_dir)
    areas = sorted({e.area for e in entries})
    present = {e.verdict for e in entries}
    order = list(VERDICTS) + sorted(present - set(VERDICTS))
    counts = [(v, sum(e.verdict == v for e in entries)) for v in order if v in present or v in VERDICTS]
    by_area: dict[str, list[Any]] = {}
    error = None
    if derivations and entries:
        by_area, error = derivations_by_area(areas)
    suite = doc.get("suite")
    suite_rows = [(str(k), _suite_value(v)) for k, v in suite.items()] if isinstance(suite, Mapping) else []
    if doc.get("schema") is not None:
        suite_rows.insert(0, ("schema", fmt_value(doc.get("schema"))))
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return _environment().get_template("report.html.j2").render(
        source=source or "(in memory)",
        source_name=os.path.basename(source) or "results",
        generated=now,
        version=_version(),
        entries=entries,
        skipped=skipped,
        counts=counts,
        areas=areas,
        columns=COLUMNS,
        suite=suite_rows,
        derivations=by_area,
        derivation_error=error,
        with_derivations=derivations,
        css=Markup(_asset("report.css")),
        js=Markup(_asset("report.js")),
    )
