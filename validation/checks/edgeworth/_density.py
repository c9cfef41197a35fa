r"""Density checks: the Edgeworth distribution of standardized sums against Monte Carlo sums.

``edgeworth.density.<dist>`` sums ``n`` draws of a summand law (:data:`validation.systems.SUMMANDS`)
``samples`` times, counts the standardized sums on a fine grid, and compares the expansions of
every listed order with a binned chi-square (``bins`` bins of equal predicted probability),
allowing each bin the truncation budget of its probability
(:mod:`validation.checks.edgeworth._binned`); the orders and ``n`` are joined by Bonferroni.

Budget regime.  The budgets (twice the first three omitted non-vanishing terms,
:mod:`theory.edgeworth`) are verified against the exact laws of these sums
(``tests/theory/test_edgeworth_budgets.py``) for: Exp(1) ``n >= 6``; Gamma(1/2) and
Uniform(0,1) ``n >= 10``; the normal mixture ``n >= 10`` up to order 3 and ``n >= 20`` at
order 4.  ``predict`` refuses other ``(n, order)`` pairs.

Power (quick set; twin p-values at the suite's seeds are far below 1e-4):

* ``exp``: :math:`\kappa_3` 10% too large is rejected (it moves the order-1 term by
  :math:`0.1\lambda_3 He_2\phi/(6\sqrt n)`; the orders 3-4, whose budgets are smallest, reject it);
* ``gamma0.5``: :math:`\kappa_3` 10% too large;
* ``mixture``: :math:`\kappa_3` 20% too large (its skewness is small, :math:`\lambda_3 = 0.53`);
* ``uniform``: :math:`\kappa_4` 50% too large (a symmetric law: the leading correction is the
  :math:`n^{-1}` kurtosis term), with 3 million sums at ``n = 10`` and 120 bins.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping

import numpy as np

from numerics.edgeworth import standardized_sum_counts
from numerics.estimate import Estimate
from validation.check import Check, CheckResult, Display, Prediction, Twin
from validation.checks.edgeworth._binned import compare_binned
from validation.checks.edgeworth._common import expansion, pyplot, register, save, sigma_band, title
from validation.params import Param
from validation.stats import Comparison, combine
from validation.systems import summand

__all__: list[str] = []

#: fine grid on which the sums are counted (bins are merged from it by the predicted CDF)
GRID = np.linspace(-8.0, 8.0, 3201)

#: smallest n at which the budget of each order is verified against the exact law, per summand
VERIFIED_N: dict[str, tuple[int, ...]] = {  # index = order 0..4
    "exp": (6, 6, 6, 6, 6),
    "gamma0.5": (10, 10, 10, 10, 10),
    "uniform": (10, 10, 10, 10, 10),
    "mixture": (10, 10, 10, 10, 20),
}

SCHEMA = {
    "ns": Param("ints", "numbers of summands n", minimum=1),
    "orders": Param("ints", "expansion orders compared (correction terms kept, 0 = Gaussian)", minimum=0, maximum=4),
    "samples": Param("int", "Monte Carlo sums per n", minimum=1000),
    "bins": Param("int", "chi-square bins of equal predicted probability (the budgets are verified for <= 150)",
                  minimum=4, maximum=150),
}


def _regime(key: str, p: Mapping[str, Any]) -> None:
    for n in p["ns"]:
        for o in p["orders"]:
            if n < VERIFIED_N[key][o]:
                raise ValueError(
                    f"edgeworth.density.{key}: the truncation budget of order {o} is verified for n >= "
                    f"{VERIFIED_N[key][o]} only (got n = {n})"
                )


def _predictor(key: str, scale: Mapping[int, float] | None = None) -> Callable[[Mapping[str, Any]], Prediction]:
    def predict(p: Mapping[str, Any]) -> Prediction:
        _regime(key, p)
        E = expansion(summand(key), max(p["orders"]), scale=scale)
        parts = {}
        for n in p["ns"]:
            for o in p["orders"]:
                parts[(n, o)] = (
                    (lambda x, n=n, o=o: E.cdf(x, n, o, warn=False)),
                    (lambda x, n=n, o=o: E.cdf_budget(x, n, o)),
                    (lambda x, n=n, o=o: E.pdf_budget(x, n, o)),
                    (lambda x, n=n, o=o: E.pdf(x, n, o, warn=False)),
                )
        n0, o0 = p["ns"][0], p["orders"][-1]
        summary = {f"CDF at x = -1, 0, 1 (n = {n0}, order {o0})": E.cdf(np.array([-1.0, 0.0, 1.0]), n0, o0, warn=False).tolist()}
        return Prediction(parts, truncation=0.0, summary=summary)

    return predict


def _measurer(key: str) -> Callable[[Mapping[str, Any], int], Estimate]:
    def measure(p: Mapping[str, Any], seed: int) -> Estimate:
        law = summand(key).law()
        t0 = time.perf_counter()
        children = np.random.SeedSequence(seed).spawn(len(p["ns"]))
        counts = np.array([
            standardized_sum_counts(law.sample, n, p["samples"], GRID, mean=law.mean, var=law.var, seed=child)
            for n, child in zip(p["ns"], children)
        ])
        se = np.sqrt(counts * (1.0 - counts / p["samples"]))  # binomial standard error of each count
        return Estimate(counts, se, p["samples"], seed, time.perf_counter() - t0, "binomial",
                        {"axis": GRID, "ns": tuple(p["ns"]), "what": "counts of standardized sums on a fine grid"})

    return measure


def _compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    counts = dict(zip(est.diagnostics["ns"], est.value))
    parts = {
        f"n={n},order={o}": compare_binned(cdf, cb, pb, GRID, counts[n], p["bins"], alpha)
        for (n, o), (cdf, cb, pb, _) in pred.value.items()
    }
    return combine(parts, alpha)


def _plot(result: CheckResult, path: str) -> None:
    """Two panels per n: histogram density ± 1σ with the expansions; residuals against the ± 1σ band."""
    plt = pyplot()
    pred, est = result.raw["prediction"], result.raw["estimate"]
    ns = list(est.diagnostics["ns"])
    fig, axes = plt.subplots(2, len(ns), figsize=(5.5 * len(ns), 6.5), squeeze=False, sharex="col",
                             gridspec_kw={"height_ratios": [3, 2]})
    step = 20  # merge 20 fine cells (width 0.1) per plotted bin
    for col, n in enumerate(ns):
        ax, ax2 = axes[0][col], axes[1][col]
        counts = est.value[col][1:-1].reshape(-1, step).sum(axis=1) if (GRID.size - 1) % step == 0 else est.value[col][1:-1]
        edges = GRID[::step]
        w, mid, N = np.diff(edges), 0.5 * (edges[1:] + edges[:-1]), est.value[col].sum()
        keep = counts > 0
        dens, err = counts / (N * w), np.sqrt(np.maximum(counts, 1.0)) / (N * w)
        ax.errorbar(mid[keep], dens[keep], yerr=err[keep], fmt=".", color="k", ms=2, label="Monte Carlo ± 1σ")
        xx = np.linspace(mid[keep].min(), mid[keep].max(), 400)
        sigma_band(ax2, mid[keep], err[keep])
        for o in result.params["orders"]:
            cdf, _, _, pdf = pred.value[(n, o)]
            ax.plot(xx, pdf(xx), lw=1, label=f"order {o}")
            ax2.plot(mid[keep], (dens - np.diff(cdf(edges)) / w)[keep], lw=1, label=f"order {o}")
        ax.set_title(f"n = {n}", fontsize=9)
        ax.set_ylabel("density of S_n (dimensionless)")
        ax.legend(fontsize=7)
        ax2.set_ylabel("measured − predicted bin average")
        ax2.set_xlabel("standardized sum x = (ΣX − nμ)/√(nσ²) (dimensionless)")
        ax2.set_xlim(mid[keep].min(), mid[keep].max())
    fig.suptitle(title(result), fontsize=9)
    save(fig, path)


_DENSITY = {  # key: (quick ns, quick samples, quick bins, orders, full ns, full samples, twin cumulant, factor)
    "exp": ((10, 40), 100_000, 120, (0, 1, 2, 3, 4), (10, 20, 40, 160), 2_000_000, 3, 1.1),
    "gamma0.5": ((20, 40), 100_000, 120, (0, 1, 2, 3, 4), (20, 40, 80, 320), 1_000_000, 3, 1.1),
    "uniform": ((10,), 3_000_000, 120, (0, 2, 4), (10, 20, 40), 20_000_000, 4, 1.5),
    "mixture": ((10,), 1_500_000, 120, (0, 1, 2, 3), (10, 20, 40), 10_000_000, 3, 1.2),
}

for _key, (_ns, _samples, _bins, _orders, _full_ns, _full_samples, _r, _f) in _DENSITY.items():
    register(Check(
        f"edgeworth.density.{_key}", "edgeworth",
        f"distribution of standardized sums of {summand(_key).label} vs Monte Carlo, orders {list(_orders)} "
        "(binned chi-square with per-bin truncation budgets)",
        _predictor(_key), _measurer(_key), _compare,
        quick={"ns": list(_ns), "orders": list(_orders), "samples": _samples, "bins": _bins},
        full={"ns": list(_full_ns), "samples": _full_samples},
        schema=SCHEMA,
        twins=(Twin(f"kappa{_r}_x{_f:g}", f"the cumulant kappa_{_r} multiplied by {_f:g} ({round((_f - 1) * 100)}% too large)",
                    _predictor(_key, {_r: _f})),),
        display=Display("distribution of the standardized sum S_n", kind="distribution", unit="dimensionless",
                        axis="standardized sum x", series=tuple(f"order {o}" for o in _orders)),
        plot=_plot,
    ))
