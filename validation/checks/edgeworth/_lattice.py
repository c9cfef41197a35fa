r"""Lattice checks: the distribution function of sums of lattice variables at the lattice points.

``edgeworth.lattice.<dist>`` sums ``n`` draws of a lattice law (Bernoulli, two-point),
``samples`` times, and estimates :math:`P(S_n \le x_k)` at the lattice points :math:`x_k`
within ``limit`` standard deviations of the mean (the points are defined once, by the
system: :meth:`validation.systems.Summand.lattice_points`).  The prediction is the expansion
with the lattice terms of Esseen (1945) and Bhattacharya & Rao (1976, Thm. 23.1) to
``order``, with its budget (twice the lattice terms of the three omitted total orders),
compared pointwise (Bonferroni over the points).

Budget regime: verified against the exact binomial laws for ``n >= 20`` and orders 0-3
(``tests/theory/test_edgeworth_budgets.py``); ``predict`` refuses others.

Power: the continuous expansion without the lattice terms (off by Esseen's
:math:`\eta(\lfloor y\rfloor - y + 1/2)\phi(x)`, half a jump, :math:`O(n^{-1/2})`) is rejected
with z-scores above 10 at the quick set.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping

import numpy as np

from numerics.edgeworth import empirical_cdf, standardized_sums
from numerics.estimate import Estimate
from validation.check import Check, CheckResult, Display, Prediction, Twin
from validation.checks.edgeworth._common import expansion, pyplot, register, save, sigma_band, title
from validation.params import Param
from validation.stats import Comparison, compare_point
from validation.systems import summand

__all__: list[str] = []

MIN_N = 20

SCHEMA = {
    "n": Param("int", "number of summands", minimum=MIN_N),
    "order": Param("int", "expansion order (lattice and continuous terms of total order <= order)", minimum=0, maximum=3),
    "limit": Param("float", "compare at lattice points within limit standard deviations of the mean", minimum=0.5,
                   maximum=4.0),
    "samples": Param("int", "Monte Carlo sums", minimum=1000),
}


def _predictor(key: str, lattice: bool = True) -> Callable[[Mapping[str, Any]], Prediction]:
    def predict(p: Mapping[str, Any]) -> Prediction:
        s = summand(key)
        n, o = p["n"], p["order"]
        E = expansion(s, o, lattice=lattice)
        k1, k2 = (float(c) for c in E.cumulants[:2])
        x = s.lattice_points(n, p["limit"], k1, k2)
        return Prediction(E.cdf(x, n, o, warn=False), truncation=E.cdf_budget(x, n, o),
                          summary=f"CDF at {x.size} lattice points", extra={"x": x})

    return predict


def _measurer(key: str) -> Callable[[Mapping[str, Any], int], Estimate]:
    def measure(p: Mapping[str, Any], seed: int) -> Estimate:
        s = summand(key)
        law = s.law()
        t0 = time.perf_counter()
        x = standardized_sums(law.sample, p["n"], p["samples"], mean=law.mean, var=law.var, seed=seed)
        xk = s.lattice_points(p["n"], p["limit"], law.mean, law.var)
        # just above each lattice point: the right-continuous CDF, robust to the rounding of standardization
        e = empirical_cdf(x, xk + 1e-9 * np.maximum(1.0, np.abs(xk)))
        return Estimate(e.value, e.stderr, e.samples, seed, time.perf_counter() - t0, "binomial", {"axis": xk})

    return measure


def _compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


def _plot(result: CheckResult, path: str) -> None:
    """CDF against the lattice points; residuals with the ± 1σ band and the ± budget."""
    plt = pyplot()
    pred, est = result.raw["prediction"], result.raw["estimate"]
    x = np.asarray(est.diagnostics["axis"])
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    xx = np.linspace(x.min(), x.max(), 2000)
    ax.errorbar(x, est.value, yerr=est.stderr, fmt="o", color="k", ms=3, label="Monte Carlo P(S_n ≤ x_k) ± 1σ")
    ax.plot(x, pred.value, "s", color="C0", ms=3, mfc="none", label="prediction at the lattice points")
    ax.plot(xx, _smooth(result, xx), "-", color="C1", lw=0.8, label="continuous expansion (no lattice terms)")
    ax.set_ylabel("P(S_n ≤ x) (dimensionless)")
    ax.legend(fontsize=7)
    sigma_band(ax2, x, np.asarray(est.stderr))
    ax2.plot(x, est.value - pred.value, "o", color="C0", ms=3, label="measured − predicted")
    budget = np.asarray(pred.truncation)
    ax2.plot(x, budget, ":", color="C0", lw=1, label="± truncation budget")
    ax2.plot(x, -budget, ":", color="C0", lw=1)
    ax2.set_ylabel("measured − predicted")
    ax2.set_xlabel("lattice point x_k = (n a + h k − nμ)/√(nσ²) (dimensionless)")
    ax2.legend(fontsize=7)
    fig.suptitle(title(result), fontsize=9)
    save(fig, path)


def _smooth(result: CheckResult, x: np.ndarray) -> np.ndarray:
    key = result.name.rsplit(".", 1)[1]
    E = expansion(summand(_KEYS[key]), result.params["order"])
    return E.cdf(x, result.params["n"], result.params["order"], warn=False)


_KEYS = {"bernoulli": "bernoulli0.3", "two_point": "two_point"}

for _name, _key in _KEYS.items():
    register(Check(
        f"edgeworth.lattice.{_name}", "edgeworth",
        f"CDF of sums of {summand(_key).label} at the lattice points: the expansion with Esseen's lattice terms vs Monte Carlo",
        _predictor(_key), _measurer(_key), _compare,
        quick={"n": 60, "order": 1, "limit": 3.0, "samples": 400_000},
        full={"n": 240, "order": 2, "samples": 4_000_000},
        schema=SCHEMA,
        twins=(Twin("no_lattice_terms", "Esseen's lattice terms omitted (the continuous expansion: off by up to half "
                    "a jump, O(n^-1/2))", _predictor(_key, lattice=False)),),
        display=Display("P(S_n <= x) at the lattice points", kind="curve", unit="dimensionless",
                        axis="lattice point x_k"),
        plot=_plot,
    ))
