r"""Monte Carlo of standardized sums of iid draws and its empirical summaries.

:func:`standardized_sums` simulates :math:`S_n = (X_1 + \dots + X_n - n\mu)/\sqrt{n\sigma^2}`
by summing draws (vectorised, bounded memory, independent of the chunk size);
the empirical CDF, density and quantiles and Fisher's k-statistics carry computed
standard errors.
"""

from numerics.edgeworth._empirical import (
    cdf_from_counts,
    density_from_counts,
    empirical_cdf,
    empirical_density,
    empirical_quantiles,
)
from numerics.edgeworth._kstat import MAX_KSTAT_ORDER, k_statistics
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
    "BLOCK_DRAWS",
]
