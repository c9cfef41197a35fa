"""The stored form of a check result: results schema v1.

A record holds everything needed to read, re-plot and re-analyse a result without
re-running it, at full precision:

``schema``
    ``"theorycheck.result/1"``; the JSON Schema is ``validation/schemas/result-1.schema.json``.
``name, area, description, mode, params, seed, reproduce``
    what ran, and the command that reruns exactly this result
    (``theorycheck run NAME [--full] --check-seed SEED``).
``prediction, estimate, truncation``
    the theory's summary and the measurement (value, standard error, samples, method).
``display``
    the check's declared quantity, unit, axis, series and labels.
``components``
    the compared arrays, named: ``prediction``, ``measurement``, ``stderr``, ``budget``
    (and ``tolerance`` for deterministic checks), with ``labels`` and the ``axis``
    values when the check has them.
``rule, kind, statistic, p_value, alpha, tolerance, passed, verdict, details``
    the comparison.
``environment``
    package versions, git commit, threads, platform.

Arrays with more than :data:`INLINE_LIMIT` entries are written to a sidecar ``.npz``
file beside the results file and referenced as ``{"sidecar": FILE, "key": KEY, "shape":
[...], "dtype": ...}``; nothing is truncated.  :func:`load_array` reads either form.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import platform
import subprocess
import sys
from typing import Any, Mapping

import numpy as np

from validation.arrays import INLINE_LIMIT, _Sidecar, load_array, to_plain
from validation.outcome import CheckResult

__all__ = ["decisive", "fmt_num", "RESULT_SCHEMA", "INLINE_LIMIT", "result_record", "environment", "load_array", "schema_path", "to_plain",
           "sidecar_dir_for"]

RESULT_SCHEMA = "theorycheck.result/1"


def schema_path() -> str:
    """Path of the JSON Schema of a stored result.

    Returns
    -------
    str
        Absolute path of ``validation/schemas/result-1.schema.json``.
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas", "result-1.schema.json")


