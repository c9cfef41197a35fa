"""Running a sweep: cells onto the engine, rows into the store as they finish.

Nothing lost, nothing twice
    Finished cells are in the store, keyed by their identity: a re-run skips them.
    Short cells travel several to a task (about half a second of work each), so that
    Dask's per-task cost stays small next to the cells.
    Cells of a worker that dies are rescheduled by Dask (the scheduler re-runs tasks a
    lost worker held); the client, the only writer, stores each cell's row once, in a
    transaction of its own, so Ctrl-C or a killed client loses at most the cells still
    running.  A cell whose task the engine gives up on (a worker died running it several
    times: ``KilledWorker``) is stored as an ERROR row, re-run by ``resume=True``.
Identical results
    A cell's numbers depend on its identity only (:mod:`validation.sweep._cell`).
Levels
    A sweep is a family of tests: each statistical cell is judged at
    ``min(1e-3, alpha_family / cells)`` (:func:`validation.runner.family_alpha` over the
    cells), so that a sweep of a correct theory fails with probability at most
    ``alpha_family``.
"""

from __future__ import annotations

import collections
import secrets
from typing import Any, Callable, Mapping, Sequence

from numerics import validate as v
from validation.check import MODES, Check, get_check
from validation.engine import Engine, open_engine
from validation.runner import DEFAULT_ALPHA_FAMILY, family_alpha
from validation.sweep._cell import Cell, error_row, make_cells, run_chunk
from validation.sweep._grid import grid_points, parse_seeds, validate_grid
from validation.sweep._progress import Progress, make_progress
from validation.sweep._result import SweepResult
from validation.sweep._store import SweepStore

