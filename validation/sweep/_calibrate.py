"""Calibration on the engine, through a store: parallel, resumable.

Each (check, suite seed) is one ``evaluate`` cell: one measurement judged against the
correct prediction and every twin (:meth:`validation.check.Check.evaluate`), with the
seed the suite would give the check (``check_seed(seed, check)``), as
:func:`validation.calibration.calibrate` does serially.  Cells of all the checks are
queued together, so the workers stay busy from one check to the next; every finished cell
is in the store, so an interrupted calibration continues where it stopped, and the table
is computed from the store (:func:`validation.calibration.calibration_from_outcomes`),
identical to the serial ``calibrate``.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from validation.calibration import Calibration, calibration_from_outcomes
from validation.calibration._run import DETERMINISTIC_SEEDS
from validation.check import MODES, Check, all_checks, get_check
from validation.engine import Engine, open_engine
from validation.runner import family_alpha
from validation.sweep._cell import make_cells
from validation.sweep._engine import SweepInterrupted, _borrowed, run_cells, todo_cells
from validation.sweep._grid import parse_seeds
from validation.sweep._progress import make_progress
from validation.sweep._store import SweepStore
from numerics import validate as v

__all__ = ["calibrate_checks"]


def _outcome(row: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    base = {"kind": row["kind"], "alpha": row["alpha"]}
    res = {"error": row["error"], "p_value": row["p_value"], "passed": bool(row["passed"]), **base}
    twins = {t["twin"]: {"error": t["error"], "p_value": t["p_value"], "passed": bool(t["passed"]), **base}
             for t in row["twins"]}
    return res, twins


def calibrate_checks(
    checks: Iterable[str | Check],
    seeds: int | Any,
    *,
    mode: str = "quick",
    workers: int | None = None,
    scheduler: str | None = None,
    store: str,
    alpha: float | None = None,
    resume: bool = False,
    progress: bool = False,
    engine: Engine | None = None,
) -> list[Calibration]:
    """Calibrate ``checks`` over ``seeds`` on the engine, every cell kept in ``store``.

    Parameters
    ----------
    checks
        Checks or their names.
    seeds
        ``N`` (suite seeds ``0 .. N-1``), ``"A..B"``, ``"S1,S2,..."`` or a list.
        A deterministic check runs its first ``DETERMINISTIC_SEEDS`` (20) seeds only.
    mode
        ``"quick"`` or ``"full"``.
    workers, scheduler, engine
        Where the cells run (as for :func:`validation.sweep.sweep`).
    store
        The calibration store (SQLite; created if missing).  Cells already in it are not
        measured again: an interrupted calibration resumes.
    alpha
        Level to judge at; default the default suite's, ``min(1e-3, 0.01/m)`` over every
        registered statistical check.
    resume
        Also re-run cells stored as ERROR.
    progress
        Show progress.

    Returns
    -------
    list of Calibration
        In the order of ``checks``; identical to :func:`validation.calibration.calibrate`.

    Raises
    ------
    SweepInterrupted
        On Ctrl-C (the store keeps every finished cell).
    """
    cs = [c if isinstance(c, Check) else get_check(c) for c in checks]
    if not cs:
        raise ValueError("no checks to calibrate")
    v.choice(mode, "mode", MODES)
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        seed_list = list(range(v.integer(seeds, "seeds", minimum=1)))
    else:
        seed_list = parse_seeds(seeds)
    a = family_alpha(all_checks()) if alpha is None else v.real(alpha, "alpha", minimum=0.0, maximum=1.0,
                                                                 open_min=True, open_max=True)
    by_name = {c.name: c for c in cs}
    cells = {c.name: make_cells(c, [{}], seed_list[:DETERMINISTIC_SEEDS] if c.deterministic else seed_list, mode=mode, task="evaluate")
             for c in cs}
    every = [cell for c in cs for cell in cells[c.name]]
    st = SweepStore(store)
    try:
        todo = todo_cells(st, every, by_name, resume)
        ctx = open_engine(workers, scheduler) if engine is None else _borrowed(engine)
        with ctx as eng:
            sid = st.begin("evaluate", ",".join(by_name), mode, {}, seed_list, len(every), a, eng.address)
            bar = make_progress(len(every), len(every) - len(todo), label="seeds", enabled=progress)
            try:
                run_cells(eng, st, todo, by_name, {n: a for n in by_name}, progress=bar)
            except KeyboardInterrupt:
                st.end(sid, "interrupted")
                raise SweepInterrupted(None) from None
            finally:
                if bar is not None:
                    bar.close()
            st.end(sid, "finished")
        out = []
        for c in cs:
            rows = {r["key"]: r for r in st.rows(cell.key for cell in cells[c.name])}
            outcomes = []
            seconds = 0.0
            for cell in cells[c.name]:
                r = rows[cell.key]
                res, twins = _outcome(r)
                outcomes.append((cell.seed, res, twins))
                seconds += float(r["seconds"] or 0.0)
            out.append(calibration_from_outcomes(c, outcomes, mode=mode, alpha=a, seconds=seconds,
                                                 params=c.params(mode)))
        return out
    finally:
        st.close()
