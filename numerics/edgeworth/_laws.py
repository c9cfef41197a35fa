r"""Summand laws and the exact laws of their standardized sums (private; re-exported by numerics.edgeworth).

A family name and its parameters (the names :func:`theory.cumulants.family_cumulants`
uses) define one summand law :math:`X`: :func:`summand_law` gives its sampler, mean and
variance (scipy or closed forms), :func:`sum_law` the exact law of
:math:`S_n = (X_1 + \dots + X_n - n\mu)/\sqrt{n\sigma^2}` where the family is closed
under convolution or has a classical closed form:

* Gamma / exponential / chi-square: :math:`\sum X_i \sim \mathrm{Gamma}(n a, \theta)`;
  the density is evaluated in a form without cancellation (below), the distribution
  function by the regularized incomplete gamma function (DLMF 8.2.4);
* uniform: the Irwin-Hall law, whose density is the cardinal B-spline of order ``n``,
  evaluated by the positive Cox-de Boor recursion (de Boor 1978, *A Practical Guide to
  Splines*, ch. IX), and :math:`F_n(y) = \sum_{k \ge 0} M_{n+1}(y - k)` (a sum of positive terms);
* Bernoulli / binomial / two-point: binomial; Poisson: Poisson; normal: normal;
* normal mixture: a mixture of normals over the multinomial counts of the components.

The standardized Gamma density with shape :math:`m = n a` is
:math:`f(x) = \exp\{m[\log(1+t) - t] - \log(1+t) - \tfrac12\log 2\pi - R(m)\}`,
:math:`t = x/\sqrt m`, with Stirling's remainder :math:`R(m) = \log\Gamma(m) - (m-\tfrac12)\log m + m - \tfrac12\log 2\pi`
(DLMF 5.11.1) and :math:`\log(1+t) - t` summed as its alternating series for
:math:`|t| < 0.4`: relative error ~1e-16 at every shape, where ``scipy.stats.gamma.pdf``
loses ~1e-11 at shape 8192 to the cancellation in :math:`(m-1)\log y - y - \log\Gamma(m)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
from numerics import validate as v

__all__ = ["SummandLaw", "summand_law", "SUMMAND_FAMILIES", "SUM_LAW_FAMILIES"]

Sampler = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]

#: Families :func:`summand_law` knows (the names of ``theory.cumulants.FAMILIES``).
SUMMAND_FAMILIES = ("normal", "exponential", "gamma", "chi2", "poisson", "uniform", "bernoulli", "binomial",
                    "two_point", "laplace", "normal_mixture")
#: Families with an exact law of the standardized sum (:func:`sum_law`).
SUM_LAW_FAMILIES = tuple(f for f in SUMMAND_FAMILIES if f != "laplace")

_POSITIVE = {"normal": ("sigma2",), "exponential": ("rate",), "gamma": ("shape", "scale"), "chi2": ("df",),
             "poisson": ("lam",), "laplace": ("scale",)}
_DEFAULTS: dict[str, dict[str, Any]] = {
    "normal": {"mu": 0.0, "sigma2": 1.0}, "exponential": {"rate": 1.0}, "gamma": {"shape": 1.0, "scale": 1.0},
    "chi2": {"df": 1.0}, "poisson": {"lam": 1.0}, "uniform": {"a": 0.0, "b": 1.0}, "bernoulli": {"p": 0.5},
    "binomial": {"n": 1, "p": 0.5}, "two_point": {"p": 0.5, "a": 0.0, "b": 1.0}, "laplace": {"loc": 0.0, "scale": 1.0},
    "normal_mixture": {"weights": (1.0,), "means": (0.0,), "variances": (1.0,)},
}


@dataclass(frozen=True)
class SummandLaw:
    """One summand law: a sampler with its mean and variance (built by :func:`summand_law`).

    Parameters
    ----------
    family, params
        The family name and its (validated, float) parameters.
    sample
        ``sample(rng, shape) -> array`` of iid draws.
    mean, var
        :math:`\\mu` and :math:`\\sigma^2 > 0` (closed forms).
    discrete
        Whether the law is supported on a lattice.

    References
    ----------
    Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* (1994-95) and
    *Univariate Discrete Distributions* (2005).
    """

    family: str
    params: Mapping[str, Any]
    sample: Sampler
    mean: float
    var: float
    discrete: bool


def _family(family: Any) -> str:
    if not isinstance(family, str):
        raise TypeError(f"family must be a string; got {v.describe(family)}")
    return v.choice(family, "family", SUMMAND_FAMILIES)


def _params(family: str, params: Any) -> dict[str, Any]:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of parameter names to values; got {v.describe(params)}")
    unknown = sorted(set(params) - set(_DEFAULTS[family]))
    if unknown:
        raise ValueError(f"family {family!r} has no parameter(s) {unknown}; accepted: {sorted(_DEFAULTS[family])}")
    out = dict(_DEFAULTS[family])
    for k, val in params.items():
        name = f"params[{k!r}]"
        if family == "normal_mixture":
            out[k] = v.reals(val, name, minimum=0.0 if k != "means" else None)
        elif family == "binomial" and k == "n":
            out[k] = v.integer(val, name, minimum=1)
        else:
            out[k] = v.real(val, name)
    for k in _POSITIVE.get(family, ()):
        if not out[k] > 0:
            raise ValueError(f"params[{k!r}] must be > 0; got {out[k]}")
    if "p" in out and not 0.0 < out["p"] < 1.0:
        raise ValueError(f"params['p'] must lie strictly between 0 and 1 (a non-degenerate law); got {out['p']}")
    if family in ("uniform", "two_point") and not out["b"] != out["a"]:
        raise ValueError(f"params 'a' and 'b' must differ; got a = b = {out['a']}")
    if family == "uniform" and not out["b"] > out["a"]:
        raise ValueError(f"params must have a < b; got a = {out['a']}, b = {out['b']}")
    if family == "normal_mixture":
        w, m, s = out["weights"], out["means"], out["variances"]
        if not len(w) == len(m) == len(s):
            raise ValueError(f"weights, means and variances must have equal lengths; got {len(w)}, {len(m)}, {len(s)}")
        if abs(sum(w) - 1.0) > 1e-12:
            raise ValueError(f"params['weights'] must sum to 1; got {sum(w)}")
    return out


def summand_law(family: str, params: Mapping[str, Any] | None = None) -> SummandLaw:
    r"""The law of one summand: sampler, mean and variance.

    Parameters
    ----------
    family
        One of :data:`SUMMAND_FAMILIES` (the names of ``theory.cumulants.FAMILIES``).
    params
        The family's parameters by name (as for ``theory.cumulants.family_cumulants``):
        normal ``mu, sigma2``; exponential ``rate``; gamma ``shape, scale``; chi2 ``df``;
        poisson ``lam``; uniform ``a, b``; bernoulli ``p``; binomial ``n, p``; two_point
        ``p, a, b`` (:math:`P(X=b) = p`); laplace ``loc, scale``; normal_mixture
        ``weights, means, variances``.  Missing ones take the defaults of ``family_cumulants``.

    Returns
    -------
    SummandLaw

    Raises
    ------
    TypeError, ValueError
        Unknown family or parameter, a value of the wrong type or out of range.

    References
    ----------
    Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* (1994-95) and
    *Univariate Discrete Distributions* (2005): the means and variances.
    """
    fam = _family(family)
    p = _params(fam, {} if params is None else params)
    if fam == "normal_mixture":
        w, mu, s2 = (np.array(p[k], dtype=float) for k in ("weights", "means", "variances"))
        mean = float(w @ mu)
        var = float(w @ (s2 + mu**2) - mean**2)

        cum = np.cumsum(w)[:-1]
        sd = np.sqrt(s2)

        def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
            comp = np.searchsorted(cum, rng.random(shape), side="right")  # component i with probability w_i
            return mu[comp] + sd[comp] * rng.standard_normal(shape)

        if not var > 0:
            raise ValueError("the normal mixture must have a positive variance")
        return SummandLaw(fam, p, draw, mean, var, False)
    if fam == "two_point":
        a, b, q = p["a"], p["b"], p["p"]

        def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
            return np.where(rng.random(shape) < q, b, a)

        return SummandLaw(fam, p, draw, a + (b - a) * q, (b - a) ** 2 * q * (1 - q), True)
    draw, mean, var = _NUMPY[fam](p)
    return SummandLaw(fam, p, draw, float(mean), float(var), fam in ("poisson", "bernoulli", "binomial"))


def _law(sample: Callable[[np.random.Generator, Any], np.ndarray], mean: float, var: float) -> tuple[Sampler, float, float]:
    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return np.asarray(sample(rng, shape), dtype=float)

    return draw, mean, var


# numpy's generators (fast) with the closed-form mean and variance of each family
_NUMPY: dict[str, Callable[[Mapping[str, Any]], tuple[Sampler, float, float]]] = {
    "normal": lambda p: _law(lambda r, s: r.normal(p["mu"], math.sqrt(p["sigma2"]), s), p["mu"], p["sigma2"]),
    "exponential": lambda p: _law(lambda r, s: r.exponential(1.0 / p["rate"], s), 1.0 / p["rate"], p["rate"] ** -2),
    "gamma": lambda p: _law(lambda r, s: r.gamma(p["shape"], p["scale"], s), p["shape"] * p["scale"],
                            p["shape"] * p["scale"] ** 2),
    "chi2": lambda p: _law(lambda r, s: r.chisquare(p["df"], s), p["df"], 2.0 * p["df"]),
    "poisson": lambda p: _law(lambda r, s: r.poisson(p["lam"], s), p["lam"], p["lam"]),
    "uniform": lambda p: _law(lambda r, s: p["a"] + (p["b"] - p["a"]) * r.random(s), (p["a"] + p["b"]) / 2,
                              (p["b"] - p["a"]) ** 2 / 12),
    "bernoulli": lambda p: _law(lambda r, s: r.random(s) < p["p"], p["p"], p["p"] * (1 - p["p"])),
    "binomial": lambda p: _law(lambda r, s: r.binomial(p["n"], p["p"], s), p["n"] * p["p"], p["n"] * p["p"] * (1 - p["p"])),
    "laplace": lambda p: _law(lambda r, s: r.laplace(p["loc"], p["scale"], s), p["loc"], 2 * p["scale"] ** 2),
}
