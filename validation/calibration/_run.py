"""Running calibrations: serial or on an engine, and re-judging stored outcomes (private)."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from numerics import validate as v

from ._counts import Calibration, TwinPower

__all__ = ["calibrate", "outcome", "calibration_from_outcomes", "DETERMINISTIC_SEEDS"]

#: seeds run for a deterministic check: its verdict cannot vary from random error, but a measurement may
#: still use its seed (random unitaries, random inputs), so a few seeds are run, not one
DETERMINISTIC_SEEDS = 20


def calibrate(
    check: Any,
    seeds: int | Sequence[int],
    *,
    mode: str = "quick",
    alpha: float | None = None,
    params: Mapping[str, Any] | None = None,
    on_seed: Callable[[int, Any], None] | None = None,
    executor: Any = None,
) -> Calibration:
    r"""Run ``check`` (a :class:`~validation.check.Check` or its name) over many seeds.

    The false-fail rate is :math:`\hat r = k/N` for :math:`k` fails of the correct theory in
    :math:`N` seeds with a verdict, with the 95% Clopper-Pearson interval of
    :func:`clopper_pearson` (Clopper & Pearson 1934, *Biometrika* 26, 404); a twin's power is
    its rejection fraction with the same interval.

    Parameters
    ----------
    check : Check or str
        The check or its registered name.
    seeds : int or sequence of int
        ``N`` (suite seeds ``0 .. N-1``) or an explicit list of suite seeds; each is
        turned into the check's seed as the suite runner does.
    mode : {"quick", "full"}, default "quick"
        ``"quick"`` or ``"full"``.
    alpha : float, optional
        The level to judge at; default: the level of the default suite,
        ``min(1e-3, 0.01/m)`` with ``m`` the registered statistical checks.
    params : Mapping of str to object, optional
        Parameter overrides.
    on_seed : callable, optional
        Called as ``on_seed(suite_seed, evaluation)`` after each seed (progress bars).
    executor : validation.engine.Engine, optional
        A :class:`validation.engine.Engine` (:func:`validation.engine.open_engine`): the
        seeds are evaluated in parallel on it (the evaluations passed to ``on_seed`` then
        carry no measured objects); the counts are those of a serial run.

    Returns
    -------
    Calibration
        The verdicts, p-values and errors per seed, and each twin's power.

    Raises
    ------
    TypeError
        If ``check`` is neither a check nor a name, or an argument has the wrong type.
    ValueError
        If the name is unknown or an argument is out of range.
    """
    from validation.check import Check, all_checks, get_check
    from validation.runner import family_alpha

    c: Check = get_check(check) if isinstance(check, str) else check
    if not isinstance(c, Check):
        raise TypeError(f"check must be a Check or a check name; got {v.describe(check)}")
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        suite_seeds: list[int] = list(range(v.integer(seeds, "seeds", minimum=1)))
    else:
        suite_seeds = list(v.integers(seeds, "seeds", minimum=0))
    if c.deterministic:
        suite_seeds = suite_seeds[:DETERMINISTIC_SEEDS]
    a = family_alpha(all_checks()) if alpha is None else v.real(alpha, "alpha", minimum=0.0, maximum=1.0,
                                                                 open_min=True, open_max=True)
    p = c.params(mode, params)
    t0 = time.perf_counter()
    outcomes = []
    for s, ev in _evaluations(c, suite_seeds, mode, a, params, executor):
        outcomes.append((s, outcome(ev.result), {n: outcome(t) for n, t in ev.twins.items()}))
        if on_seed is not None:
            on_seed(s, ev)
    return calibration_from_outcomes(c, outcomes, mode=mode, alpha=a, seconds=time.perf_counter() - t0, params=p)


def _evaluate(c: Any, params: Mapping[str, Any] | None, mode: str, seed: int, alpha: float) -> Any:
    """One seed's evaluation on a worker; the measured objects stay there (only verdicts travel)."""
    from validation.engine import pin_threads

    pin_threads()
    ev = c.evaluate(params or None, mode=mode, seed=seed, alpha=alpha)
    for r in (ev.result, *ev.twins.values()):
        r.raw = {}
    return ev


