"""Counting outcomes: Clopper-Pearson intervals, twin power, the calibration record and table (private)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from scipy import stats

from numerics import validate as v

__all__ = ["REFERENCE_LEVELS", "clopper_pearson", "TwinPower", "Calibration", "calibration_table"]

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
        Whether the check is deterministic (then its first 20 seeds are run).
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
