"""Cells: their identity, and the task a worker runs for one.

A cell is one (check, full parameter set, seed) measurement.  Its identity is
``(task, check, mode, parameters, seed, theorycheck version)``, hashed into the store's
primary key: a re-run skips it, and the store holds it at most once.  The measurement's
seed is ``check_seed(seed, check)`` (:func:`validation.runner.check_seed`), so a cell's
numbers depend on its identity only, never on the worker that ran it or on the order of
completion; a sweep cell with the mode's default parameters and seed ``s`` is exactly
what ``theorycheck run CHECK --seed s`` measures.

The task (:func:`run_cell`) returns a plain row (JSON text and numbers), so nothing but
small picklable values travels back from the workers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import platform
import socket
import time
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Mapping

import numpy as np

from validation.check import Check, CheckResult, jsonable
from validation.engine import pin_threads, worker_name
from validation.results import seal
from validation.runner import check_seed, result_record

__all__ = ["Cell", "make_cells", "run_cell", "run_chunk", "error_row", "theorycheck_version", "TASKS"]

TASKS = ("run", "evaluate")
_MAX_VALUES = 100_000


@functools.lru_cache(maxsize=1)
def theorycheck_version() -> str:
    """The installed theorycheck version (part of every cell's identity).

    Returns
    -------
    str
        The installed distribution's version, ``"0+unknown"`` in a checkout that is not installed.
    """
    try:
        return metadata.version("theorycheck")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class Cell:
    """One (check, parameters, seed) measurement of a sweep or a calibration (made by :func:`make_cells`).

    Parameters
    ----------
    task : {"run", "evaluate"}
        ``"run"``: run the check; ``"evaluate"``: also judge every twin on the same measurement.
    check : str
        The check's name.
    area : str
        The check's area.
    mode : {"quick", "full"}
        The parameter set the point overrides.
    point : mapping of str to object
        The overrides of this cell: the fixed parameters and the grid point's values.
    params_json : str
        The cell's full parameter set as canonical JSON (sorted keys).
    seed : int
        The sweep's seed of this cell.
    check_seed : int
        The measurement's seed (:func:`cell_seed`).
    version : str
        The theorycheck version (:func:`theorycheck_version`).
    key : str
        SHA-256 (hex) of ``(task, check, mode, parameters, seed, version)``: the store's primary key.
    """

    task: str
    check: str
    area: str
    mode: str
    point: Mapping[str, Any]
    params_json: str
    seed: int
    check_seed: int
    version: str
    key: str


def make_cells(check: Check, points: list[dict[str, Any]], seeds: list[int], *, mode: str, task: str = "run",
               fixed: Mapping[str, Any] | None = None) -> list[Cell]:
    """The cells of ``points`` x ``seeds`` (points outer, seeds inner), identities computed.

    Parameters
    ----------
    check : Check
        The check measured.
    points : list of dict
        Grid points (:func:`validation.sweep.grid_points` of a validated grid).
    seeds : list of int
        The sweep's seeds.
    mode : {"quick", "full"}
        The parameter set the points override.
    task : {"run", "evaluate"}, default "run"
        What a worker does with each cell (see :class:`Cell`).
    fixed : mapping of str to object, optional
        Parameters overridden at every point but not swept (they do not enter the measurement seed).

    Returns
    -------
    list of Cell
        ``len(points) * len(seeds)`` cells.
    """
    version = theorycheck_version()
    default = jsonable(check.params(mode), max_items=None)
    out = []
    for point in points:
        overrides = {**(fixed or {}), **point}
        pj = _canonical(jsonable(check.params(mode, overrides), max_items=None))
        for s in seeds:
            key = hashlib.sha256(_canonical([task, check.name, mode, json.loads(pj), int(s), version]).encode()).hexdigest()
            out.append(Cell(task, check.name, check.area, mode, overrides, pj, int(s),
                            cell_seed(check.name, s, point, default), version, key))
    return out


def cell_seed(name: str, seed: int, point: Mapping[str, Any], default: Mapping[str, Any]) -> int:
    """The measurement seed of a cell.

    The swept values that differ from the check's defaults enter the seed, so different grid
    points are independent measurements (a scaling fit across the grid then has independent
    errors, as its interval assumes).  At the default point it is the suite's seed
    ``check_seed(seed, name)``, so that cell reproduces ``theorycheck run NAME --seed SEED``.
    Fixed (not swept) parameters do not enter it.

    Parameters
    ----------
    name : str
        The check's name.
    seed : int
        The sweep's seed of the cell.
    point : mapping of str to object
        The cell's swept values.
    default : mapping of str to object
        The mode's parameters as JSON values (``jsonable(check.params(mode))``).

    Returns
    -------
    int
        The seed the check measures with (:func:`validation.runner.check_seed`).
    """
    moved = {k: x for k, x in sorted(jsonable(dict(point), max_items=None).items()) if default.get(k) != x}
    if not moved:
        return check_seed(seed, name)
    return check_seed(seed, f"{name}|{_canonical(moved)}")


@functools.lru_cache(maxsize=1)
def _environment() -> str:
    def ver(pkg: str) -> str | None:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return None

    return _canonical({
        "python": platform.python_version(), "platform": platform.platform(), "host": socket.gethostname(),
        "numpy": np.__version__, "torch": ver("torch"), "scipy": ver("scipy"),
        "threads": os.environ.get("OMP_NUM_THREADS"),
    })


def _scalar(x: Any) -> float | None:
    if isinstance(x, (bool, np.bool_)) or x is None or callable(x):
        return None
    a = np.asarray(x)
    if a.ndim != 0 or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        return None
    f = float(a)
    return f if not math.isnan(f) else None


def _full(x: Any) -> Any:
    return jsonable(x, max_items=None if np.size(x) <= _MAX_VALUES else 64)


def _number(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _row(check: Check, cell: Cell, res: CheckResult, twins: Mapping[str, CheckResult],
         seconds: float) -> dict[str, Any]:
    pred, est = res.raw.get("prediction"), res.raw.get("estimate")
    if pred is not None and not callable(pred.value):
        prediction_json = _canonical(_full(pred.value))
    else:
        prediction_json = _canonical(jsonable(res.prediction))
    if est is not None:
        ej: Any = {"value": _full(est.value), "stderr": _full(est.stderr), "samples": int(est.samples),
                   "method": est.method, "axis": _full(est.diagnostics["axis"]) if "axis" in est.diagnostics else None}
    else:
        ej = res.estimate
    rec = result_record(res, check)
    rec["cell"] = {"key": cell.key, "task": cell.task, "seed": cell.seed, "version": cell.version}
    return {
        "key": cell.key, "task": cell.task, "check_name": cell.check, "area": cell.area, "mode": cell.mode,
        "version": cell.version, "params": cell.params_json, "seed": cell.seed, "check_seed": cell.check_seed,
        "prediction": _scalar(pred.value) if pred is not None else None,
        "estimate": _scalar(est.value) if est is not None else None,
        "stderr": _scalar(est.stderr) if est is not None else None,
        "prediction_json": prediction_json, "estimate_json": _canonical(ej),
        "statistic": _number(res.statistic), "p_value": _number(res.p_value), "alpha": float(res.alpha),
        "passed": int(bool(res.passed)), "verdict": res.verdict, "kind": res.kind, "rule": res.rule,
        "error": res.error, "seconds": float(seconds), "worker": worker_name(), "environment": _environment(),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "record": _canonical(seal(json.loads(json.dumps(rec, allow_nan=False, default=repr)))),
        "twins": [{"twin": n, "statistic": _number(t.statistic), "p_value": _number(t.p_value),
                   "passed": int(bool(t.passed)), "verdict": t.verdict, "error": t.error} for n, t in twins.items()],
    }


def run_cell(check: Check, cell: Cell, alpha: float) -> dict[str, Any]:
    """Measure ``cell`` (on a worker) and return its store row.

    ``task == "run"`` runs the check (:meth:`Check.run`); ``"evaluate"`` measures once and
    judges the correct prediction and every twin (:meth:`Check.evaluate`).  Exceptions in
    the check become ERROR rows (``catch=True``).  The process is pinned to one BLAS/OpenMP/
    torch thread first, in this process too, so a cell's numbers do not depend on the engine.

    Parameters
    ----------
    check : Check
        The cell's check.
    cell : Cell
        The cell.
    alpha : float
        The significance level of the verdict.

    Returns
    -------
    dict
        The store row: identity, prediction and estimate (scalars and JSON), statistic, p-value,
        verdict, the sealed result record, the twins' verdicts (``"evaluate"``), timing and worker.
    """
    pin_threads()
    t0 = time.perf_counter()
    if cell.task == "run":
        res, twins = check.run(cell.point, mode=cell.mode, seed=cell.check_seed, alpha=alpha), {}
    else:
        ev = check.evaluate(cell.point, mode=cell.mode, seed=cell.check_seed, alpha=alpha, twins=True)
        res, twins = ev.result, ev.twins
    return _row(check, cell, res, twins, time.perf_counter() - t0)


def run_chunk(check: Check, cells: list[Cell], alpha: float) -> list[dict[str, Any]]:
    """:func:`run_cell` for several cells of one check in one task (fewer, larger tasks when cells are short).

    Parameters
    ----------
    check : Check
        The cells' check.
    cells : list of Cell
        The cells, run in order.
    alpha : float
        The significance level of the verdicts.

    Returns
    -------
    list of dict
        One store row per cell, in order.
    """
    return [run_cell(check, c, alpha) for c in cells]


def error_row(check: Check, cell: Cell, alpha: float, exc: BaseException) -> dict[str, Any]:
    """The row of a cell whose task was lost by the engine (e.g. its worker died repeatedly).

    Parameters
    ----------
    check : Check
        The cell's check.
    cell : Cell
        The cell.
    alpha : float
        The significance level the cell would have been judged at.
    exc : BaseException
        The engine's exception, named in the row's error.

    Returns
    -------
    dict
        A store row with verdict ``"error"`` and no worker.
    """
    res = CheckResult(cell.check, cell.area, json.loads(cell.params_json), None, None, None, "error", None, None,
                      alpha, False, 0.0, cell.check_seed, error=f"{type(exc).__name__} on the engine: {exc}",
                      mode=cell.mode, kind="deterministic" if check.deterministic else "statistical")
    row = _row(check, cell, res, {}, 0.0)
    row["worker"] = None
    return row
