r"""Exact laws of standardized sums (private; re-exported by numerics.edgeworth).

:func:`sum_law` gives the law of :math:`S_n = (X_1 + \dots + X_n - n\mu)/\sqrt{n\sigma^2}`
for the families closed under convolution or with a classical closed form:

* Gamma / exponential / chi-square: :math:`\sum X_i \sim \mathrm{Gamma}(m = n a)`, so
  :math:`S_n = (G - m)/\sqrt m`.  The density is evaluated without cancellation,
  :math:`f(x) = \exp\{m[\log(1+t) - t] - \log(1+t) - \tfrac12\log 2\pi - R(m)\}`,
  :math:`t = x/\sqrt m`, with Stirling's remainder
  :math:`R(m) = \log\Gamma(m) - (m-\tfrac12)\log m + m - \tfrac12\log 2\pi` (its series,
  DLMF 5.11.1, for :math:`m \ge 10`) and :math:`\log(1+t) - t` summed as its alternating
  series for :math:`|t| < 0.4`: relative error a few 1e-15 at every shape, where
  ``scipy.stats.gamma.pdf`` loses ~1e-11 at shape 8192 to the cancellation in
  :math:`(m-1)\log y - y - \log\Gamma(m)`.  The distribution function is the regularized
  incomplete gamma function (DLMF 8.2.4), the quantile its inverse.
* Uniform: the Irwin-Hall law.  Its density is the cardinal B-spline :math:`M_n`,
  evaluated by the Cox-de Boor recursion
  :math:`M_k(y) = [y M_{k-1}(y) + (k-y) M_{k-1}(y-1)]/(k-1)`, whose terms are all
  non-negative (de Boor 1978, *A Practical Guide to Splines*, ch. IX), and
  :math:`F_n(y) = \sum_{i\ge0} M_{n+1}(y - i)` (telescoping
  :math:`M_{n+1}(y) = F_n(y) - F_n(y-1)`), with :math:`F_n(y) = 1 - F_n(n-y)` in the upper half.
* Bernoulli, binomial and two-point: binomial; Poisson: Poisson; normal: normal.
* Normal mixture: a mixture of normals over the multinomial counts of the components.

Lattice laws are right-continuous: a point within a relative 1e-9 of a lattice point
counts as on it (standardizing rounds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import numpy as np
from scipy import special, stats

from numerics import validate as v
from numerics.edgeworth._laws import SUM_LAW_FAMILIES, _family, _params, summand_law

__all__ = ["SumLaw", "sum_law"]

_LOG_SQRT2PI = 0.5 * math.log(2 * math.pi)
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400)


@dataclass(frozen=True)
class SumLaw:
    """The exact law of a standardized sum :math:`S_n` (built by :func:`sum_law`; see the module docstring).

    Parameters
    ----------
    family, n
        The summand family and the number of summands.
    mean, var
        Mean and variance of one summand (used to standardize).
    discrete
        Whether :math:`S_n` lives on a lattice (then :meth:`pdf` and :meth:`ppf` raise).
    _cdf, _pdf, _ppf
        The evaluators (private).

    References
    ----------
    See :func:`sum_law`.
    """

    family: str
    n: int
    mean: float
    var: float
    discrete: bool
    _cdf: Callable[[np.ndarray], np.ndarray]
    _pdf: Callable[[np.ndarray], np.ndarray] | None
    _ppf: Callable[[np.ndarray], np.ndarray] | None

    def cdf(self, x: Any) -> np.ndarray:
        r"""Distribution function :math:`P(S_n \le x)` (right-continuous).

        Parameters
        ----------
        x
            Points (array-like, finite).

        Returns
        -------
        numpy.ndarray
            Same shape as ``x``.

        References
        ----------
        See :func:`sum_law` (the closed form of each family).
        """
        return self._cdf(v.array(x, "x"))

    def pdf(self, x: Any) -> np.ndarray:
        """Density of :math:`S_n` (continuous laws).

        Parameters
        ----------
        x
            Points (array-like, finite).

        Returns
        -------
        numpy.ndarray
            Same shape as ``x``.

        Raises
        ------
        ValueError
            For a lattice law.

        References
        ----------
        See :func:`sum_law`.
        """
        xa = v.array(x, "x")
        if self._pdf is None:
            raise ValueError(f"the sum of {self.family} summands is a lattice law: it has no density (use cdf)")
        return self._pdf(xa)

    def ppf(self, q: Any) -> np.ndarray:
        """Quantile of :math:`S_n` (continuous laws): the ``x`` with :math:`P(S_n \\le x) = q`.

        Parameters
        ----------
        q
            Probability levels strictly inside (0, 1).

        Returns
        -------
        numpy.ndarray
            Same shape as ``q``.

        Raises
        ------
        ValueError
            ``q`` outside (0, 1), or a lattice law.

        References
        ----------
        DLMF 8.2.4 (inverse incomplete gamma function); otherwise bisection of :meth:`cdf`.
        """
        qa = v.array(q, "q")
        if np.any((qa <= 0) | (qa >= 1)):
            raise ValueError("q must lie strictly between 0 and 1")
        if self._ppf is None:
            raise ValueError(f"the sum of {self.family} summands is a lattice law: use cdf")
        return self._ppf(qa)


def _log1p_minus_x(t: np.ndarray) -> np.ndarray:
    out = np.log1p(t) - t
    small = np.abs(t) < 0.4
    ts = t[small]
    acc = np.zeros_like(ts)
    power = ts * ts
    for j in range(2, 90):  # 0.4^90 / 90 < 1e-37
        acc += (-1) ** (j + 1) * power / j
        power = power * ts
    out[small] = acc
    return out


def _stirling_remainder(m: float) -> float:
    if m < 10:
        return float(special.gammaln(m) - (m - 0.5) * math.log(m) + m - _LOG_SQRT2PI)
    return sum(c / m ** (2 * i + 1) for i, c in enumerate(_STIRLING))


def _gamma_pdf(m: float, x: np.ndarray) -> np.ndarray:
    t = x / math.sqrt(m)
    out = np.zeros_like(x)
    ok = t > -1
    tt = t[ok]
    out[ok] = np.exp(m * _log1p_minus_x(tt) - np.log1p(tt) - _LOG_SQRT2PI - _stirling_remainder(m))
    return out


def _gamma_cdf(m: float, x: np.ndarray) -> np.ndarray:
    y = np.maximum(m + math.sqrt(m) * x, 0.0)
    return np.where(x <= 0, special.gammainc(m, y), 1.0 - special.gammaincc(m, y))


def _bspline_sum(k: int, y: np.ndarray, shifts: int) -> np.ndarray:
    """``sum_{i=0}^{shifts} M_k(y - i)`` by the Cox-de Boor recursion (every term non-negative)."""
    i = np.arange(shifts + k)[:, None]
    u = y[None, :] - i
    vals = ((u >= 0) & (u < 1)).astype(float)  # M_1(y - i)
    for j in range(2, k + 1):
        u = u[:-1]
        vals = (u * vals[:-1] + (j - u) * vals[1:]) / (j - 1)
    return vals[: shifts + 1].sum(axis=0)


def _irwin_hall(n: int) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    sd = math.sqrt(n / 12.0)

    def cdf(x: np.ndarray) -> np.ndarray:
        y = np.clip(n / 2.0 + sd * x, 0.0, float(n))
        low = np.minimum(y, n - y).ravel()  # F(y) = 1 - F(n - y): sum the smaller tail
        f = _bspline_sum(n + 1, low, int(math.floor(n / 2.0)) + 1).reshape(y.shape)
        return np.where(y <= n / 2.0, f, 1.0 - f)

    def pdf(x: np.ndarray) -> np.ndarray:
        y = (n / 2.0 + sd * x).ravel()
        return (sd * _bspline_sum(n, y, 0)).reshape(np.shape(x))

    return cdf, pdf


def _compositions(n: int, k: int) -> Iterator[tuple[int, ...]]:
    if k == 1:
        yield (n,)
        return
    for c in range(n + 1):
        for rest in _compositions(n - c, k - 1):
            yield (c, *rest)


def _mixture(n: int, p: Mapping[str, Any], mean: float, var: float) -> tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]:
    w, mu, s2 = (np.array(p[k], dtype=float) for k in ("weights", "means", "variances"))
    if math.comb(n + w.size - 1, w.size - 1) > 200_000:
        raise ValueError(f"a normal mixture of {w.size} components summed {n} times has too many count vectors")
    counts = np.array(list(_compositions(n, w.size)), dtype=float)
    with np.errstate(divide="ignore"):
        logw = np.where(w > 0, np.log(np.where(w > 0, w, 1.0)), -np.inf)
    logpmf = special.gammaln(n + 1) - special.gammaln(counts + 1).sum(1) + np.where(counts > 0, counts * logw, 0.0).sum(1)
    keep = np.isfinite(logpmf)
    pmf, counts = np.exp(logpmf[keep]), counts[keep]
    m_c, s_c = counts @ mu, np.sqrt(counts @ s2)
    if np.any(s_c <= 0):
        raise ValueError("a normal mixture with a zero-variance component has no density")
    scale = math.sqrt(n * var)

    def raw(x: np.ndarray) -> np.ndarray:
        return ((n * mean + scale * x.ravel())[None, :] - m_c[:, None]) / s_c[:, None]

    def cdf(x: np.ndarray) -> np.ndarray:
        return (pmf @ special.ndtr(raw(x))).reshape(x.shape)

    def pdf(x: np.ndarray) -> np.ndarray:
        return (scale * (pmf / s_c) @ stats.norm.pdf(raw(x))).reshape(x.shape)

    return cdf, pdf


def _lattice_cdf(law: Any, origin: float, span: float, n: int, mean: float, var: float) -> Callable[[np.ndarray], np.ndarray]:
    def cdf(x: np.ndarray) -> np.ndarray:
        k = (n * mean + math.sqrt(n * var) * x - n * origin) / span
        return law.cdf(np.floor(k + 1e-9 * np.maximum(1.0, np.abs(k))))

    return cdf


def _bisect(cdf: Callable[[np.ndarray], np.ndarray], q: np.ndarray) -> np.ndarray:
    lo, hi = np.full(q.shape, -60.0), np.full(q.shape, 60.0)
    for _ in range(120):
        mid = 0.5 * (lo + hi)
        below = cdf(mid) < q
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def sum_law(family: str, n: int, params: Mapping[str, Any] | None = None) -> SumLaw:
    r"""The exact law of the standardized sum :math:`S_n` of ``n`` iid summands of ``family``.

    Parameters
    ----------
    family
        One of :data:`SUM_LAW_FAMILIES` (every family of :func:`summand_law` but ``laplace``).
    n
        Number of summands (>= 1).
    params
        The family's parameters, as for :func:`summand_law`.

    Returns
    -------
    SumLaw

    Raises
    ------
    TypeError, ValueError
        Bad arguments, a family without a closed-form sum law, or a normal mixture whose
        count vectors are too many to enumerate (more than 200000).

    References
    ----------
    Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* vol. 1 (1994), ch. 17
    (Gamma) and vol. 2 (1995), ch. 26 (Irwin-Hall); DLMF 5.11.1, 8.2.4; de Boor 1978, ch. IX.
    """
    fam = _family(family)
    n = v.integer(n, "n", minimum=1)
    if fam not in SUM_LAW_FAMILIES:
        raise ValueError(f"no closed-form law of the sum of {fam} summands; families with one: {list(SUM_LAW_FAMILIES)}")
    p = _params(fam, {} if params is None else params)
    one = summand_law(fam, p)
    mean, var = one.mean, one.var
    pdf: Callable[[np.ndarray], np.ndarray] | None = None
    ppf: Callable[[np.ndarray], np.ndarray] | None = None
    if fam in ("gamma", "exponential", "chi2"):
        m = n * (p["shape"] if fam == "gamma" else 1.0 if fam == "exponential" else p["df"] / 2.0)
        cdf = lambda x: _gamma_cdf(m, x)  # noqa: E731
        pdf = lambda x: _gamma_pdf(m, x)  # noqa: E731
        ppf = lambda q: (special.gammaincinv(m, q) - m) / math.sqrt(m)  # noqa: E731
    elif fam == "normal":
        cdf, pdf, ppf = special.ndtr, (lambda x: np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)), special.ndtri
    elif fam == "uniform":
        cdf, pdf = _irwin_hall(n)
    elif fam == "normal_mixture":
        cdf, pdf = _mixture(n, p, mean, var)
    elif fam == "poisson":
        cdf = _lattice_cdf(stats.poisson(n * p["lam"]), 0.0, 1.0, n, mean, var)
    else:  # bernoulli, binomial, two_point: binomial counts on a lattice
        trials = n * (p["n"] if fam == "binomial" else 1)
        a, b = (0.0, 1.0) if fam != "two_point" else (p["a"], p["b"])
        p_hi = p["p"] if b > a else 1.0 - p["p"]
        cdf = _lattice_cdf(stats.binom(trials, p_hi), min(a, b), abs(b - a), n, mean, var)
    if pdf is not None and ppf is None:
        cont_cdf = cdf
        ppf = lambda q: _bisect(cont_cdf, q)  # noqa: E731
    return SumLaw(fam, n, mean, var, one.discrete, cdf, pdf, ppf)
