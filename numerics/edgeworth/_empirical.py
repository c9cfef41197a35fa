"""Private: empirical CDF, density and quantiles with standard errors (re-exported by numerics.edgeworth)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy import stats

from numerics import validate as v
from numerics.estimate import Estimate, bootstrap_stderr

__all__ = ["empirical_cdf", "empirical_density", "empirical_quantiles", "density_from_counts", "cdf_from_counts"]


def _samples(samples: Any) -> np.ndarray:
    x = v.array(samples, "samples").ravel()
    if x.size < 2:
        raise ValueError(f"samples must hold at least two values, got {x.size}")
    return x


def _edges(edges: Any, minimum: int = 2) -> np.ndarray:
    e = v.array(edges, "edges", ndim=1, min_size=minimum)
    if np.any(np.diff(e) <= 0):
        raise ValueError("edges must be strictly increasing")
    return e


def _counts(counts: Any, edges: np.ndarray) -> np.ndarray:
    c = v.array(counts, "counts", ndim=1)
    if c.shape != (edges.size + 1,):
        raise ValueError(f"counts must be {edges.size + 1} numbers (len(edges) + 1); got shape {c.shape}")
    if np.any(c < 0) or np.any(c != np.floor(c)):
        raise ValueError("counts must be non-negative whole numbers")
    if c.sum() < 1:
        raise ValueError("counts must not all be zero")
    return c


def _binomial_se(count: np.ndarray, total: int) -> np.ndarray:
    # plug-in sqrt(p(1-p)/N) with p~ = (c + 1/2)/(N + 1) so that empty / full cells keep a non-zero error
    p = (count + 0.5) / (total + 1.0)
    return np.sqrt(p * (1.0 - p) / total)


def empirical_cdf(samples: Any, x: Any) -> Estimate:
    r"""Empirical CDF :math:`\hat F(x) = N^{-1}\#\{i: X_i \le x\}` with its binomial standard error.

    :math:`\mathrm{se} = \sqrt{\tilde p(1-\tilde p)/N}`, :math:`\tilde p = (c + 1/2)/(N+1)`
    (the Jeffreys-type plug-in keeps the error positive where :math:`\hat F \in \{0, 1\}`).

    Parameters
    ----------
    samples
        iid draws (any shape, flattened; not mutated).
    x
        Points (scalar or array); the result has the shape of ``x``.

    Returns
    -------
    Estimate
        ``value`` :math:`\hat F(x)`, ``stderr`` as above, ``method="binomial"``.

    References
    ----------
    van der Vaart, "Asymptotic Statistics" (1998), ch. 19; Brown, Cai & DasGupta, Stat. Sci. 16 (2001) 101.
    """
    t0 = time.perf_counter()
    s = np.sort(_samples(samples))
    xa = v.array(x, "x")
    c = np.searchsorted(s, xa, side="right").astype(float)
    return Estimate(c / s.size, _binomial_se(c, s.size), s.size, None, time.perf_counter() - t0, "binomial", {"x": xa})


def cdf_from_counts(counts: Any, edges: Any) -> Estimate:
    r"""CDF at the edges, :math:`\hat P(X < e_i)`, from counts in the bins ``(-inf,e0), [e0,e1), ..., [e_last, inf)``.

    :math:`\hat P(X < e_i) = N^{-1}\sum_{j \le i} c_j` with binomial standard errors as in
    :func:`empirical_cdf`.

    Parameters
    ----------
    counts
        ``len(edges) + 1`` non-negative whole numbers, as returned by
        :func:`numerics.edgeworth.standardized_sum_counts` (outer bins included).
    edges
        Strictly increasing bin edges (at least one).

    Returns
    -------
    Estimate
        The CDF below each edge, shape ``(len(edges),)``.

    References
    ----------
    van der Vaart, "Asymptotic Statistics" (1998), ch. 19.
    """
    e = _edges(edges, minimum=1)
    c = _counts(counts, e)
    total = int(c.sum())
    below = np.cumsum(c)[:-1].astype(float)
    return Estimate(below / total, _binomial_se(below, total), total, None, 0.0, "binomial", {"x": e})


def density_from_counts(counts: Any, edges: Any) -> Estimate:
    r"""Histogram density on the interior bins ``[e_i, e_{i+1})`` from the ``len(edges)+1`` streamed counts.

    :math:`\hat f_i = c_i / (N w_i)` with :math:`N` the total count (outer bins included) and
    standard error :math:`\sqrt{\tilde p_i(1-\tilde p_i)/N}/w_i`.  The estimate is the bin average
    of the density, not its value at the centre.

    Parameters
    ----------
    counts
        ``len(edges) + 1`` non-negative whole numbers (outer bins included).
    edges
        Strictly increasing bin edges (at least two).

    Returns
    -------
    Estimate
        Densities of the ``len(edges) - 1`` inner bins; diagnostics ``edges``, ``centers``, ``widths``, ``counts``.

    References
    ----------
    Scott, *Multivariate Density Estimation* (2015), ch. 3.
    """
    e = _edges(edges)
    c = _counts(counts, e)
    total = int(c.sum())
    inner = c[1:-1].astype(float)
    w = np.diff(e)
    diag = {"edges": e, "centers": 0.5 * (e[1:] + e[:-1]), "widths": w, "counts": inner}
    return Estimate(inner / (total * w), _binomial_se(inner, total) / w, total, None, 0.0, "binomial", diag)


def empirical_density(samples: Any, edges: Any) -> Estimate:
    r"""Histogram density of ``samples`` on the bins ``[e_i, e_{i+1})`` with binomial standard errors.

    Normalised by the total number of samples (those outside the edges included):
    :math:`\hat f_i = c_i/(N w_i)`; see :func:`density_from_counts`.

    Parameters
    ----------
    samples
        iid draws (flattened; not mutated), at least two.
    edges
        Strictly increasing bin edges (at least two).

    Returns
    -------
    Estimate
        As :func:`density_from_counts`.

    References
    ----------
    Scott, *Multivariate Density Estimation* (2015), ch. 3.
    """
    t0 = time.perf_counter()
    s = _samples(samples)
    e = _edges(edges)
    counts = np.bincount(np.searchsorted(e, s, side="right"), minlength=e.size + 1)
    est = density_from_counts(counts, e)
    return Estimate(est.value, est.stderr, est.samples, None, time.perf_counter() - t0, est.method, est.diagnostics)


def _bofinger(q: np.ndarray, n: int) -> np.ndarray:
    z = stats.norm.ppf(q)
    return n ** (-0.2) * (4.5 * stats.norm.pdf(z) ** 4 / (2 * z**2 + 1) ** 2) ** 0.2


def empirical_quantiles(samples: Any, q: Any, *, seed: int = 0, method: str = "spacing") -> Estimate:
    r"""Sample quantiles :math:`\hat x_q` with standard errors.

    ``method="spacing"`` (default): the asymptotic law
    :math:`\sqrt N(\hat x_q - x_q) \to N(0, q(1-q)/f(x_q)^2)` with the sparsity
    :math:`1/f(x_q)` estimated from order-statistic spacings (Siddiqui 1960),
    :math:`\widehat{1/f} = (\hat x_{q+h} - \hat x_{q-h})/(2h)` with Bofinger's bandwidth
    :math:`h = N^{-1/5}[4.5\,\phi(z_q)^4/(2z_q^2+1)^2]^{1/5}` (one-sided near 0 or 1).
    ``method="bootstrap"``: 200 nonparametric bootstrap resamples with ``seed``.

    Parameters
    ----------
    samples
        iid draws (flattened, not mutated).
    q
        Probabilities in (0, 1) (scalar or array).
    seed
        Seed of the bootstrap resamples (``method="bootstrap"``).
    method
        ``"spacing"`` or ``"bootstrap"``.

    Returns
    -------
    Estimate
        Quantiles and standard errors with the shape of ``q``.

    References
    ----------
    Koenker, "Quantile Regression" (2005), sec. 3.4; Bofinger, Austral. J. Statist. 17 (1975) 1;
    Siddiqui, J. Res. NBS 64B (1960) 145.
    """
    t0 = time.perf_counter()
    s = np.sort(_samples(samples))
    qa = v.array(q, "q")
    if not np.all((qa > 0) & (qa < 1)):
        raise ValueError("q must lie strictly inside (0, 1)")
    seed = v.seed(seed)
    method = v.choice(method, "method", ("spacing", "bootstrap"))
    n = s.size
    value = np.quantile(s, qa)
    if method == "spacing":
        h = _bofinger(qa, n)
        lo = np.clip(qa - h, 1.0 / n, 1.0 - 1.0 / n)
        hi = np.clip(qa + h, 1.0 / n, 1.0 - 1.0 / n)
        sparsity = (np.quantile(s, hi) - np.quantile(s, lo)) / np.maximum(hi - lo, 1.0 / n)
        se = sparsity * np.sqrt(qa * (1 - qa) / n)
        diag: dict[str, Any] = {"q": qa, "bandwidth": h, "density_at_quantile": 1.0 / np.maximum(sparsity, 1e-300)}
    else:
        se = bootstrap_stderr(s, lambda x: np.quantile(x, qa), resamples=200, seed=seed)
        diag = {"q": qa}
    return Estimate(value, np.asarray(se), n, seed if method == "bootstrap" else None, time.perf_counter() - t0, method, diag)
