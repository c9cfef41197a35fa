"""A predicted law against samples: binned Pearson chi-square and Kolmogorov-Smirnov, with the
theory's truncation budget allowed for.  Re-exported by :mod:`validation.stats`."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from scipy import stats

from validation.stats import DEFAULT_ALPHA, Comparison, _check_alpha, _finite

__all__ = ["compare_distribution"]


def compare_distribution(
    cdf: Callable[[np.ndarray], np.ndarray],
    samples: np.ndarray,
    *,
    truncation: Callable[[np.ndarray], np.ndarray] | float = 0.0,
    alpha: float = DEFAULT_ALPHA,
    method: str = "chi2",
    bins: int | Sequence[float] | None = None,
    counts: np.ndarray | None = None,
) -> Comparison:
    r"""A predicted CDF against samples, allowing for the truncation budget.

    ``truncation`` bounds :math:`|F_{\rm true}(x) - F_{\rm pred}(x)|` pointwise (a callable)
    or uniformly (a float).

    * ``method="chi2"``: bins (by default 40 bins of equal predicted probability,
      with open outer bins; fewer bins mean fewer degrees of freedom and more
      power against the smooth deviations a wrong expansion produces) with expected counts
      :math:`E_i = N p_i`; the excess :math:`\max(|O_i - E_i| - N \beta_i, 0)`,
      with :math:`\beta_i` the budget of the bin's probability (the budget at its
      two edges added), gives :math:`\chi^2 = \sum e_i^2 / E_i` on ``bins - 1``
      degrees of freedom (Pearson 1900).
    * ``method="ks"``: :math:`D = \sup_x |F_N(x) - F(x)|` minus the uniform budget,
      p-value from the exact Kolmogorov distribution of ``sqrt``-scaled ``D``
      (``scipy.stats.kstwo``).  Valid for continuous laws only.

    ``counts`` may be given instead of raw samples for ``chi2`` when ``bins`` are
    explicit edges (then ``samples`` is ignored and may be ``None``); counts in
    ``(-inf, e_0)`` and ``(e_last, inf)`` must be included as first/last entries.

    References: Pearson (1900), *Phil. Mag.* 50, 157; Kolmogorov (1933), *G. Ist. Ital.
    Attuari* 4, 83; Marsaglia, Tsang & Wang (2003), *J. Stat. Softw.* 8(18) for the exact
    distribution that ``kstwo`` evaluates.

    Parameters
    ----------
    cdf : callable
        The predicted CDF, evaluated on arrays.
    samples : array_like or None
        The measured draws (``None`` when ``counts`` are given).
    truncation : callable or float, default 0
        Bound on the predicted CDF's error, pointwise (a callable) or uniform (a float).
    alpha : float, default DEFAULT_ALPHA
        Significance level of the verdict, in (0, 1).
    method : {"chi2", "ks"}, default "chi2"
        Binned Pearson chi-square or Kolmogorov-Smirnov.
    bins : int or sequence of float, optional
        Number of equal-mass bins, or explicit interior bin edges (``chi2`` only).
    counts : array_like, optional
        Binned counts for explicit edges, tails included (``chi2`` only).

    Returns
    -------
    Comparison
        Rule ``"binned-chi2"`` (``details``: degrees of freedom, edges, observed and expected
        counts) or ``"ks"``.

    Raises
    ------
    ValueError
        If ``alpha``, ``truncation``, ``method``, the edges or the counts are invalid, the
        samples are not finite or too few (10 for ``ks``, 50 for ``chi2``), or the predicted
        CDF gives a bin a non-positive probability.
    """
    alpha = _check_alpha(alpha)
    if not callable(truncation):
        tval = float(truncation)
        if tval < 0 or not np.isfinite(tval):
            raise ValueError("truncation must be a finite non-negative number or a callable")
        trunc_fn: Callable[[np.ndarray], np.ndarray] = lambda x: np.full(np.shape(x), tval)  # noqa: E731
    else:
        trunc_fn = truncation
    if method == "ks":
        x = np.sort(_finite("samples", samples).ravel())
        n = x.size
        if n < 10:
            raise ValueError(f"need at least 10 samples, got {n}")
        F = np.asarray(cdf(x), dtype=float)
        ecdf_hi = np.arange(1, n + 1) / n
        ecdf_lo = np.arange(0, n) / n
        dev = np.maximum(np.abs(ecdf_hi - F), np.abs(ecdf_lo - F))
        b = np.asarray(trunc_fn(x), dtype=float)
        excess = float(np.max(np.maximum(dev - b, 0.0)))
        p = float(stats.kstwo.sf(excess, n)) if excess > 0 else 1.0
        return Comparison("ks", excess, p, alpha, p > alpha, {"samples": n, "sup_deviation": float(dev.max())})
    if method != "chi2":
        raise ValueError(f"method must be 'chi2' or 'ks', got {method!r}")

    if counts is not None:
        if bins is None or np.ndim(bins) != 1:
            raise ValueError("counts requires explicit bin edges")
        edges = np.asarray(bins, dtype=float)
        obs = np.asarray(counts, dtype=float)
        if obs.shape != (edges.size + 1,):
            raise ValueError(f"counts must have len(edges)+1 = {edges.size + 1} entries (tails included)")
        n = int(obs.sum())
    else:
        x = _finite("samples", samples).ravel()
        n = x.size
        if n < 50:
            raise ValueError(f"need at least 50 samples for a binned chi-square, got {n}")
        if bins is None or np.ndim(bins) == 0:
            k = int(bins) if bins is not None else int(min(40, max(8, np.sqrt(n) / 4)))
            # edges of equal predicted mass, by inverting the predicted CDF on a grid of data quantiles
            grid = np.quantile(x, np.linspace(0.0, 1.0, 4 * k + 1)[1:-1])
            Fg = np.asarray(cdf(grid), dtype=float)
            targets = np.arange(1, k) / k
            idx = np.clip(np.searchsorted(np.maximum.accumulate(Fg), targets), 0, grid.size - 1)
            edges = np.unique(grid[idx])
        else:
            edges = np.asarray(bins, dtype=float)
        if np.any(np.diff(edges) <= 0):
            raise ValueError("bin edges must be strictly increasing")
        obs = np.bincount(np.searchsorted(edges, x, side="right"), minlength=edges.size + 1).astype(float)
    Fe = np.concatenate([[0.0], np.asarray(cdf(edges), dtype=float), [1.0]])
    p_bin = np.diff(Fe)
    be = np.asarray(trunc_fn(edges), dtype=float)
    b_bin = np.concatenate([[0.0], be]) + np.concatenate([be, [0.0]])
    expected = n * p_bin
    if np.any(expected <= 0):
        raise ValueError("the predicted CDF gives a bin non-positive probability (is the truncated expansion monotone here?)")
    excess = np.maximum(np.abs(obs - expected) - n * b_bin, 0.0)
    chi2 = float(np.sum(excess**2 / expected))
    dof = obs.size - 1
    p = float(stats.chi2.sf(chi2, dof))
    return Comparison(
        "binned-chi2",
        chi2,
        p,
        alpha,
        p > alpha,
        {"dof": dof, "samples": n, "min_expected": float(expected.min()), "edges": edges, "observed": obs, "expected": expected},
    )