def _evaluations(c: Any, suite_seeds: list[int], mode: str, alpha: float, params: Mapping[str, Any] | None,
                 executor: Any) -> Iterable[tuple[int, Any]]:
    """``(suite_seed, evaluation)`` for every seed, in seed order (serial, or gathered from ``executor``)."""
    from validation.runner import check_seed

    if executor is None:
        for s in suite_seeds:
            yield s, c.evaluate(params or None, mode=mode, seed=check_seed(s, c.name), alpha=alpha)
        return
    futures = {executor.submit(_evaluate, c, params, mode, check_seed(s, c.name), alpha,
                               key=f"theorycheck-calibrate-{c.name}-{mode}-{s}"): s for s in suite_seeds}
    done = {}
    try:
        for f, ev, exc in executor.completed(list(futures)):
            if exc is not None:
                raise exc
            done[futures.pop(f)] = ev
    finally:
        executor.cancel(list(futures))
    for s in suite_seeds:
        yield s, done[s]


def outcome(r: Any) -> dict[str, Any]:
    """The part of a result calibration counts: ``error``, ``p_value``, ``passed``, ``kind``, ``alpha``.

    Parameters
    ----------
    r : CheckResult
        A result of the correct prediction or of a twin.

    Returns
    -------
    dict of str to object
        Its ``error``, ``p_value``, ``passed``, ``kind`` and ``alpha``.
    """
    return {"error": r.error, "p_value": r.p_value, "passed": bool(r.passed), "kind": r.kind, "alpha": r.alpha}


def _passed(o: Mapping[str, Any], alpha: float) -> bool:
    """A stored outcome judged at ``alpha`` (re-judged from its p-value when judged at another level)."""
    p = o.get("p_value")
    if o.get("kind", "statistical") == "statistical" and p is not None and o.get("alpha") != alpha:
        return bool(p > alpha)
    return bool(o["passed"])


def calibration_from_outcomes(
    check: Any,
    outcomes: Sequence[tuple[int, Mapping[str, Any], Mapping[str, Mapping[str, Any]]]],
    *,
    mode: str,
    alpha: float,
    seconds: float = 0.0,
    params: Mapping[str, Any] | None = None,
) -> Calibration:
    """A :class:`Calibration` from per-seed outcomes ``(suite_seed, result, {twin: result})``.

    Each result is a mapping with ``error``, ``p_value``, ``passed``, ``kind`` and ``alpha``
    (:func:`outcome`); one judged at another level is re-judged at ``alpha`` from its
    p-value.  This is how :func:`calibrate` counts, and how a calibration store is read back.

    Parameters
    ----------
    check : Check
        The calibrated check (its name, twins and deterministic flag).
    outcomes : sequence of tuple
        ``(suite_seed, outcome, {twin name: outcome})`` per seed, outcomes as :func:`outcome`
        makes them; twins the check does not declare are ignored.
    mode : {"quick", "full"}
        The parameter set run.
    alpha : float
        The level to judge at.
    seconds : float, default 0.0
        Wall time of the calibration.
    params : Mapping of str to object, optional
        The parameters run; ``None`` records the check's ``mode`` set.

    Returns
    -------
    Calibration
        The verdicts, p-values and errors per seed, and each twin's power.
    """
    pvals: list[float | None] = []
    passed: list[bool] = []
    errors: list[str] = []
    twin_rej = {t.name: 0 for t in check.twins}
    twin_err = {t.name: 0 for t in check.twins}
    twin_runs = {t.name: 0 for t in check.twins}
    for s, r, tw in outcomes:
        if r["error"] is not None:
            errors.append(f"seed {s}: {r['error']}")
        else:
            pvals.append(r["p_value"])
            passed.append(_passed(r, alpha))
        for name, tr in tw.items():
            if name not in twin_runs:
                continue
            if tr["error"] is not None:
                twin_err[name] += 1
            else:
                twin_runs[name] += 1
                twin_rej[name] += int(not _passed(tr, alpha))
    twins = [TwinPower(t.name, t.how_wrong, twin_rej[t.name], twin_runs[t.name], twin_err[t.name]) for t in check.twins]
    return Calibration(check.name, mode, alpha, [s for s, _, _ in outcomes], pvals, passed, errors, twins, seconds,
                       check.deterministic, dict(params if params is not None else check.params(mode)))
