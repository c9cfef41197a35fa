r"""The initialisation law of one parameter tensor, measured from many fresh draws.

For the entries of one layer's weight (or bias) over :math:`R` freshly initialised modules:

* **moments** with standard errors: the mean, the variance :math:`\hat\sigma^2` (about 0, the law being
  symmetric) and the excess kurtosis :math:`\hat k = \overline{w^4}/\hat\sigma^4 - 3`, standard errors from
  their influence functions (delta method; van der Vaart, *Asymptotic Statistics*, ch. 20);
* **the iid hypothesis**: entries of a row (and of a column) must be independent and identically
  distributed.  Under it the row sums :math:`r_i = \sum_j w_{ij}` have variance :math:`n\sigma^2` and the
  row sums of squares :math:`q_i = \sum_j w_{ij}^2` variance :math:`n\operatorname{Var}(w^2)`; the ratio of
  the measured variance to that prediction is 1 up to its standard error.  Orthogonal initialisation
  (rows orthonormal: :math:`q_i` constant, ratio 0), rows of different scales (ratio > 1) or
  correlated entries fail it.  The same for columns, and for a bias vector its total and total of
  squares; a test needs at least :data:`MIN_SUMS` sums (fewer give no usable standard error).  The p-value is the Bonferroni combination of the two-sided normal tails;
* **the law**: ``"zero"`` (all entries 0), ``"rademacher"`` (one absolute value), ``"uniform"`` (a
  Kolmogorov-Smirnov test against :math:`U(-a, a)`, :math:`a = \max|w|\,(1 + 1/N)`, the maximum being
  within :math:`O(a/N)` of the bound, p > :data:`LAW_ALPHA`), ``"gaussian"`` (KS against :math:`N(0,\hat\sigma^2)`,
  p > :data:`LAW_ALPHA`), else ``"measured"``: the empirical law of the entries themselves.

References: Kolmogorov (1933), Smirnov (1948); van der Vaart (1998), ch. 20; Saxe, McClelland & Ganguli,
arXiv:1312.6120 (orthogonal initialisation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from numerics.wide_networks._laws import ParamLaw, param_law

__all__ = ["ParamDescription", "describe_entries", "IID_ALPHA", "LAW_ALPHA"]

#: level below which the iid hypothesis is rejected (the description is then refused)
IID_ALPHA = 1e-6
#: level of the goodness-of-fit tests that name a law (gaussian, uniform); failing both gives "measured"
LAW_ALPHA = 1e-3
_MEASURED_KEEP = 2 ** 18
#: fewest sums (rows, columns, draws of a bias vector) a variance-ratio test is made with
MIN_SUMS = 200


@dataclass(frozen=True)
class ParamDescription:
    """The measured law of one parameter tensor (module docstring).

    Parameters
    ----------
    name
        ``"layer 2 weight"`` etc.
    law
        The identified :class:`~numerics.wide_networks.ParamLaw` (``None`` for ``"zero"``).
    law_name
        ``"zero"``, ``"rademacher"``, ``"uniform"``, ``"gaussian"`` or ``"measured"``.
    variance, variance_se
        :math:`E w^2` of the entries (exact for uniform and Rademacher, from the bound; else the sample value).
    kurtosis, kurtosis_se
        Measured excess kurtosis and its standard error (the law's own value is ``law.kurtosis``).
    mean, mean_se
        Measured mean and standard error.
    entries, modules
        Number of entries and of modules they came from.
    iid_p_value, iid_tests
        Bonferroni p-value of the iid tests and each test's ratio, standard error and z.
    law_p_values
        The goodness-of-fit p-values tried.
    """

    name: str
    law: ParamLaw | None
    law_name: str
    variance: float
    variance_se: float
    kurtosis: float
    kurtosis_se: float
    mean: float
    mean_se: float
    entries: int
    modules: int
    iid_p_value: float
    iid_tests: dict[str, dict[str, float]] = field(default_factory=dict)
    law_p_values: dict[str, float] = field(default_factory=dict)


def _ratio_test(sums: np.ndarray, predicted: float) -> dict[str, float]:
    """Measured variance of iid sums against its prediction: ratio, its standard error, z."""
    s = sums - sums.mean()
    var = float(np.mean(s * s))
    mu4 = float(np.mean(s ** 4))
    n = sums.size
    se_var = math.sqrt(max(mu4 - var * var, 0.0) / n)
    if predicted <= 0:
        return {"ratio": 1.0, "se": 0.0, "z": 0.0}
    ratio, se = var / predicted, max(se_var / predicted, 1e-300)
    return {"ratio": ratio, "se": se, "z": (ratio - 1.0) / se}


def _iid_tests(x: np.ndarray) -> dict[str, dict[str, float]]:
    """Row and column (or, for a bias, whole-vector) variance-ratio tests on x of shape (R, out, in) or (R, out)."""
    w2 = x * x
    s2 = float(np.mean(w2))
    var_w2 = float(np.var(w2))
    tests = {}
    axes = {"row": 2, "column": 1} if x.ndim == 3 else {"vector": 1}
    for name, ax in axes.items():
        n = x.shape[ax]
        if n < 2 or x.size // n < MIN_SUMS:  # a variance from few sums has no usable standard error
            continue
        tests[f"{name} sums"] = _ratio_test(x.sum(ax).ravel(), n * s2)
        tests[f"{name} sums of squares"] = _ratio_test(w2.sum(ax).ravel(), n * var_w2)
    return tests


def _moments(w: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """mean, se; second moment about 0, se; excess kurtosis (about 0), se (influence functions)."""
    n = w.size
    w2 = w * w
    m2, m4 = float(w2.mean()), float((w2 * w2).mean())
    mean, mean_se = float(w.mean()), float(w.std() / math.sqrt(n))
    var_se = float(w2.std() / math.sqrt(n))
    if m2 <= 0:
        return mean, mean_se, 0.0, 0.0, 0.0, 0.0
    k = m4 / m2 ** 2 - 3.0
    infl = (w2 * w2 - m4) / m2 ** 2 - 2 * m4 * (w2 - m2) / m2 ** 3
    return mean, mean_se, m2, var_se, k, float(infl.std() / math.sqrt(n))


def describe_entries(x: np.ndarray, name: str) -> ParamDescription:
    """Measure the law of the entries ``x`` (shape ``(R, out, in)`` for a weight, ``(R, out)`` for a bias).

    Raises
    ------
    ValueError
        Non-zero constant entries, a mean incompatible with 0 (beyond 6 standard errors), or entries that
        fail the iid tests at :data:`IID_ALPHA` (the message names the tensor and the failed test).
    """
    w = x.astype(np.float64).ravel()
    R = x.shape[0]
    mean, mean_se, var, var_se, k, k_se = _moments(w)
    if np.all(w == 0):
        return ParamDescription(name, None, "zero", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, w.size, R, 1.0)
    if np.all(w == w[0]):
        raise ValueError(f"{name}: every entry equals {w[0]:g}: a constant non-zero initialisation is not a "
                         "zero-mean iid law (the 1/width theory needs zero-mean symmetric parameters)")
    if abs(mean) > 6 * mean_se:
        raise ValueError(f"{name}: mean {mean:.4g} +- {mean_se:.2g} is not zero ({abs(mean) / mean_se:.1f} standard "
                         "errors); the theory needs zero-mean symmetric parameters")
    tests = _iid_tests(x.astype(np.float64))
    zs = [abs(t["z"]) for t in tests.values()]
    p_iid = float(min(1.0, len(zs) * 2 * stats.norm.sf(max(zs)))) if zs else 1.0
    if p_iid < IID_ALPHA:
        worst = max(tests, key=lambda t: abs(tests[t]["z"]))
        t = tests[worst]
        raise ValueError(
            f"{name}: the entries are not iid (p = {p_iid:.2g}): the variance of the {worst} is {t['ratio']:.4g} "
            f"times its iid value (+- {t['se']:.2g}); e.g. orthogonal initialisation (orthonormal rows) or rows "
            "of different scales. The 1/width theory assumes iid entries; this initialisation is unsupported")
    absw = np.abs(w)
    law_p: dict[str, float] = {}
    if np.allclose(absw, absw[0], rtol=1e-6, atol=0):
        a = float(np.mean(absw))
        return ParamDescription(name, param_law("rademacher"), "rademacher", a * a, 0.0, k, k_se, mean, mean_se,
                                w.size, R, p_iid, tests, law_p)
    a = float(absw.max()) * (1.0 + 1.0 / w.size)
    law_p["uniform"] = float(stats.kstest(w, "uniform", args=(-a, 2 * a)).pvalue)
    if law_p["uniform"] > LAW_ALPHA:
        return ParamDescription(name, param_law("uniform"), "uniform", a * a / 3.0, 0.0, k, k_se, mean, mean_se,
                                w.size, R, p_iid, tests, law_p)
    law_p["gaussian"] = float(stats.kstest(w / math.sqrt(var), "norm").pvalue)
    if law_p["gaussian"] > LAW_ALPHA:
        return ParamDescription(name, param_law("gaussian"), "gaussian", var, var_se, k, k_se, mean, mean_se,
                                w.size, R, p_iid, tests, law_p)
    keep = w if w.size <= _MEASURED_KEEP else w[:_MEASURED_KEEP]
    law = param_law(("measured", keep), name)
    return ParamDescription(name, law, "measured", float(np.mean(keep * keep)), var_se, k, k_se, mean, mean_se,
                            w.size, R, p_iid, tests, law_p)


def summary(p: ParamDescription) -> dict[str, Any]:
    """A JSON-friendly summary of a description."""
    return {"law": p.law.label if p.law is not None else "zero", "variance": p.variance, "kurtosis": p.kurtosis,
            "kurtosis_se": p.kurtosis_se, "entries": p.entries, "iid_p_value": p.iid_p_value}
