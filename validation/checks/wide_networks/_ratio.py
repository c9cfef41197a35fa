r"""A calibrated test of a hypothesised moment ratio :math:`R_0 = (k-1)!!\,E S^m / (E S)^m`.

The delta method's :math:`z = (\hat R - R_0)/\widehat{\rm se}` is skewed when :math:`S` is
heavy-tailed (the sample mean of :math:`S^m` and its standard error are strongly correlated), so
its normal p-values are wrong in the tails.  The test here is instead

1. **Fieller-type** (Fieller 1954): under :math:`H_0` the contrast
   :math:`D = \bar A - r_0 \bar B^m` (:math:`A = S^m`, :math:`B = S`, :math:`r_0 = R_0/(k-1)!!`) has
   mean :math:`-r_0\binom m2 \mu^{m-2}\sigma_B^2/n + O(n^{-2})`, which is added back; its influence
   function is :math:`\psi = (A - EA) - c\,(B - EB)`, :math:`c = m r_0 \mu^{m-1}`, so
   :math:`t = D/\sqrt{\widehat{\rm Var}\,\psi/n}` is a studentised mean whose variance is evaluated
   under :math:`H_0` (no division by a noisy denominator);
2. **skewness-corrected** by Hall's monotone cubic transformation (Hall 1992, JRSS B 54:221):
   :math:`g(t) = t + a t^2 + a^2 t^3/3 + b`, :math:`a = \hat\gamma/(3\sqrt n)`,
   :math:`b = \hat\gamma/(6\sqrt n)`, with :math:`\hat\gamma` the sample skewness of :math:`\psi`;
   :math:`g(t)` is :math:`N(0,1)` up to :math:`O(1/n)` (it removes the :math:`n^{-1/2}` term
   :math:`\gamma(2x^2+1)\phi(x)/6` of the Edgeworth expansion of a studentised mean,
   Hall 1992, *The Bootstrap and Edgeworth Expansion*, sec. 2.6).

The sample moments come from the measurement (``Estimate.diagnostics["ratio_moments"]``); the
hypothesised ratio from the prediction, so one measurement is judged against the theory and every twin.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
from scipy import stats

from validation.stats import Comparison, combine

__all__ = ["ratio_test", "compare_ratios"]


def ratio_test(r0_full: float, mom: Mapping[str, float], alpha: float) -> Comparison:
    """Two-sided skewness-corrected Fieller-type test of ``(k-1)!! E S^m/(E S)^m = r0_full`` (module docstring)."""
    n, m = mom["n"], int(mom["m"])
    r0 = r0_full / mom["double_factorial"]
    mu = mom["mean_b"]
    c = m * r0 * mu ** (m - 1)
    var = mom["saa"] - 2 * c * mom["sab"] + c * c * mom["sbb"]
    mu3 = mom["saaa"] - 3 * c * mom["saab"] + 3 * c * c * mom["sabb"] - c ** 3 * mom["sbbb"]
    d = mom["mean_a"] - r0 * mu ** m + r0 * math.comb(m, 2) * mu ** (m - 2) * mom["sbb"] / n
    if var <= 0:
        z = 0.0 if d == 0 else math.inf
        gamma = 0.0
    else:
        t = d / math.sqrt(var / n)
        gamma = mu3 / var ** 1.5
        a, b = gamma / (3 * math.sqrt(n)), gamma / (6 * math.sqrt(n))
        z = t + a * t * t + a * a * t ** 3 / 3 + b
    p = float(min(1.0, 2 * stats.norm.sf(abs(z))))
    return Comparison("ratio-fieller-hall", abs(z), p, alpha, p > alpha,
                      {"skewness": gamma, "contrast": d, "samples": n})


def compare_ratios(predicted: Sequence[float], moments: Sequence[Mapping[str, float]], labels: Sequence[str],
                   alpha: float, measured: Sequence[float] | None = None,
                   stderr: Sequence[float] | None = None) -> Comparison:
    """One :func:`ratio_test` per component, joined by Bonferroni (:func:`validation.stats.combine`).

    ``measured`` and ``stderr`` (the estimated ratios and their delta-method standard errors),
    when given, are kept as the comparison's ``components`` so that the result can be drawn and
    re-analysed; they do not enter the test.
    """
    pred = np.atleast_1d(np.asarray(predicted, dtype=float))
    if pred.size != len(moments):
        raise ValueError(f"{pred.size} predicted ratios for {len(moments)} measured ones")
    parts = {lab: ratio_test(float(r), mom, alpha) for lab, r, mom in zip(labels, pred, moments)}
    out = combine(parts, alpha)
    if measured is not None:
        comps = {"prediction": pred, "measurement": np.asarray(measured, dtype=float), "budget": np.zeros_like(pred)}
        if stderr is not None:
            comps["stderr"] = np.asarray(stderr, dtype=float)
        out.details["components"] = comps
    return out

