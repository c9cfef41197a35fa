"""Comparison rules: how a prediction and a measurement are judged.

Every rule returns a :class:`Comparison` with a test statistic, a p-value and a
verdict at the given significance level.  No tolerance is chosen by hand: a
discrepancy is allowed exactly what the measurement's standard error and the
theory's truncation budget explain.

Rules
-----
(a) :func:`compare_point` -- predicted value(s) against an estimate with standard
    error, after subtracting the truncation budget from the discrepancy.
(b) :func:`compare_distribution` -- a predicted CDF against samples: a binned
    Pearson chi-square (the default; bins of equal predicted mass) or the
    Kolmogorov-Smirnov statistic, both with the budget subtracted.
(c) :func:`compare_scaling` -- a fitted power-law exponent with its confidence
    interval against the predicted exponent (:func:`fit_power_law`).
(d) :func:`compare_tolerance` -- a deterministic computation (a solver, a quadrature)
    against a closed form, within a stated numerical tolerance derived from the
    computation's error control.  It has no p-value and is kept out of the suite's
    family of statistical tests.

:func:`combine` joins several comparisons made on the same data (Bonferroni).

Subtracting a budget ``b`` from ``|d|`` before standardising makes each test
conservative by construction when the theory's error is within its budget, and
leaves it fully powered against discrepancies that are larger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
from scipy import stats

__all__ = [
    "Comparison",
    "compare_point",
    "compare_distribution",
    "PowerLawFit",
    "fit_power_law",
    "compare_scaling",
    "compare_tolerance",
    "combine",
    "suite_alpha",
    "DEFAULT_ALPHA",
]

DEFAULT_ALPHA = 1e-3


@dataclass(frozen=True)
class Comparison:
    """The outcome of a comparison rule.

    ``kind`` is ``"statistical"`` (a test at level ``alpha`` with a p-value) or
    ``"deterministic"`` (``p_value`` is ``None``; the statistic is the largest
    ratio of discrepancy to ``tolerance`` and the comparison passes when it is <= 1).

    Parameters
    ----------
    rule : str
        The rule that made it (``"point-z"``, ``"point-t"``, ``"point-chi2"``, ``"binned-chi2"``,
        ``"ks"``, ``"scaling-exponent"``, ``"tolerance"``).
    statistic : float
        The test statistic (for ``"deterministic"``: the largest discrepancy over its allowance).
    p_value : float or None
        The p-value; ``None`` for a deterministic comparison.
    alpha : float
        The significance level of the verdict.
    passed : bool
        The verdict: ``p_value > alpha``, or ``statistic <= 1`` for a deterministic comparison.
    details : dict, default {}
        The rule's further quantities (degrees of freedom, the compared components, the fit).
    kind : {"statistical", "deterministic"}, default "statistical"
        Whether the comparison is a statistical test.
    tolerance : float, optional
        The largest allowed discrepancy of a deterministic comparison.
    """

    rule: str
    statistic: float
    p_value: float | None
    alpha: float
    passed: bool
    details: dict[str, Any] = field(default_factory=dict)
    kind: str = "statistical"
    tolerance: float | None = None


def _components(pred: np.ndarray, val: np.ndarray, se: np.ndarray | None, b: np.ndarray) -> dict[str, Any]:
    """The compared arrays, kept with the comparison so that results can be re-plotted and re-analysed."""
    out = {"prediction": pred, "measurement": val, "budget": b}
    if se is not None:
        out["stderr"] = se
    return out


def _check_alpha(alpha: float) -> float:
    a = float(alpha)
    if not 0.0 < a < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    return a


def _finite(name: str, a: Any) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values")
    return arr


def compare_point(
    prediction: Any,
    value: Any,
    stderr: Any,
    *,
    truncation: Any = 0.0,
    alpha: float = DEFAULT_ALPHA,
    covariance: np.ndarray | None = None,
    dof: Any = None,
) -> Comparison:
    r"""Point prediction(s) against an estimate with standard error.

    For each component the excess :math:`e_i = \max(|\hat y_i - y_i| - b_i, 0)` over
    the truncation budget :math:`b_i` is standardised, :math:`z_i = e_i / s_i`.

    * Without ``covariance``: the components are tested together by the
      Bonferroni-combined two-sided normal test, :math:`p = \min(1, k \min_i 2\Phi(-z_i))`
      (valid under any dependence between components).
    * With ``covariance`` (the estimate's covariance matrix, shape ``(k, k)``):
      :math:`\chi^2 = e^\top C^{-1} e` (with the sign of each difference kept), ``k`` degrees of freedom.

    The Bonferroni bound follows Bonferroni (1936) and the quadratic form is Pearson's
    (1900) chi-square for a multivariate normal estimate; Student's t is Student (1908).

    Parameters
    ----------
    prediction, value, stderr, truncation : array_like
        Broadcastable arrays: the prediction, the estimate, its standard error and the
        (non-negative) truncation budget.  ``stderr`` must be > 0 where the excess is > 0.
    alpha : float, default DEFAULT_ALPHA
        Significance level of the verdict, in (0, 1).
    covariance : ndarray, optional
        The estimate's covariance matrix, shape ``(k, k)`` for ``k`` components.
    dof : array_like, optional
        Degrees of freedom of each standard error when it comes from few replicates
        (a mean over ``r`` chains has ``r - 1``): the two-sided tail is Student t's
        instead of the normal's.  ``None`` (default): normal.

    Returns
    -------
    Comparison
        Rule ``"point-z"``, ``"point-t"`` or ``"point-chi2"``; ``details`` holds the compared components.

    Raises
    ------
    ValueError
        If ``alpha`` is not in (0, 1), an input is not finite, ``stderr`` or ``truncation``
        is negative, ``covariance`` has the wrong shape or ``dof`` is below 1.
    """
    alpha = _check_alpha(alpha)
    pred = _finite("prediction", prediction)
    val = _finite("value", value)
    se = _finite("stderr", stderr)
    b = _finite("truncation", truncation)
    if np.any(se < 0) or np.any(b < 0):
        raise ValueError("stderr and truncation must be non-negative")
    pred, val, se, b = np.broadcast_arrays(pred, val, se, b)
    d = val - pred
    excess = np.maximum(np.abs(d) - b, 0.0)
    k = d.size
    if covariance is not None:
        cov = _finite("covariance", covariance)
        if cov.shape != (k, k):
            raise ValueError(f"covariance must have shape ({k}, {k}), got {cov.shape}")
        e = (np.sign(d) * excess).ravel()
        chi2 = float(e @ np.linalg.lstsq(cov, e, rcond=None)[0])
        p = float(stats.chi2.sf(chi2, k))
        return Comparison("point-chi2", chi2, p, alpha, p > alpha,
                          {"dof": k, "components": _components(pred, val, se, b)})
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(excess > 0, excess / np.where(se > 0, se, np.nan), 0.0)
    z = np.where(np.isnan(z), np.inf, z)  # a non-zero excess with zero error is infinitely significant
    if dof is None:
        tails = 2.0 * stats.norm.sf(z)
        rule = "point-z"
    else:
        nu = np.broadcast_to(_finite("dof", dof), z.shape)
        if np.any(nu < 1):
            raise ValueError("dof must be >= 1")
        tails = 2.0 * stats.t.sf(z, nu)
        rule = "point-t"
    k_worst = int(np.argmin(tails)) if k else 0
    zmax = float(z.ravel()[k_worst]) if k else 0.0
    p = float(min(1.0, k * float(np.min(tails)))) if k else 1.0
    return Comparison(
        rule,
        zmax,
        p,
        alpha,
        p > alpha,
        {"n_components": k, "worst_component": k_worst, "max_abs_difference": float(np.max(np.abs(d))) if k else 0.0,
         "components": _components(pred, val, se, b)},
    )


def compare_tolerance(
    prediction: Any,
    value: Any,
    tolerance: Any,
    *,
    truncation: Any = 0.0,
    alpha: float = DEFAULT_ALPHA,
    source: str = "",
) -> Comparison:
    r"""A deterministic value against a prediction, within a stated numerical tolerance.

    Passes when :math:`|\hat y_i - y_i| \le \tau_i + b_i` for every component, with
    :math:`\tau` the computation's error bound (from its error control, stated in
    ``source``) and :math:`b` the theory's truncation budget.  The statistic is
    :math:`\max_i |\hat y_i - y_i| / (\tau_i + b_i)`; there is no p-value, since
    nothing is random.  ``alpha`` is recorded only for uniformity.

    Parameters
    ----------
    prediction, value : array_like
        The prediction and the computed value, broadcastable.
    tolerance : array_like
        The computation's non-negative error bound :math:`\tau`.
    truncation : array_like, default 0
        The theory's non-negative truncation budget :math:`b`.
    alpha : float, default DEFAULT_ALPHA
        Recorded with the result; in (0, 1).
    source : str, default ""
        Where the tolerance comes from (the solver's error control), shown in reports.

    Returns
    -------
    Comparison
        Rule ``"tolerance"``, kind ``"deterministic"``, no p-value.

    Raises
    ------
    ValueError
        If ``alpha`` is not in (0, 1), an input is not finite, or ``tolerance`` or
        ``truncation`` is negative.
    """
    alpha = _check_alpha(alpha)
    pred = _finite("prediction", prediction)
    val = _finite("value", value)
    tol = _finite("tolerance", tolerance)
    b = _finite("truncation", truncation)
    if np.any(tol < 0) or np.any(b < 0):
        raise ValueError("tolerance and truncation must be non-negative")
    pred, val, tol, b = np.broadcast_arrays(pred, val, tol, b)
    d = np.abs(val - pred)
    allowed = tol + b
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(d > 0, d / allowed, 0.0)
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    worst = int(np.argmax(ratio)) if ratio.size else 0
    stat = float(ratio.ravel()[worst]) if ratio.size else 0.0
    return Comparison(
        "tolerance",
        stat,
        None,
        alpha,
        bool(stat <= 1.0),
        {"n_components": int(d.size), "worst_component": worst, "max_abs_difference": float(d.max()) if d.size else 0.0,
         "max_tolerance": float(tol.max()) if tol.size else 0.0, "source": source,
         "components": {**_components(pred, val, None, b), "tolerance": tol}},
        kind="deterministic",
        tolerance=float(np.max(allowed)) if allowed.size else 0.0,
    )


def combine(comparisons: Mapping[str, Comparison], alpha: float) -> Comparison:
    r"""Join several comparisons made on the same data into one verdict.

    Statistical parts: Bonferroni, :math:`p = \min(1, m \min_i p_i)` for :math:`m` parts
    (valid under any dependence; Bonferroni 1936, *Pubbl. R. Ist. Sup. Sci. Econ. Comm.
    Firenze* 8, 3).  Deterministic parts: every part must pass.  Mixed kinds are not
    allowed (a check is either statistical or deterministic).

    Parameters
    ----------
    comparisons : Mapping of str to Comparison
        The parts, by name; all of one kind.
    alpha : float
        Significance level of the joint verdict, in (0, 1).

    Returns
    -------
    Comparison
        The joint verdict with the worst part's rule and statistic; ``details["parts"]``
        holds every part.

    Raises
    ------
    ValueError
        If ``comparisons`` is empty, mixes kinds, or ``alpha`` is not in (0, 1).
    """
    if not comparisons:
        raise ValueError("nothing to combine")
    alpha = _check_alpha(alpha)
    kinds = {c.kind for c in comparisons.values()}
    if len(kinds) != 1:
        raise ValueError(f"cannot combine statistical and deterministic comparisons ({sorted(kinds)})")
    parts = {k: {"statistic": c.statistic, "p_value": c.p_value, "passed": c.passed, "rule": c.rule,
                 "details": dict(c.details)}
             for k, c in comparisons.items()}
    rule = next(iter(comparisons.values())).rule
    if kinds == {"deterministic"}:
        worst = max(comparisons, key=lambda k: comparisons[k].statistic)
        c = comparisons[worst]
        return Comparison(rule, c.statistic, None, alpha, all(x.passed for x in comparisons.values()),
                          {"worst": worst, "parts": parts, **_lift(c)}, kind="deterministic", tolerance=c.tolerance)
    m = len(comparisons)
    worst = min(comparisons, key=lambda k: comparisons[k].p_value)  # type: ignore[arg-type,return-value]
    p = min(1.0, m * float(comparisons[worst].p_value))  # type: ignore[arg-type]
    return Comparison(rule, comparisons[worst].statistic, p, alpha, p > alpha,
                      {"worst": worst, "parts": parts, **_lift(comparisons[worst])})


def _lift(c: Comparison) -> dict[str, Any]:
    """The worst part's compared arrays, shown as the check's components."""
    keys = ("components", "worst_component")
    return {k: c.details[k] for k in keys if k in c.details}


def suite_alpha(alpha_family: float, n_checks: int, alpha_check: float = DEFAULT_ALPHA) -> float:
    r"""Per-check level that keeps the family-wise error of ``n_checks`` checks at ``alpha_family``.

    Bonferroni: :math:`\min(\alpha_{\rm check}, \alpha_{\rm family} / m)` for :math:`m` checks.
    For the suite's pass/fail decision this equals Holm's procedure (whose first step is
    Bonferroni; Holm 1979, *Scand. J. Stat.* 6, 65).

    Parameters
    ----------
    alpha_family : float
        The family-wise error rate, in (0, 1).
    n_checks : int
        The number :math:`m` of statistical checks, at least 1.
    alpha_check : float, default DEFAULT_ALPHA
        The largest per-check level, in (0, 1).

    Returns
    -------
    float
        The per-check significance level.

    Raises
    ------
    ValueError
        If ``n_checks < 1`` or a level is not in (0, 1).
    """
    if n_checks < 1:
        raise ValueError("n_checks must be >= 1")
    return min(_check_alpha(alpha_check), _check_alpha(alpha_family) / n_checks)


# power-law fits and distribution tests live in their own modules; they are part of this module's API
from validation.distribution import compare_distribution  # noqa: E402
from validation.scaling import PowerLawFit, compare_scaling, fit_power_law  # noqa: E402