@functools.lru_cache(maxsize=1)
def _static_environment() -> dict[str, Any]:
    from importlib import metadata

    versions = {}
    for pkg in ("theorycheck", "numpy", "scipy", "sympy", "torch", "matplotlib"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    commit = None
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        out = subprocess.run(["git", "-C", here, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if out.returncode == 0:
            commit = out.stdout.strip()
            dirty = subprocess.run(["git", "-C", here, "status", "--porcelain", "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=5)
            if dirty.returncode == 0 and dirty.stdout.strip():
                commit += "-dirty"
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": versions,
        "commit": commit,
    }


def environment() -> dict[str, Any]:
    """Package versions, git commit, threads and platform of this process.

    Returns
    -------
    dict of str to object
        ``python``, ``platform``, ``machine``, ``packages`` (versions), ``commit`` (with
        ``-dirty`` for uncommitted changes), ``threads`` and ``cpus``.
    """
    env = dict(_static_environment())
    threads: dict[str, Any] = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    torch = sys.modules.get("torch")
    if torch is not None:
        threads["torch"] = torch.get_num_threads()
    env["threads"] = threads
    env["cpus"] = os.cpu_count()
    return env


def _display(check: Any, params: Mapping[str, Any]) -> dict[str, Any] | None:
    d = getattr(check, "display", None)
    if d is None:
        return None
    out = {k: getattr(d, k) for k in ("quantity", "kind", "unit", "axis", "axis_unit", "xlog", "ylog")}
    out["series"] = list(d.series)
    try:
        out["labels"] = d.component_labels(params)
    except Exception as exc:  # noqa: BLE001 - a label function must not lose the result
        out["labels"] = None
        out["labels_error"] = f"{type(exc).__name__}: {exc}"
    return out


def result_record(res: CheckResult, check: Any = None, *, sidecar_dir: str | None = None) -> dict[str, Any]:
    """The schema-v1 record of ``res`` (``check`` supplies description and display).

    With ``sidecar_dir`` large arrays are written to ``<sidecar_dir>/<stem>.npz`` and
    referenced; without it they stay inline.

    Parameters
    ----------
    res : CheckResult
        The result to store.
    check : Check, optional
        The check that made it, for its description and display.
    sidecar_dir : str, optional
        Folder of the sidecar ``.npz`` files (see :func:`sidecar_dir_for`).

    Returns
    -------
    dict of str to object
        The record described in this module's docstring.
    """
    base = res.to_json()
    key = f"{res.name}|{res.mode}|{res.seed}|{sorted(base['params'].items())!r}"
    stem = f"{res.name}-{res.mode}-{res.seed}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"
    side = _Sidecar(sidecar_dir, stem)
    rec: dict[str, Any] = {"schema": RESULT_SCHEMA}
    rec.update(base)
    rec["params"] = to_plain(res.params)
    rec["description"] = getattr(check, "description", None)
    rec["reproduce"] = f"theorycheck run {res.name}{' --full' if res.mode == 'full' else ''} --check-seed {res.seed}"
    rec["display"] = _display(check, res.params) if check is not None else None
    raw = res.raw or {}
    est = raw.get("estimate")
    if est is not None:
        rec["estimate"] = {
            "value": to_plain(est.value, side), "stderr": to_plain(est.stderr, side), "samples": int(est.samples),
            "method": est.method, "seconds": float(est.seconds),
        }
    pred = raw.get("prediction")
    if pred is not None and not callable(pred.value) and not isinstance(pred.value, dict):
        rec["prediction_value"] = to_plain(np.asarray(pred.value) if np.ndim(pred.value) else pred.value, side)
    details = dict(res.details)
    comps = details.pop("components", None)
    if comps is not None:
        comps = dict(comps)
        if rec["display"] is not None:
            comps["labels"] = rec["display"].get("labels")
        axis = None if est is None else est.diagnostics.get("axis")
        if axis is not None:
            comps["axis"] = axis
    inline_details = {k: x for k, x in details.items() if k not in ("fit", "parts")}
    if "parts" in details:  # part names and their statistics only: enough to say which part decided
        inline_details["parts"] = {k: {"statistic": p.get("statistic"), "details": {"dof": p.get("details", {}).get("dof")}}
                                   for k, p in details["parts"].items()}
    rec["decisive"] = decisive({**rec, "components": to_plain(comps, None), "details": to_plain(inline_details, None)})
    rec["components"] = to_plain(comps, side)
    rec["details"] = to_plain({k: x for k, x in details.items() if k != "fit"}, side)
    if "fit" in res.details:
        rec["details"]["fit"] = to_plain(res.details["fit"], side)
    rec["environment"] = environment()
    path = side.write()
    rec["sidecar"] = None if path is None else side.filename
    return rec


def sidecar_dir_for(results_path: str) -> str:
    """The folder of the sidecar arrays of a results file: ``results/quick.json`` -> ``results/quick.arrays``.

    Parameters
    ----------
    results_path : str
        The results file.

    Returns
    -------
    str
        Its path with ``.json`` replaced by (or, without ``.json``, followed by) ``.arrays``.
    """
    root, ext = os.path.splitext(results_path)
    return (root if ext == ".json" else results_path) + ".arrays"


def fmt_num(v: Any, digits: int = 4) -> str:
    """A number for tables and one-line summaries.

    Parameters
    ----------
    v : object
        The value: a number, ``None``, a bool, or anything else.
    digits : int, default 4
        Significant digits of a finite number.

    Returns
    -------
    str
        ``"-"`` for ``None`` and bools, the number in ``g`` format, else ``str(v)``.
    """
    if isinstance(v, bool) or v is None:
        return "-"
    if isinstance(v, (int, float)):
        f = float(v)
        return f"{f:.{digits}g}" if math.isfinite(f) else str(f)
    return str(v)


def _at(a: Any, i: int) -> Any:
    """Entry ``i`` of a (possibly nested) stored array, or the scalar itself."""
    if isinstance(a, dict):  # a sidecar reference or a complex pair: not shown inline
        return None
    if isinstance(a, list):
        flat: list[Any] = []

        def walk(x: Any) -> None:
            if isinstance(x, list):
                for y in x:
                    walk(y)
            else:
                flat.append(x)

        walk(a)
        return flat[i] if 0 <= i < len(flat) else None
    return a


def decisive(r: dict[str, Any]) -> str:
    """The quantity that decided the verdict, as "measurement ± error vs prediction" (one short line).

    Parameters
    ----------
    r : dict of str to object
        A stored record (its rule, kind, details, components and error are read).

    Returns
    -------
    str
        The error's first line, the slope against the predicted exponent, the worst
        component against its prediction, the chi-square or KS statistic, or the statistic.
    """
    if r.get("error"):
        return str(r["error"]).splitlines()[0][:60]
    det = r.get("details") or {}
    rule = str(r.get("rule", ""))
    comps = r.get("components") or {}
    if rule == "scaling-exponent" and "slope" in det:
        return f"slope {fmt_num(det['slope'])} ± {fmt_num(det.get('slope_stderr'), 2)} vs {fmt_num(det.get('predicted'))}"
    if comps.get("prediction") is not None and comps.get("measurement") is not None:
        i = int(det.get("worst_component", 0) or 0)
        labels = comps.get("labels") or []
        lab = f"{labels[i]}: " if i < len(labels) else ""
        m, pr = _at(comps["measurement"], i), _at(comps["prediction"], i)
        if r.get("kind") == "deterministic":
            tol = _at(comps.get("tolerance"), i)
            return f"{lab}{fmt_num(m, 6)} vs {fmt_num(pr, 6)} (tol {fmt_num(tol, 2)})"
        se = _at(comps.get("stderr"), i)
        b = _at(comps.get("budget"), i)
        big = isinstance(b, (int, float)) and b > 0 and not (isinstance(se, (int, float)) and b < 0.01 * se)
        budget = f" (budget {fmt_num(b, 2)})" if big else ""
        part = f" [{det['worst']}]" if "worst" in det and "parts" in det else ""
        return f"{lab}{fmt_num(m)} ± {fmt_num(se, 2)} vs {fmt_num(pr)}{budget}{part}"
    if rule in ("binned-chi2", "ks"):
        parts = det.get("parts")
        inner = (parts or {}).get(det.get("worst"), {}).get("details", det) if parts else det
        dof = inner.get("dof")
        what = f"χ² = {fmt_num(r.get('statistic'))}" + (f" on {dof} dof" if dof else "") if rule == "binned-chi2" \
            else f"D = {fmt_num(r.get('statistic'))}"
        return what + (f", worst of {len(parts)} ({det.get('worst')})" if parts else "")
    return f"statistic {fmt_num(r.get('statistic'))}"


