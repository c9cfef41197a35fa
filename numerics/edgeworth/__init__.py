r"""Standardized sums of iid draws: Monte Carlo, empirical summaries and exact laws.

:func:`standardized_sums` simulates :math:`S_n = (X_1 + \dots + X_n - n\mu)/\sqrt{n\sigma^2}`
by summing draws (vectorised, bounded memory, independent of the chunk size); the
empirical CDF, density and quantiles and Fisher's k-statistics carry computed standard
errors.  :func:`summand_law` gives a named family's sampler, mean and variance and
:func:`sum_law` the exact law of its standardized sum where one is known in closed form.
"""

from numerics.edgeworth._empirical import (
    cdf_from_counts,
    density_from_counts,
    empirical_cdf,
    empirical_density,
    empirical_quantiles,
)
from numerics.edgeworth._kstat import MAX_KSTAT_ORDER, k_statistics
from numerics.edgeworth._laws import SUM_LAW_FAMILIES, SUMMAND_FAMILIES, SummandLaw, summand_law
from numerics.edgeworth._sum_laws import SumLaw, sum_law
from numerics.edgeworth._sums import BLOCK_DRAWS, standardized_sum_counts, standardized_sums

__all__ = [
    "standardized_sums",
    "standardized_sum_counts",
    "empirical_cdf",
    "empirical_density",
    "empirical_quantiles",
    "density_from_counts",
    "cdf_from_counts",
    "k_statistics",
    "MAX_KSTAT_ORDER",
    "summand_law",
    "sum_law",
    "SummandLaw",
    "SumLaw",
    "SUMMAND_FAMILIES",
    "SUM_LAW_FAMILIES",
    "BLOCK_DRAWS",
]
