r"""Calibration: a check's false-fail rate with the correct theory, and its power against its twins.

For seeds :math:`s_1, \dots, s_N` (the seeds the suite would give the check under suite
seeds ``0 .. N-1``), each seed is measured once and judged against the correct prediction
and against every declared twin (:meth:`validation.check.Check.evaluate`).

* The **false-fail rate** at level :math:`\alpha` is the fraction of seeds where the
  correct theory fails; its 95% Clopper-Pearson interval (Clopper & Pearson 1934,
  Biometrika 26:404) says whether it is compatible with :math:`\alpha`.  The rate is
  also reported at reference levels (0.05, 0.01, 0.001), where far fewer seeds resolve a
  miscalibration than at the suite's level: a check whose p-values are valid fails at
  most at rate :math:`\alpha` at every level.
* The **power** of a twin is the fraction of seeds where it fails at the suite's level.
* ERRORs (exceptions) are counted separately: they are defects, not statistics.

Deterministic checks have no false-fail rate (they give the same verdict at every seed);
one seed is enough and is what is run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
from scipy import stats

from numerics import validate as v

__all__ = ["clopper_pearson", "TwinPower", "Calibration", "calibrate", "REFERENCE_LEVELS", "outcome",
           "calibration_from_outcomes"]

REFERENCE_LEVELS = (0.05, 0.01, 0.001)


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    r"""Exact two-sided binomial confidence interval for ``k`` successes in ``n`` trials.

    With :math:`a = 1 - \text{level}` and :math:`B^{-1}(q; \alpha, \beta)` the beta quantile,
    :math:`p_{\rm lo} = B^{-1}(a/2; k, n-k+1)` (0 when :math:`k = 0`) and
    :math:`p_{\rm hi} = B^{-1}(1-a/2; k+1, n-k)` (1 when :math:`k = n`)
    (Clopper & Pearson 1934, *Biometrika* 26, 404).

    Parameters
    ----------
    k : int
        Number of successes, ``0 <= k <= n``.
    n : int
        Number of trials, at least 1.
    level : float, default 0.95
        Confidence level, in (0, 1).

    Returns
    -------
    tuple of float
        The interval's ``(low, high)`` ends.

    Raises
    ------
    TypeError
        If ``k`` or ``n`` is not an integer or ``level`` not a real number.
    ValueError
        If ``k`` or ``n`` is out of range or ``level`` is not in (0, 1).
    """
    k = v.integer(k, "k", minimum=0)
    n = v.integer(n, "n", minimum=1)
    if k > n:
        raise ValueError(f"k must be <= n; got k={k}, n={n}")
    a = 1.0 - v.real(level, "level", minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


@dataclass
class TwinPower:
    """How often a twin is rejected.

    Parameters
    ----------
    name : str
        The twin's name.
    how_wrong : str
        What is wrong in it, in words.
    rejections : int
        Seeds at which the check rejected it.
    seeds : int
        Seeds that gave it a verdict (errors excluded).
    errors : int, default 0
        Seeds at which judging it raised.
    """

    name: str
    how_wrong: str
    rejections: int
    seeds: int
    errors: int = 0

    @property
    def power(self) -> float:
        """The fraction of seeds at which the twin was rejected."""
        return self.rejections / max(self.seeds, 1)

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Clopper-Pearson interval of :attr:`power`."""
        return clopper_pearson(self.rejections, max(self.seeds, 1))


