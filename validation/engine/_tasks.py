"""Running a suite's checks on an engine (``run_suite(..., executor=...)``)."""

from __future__ import annotations

import pickle
from typing import Callable, Iterable, Iterator

from validation.check import Check, CheckResult
from validation.engine._base import Engine, pin_threads

__all__ = ["map_checks", "run_check"]


def run_check(check: Check, mode: str, seed: int, alpha: float) -> CheckResult:
    """``check.run(mode=mode, seed=seed, alpha=alpha)`` on a worker.

    The measured objects (``raw``) travel back for the plots when they can be pickled;
    when they cannot (a closure over a compiled object), they are dropped and the result
    is otherwise intact.

    Parameters
    ----------
    check : Check
        The check to run.
    mode : str
        ``"quick"`` or ``"full"``.
    seed : int
        The check's seed.
    alpha : float
        The significance level of the verdict.

    Returns
    -------
    CheckResult
        The check's result, ``raw`` emptied when it cannot be pickled.
    """
    pin_threads()
    res = check.run(mode=mode, seed=seed, alpha=alpha)
    try:
        pickle.dumps(res.raw)
    except Exception:  # noqa: BLE001 - only the plot needs raw
        try:
            import cloudpickle

            cloudpickle.dumps(res.raw)
        except Exception:  # noqa: BLE001
            res.raw = {}
    return res


def map_checks(engine: Engine, checks: Iterable[Check], *, mode: str, seeds: dict[str, int], alpha: float,
               on_start: Callable[[Check], None] | None = None) -> Iterator[tuple[Check, CheckResult]]:
    """Run ``checks`` on ``engine``; yield ``(check, result)`` in order of completion.

    Each check runs with its own seed ``seeds[name]`` and the suite's ``alpha``, exactly as
    the serial runner would, so verdicts do not depend on the number of workers.  On an
    interruption the checks not yet run are cancelled.

    Parameters
    ----------
    engine : Engine
        Where the checks run.
    checks : iterable of Check
        The checks, submitted in this order.
    mode : str
        ``"quick"`` or ``"full"``.
    seeds : dict of str to int
        The seed of each check, by name.
    alpha : float
        The suite's significance level.
    on_start : callable, optional
        ``on_start(check)`` as each check is submitted (e.g. a progress line).

    Yields
    ------
    check : Check
        A finished check.
    result : CheckResult
        Its result; a task lost on the engine gives an ``"error"`` result naming the exception.
    """
    checks = list(checks)
    futures = {}
    for c in checks:
        if on_start is not None:
            on_start(c)
        futures[engine.submit(run_check, c, mode, seeds[c.name], alpha, key=f"theorycheck-run-{c.name}-{seeds[c.name]}")] = c
    pending = set(futures)
    try:
        for f, res, exc in engine.completed(list(futures)):
            pending.discard(f)
            c = futures[f]
            if exc is not None:  # a lost task (worker died repeatedly) is an ERROR, not a crash
                res = CheckResult(c.name, c.area, c.params(mode), None, None, None, "error", None, None, alpha, False,
                                  0.0, seeds[c.name], error=f"{type(exc).__name__} on the engine: {exc}", mode=mode)
            yield c, res
    finally:
        engine.cancel(pending)
