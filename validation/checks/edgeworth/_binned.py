r"""A binned chi-square whose truncation budget is given per bin (private to the Edgeworth checks).

:func:`validation.stats.compare_distribution` takes a budget of the *distribution function*
and allows a bin :math:`[a, b)` the sum :math:`B(a) + B(b)` of the budgets at its edges.
That bounds the bin's probability error :math:`|R(b) - R(a)|`, but for a narrow bin it is
far more than the error: the remainder :math:`R` is smooth, so
:math:`|R(b) - R(a)| = |\int_a^b r| \le \int_a^b b_f`, with :math:`r = R'` the density's
remainder and :math:`b_f \ge |r|` the *density* budget -- proportional to the bin width,
like the signal of a wrong coefficient.  Here each inner bin gets the smaller of the two
bounds (both valid where the budgets are), the outer bins :math:`(-\infty, e_0)` and
:math:`[e_{last}, \infty)` the distribution-function budget at their edge.

The statistic is Pearson's (1900) with the budget subtracted as in ``compare_distribution``:
:math:`\chi^2 = \sum_i \max(|O_i - E_i| - N\beta_i, 0)^2 / E_i` on ``bins - 1`` degrees of
freedom; where the budgets hold, each excess is at most :math:`|O_i - N p_i|` of the true
bin probability :math:`p_i`, so the test is conservative by construction.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats

from validation.stats import Comparison

__all__ = ["merge_bins", "compare_binned"]

Fn = Callable[[np.ndarray], np.ndarray]
_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)


def merge_bins(grid: np.ndarray, cdf_on_grid: np.ndarray, bins: int) -> np.ndarray:
    """Indices into ``grid`` of edges giving ``bins`` bins of about equal predicted probability."""
    F = np.maximum.accumulate(np.asarray(cdf_on_grid, dtype=float))
    idx = np.searchsorted(F, np.arange(1, bins) / bins)
    return np.unique(np.clip(idx, 0, grid.size - 1))


def bin_budget(edges: np.ndarray, cdf_budget: Fn, pdf_budget: Fn) -> np.ndarray:
    """Budget of each bin's probability: outer bins from ``cdf_budget``, inner ones the smaller of two bounds."""
    cb = np.asarray(cdf_budget(edges), dtype=float)
    a, b = edges[:-1], edges[1:]
    mid, half = 0.5 * (a + b), 0.5 * (b - a)
    nodes = mid[:, None] + half[:, None] * _GL_X[None, :]
    integral = (np.asarray(pdf_budget(nodes.ravel()), dtype=float).reshape(nodes.shape) * _GL_W).sum(axis=1) * half
    return np.concatenate([[cb[0]], np.minimum(cb[:-1] + cb[1:], integral), [cb[-1]]])


def compare_binned(cdf: Fn, cdf_budget: Fn, pdf_budget: Fn, grid: np.ndarray, counts: np.ndarray, bins: int,
                   alpha: float) -> Comparison:
    """Binned chi-square of fine-grid ``counts`` (bins ``(-inf, g_0), [g_0, g_1), ..., [g_last, inf)``) merged into ``bins`` bins.

    Parameters
    ----------
    cdf, cdf_budget, pdf_budget
        The predicted distribution function and the budgets of the distribution function and the density.
    grid, counts
        Fine-grid edges and the ``len(grid) + 1`` counts on them.
    bins
        Number of merged bins of about equal predicted probability.
    alpha
        Level of the verdict.

    Returns
    -------
    Comparison
        Rule ``"binned-chi2-budget"``; details: ``dof``, ``samples``, ``edges``, ``observed``,
        ``expected``, ``budget`` (counts).
    """
    counts = np.asarray(counts, dtype=float)
    N = float(counts.sum())
    idx = merge_bins(grid, cdf(grid), bins)
    edges = grid[idx]
    below = np.cumsum(counts)[idx]
    observed = np.diff(np.concatenate([[0.0], below, [N]]))
    expected = N * np.diff(np.concatenate([[0.0], np.asarray(cdf(edges), dtype=float), [1.0]]))
    if np.any(expected <= 0):
        raise ValueError("the predicted CDF gives a bin a non-positive probability (the truncated expansion is not monotone here)")
    budget = N * bin_budget(edges, cdf_budget, pdf_budget)
    excess = np.maximum(np.abs(observed - expected) - budget, 0.0)
    chi2 = float(np.sum(excess**2 / expected))
    dof = observed.size - 1
    p = float(stats.chi2.sf(chi2, dof))
    return Comparison("binned-chi2-budget", chi2, p, alpha, p > alpha,
                      {"dof": dof, "samples": int(N), "edges": edges, "observed": observed, "expected": expected,
                       "budget": budget})
