r"""Error-scaling checks: the order-``k`` density's sup-error against the exact Gamma law falls like :math:`n^{-(k+1)/2}`.

``edgeworth.error_scaling.order<k>`` (deterministic).  The sum of ``n`` Gamma(a) summands is
Gamma(n a) exactly, so ``measure`` evaluates the exact standardized density on a grid of
:math:`x \in [-x_{max}, x_{max}]` for each ``n`` (``numerics.edgeworth.sum_law``, written without
cancellation); ``predict`` evaluates the order-``k`` expansion on the same grid and states the
exponent :math:`-(k+1)/2`; ``compare`` forms the sup-errors :math:`e(n)` (the grid maximum
refined by a parabola through its neighbours) and their asymptotic log-log slope.

Why deterministic, and the tolerance.  Nothing here is random: :math:`e(n)` has an expansion
:math:`\log e(n) = c + s \log n + \sum_{p = 1/2, 1, \dots} b_p n^{-p}` (the omitted terms of
the series are themselves a series in :math:`n^{-1/2}`), so a fitted slope's residual scatter
is the misfit of the nuisance model, not noise, and a p-value computed from it is meaningless.
Instead the slope is Richardson-extrapolated: level :math:`L` solves the model with the
first :math:`L` corrections exactly through the :math:`L + 2` largest ``n``, giving
:math:`s_L`; level 0 is the secant slope of the last two points.  The comparison uses
:math:`s_2` (corrections :math:`n^{-1/2}` and :math:`n^{-1}` removed) with tolerance

.. math::  \tau = 2 \max\Big(1, \frac{\rho}{1-\rho}\Big) |s_2 - s_1| + \tau_{\rm round},
           \qquad \rho = \frac{|s_2 - s_1|}{|s_1 - s_0|},

the last correction times a safety factor: if successive corrections shrink at least
geometrically with ratio :math:`\rho`, the error left after the last one is at most
:math:`\rho/(1-\rho)` times it, which is :math:`\le 1` for :math:`\rho \le 1/2`; the factor 2
covers an underestimated :math:`\rho`.  :math:`\rho \ge 1` means the extrapolation is not
converging (the ``n`` are outside the asymptotic regime) and the tolerance is infinite: the
check then cannot resolve anything and its twins pass, which the contract test reports.
:math:`\tau_{\rm round} = \sum_i |w_i| \delta_i` propagates the relative rounding error
:math:`\delta_i` of each :math:`e(n_i)` (32 ulps of the largest density, over :math:`e`)
through the extrapolation weights :math:`w_i`.

Power: with the quick set :math:`\tau \approx 10^{-4}` (order 0) to :math:`10^{-3}`, so a
predicted exponent off by more than that fails; the twins are off by :math:`\pm 1/4`.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any, Callable, Mapping

import numpy as np

from numerics.estimate import Estimate
from validation.check import Check, CheckResult, Display, Prediction, Twin
from validation.checks.edgeworth._common import expansion, pyplot, register, save, title
from validation.params import Param
from validation.stats import Comparison, compare_tolerance
from validation.systems import Summand

__all__: list[str] = []

LEVEL = 2  # corrections n^-1/2, n^-1 removed
SAFETY = 2.0
EPS = float(np.finfo(float).eps)

SCHEMA = {
    "shape": Param("float", "Gamma shape a of one summand (the sum of n is Gamma(n a))", minimum=0.0, open_min=True),
    "ns": Param("ints", "numbers of summands, increasing (at least 4)", minimum=1, min_length=4),
    "x_max": Param("float", "the sup is taken over x in [-x_max, x_max]", minimum=0.0, open_min=True),
    "points": Param("int", "grid points in [-x_max, x_max]", minimum=101),
}


def _gamma(p: Mapping[str, Any]) -> Summand:
    a = Fraction(p["shape"])  # exact binary value of the float
    return Summand("gamma", (("shape", a), ("scale", 1)), f"Gamma({p['shape']:g})")


def _grid(p: Mapping[str, Any]) -> np.ndarray:
    return np.linspace(-p["x_max"], p["x_max"], p["points"])


def _predictor(order: int, shift: float = 0.0) -> Callable[[Mapping[str, Any]], Prediction]:
    def predict(p: Mapping[str, Any]) -> Prediction:
        ns = list(p["ns"])
        if any(b <= a for a, b in zip(ns, ns[1:])):
            raise ValueError(f"ns must be increasing; got {ns}")
        E = expansion(_gamma(p), order)
        x = _grid(p)
        pdf = np.array([E.pdf(x, n, order, warn=False) for n in ns])
        exponent = -(order + 1) / 2 + shift
        return Prediction(exponent, summary=f"sup-error ~ n^{exponent:g}", extra={"pdf": pdf, "order": order})

    return predict


def _measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    s, x = _gamma(p), _grid(p)
    exact = np.array([s.sum_law(n).pdf(x) for n in p["ns"]])
    return Estimate(exact, 32 * EPS * exact, 1, seed, time.perf_counter() - t0, "exact",
                    {"axis": np.asarray(p["ns"], dtype=float), "x": x, "what": "exact standardized Gamma(n a) density"})


def _sup(d: np.ndarray) -> float:
    """Maximum of a sampled smooth function, refined by the parabola through the largest sample and its neighbours."""
    i = int(np.argmax(d))
    if 0 < i < d.size - 1:
        y0, y1, y2 = d[i - 1], d[i], d[i + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            return float(y1 - (y0 - y2) ** 2 / (8 * den))
    return float(d[i])


def extrapolated_slopes(ns: np.ndarray, errors: np.ndarray, levels: int) -> tuple[list[float], list[np.ndarray]]:
    r"""Slopes :math:`s_L` (``L = 0..levels``) of :math:`\log e = c + s \log n + \sum_{j\le L} b_j n^{-j/2}` through the last ``L + 2`` points, and their weights on :math:`\log e_i`."""
    slopes, weights = [], []
    for L in range(levels + 1):
        m = L + 2
        nn = ns[-m:]
        A = np.column_stack([np.ones(m), np.log(nn)] + [nn ** (-j / 2) for j in range(1, L + 1)])
        W = np.linalg.inv(A)[1]  # slope = W @ log(e)
        slopes.append(float(W @ np.log(errors[-m:])))
        weights.append(W)
    return slopes, weights


def _compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    ns = np.asarray(p["ns"], dtype=float)
    diff = np.abs(pred.extra["pdf"] - est.value)
    errors = np.array([_sup(d) for d in diff])
    if len(ns) < LEVEL + 2:
        raise ValueError(f"need at least {LEVEL + 2} values of n for the level-{LEVEL} extrapolation")
    slopes, weights = extrapolated_slopes(ns, errors, LEVEL)
    last, before = abs(slopes[LEVEL] - slopes[LEVEL - 1]), abs(slopes[LEVEL - 1] - slopes[LEVEL - 2])
    rho = last / before if before > 0 else 0.0
    scale = 32 * EPS * (np.max(np.abs(est.value), axis=1) + np.max(np.abs(pred.extra["pdf"]), axis=1))
    rounding = float(np.sum(np.abs(weights[LEVEL]) * (scale / errors)[-(LEVEL + 2):]))
    tol = SAFETY * max(1.0, rho / (1.0 - rho)) * last + rounding if rho < 1 else math.inf
    cmp = compare_tolerance(pred.value, slopes[LEVEL], tol, alpha=alpha,
                            source=f"Richardson level {LEVEL}: {SAFETY:g} x max(1, rho/(1-rho)) x |last correction| "
                                   f"(rho = {rho:.3g}) + propagated rounding {rounding:.2g}")
    details = {**cmp.details, "errors": errors.tolist(), "ns": ns.tolist(), "slopes": slopes, "rho": rho,
               "secant_slopes": (np.diff(np.log(errors)) / np.diff(np.log(ns))).tolist(), "predicted": float(pred.value),
               "order": pred.extra["order"]}
    return Comparison(cmp.rule, cmp.statistic, None, alpha, cmp.passed, details, kind=cmp.kind, tolerance=cmp.tolerance)


def _plot(result: CheckResult, path: str) -> None:
    """Sup-error against n on log-log axes with the predicted slope; secant and extrapolated slopes with the tolerance."""
    plt = pyplot()
    d = result.details
    ns, errors, pred = np.asarray(d["ns"]), np.asarray(d["errors"]), d["predicted"]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    ax.loglog(ns, errors, "o", color="C3", label="sup |expansion − exact|")
    ax.loglog(ns, errors[-1] * (ns / ns[-1]) ** pred, "--", color="C0", label=f"slope {pred:g} (predicted)")
    ax.set_xlabel("n (number of summands)")
    ax.set_ylabel(f"sup-norm error of the order-{d['order']} density (dimensionless)")
    ax.legend(fontsize=8)
    mid = np.sqrt(ns[1:] * ns[:-1])
    ax2.semilogx(mid, d["secant_slopes"], "o-", color="C3", ms=3, label="secant slope of log e vs log n")
    for L, s in enumerate(d["slopes"]):
        ax2.plot(ns[-1], s, "s", ms=5, label=f"extrapolated, level {L}: {s:.5f}")
    tol = result.tolerance if result.tolerance is not None and np.isfinite(result.tolerance) else 0.0
    ax2.axhspan(pred - tol, pred + tol, color="C0", alpha=0.2, label=f"predicted {pred:g} ± tolerance {tol:.2g}")
    ax2.axhline(pred, color="C0", lw=0.8)
    ax2.set_xlabel("n (number of summands)")
    ax2.set_ylabel("log-log slope (dimensionless)")
    ax2.legend(fontsize=7)
    fig.suptitle(title(result), fontsize=9)
    save(fig, path)


_NS_QUICK = [64 * 2**j for j in range(9)]  # 64 .. 16384
_NS_FULL = [64 * 2**j for j in range(11)]  # 64 .. 65536

for _order in range(0, 5):
    register(Check(
        f"edgeworth.error_scaling.order{_order}", "edgeworth",
        f"sup-error of the order-{_order} density vs the exact Gamma(n/2) law falls as n^-{(_order + 1) / 2:g} "
        "(Richardson-extrapolated exponent, deterministic)",
        _predictor(_order), _measure, _compare,
        quick={"shape": 0.5, "ns": _NS_QUICK, "x_max": 3.0, "points": 2001},
        full={"ns": _NS_FULL, "points": 4001},
        schema=SCHEMA,
        twins=(Twin("exponent_plus_0.25", "the predicted exponent 1/4 too large (error falling more slowly)", _predictor(_order, 0.25)),
               Twin("exponent_minus_0.25", "the predicted exponent 1/4 too small (error falling faster)", _predictor(_order, -0.25))),
        display=Display(f"sup-norm error of the order-{_order} density", kind="scaling", unit="dimensionless", axis="n",
                        xlog=True, ylog=True),
        deterministic=True,
        plot=_plot,
    ))