@dataclass
class Calibration:
    """A check's calibration over many seeds.

    Parameters
    ----------
    check : str
        The check's name.
    mode : {"quick", "full"}
        The parameter set run.
    alpha : float
        The level it was judged at.
    seeds : list of int
        The suite seeds run.
    p_values : list of float or None
        The correct theory's p-value at each seed that gave a verdict.
    passed : list of bool
        The correct theory's verdict at each such seed.
    errors : list of str
        ``"seed S: error"`` for each seed whose run raised.
    twins : list of TwinPower
        Each twin's rejections.
    seconds : float
        Wall time of the calibration.
    deterministic : bool, default False
        Whether the check is deterministic (then one seed is run).
    params : dict, default {}
        The parameters run.
    """

    check: str
    mode: str
    alpha: float
    seeds: list[int]
    p_values: list[float | None]
    passed: list[bool]
    errors: list[str]
    twins: list[TwinPower]
    seconds: float
    deterministic: bool = False
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """Seeds that gave a verdict (errors excluded)."""
        return len(self.passed)

    @property
    def false_fails(self) -> int:
        """Seeds at which the correct theory failed."""
        return sum(1 for ok in self.passed if not ok)

    @property
    def rate(self) -> float:
        """The false-fail rate: :attr:`false_fails` over :attr:`runs`."""
        return self.false_fails / max(self.runs, 1)

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Clopper-Pearson interval of :attr:`rate`."""
        return clopper_pearson(self.false_fails, max(self.runs, 1))

    def at_level(self, level: float) -> tuple[int, int, tuple[float, float]]:
        """``(fails, runs, interval)`` of the correct theory judged at ``level`` instead of alpha.

        Parameters
        ----------
        level : float
            The significance level: a seed fails when its p-value is at most ``level``.

        Returns
        -------
        tuple
            The number of fails, the number of seeds with a p-value, and the 95%
            Clopper-Pearson interval of the rate.
        """
        ps = [p for p in self.p_values if p is not None]
        k = sum(1 for p in ps if p <= level)
        return k, len(ps), clopper_pearson(k, max(len(ps), 1))

    @property
    def calibrated(self) -> bool:
        """No evidence of a false-fail rate above alpha (or above a reference level) at 95%."""
        if self.deterministic:
            return all(self.passed)
        if self.interval[0] > self.alpha:
            return False
        return all(self.at_level(lvl)[2][0] <= lvl for lvl in REFERENCE_LEVELS)

    def row(self) -> dict[str, Any]:
        """A flat summary (for tables).

        Returns
        -------
        dict of str to object
            The counts, rate, interval, levels, the fails at each reference level and
            each twin's power.
        """
        lo, hi = self.interval
        out: dict[str, Any] = {
            "check": self.check, "mode": self.mode, "alpha": self.alpha, "seeds": self.runs,
            "false_fails": self.false_fails, "rate": self.rate, "interval": [lo, hi], "errors": len(self.errors),
            "deterministic": self.deterministic, "calibrated": self.calibrated, "seconds": self.seconds,
        }
        for lvl in REFERENCE_LEVELS:
            k, n, ci = self.at_level(lvl)
            out[f"fails_at_{lvl:g}"] = [k, n, list(ci)]
        out["twins"] = [{"name": t.name, "how_wrong": t.how_wrong, "power": t.power, "rejections": t.rejections,
                         "seeds": t.seeds, "interval": list(t.interval), "errors": t.errors} for t in self.twins]
        return out


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
    from validation.runner import check_seed, family_alpha

    c: Check = get_check(check) if isinstance(check, str) else check
    if not isinstance(c, Check):
        raise TypeError(f"check must be a Check or a check name; got {v.describe(check)}")
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        suite_seeds: list[int] = list(range(v.integer(seeds, "seeds", minimum=1)))
    else:
        suite_seeds = list(v.integers(seeds, "seeds", minimum=0))
    if c.deterministic:
        suite_seeds = suite_seeds[:1]
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


def calibration_table(rows: Iterable[Calibration]) -> str:
    """A Markdown table of calibrations (the committed calibration table uses it).

    Parameters
    ----------
    rows : iterable of Calibration
        The calibrations, one row each.

    Returns
    -------
    str
        The table: false fails and their interval at alpha, fails at 0.01, the weakest twin's power.
    """
    head = ("| check | mode | seeds | false fails at alpha | 95% interval | alpha | at 0.01 | twin power (weakest) |\n"
            "|---|---|---|---|---|---|---|---|")
    lines = [head]
    for c in rows:
        lo, hi = c.interval
        k1, n1, _ = c.at_level(0.01)
        weakest = min(c.twins, key=lambda t: t.power) if c.twins else None
        tw = f"{weakest.power:.2f} ({weakest.how_wrong})" if weakest else "-"
        lines.append(f"| {c.check} | {c.mode} | {c.runs} | {c.false_fails} | [{lo:.2g}, {hi:.2g}] | {c.alpha:.2g} | "
                     f"{k1}/{n1} | {tw} |")
    return "\n".join(lines)


__all__ += ["calibration_table"]
