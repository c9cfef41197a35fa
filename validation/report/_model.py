"""What the report shows, read from a results file: one entry per stored result.

Only ``name`` is required of a result; every other field (``display``, ``components``,
``environment``, ``sidecar``, ``plot``...) is shown when present and left out when not,
so results files written before or after a schema change still make a report.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from validation.report._format import clip, fmt_value, pretty_json, sort_key
from validation.results import verify

__all__ = ["Entry", "load_document", "build_entries", "PNG_LIMIT"]

#: the largest figure embedded (bytes); a larger file is named, not inlined
PNG_LIMIT = 20 * 1024 * 1024
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: component rows shown per result; the rest stay in the results file / sidecar
COMPONENT_ROWS = 60
VERDICTS = ("PASS", "FAIL", "ERROR")


@dataclass
class Entry:
    """One result as the report shows it (all text already formatted)."""

    index: int
    name: str
    area: str
    verdict: str
    columns: dict[str, tuple[str, str]]  # column -> (shown text, sort key)
    description: str | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)
    params: list[tuple[str, str]] = field(default_factory=list)
    display: list[tuple[str, str]] = field(default_factory=list)
    components: dict[str, Any] | None = None
    details: list[tuple[str, str, bool]] = field(default_factory=list)  # key, text, preformatted
    error: str | None = None
    traceback: str | None = None
    reproduce: str | None = None
    figure: str | None = None  # data: URI
    figure_note: str | None = None
    environment: list[tuple[str, str]] = field(default_factory=list)
    sidecar: list[tuple[str, str]] = field(default_factory=list)
    sidecar_note: str | None = None


def load_document(path: str) -> dict[str, Any]:
    """Read a results file.

    Parameters
    ----------
    path : str
        A file written by ``theorycheck run --json``.

    Returns
    -------
    dict
        The document, with a ``results`` list.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file is not JSON or has no ``results`` list.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a theorycheck results file ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise ValueError(f"{path} is not a theorycheck results file (no 'results' list)")
    return doc


def _verdict(r: Mapping[str, Any]) -> str:
    v = r.get("verdict")
    if isinstance(v, str) and v:
        return v.upper()
    if r.get("error"):
        return "ERROR"
    return "PASS" if r.get("passed") is True else "FAIL"


def _estimate_text(e: Any) -> tuple[str, str]:
    if isinstance(e, Mapping):
        v, s = e.get("value"), e.get("stderr")
        if isinstance(v, (int, float)) and not isinstance(v, bool) and isinstance(s, (int, float)):
            return f"{v:.4g} ± {s:.2g}", sort_key(v)
        return fmt_value(v), sort_key(v)
    return fmt_value(e), sort_key(e)


def _columns(r: Mapping[str, Any], verdict: str) -> dict[str, tuple[str, str]]:
    def col(v: Any) -> tuple[str, str]:
        return fmt_value(v), sort_key(v)

    return {
        "name": (str(r.get("name")), str(r.get("name"))),
        "area": col(r.get("area")),
        "mode": col(r.get("mode")),
        "verdict": (verdict, verdict),
        "decisive": col(r.get("decisive")),
        "prediction": col(r.get("prediction")),
        "measurement": _estimate_text(r.get("estimate")),
        "statistic": col(r.get("statistic")),
        "p_value": col(r.get("p_value")),
        "alpha": col(r.get("alpha")),
        "seconds": (fmt_value(r.get("seconds")) if r.get("seconds") is not None else "–", sort_key(r.get("seconds"))),
    }


