r"""Cornish-Fisher checks: quantiles of standardized sums against empirical quantiles of Monte Carlo sums.

``edgeworth.cornish_fisher.<dist>`` sums ``n`` draws ``samples`` times and estimates the
quantiles at the levels ``q`` (order-statistic spacings for the standard errors,
``numerics.edgeworth.empirical_quantiles``); each order's Cornish-Fisher quantiles are compared
with a point test allowing the truncation budget (twice the first three omitted terms,
:meth:`theory.edgeworth.Edgeworth.ppf_budget`), and the orders are joined by Bonferroni.

Budget regime: verified against the exact Gamma quantiles for ``n >= 5`` and levels in
[0.005, 0.995] (``tests/theory/test_edgeworth_budgets.py``); ``predict`` refuses others.

Power (quick set): :math:`\kappa_3` 10% too large (the first Cornish-Fisher term
:math:`\lambda_3 (z^2-1)/(6\sqrt n)` moves by 10%, most visibly in the tails) is rejected
at far below 1e-4.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping

import numpy as np

from numerics.edgeworth import empirical_quantiles, standardized_sums
from numerics.estimate import Estimate
from validation.check import Check, CheckResult, Display, Prediction, Twin
from validation.checks.edgeworth._common import expansion, pyplot, register, save, sigma_band, title
from validation.params import Param
from validation.stats import Comparison, combine, compare_point
from validation.systems import summand

__all__: list[str] = []

MIN_N = 5
Q_RANGE = (0.005, 0.995)

SCHEMA = {
    "n": Param("int", "number of summands", minimum=MIN_N),
    "orders": Param("ints", "Cornish-Fisher orders compared (correction terms kept)", minimum=0, maximum=4),
    "q": Param("floats", "probability levels of the quantiles", minimum=Q_RANGE[0], maximum=Q_RANGE[1]),
    "samples": Param("int", "Monte Carlo sums", minimum=1000),
}


def _predictor(key: str, scale: Mapping[int, float] | None = None) -> Callable[[Mapping[str, Any]], Prediction]:
    def predict(p: Mapping[str, Any]) -> Prediction:
        E = expansion(summand(key), max(p["orders"]), scale=scale)
        q = np.asarray(p["q"], dtype=float)
        vals = {o: (E.ppf(q, p["n"], o, warn=False), E.ppf_budget(q, p["n"], o)) for o in p["orders"]}
        o_last = p["orders"][-1]
        return Prediction(vals, summary={f"order {o_last} quantiles": vals[o_last][0].tolist()})

    return predict


def _measurer(key: str) -> Callable[[Mapping[str, Any], int], Estimate]:
    def measure(p: Mapping[str, Any], seed: int) -> Estimate:
        law = summand(key).law()
        t0 = time.perf_counter()
        x = standardized_sums(law.sample, p["n"], p["samples"], mean=law.mean, var=law.var, seed=seed)
        q = np.asarray(p["q"], dtype=float)
        e = empirical_quantiles(x, q, seed=seed)
        return Estimate(e.value, e.stderr, e.samples, seed, time.perf_counter() - t0, e.method, {"axis": q})

    return measure


def _compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    parts = {f"order={o}": compare_point(v, est.value, est.stderr, truncation=b, alpha=alpha)
             for o, (v, b) in pred.value.items()}
    return combine(parts, alpha)


def _plot(result: CheckResult, path: str) -> None:
    """Quantiles against the probability level per order; residuals with the ± 1σ band and each order's budget."""
    plt = pyplot()
    pred, est = result.raw["prediction"], result.raw["estimate"]
    q = np.asarray(est.diagnostics["axis"])
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    ax.errorbar(q, est.value, yerr=est.stderr, fmt="o", color="k", ms=3, label="empirical quantile ± 1σ")
    sigma_band(ax2, q, np.asarray(est.stderr))
    for i, (o, (val, budget)) in enumerate(pred.value.items()):
        ax.plot(q, val, "-", color=f"C{i}", lw=1, label=f"Cornish-Fisher order {o}")
        ax2.plot(q, est.value - val, "o-", color=f"C{i}", ms=3, lw=1, label=f"order {o}")
        ax2.plot(q, budget, ":", color=f"C{i}", lw=1)
        ax2.plot(q, -budget, ":", color=f"C{i}", lw=1)
    ax.set_ylabel("quantile of S_n (dimensionless)")
    ax.legend(fontsize=7)
    ax2.set_ylabel("measured − predicted (dotted: ± budget)")
    ax2.set_xlabel("probability level q")
    ax2.legend(fontsize=7)
    fig.suptitle(title(result), fontsize=9)
    save(fig, path)


_LEVELS = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]

for _key, _n, _samples in (("exp", 20, 200_000), ("gamma0.5", 20, 200_000)):
    register(Check(
        f"edgeworth.cornish_fisher.{_key}", "edgeworth",
        f"Cornish-Fisher quantiles (orders 1-3) of sums of {summand(_key).label} vs empirical quantiles",
        _predictor(_key), _measurer(_key), _compare,
        quick={"n": _n, "orders": [1, 2, 3], "q": _LEVELS, "samples": _samples},
        full={"samples": 4_000_000, "q": [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995]},
        schema=SCHEMA,
        twins=(Twin("kappa3_x1.1", "the cumulant kappa_3 multiplied by 1.1 (10% too large)", _predictor(_key, {3: 1.1})),),
        display=Display("quantile of the standardized sum S_n", kind="curve", unit="dimensionless",
                        axis="probability level q", series=("order 1", "order 2", "order 3")),
        plot=_plot,
    ))
