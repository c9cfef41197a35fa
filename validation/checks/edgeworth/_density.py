"""Edgeworth checks: expansions of standardized sums against Monte Carlo and exact laws.

Theory: :mod:`theory.edgeworth` (Edgeworth / Cornish-Fisher / lattice terms) and
:func:`theory.cumulants.family_cumulants`.  Measurement: :mod:`numerics.sums`.

Regime.  The truncation budget of an order-``k`` expansion is the first omitted
term; the next omitted term is not budgeted, so each check runs where that
next term is below the Monte Carlo resolution (``n`` large enough for the
distribution's skewness).  ``Check.run(..., predict=...)`` with a perturbed
cumulant or exponent shows the checks can fail (tests/validation/test_edgeworth_checks.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping

import numpy as np
from scipy import stats

from numerics.estimate import Estimate
from numerics.edgeworth import empirical_cdf, empirical_quantiles, k_statistics, standardized_sums
from theory.cumulants import family_cumulants
from theory.edgeworth import Edgeworth
from validation.check import Check, CheckResult, Prediction, register_check
from validation.stats import Comparison, compare_distribution, compare_point, compare_scaling

__all__ = ["DISTRIBUTIONS", "Summand", "summand"]


@dataclass(frozen=True)
class Summand:
    """A summand law: how to sample it (numerics) and its exact cumulants (theory), from one definition."""

    name: str
    family: str
    params: dict[str, Any]
    sampler: Any  # scipy frozen distribution or callable(rng, shape)
    lattice: tuple[float, float] | None = None

    def cumulants(self, order: int) -> list[Any]:
        return family_cumulants(self.family, order, **self.params)

    def mean_var(self) -> tuple[float, float]:
        k = self.cumulants(2)
        return float(k[0]), float(k[1])


def _mixture_sampler(weights: tuple[float, ...], means: tuple[float, ...], variances: tuple[float, ...]) -> Callable[[np.random.Generator, Any], np.ndarray]:
    w = np.asarray(weights, dtype=float)
    mu = np.asarray(means, dtype=float)
    sd = np.sqrt(np.asarray(variances, dtype=float))

    def sample(rng: np.random.Generator, shape: Any) -> np.ndarray:
        comp = rng.choice(w.size, size=shape, p=w)
        return mu[comp] + sd[comp] * rng.standard_normal(shape)

    return sample


_MIX = dict(weights=(0.85, 0.15), means=(0.0, 3.0), variances=(1.0, 0.25))
_MIX_EXACT = dict(weights=(Fraction(17, 20), Fraction(3, 20)), means=(0, 3), variances=(1, Fraction(1, 4)))

DISTRIBUTIONS: dict[str, Summand] = {
    "exp": Summand("Exp(1)", "exponential", {"rate": 1}, stats.expon()),
    "uniform": Summand("Uniform(0,1)", "uniform", {"a": 0, "b": 1}, stats.uniform()),
    "gamma0.5": Summand("Gamma(1/2)", "gamma", {"shape": 0.5, "scale": 1}, stats.gamma(0.5)),
    "mixture": Summand("0.85 N(0,1) + 0.15 N(3, 0.5^2)", "normal_mixture", dict(_MIX_EXACT), _mixture_sampler(**_MIX)),
    "bernoulli0.3": Summand("Bernoulli(0.3)", "bernoulli", {"p": 0.3}, stats.bernoulli(0.3), lattice=(1.0, 0.0)),
    # P(X = 2) = 0.2, P(X = -1) = 0.8: skewed, lattice of span 3 and origin -1
    "two_point": Summand(
        "two-point {-1: 0.8, 2: 0.2}", "two_point", {"p": Fraction(1, 5), "a": -1, "b": 2},
        lambda rng, shape: np.where(rng.random(shape) < 0.2, 2.0, -1.0), lattice=(3.0, -1.0),
    ),
}


def summand(key: str) -> Summand:
    try:
        return DISTRIBUTIONS[key]
    except KeyError:
        raise ValueError(f"unknown distribution {key!r}; known: {sorted(DISTRIBUTIONS)}") from None


def _combine(comparisons: Mapping[str, Comparison], alpha: float) -> Comparison:
    """Bonferroni across several comparisons made on the same data (valid under any dependence)."""
    m = len(comparisons)
    pmin = min(c.p_value for c in comparisons.values())
    p = min(1.0, m * pmin)
    worst = min(comparisons, key=lambda k: comparisons[k].p_value)
    rule = next(iter(comparisons.values())).rule
    return Comparison(
        rule,
        comparisons[worst].statistic,
        p,
        alpha,
        p > alpha,
        {"worst": worst, "parts": {k: {"statistic": c.statistic, "p_value": c.p_value} for k, c in comparisons.items()}},
    )


# --------------------------------------------------------------------------- density / CDF vs Monte Carlo
def _sums(p: Mapping[str, Any], seed: int) -> Estimate:
    s = summand(p["dist"])
    mean, var = s.mean_var()
    t0 = time.perf_counter()
    ss = np.random.SeedSequence(seed)
    samples = {}
    for n, child in zip(p["ns"], ss.spawn(len(p["ns"]))):
        samples[n] = standardized_sums(s.sampler, n, p["samples"], mean=mean, var=var, seed=int(child.generate_state(1)[0]))
    n_last = p["ns"][-1]
    ecdf = empirical_cdf(samples[n_last], np.array([-1.0, 0.0, 1.0]))
    return Estimate(
        ecdf.value, ecdf.stderr, p["samples"], seed, time.perf_counter() - t0, "analytic",
        {"samples": samples, "what": f"empirical CDF of S_n at x = -1, 0, 1 (n = {n_last})"},
    )


def _edgeworth_predict(p: Mapping[str, Any], *, scale_l3: float = 1.0) -> Prediction:
    s = summand(p["dist"])
    orders = list(p["orders"])
    k = [float(v) for v in s.cumulants(max(orders) + 5)]
    if scale_l3 != 1.0:
        k[2] *= scale_l3
    E = Edgeworth(k, lattice=s.lattice if p.get("lattice", True) else None)
    parts = {}
    for n in p["ns"]:
        for o in orders:
            parts[(n, o)] = (
                (lambda x, n=n, o=o: E.cdf(x, n, o)),
                (lambda x, n=n, o=o: E.cdf_truncation(x, n, o)),
            )
    n_last = p["ns"][-1]
    o_last = orders[-1]
    return Prediction(
        parts,
        truncation=0.0,
        summary=E.cdf(np.array([-1.0, 0.0, 1.0]), n_last, o_last).tolist(),
        extra={"expansion": E},
    )


def _density_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    samples = est.diagnostics["samples"]
    parts = {
        f"n={n},order={o}": compare_distribution(cdf, samples[n], truncation=trunc, alpha=alpha, method=p.get("method", "chi2"))
        for (n, o), (cdf, trunc) in pred.value.items()
    }
    return _combine(parts, alpha)


def _density_plot(result: CheckResult, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    E: Edgeworth = result.raw["prediction"].extra["expansion"]
    samples = result.raw["estimate"].diagnostics["samples"]
    ns = list(samples)
    fig, axes = plt.subplots(2, len(ns), figsize=(5 * len(ns), 6), squeeze=False, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    for col, n in enumerate(ns):
        ax, ax2 = axes[0][col], axes[1][col]
        x = samples[n]
        edges = np.linspace(-3.5, 4.5, 81)
        cnt, _ = np.histogram(x, edges)
        w = np.diff(edges)
        mid = 0.5 * (edges[1:] + edges[:-1])
        dens = cnt / (x.size * w)
        err = np.sqrt(np.maximum(cnt, 1)) / (x.size * w)
        ax.errorbar(mid, dens, yerr=err, fmt=".", color="k", ms=3, label="Monte Carlo ± 1σ")
        xx = np.linspace(-3.5, 4.5, 400)
        ax2.fill_between(mid, -err, err, color="0.8", label="± 1σ (Monte Carlo)")
        for o in result.params["orders"]:
            ax.plot(xx, E.pdf(xx, n, o, warn=False), lw=1, label=f"order {o}")
            # bin-averaged prediction, so the residual has no binning bias
            pred_bin = np.diff(E.cdf(edges, n, o)) / w
            ax2.plot(mid, dens - pred_bin, lw=1, label=f"order {o}")
        ax.set_title(f"n = {n}", fontsize=9)
        ax.legend(fontsize=7)
        ax2.axhline(0, color="k", lw=0.5)
        ax2.set_ylabel("measured − predicted")
        ax2.set_xlabel("standardized sum")
    fig.suptitle(f"{result.name}: {result.verdict} (p = {result.p_value:.3g})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


for _key, _ns in (("exp", (10, 40)), ("uniform", (6, 24)), ("gamma0.5", (40, 160)), ("mixture", (10, 40))):
    register_check(
        Check(
            f"edgeworth.density.{_key}",
            "edgeworth",
            f"density/CDF of standardized sums of {DISTRIBUTIONS[_key].name} vs Monte Carlo, orders 0-4 (binned chi-square)",
            _edgeworth_predict,
            _sums,
            _density_compare,
            quick={"dist": _key, "ns": list(_ns), "orders": [0, 1, 2, 3, 4], "samples": 200_000},
            full={"ns": [_ns[0], 2 * _ns[0], _ns[1], 4 * _ns[1]], "samples": 2_000_000},
            plot=_density_plot,
        )
    )


# --------------------------------------------------------------------------- error scaling vs exact Gamma law
def _gamma_exact_errors(p: Mapping[str, Any], seed: int) -> Estimate:
    """sup_x |f_k(x) - f_exact(x)| on a grid, for each n: the standardized Gamma(n a) density is exact."""
    a = float(p["shape"])
    t0 = time.perf_counter()
    ns = np.asarray(p["ns"], dtype=float)
    x = np.linspace(-3.0, 3.0, 601)
    k = [a * math.factorial(r - 1) for r in range(1, p["order"] + 3)]
    E = Edgeworth(k)
    errs = []
    for n in ns:
        m, s = n * a, math.sqrt(n * a)
        exact = stats.gamma(n * a).pdf(m + s * x) * s
        errs.append(float(np.max(np.abs(E.pdf(x, n, p["order"], warn=False) - exact))))
    return Estimate(np.array(errs), np.zeros(ns.size), int(ns.size), seed, time.perf_counter() - t0, "exact", {"x": ns})


def _scaling_predict(p: Mapping[str, Any]) -> Prediction:
    # the first omitted term of an order-k expansion is O(n^-(k+1)/2)
    return Prediction(-(p["order"] + 1) / 2, summary=-(p["order"] + 1) / 2)


def _scaling_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    # the error itself has an expansion in n^-1/2: fit the next power as a nuisance term
    # (orders n^-1/2 and n^-1 relative to the leading one) as nuisance terms, so the slope is the asymptotic one
    return compare_scaling(pred.value, est.diagnostics["x"], est.value, None, corrections=(-0.5, -1.0), alpha=alpha)


for _order in range(0, 5):
    register_check(
        Check(
            f"edgeworth.error_scaling.order{_order}",
            "edgeworth",
            f"sup-error of the order-{_order} density vs the exact Gamma(1/2) sum law scales as n^-{(_order + 1) / 2:g} (fitted exponent)",
            _scaling_predict,
            _gamma_exact_errors,
            _scaling_compare,
            quick={"shape": 0.5, "order": _order, "ns": [int(v) for v in np.geomspace(64, 16384, 9).round()]},
            full={"ns": [int(v) for v in np.geomspace(64, 65536, 16).round()]},
        )
    )


# --------------------------------------------------------------------------- Cornish-Fisher quantiles
def _cf_predict(p: Mapping[str, Any]) -> Prediction:
    s = summand(p["dist"])
    k = [float(v) for v in s.cumulants(max(p["orders"]) + 5)]
    E = Edgeworth(k)
    q = np.asarray(p["q"], dtype=float)
    vals = {o: (E.ppf(q, p["n"], o), E.ppf_truncation(q, p["n"], o)) for o in p["orders"]}
    o_last = p["orders"][-1]
    return Prediction(vals, summary=vals[o_last][0].tolist())


def _cf_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    s = summand(p["dist"])
    mean, var = s.mean_var()
    t0 = time.perf_counter()
    x = standardized_sums(s.sampler, p["n"], p["samples"], mean=mean, var=var, seed=seed)
    e = empirical_quantiles(x, np.asarray(p["q"], dtype=float), seed=seed)
    return Estimate(e.value, e.stderr, e.samples, seed, time.perf_counter() - t0, e.method)


def _cf_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    parts = {
        f"order={o}": compare_point(v, est.value, est.stderr, truncation=t, alpha=alpha) for o, (v, t) in pred.value.items()
    }
    return _combine(parts, alpha)


for _key, _n in (("exp", 20), ("gamma0.5", 50)):
    register_check(
        Check(
            f"edgeworth.cornish_fisher.{_key}",
            "edgeworth",
            f"Cornish-Fisher quantiles (orders 1-3) of sums of {DISTRIBUTIONS[_key].name} vs empirical quantiles",
            _cf_predict,
            _cf_measure,
            _cf_compare,
            quick={"dist": _key, "n": _n, "orders": [1, 2, 3], "q": [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99], "samples": 400_000},
            full={"samples": 4_000_000},
        )
    )


# --------------------------------------------------------------------------- lattice: Bernoulli sums
def _lattice_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    s = summand(p["dist"])
    mean, var = s.mean_var()
    n = p["n"]
    t0 = time.perf_counter()
    x = standardized_sums(s.sampler, n, p["samples"], mean=mean, var=var, seed=seed)
    span, origin = s.lattice  # type: ignore[misc]
    ks = np.arange(0, n + 1)
    xk = (origin * n + span * ks - n * mean) / math.sqrt(n * var)
    xk = xk[np.abs(xk) < 3.0]
    # evaluate just above each lattice point: the right-continuous CDF, robust to rounding of x
    e = empirical_cdf(x, xk + 1e-9)
    return Estimate(e.value, e.stderr, e.samples, seed, time.perf_counter() - t0, "analytic", {"x": xk})


def _lattice_predict(p: Mapping[str, Any], *, lattice: bool = True) -> Prediction:
    s = summand(p["dist"])
    k = [float(v) for v in s.cumulants(p["order"] + 3)]
    n = p["n"]
    mean, var = s.mean_var()
    ks = np.arange(0, n + 1)
    xk = (s.lattice[1] * n + s.lattice[0] * ks - n * mean) / math.sqrt(n * var)  # type: ignore[index]
    xk = xk[np.abs(xk) < 3.0]
    E = Edgeworth(k, lattice=s.lattice if lattice else None)
    return Prediction(E.cdf(xk, n, p["order"]), truncation=E.cdf_truncation(xk, n, p["order"]), summary=f"CDF at {xk.size} lattice points")


def _lattice_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


for _name, _key, _n in (("bernoulli", "bernoulli0.3", 60), ("two_point", "two_point", 60)):
    register_check(
        Check(
            f"edgeworth.lattice.{_name}",
            "edgeworth",
            f"CDF of sums of {DISTRIBUTIONS[_key].name} at lattice points: Esseen-corrected expansion vs Monte Carlo "
            "(the plain expansion must fail)",
            _lattice_predict,
            _lattice_measure,
            _lattice_compare,
            quick={"dist": _key, "n": _n, "order": 1, "samples": 400_000},
            full={"n": 4 * _n, "order": 2, "samples": 4_000_000},
        )
    )


def plain_lattice_predict(p: Mapping[str, Any]) -> Prediction:
    """The continuous expansion without Esseen's terms (the prediction the lattice check must reject)."""
    return _lattice_predict(p, lattice=False)


# --------------------------------------------------------------------------- k-statistics
def _kstat_predict(p: Mapping[str, Any]) -> Prediction:
    k = [float(v) for v in summand(p["dist"]).cumulants(p["order"])]
    return Prediction(np.array(k), summary=[round(v, 6) for v in k])


def _kstat_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    s = summand(p["dist"])
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    x = s.sampler.rvs(size=p["samples"], random_state=rng) if hasattr(s.sampler, "rvs") else s.sampler(rng, (p["samples"],))
    e = k_statistics(x, order=p["order"])
    return Estimate(e.value, e.stderr, e.samples, seed, time.perf_counter() - t0, e.method)


def _kstat_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, alpha=alpha)


for _key in ("exp", "uniform", "gamma0.5", "mixture"):
    register_check(
        Check(
            f"edgeworth.kstatistics.{_key}",
            "edgeworth",
            f"k-statistics k1..k4 of {DISTRIBUTIONS[_key].name} samples vs the exact cumulants",
            _kstat_predict,
            _kstat_measure,
            _kstat_compare,
            quick={"dist": _key, "order": 4, "samples": 200_000},
            full={"samples": 5_000_000},
        )
    )