def _flatten(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v and "sidecar" not in v and set(v) != {"re", "im"}:
            out += _flatten(v, key + ".")
        else:
            out.append((key, fmt_value(v, 120) if not isinstance(v, str) else clip(v, 200)))
    return out


def _figure(r: Mapping[str, Any], base_dir: str) -> tuple[str | None, str | None]:
    note = r.get("plot_error")
    path = r.get("plot")
    if not isinstance(path, str) or not path:
        return None, (f"no figure: {note}" if note else None)
    candidates = [path] if os.path.isabs(path) else [os.path.abspath(path), os.path.join(base_dir, path)]
    for p in candidates:
        if os.path.isfile(p):
            if os.path.getsize(p) > PNG_LIMIT:
                return None, f"figure {path} is larger than {PNG_LIMIT // 2**20} MiB and is not embedded"
            with open(p, "rb") as fh:
                data = fh.read()
            if not data.startswith(_PNG_MAGIC):
                return None, f"figure {path} is not a PNG file and is not embedded"
            return "data:image/png;base64," + base64.b64encode(data).decode("ascii"), None
    return None, f"figure file {path} was not found (looked beside the results file and in the current folder)"


def _load_ref(v: Any, base_dir: str) -> np.ndarray:
    """A stored array: nested lists, ``{"re","im"}`` or a sidecar reference (read without pickles)."""
    if isinstance(v, Mapping) and "sidecar" in v:
        with np.load(os.path.join(base_dir, str(v["sidecar"])), allow_pickle=False) as z:
            return np.asarray(z[str(v["key"])])
    if isinstance(v, Mapping) and set(v) == {"re", "im"}:
        return _load_ref(v["re"], base_dir) + 1j * _load_ref(v["im"], base_dir)

    def conv(x: Any) -> Any:
        if isinstance(x, list):
            return [conv(y) for y in x]
        return float(x) if isinstance(x, str) else x

    return np.asarray(conv(v))


def _cell(x: Any) -> str:
    if isinstance(x, (complex, np.complexfloating)):
        return fmt_value({"re": float(x.real), "im": float(x.imag)})
    if isinstance(x, (np.integer, int)):
        return str(int(x))
    if isinstance(x, (np.floating, float)):
        return fmt_value(float(x))
    return fmt_value(x)


def _row_labels(n: int, shape: tuple[int, ...], labels: Any, axis: np.ndarray | None, series: Any) -> list[str]:
    """Names of the ``n`` flattened components: declared labels, else axis value (and series name)."""
    if isinstance(labels, list) and len(labels) == n:
        return [str(x) for x in labels]
    if axis is not None and axis.size and len(shape) == 2 and shape[0] == axis.size:
        names = [str(x) for x in series] if isinstance(series, list) and len(series) == shape[1] else None
        return [f"{_cell(axis[i // shape[1]])} · {names[i % shape[1]] if names else i % shape[1]}" for i in range(n)]
    if axis is not None and axis.size == n:
        return [_cell(x) for x in axis]
    return [str(i) for i in range(n)]


def _components(c: Any, base_dir: str, series: Any = None) -> dict[str, Any] | None:
    """Table of the compared components: one row per component, one column per array."""
    if not isinstance(c, Mapping):
        return None
    names = [k for k in ("prediction", "measurement", "stderr", "budget", "tolerance") if c.get(k) is not None]
    names += [k for k in c if k not in names and k not in ("labels", "axis") and c.get(k) is not None]
    arrays: dict[str, np.ndarray] = {}
    shape: tuple[int, ...] = ()
    notes = []
    for k in names:
        try:
            a = _load_ref(c[k], base_dir)
            if a.dtype.kind not in "biufc":
                raise ValueError("not numeric")
            shape = shape or a.shape
            arrays[k] = a.reshape(-1)
        except Exception as exc:  # noqa: BLE001 - one bad field must not hide the others
            notes.append(f"{k}: {fmt_value(c[k])} ({type(exc).__name__}: {exc})")
    if "prediction" in arrays and "measurement" in arrays and arrays["prediction"].size == arrays["measurement"].size:
        arrays["difference"] = arrays["measurement"] - arrays["prediction"]
    if not arrays:
        return {"columns": [], "rows": [], "more": 0, "notes": notes} if notes else None
    n = max(a.size for a in arrays.values())
    axis = None
    try:
        axis = _load_ref(c["axis"], base_dir).reshape(-1) if c.get("axis") is not None else None
    except Exception as exc:  # noqa: BLE001
        notes.append(f"axis: ({type(exc).__name__}: {exc})")
    labels = _row_labels(n, shape, c.get("labels"), axis, series)
    head = "label" if isinstance(c.get("labels"), list) and len(c["labels"]) == n else ("axis" if axis is not None else "#")
    rows = []
    for i in range(min(n, COMPONENT_ROWS)):
        rows.append([labels[i]] + [(_cell(a[i]) if i < a.size else "–") for a in arrays.values()])
    return {"columns": [head, *arrays], "rows": rows, "more": max(0, n - COMPONENT_ROWS), "notes": notes}


def _sidecar(name: Any, base_dir: str) -> tuple[list[tuple[str, str]], str | None]:
    if not isinstance(name, str) or not name:
        return [], None
    path = os.path.join(base_dir, name)
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = list(z.files)
            rows = [(k, f"{z[k].dtype} {tuple(z[k].shape)}") for k in keys[:50]]
        note = f"{name}: {len(keys)} arrays" + ("" if len(keys) <= 50 else " (first 50 listed)")
        return rows, note
    except Exception as exc:  # noqa: BLE001
        return [], f"{name} could not be read ({type(exc).__name__}: {exc})"


def _facts(r: Mapping[str, Any]) -> list[tuple[str, str]]:
    facts = []
    for key, label in (("decisive", "deciding quantity"), ("rule", "rule"), ("kind", "kind"), ("statistic", "statistic"), ("p_value", "p-value"),
                       ("alpha", "alpha"), ("tolerance", "tolerance"), ("truncation", "truncation budget"),
                       ("seed", "seed"), ("mode", "mode"), ("seconds", "seconds")):
        if r.get(key) is not None:
            facts.append((label, fmt_value(r[key], 120)))
    if "checksum" in r:
        facts.append(("checksum", "intact" if verify(dict(r)) else "does not match the content (edited after the run)"))
    if r.get("reused"):
        facts.append(("reused", "kept from an earlier run (--resume)"))
    return facts


def _entry(i: int, r: Mapping[str, Any], base_dir: str) -> Entry:
    verdict = _verdict(r)
    e = Entry(i, str(r.get("name", "(unnamed)")), str(r.get("area") or "–"), verdict, _columns(r, verdict))
    e.description = r.get("description") if isinstance(r.get("description"), str) else None
    e.facts = _facts(r)
    if isinstance(r.get("params"), Mapping):
        e.params = [(k, clip(json.dumps(v, default=repr, ensure_ascii=False), 200)) for k, v in r["params"].items()]
    if isinstance(r.get("display"), Mapping):
        e.display = [(k, fmt_value(v, 120)) for k, v in r["display"].items() if v not in (None, [], ())]
    series = r["display"].get("series") if isinstance(r.get("display"), Mapping) else None
    e.components = _components(r.get("components"), base_dir, series)
    details = r.get("details") if isinstance(r.get("details"), Mapping) else {}
    for k, v in details.items():
        if k == "traceback" and isinstance(v, str):
            e.traceback = v
        elif isinstance(v, (Mapping, list)) and not (isinstance(v, Mapping) and set(v) == {"re", "im"}):
            e.details.append((k, pretty_json(v), True))
        else:
            e.details.append((k, fmt_value(v, 200), False))
    e.error = r.get("error") if isinstance(r.get("error"), str) else None
    e.reproduce = r.get("reproduce") if isinstance(r.get("reproduce"), str) else None
    e.figure, e.figure_note = _figure(r, base_dir)
    if isinstance(r.get("environment"), Mapping):
        e.environment = _flatten(r["environment"])
    e.sidecar, e.sidecar_note = _sidecar(r.get("sidecar"), base_dir)
    return e


def build_entries(doc: Mapping[str, Any], base_dir: str) -> tuple[list[Entry], int]:
    """The report's entries for every result in ``doc``.

    Parameters
    ----------
    doc : mapping
        A results document (see :func:`load_document`).
    base_dir : str
        The folder of the results file: relative figure and sidecar paths are read
        from there.

    Returns
    -------
    entries : list of Entry
        One per result that is a JSON object, in file order.
    skipped : int
        How many entries of ``results`` were not objects and are left out.
    """
    entries, skipped = [], 0
    for r in doc.get("results", []):
        if isinstance(r, Mapping):
            entries.append(_entry(len(entries), r, base_dir))
        else:
            skipped += 1
    return entries, skipped