__all__ = ["sweep", "run_cells", "SweepInterrupted", "todo_cells"]


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep: the store holds every finished cell; ``result`` says how far it got.

    Parameters
    ----------
    result : SweepResult
        The partial result (``interrupted`` set), kept as the attribute ``result``.
    """

    def __init__(self, result: Any) -> None:
        super().__init__("sweep interrupted")
        self.result = result


def todo_cells(store: SweepStore, cells: list[Cell], checks: Mapping[str, Check], resume: bool) -> list[Cell]:
    """The cells to measure: those not stored; with ``resume`` also stored ERRORs.

    Calibration cells (task ``"evaluate"``) stored without one of the check's twins are measured
    again too.

    Parameters
    ----------
    store : SweepStore
        The results store.
    cells : list of Cell
        The cells of the sweep or calibration.
    checks : mapping of str to Check
        The cells' checks, by name (their twins decide whether an evaluate cell is complete).
    resume : bool
        Also re-run cells stored as ERROR.

    Returns
    -------
    list of Cell
        The cells to run, in the order given.
    """
    stored = store.status(c.key for c in cells)
    out = []
    for c in cells:
        st = stored.get(c.key)
        if st is None:
            out.append(c)
        elif c.task == "evaluate" and not {t.name for t in checks[c.check].twins} <= set(st["twins"]):
            out.append(c)
        elif resume and st["verdict"] == "ERROR":
            out.append(c)
    return out


#: a task should take about this long when cells are short (chunks of cells per task)
TASK_SECONDS = 0.5
MAX_CHUNK = 64


class _Chunker:
    """Packs cells of one check into tasks of about :data:`TASK_SECONDS`, from that check's cell times seen
    so far (one cell per task until its first ones finish, and always on an engine without per-task cost)."""

    def __init__(self, cells: Sequence[Cell], batches: bool) -> None:
        self.queue = collections.deque(cells)
        self.batches = batches
        self.times: dict[str, list[float]] = {}

    def seen(self, check: str, seconds: float) -> None:
        t = self.times.setdefault(check, [0, 0.0])
        t[0] += 1
        t[1] += max(seconds, 0.0)

    def next(self) -> list[Cell]:
        out = [self.queue.popleft()]
        n, total = self.times.get(out[0].check, (0, 0.0))
        k = max(1, min(MAX_CHUNK, int(TASK_SECONDS / max(total / n, 1e-4)))) if self.batches and n else 1
        while self.queue and len(out) < k and self.queue[0].check == out[0].check:
            out.append(self.queue.popleft())
        return out


def run_cells(engine: Engine, store: SweepStore, cells: Sequence[Cell], checks: Mapping[str, Check],
              alphas: Mapping[str, float], *, swept: Sequence[str] = (), progress: Progress | None = None,
              on_row: Callable[[dict[str, Any]], None] | None = None) -> int:
    """Run ``cells`` on ``engine``; store each task's rows (one transaction) as it completes; return the count.

    At most ``4 x workers`` tasks are queued at a time; short cells are packed several to a
    task (:class:`_Chunker`), so per-task scheduling costs little.  A task's key names its
    first cell (``theorycheck-<cell key>-<cells>-<run>``).  On any interruption the queued
    tasks are cancelled (the store keeps every finished cell) and the exception propagates.

    Parameters
    ----------
    engine : Engine
        Where the cells run.
    store : SweepStore
        Where the rows go (a lost task is stored as ERROR rows).
    cells : sequence of Cell
        The cells to run (:func:`todo_cells`).
    checks : mapping of str to Check
        The cells' checks, by name.
    alphas : mapping of str to float
        The level each check's cells are judged at, by check name.
    swept : sequence of str, default ()
        The names of the swept parameters (stored as columns for queries).
    progress : Progress, optional
        Updated with each row's verdict.
    on_row : callable, optional
        ``on_row(row)`` after each row is stored.

    Returns
    -------
    int
        The number of rows stored.
    """
    chunker = _Chunker(cells, engine.batches)
    depth = max(1, 4 * engine.workers) if engine.batches else 1
    token = secrets.token_hex(4)
    inflight: dict[Any, list[Cell]] = {}
    completion = engine.completed()

    def submit() -> None:
        chunk = chunker.next()
        c0 = chunk[0]
        f = engine.submit(run_chunk, checks[c0.check], chunk, alphas[c0.check],
                          key=f"theorycheck-{c0.key}-{len(chunk)}-{token}")
        inflight[f] = chunk
        completion.add(f)

    n = 0
    try:
        while chunker.queue and len(inflight) < depth:
            submit()
        for f, rows, exc in completion:
            chunk = inflight.pop(f)
            if exc is not None:  # the engine lost the task (e.g. KilledWorker): record it, keep going
                rows = [error_row(checks[c.check], c, alphas[c.check], exc) for c in chunk]
            n += store.add(rows, swept)
            for cell, row in zip(chunk, rows):
                chunker.seen(cell.check, row["seconds"])
                if progress is not None:
                    progress.update(row["verdict"], f"{cell.check} {cell.point} seed {cell.seed}: {row['error'] or ''}")
                if on_row is not None:
                    on_row(row)
            while chunker.queue and len(inflight) < depth:
                submit()
    finally:
        engine.cancel(list(inflight))
    return n


def sweep(
    check_name: str | Check,
    grid: Mapping[str, Sequence[Any]],
    seeds: Any,
    *,
    mode: str = "quick",
    workers: int | None = None,
    scheduler: str | None = None,
    store: str,
    resume: bool = False,
    alpha_family: float = DEFAULT_ALPHA_FAMILY,
    fixed: Mapping[str, Any] | None = None,
    progress: bool = False,
    engine: Engine | None = None,
) -> SweepResult:
    """Run a check over a parameter grid and a list of seeds; one cell per (grid point, seed).

    Parameters
    ----------
    check_name : str or Check
        A registered check's name (or the :class:`~validation.check.Check`).
    grid : mapping of str to sequence
        ``{parameter: [values]}``; every value is validated by the check's schema.  ``{}``
        sweeps the mode's parameters over the seeds only.
    seeds : str or sequence of int
        ``"A..B"`` (inclusive), ``"S1,S2,..."`` or a list of non-negative integers: the suite
        seeds; the measurement's seed is ``check_seed(seed, check)``.
    mode : {"quick", "full"}, default "quick"
        The parameter set the grid overrides.
    workers : int, optional
        Where the cells run (:func:`validation.engine.open_engine`): in this process
        (``None`` / ``1``), on a local Dask cluster of ``workers`` processes, or on the
        Dask scheduler at ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://HOST:PORT``); excludes ``workers``.
    store : str
        Path of the SQLite results store (created if missing).
    resume : bool, default False
        Also re-run cells stored as ERROR (finished cells are always skipped).
    alpha_family : float
        Family-wise level of the sweep (see the module docstring).
    fixed : mapping of str to object, optional
        Parameters set for every cell but not swept.
    progress : bool, default False
        Show progress (rich on a terminal, plain lines otherwise).
    engine : Engine, optional
        An engine to use instead of opening one (``workers`` / ``scheduler`` are then ignored).

    Returns
    -------
    SweepResult
        Every cell of the sweep (run now or reused from the store), with a data frame view.

    Raises
    ------
    ValueError, TypeError
        Unknown check or parameter, wrong value type, empty grid entry, malformed seeds, or
        an unusable store (:class:`~validation.sweep.StoreError`); nothing has run then.
    validation.engine.EngineError
        Dask missing or the scheduler unreachable; nothing has run then.
    SweepInterrupted
        On Ctrl-C, after cancelling the cells still queued; ``.result`` is the partial result.
    """
    check = check_name if isinstance(check_name, Check) else get_check(check_name)
    v.choice(mode, "mode", MODES)
    grid = validate_grid(check, grid, mode, fixed)
    seed_list = parse_seeds(seeds)
    points = grid_points(grid)
    cells = make_cells(check, points, seed_list, mode=mode, fixed=fixed)
    alpha = family_alpha([check] * len(cells), alpha_family)
    st = SweepStore(store)
    try:
        todo = todo_cells(st, cells, {check.name: check}, resume)
        result = SweepResult(check.name, mode, grid, seed_list, alpha, st.path, [c.key for c in cells],
                             reused=len(cells) - len(todo))
        ctx = open_engine(workers, scheduler) if engine is None else _borrowed(engine)
        with ctx as eng:
            sid = st.begin("run", check.name, mode, grid, seed_list, len(cells), alpha, eng.address)
            bar = make_progress(len(cells), len(cells) - len(todo), enabled=progress)
            try:
                result.ran = run_cells(eng, st, todo, {check.name: check}, {check.name: alpha}, swept=list(grid),
                                       progress=bar)
            except KeyboardInterrupt:
                result.interrupted = True
                st.end(sid, "interrupted")
                raise SweepInterrupted(result) from None
            finally:
                if bar is not None:
                    bar.close()
            st.end(sid, "finished")
    finally:
        st.close()
    return result


class _borrowed:
    """An engine the caller owns: used, not closed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Engine:
        return self.engine

    def __exit__(self, *exc: Any) -> None:
        return None
