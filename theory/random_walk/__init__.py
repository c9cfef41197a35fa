r"""PCA of high-dimensional random walks, and when SGD trajectories are random walks.

* :mod:`._pca` -- exact finite-T eigenvalues, cosine components and explained-variance ratios
  of a random walk (Antognini & Sohl-Dickstein 2018, arXiv:1806.08805), the first finite-d
  terms (Lawley 1956; Anderson 1963) and bounds on their remainders;
* :mod:`._drift` -- the exact ratios of a walk with drift and the perturbation bounds;
* :mod:`._sgd` -- drift and linearisation bounds for minibatch SGD of one-hidden-layer erf
  networks on noise labels;
* :mod:`._derivations` -- the derivations ``random_walk-pca`` and ``random_walk-sgd``.
"""

from __future__ import annotations

from theory.random_walk import _derivations  # noqa: F401  (registers the derivations)
from theory.random_walk._drift import (
    drift_ratios,
    drift_shift_bound,
    ratio_perturbation_bound,
)
from theory.random_walk._pca import (
    cosine_overlap,
    eigenvalue_bias,
    explained_variance_ratio_limit,
    explained_variance_ratios,
    overlap_remainder_bound,
    random_walk_components,
    random_walk_eigenvalues,
    ratio_bias,
    ratio_remainder_bound,
)
from theory.random_walk._sgd import SGDWalkBounds, erf_sgd_walk_bounds

__all__ = [
    "random_walk_eigenvalues",
    "random_walk_components",
    "explained_variance_ratios",
    "explained_variance_ratio_limit",
    "eigenvalue_bias",
    "ratio_bias",
    "cosine_overlap",
    "ratio_remainder_bound",
    "overlap_remainder_bound",
    "drift_ratios",
    "drift_shift_bound",
    "ratio_perturbation_bound",
    "SGDWalkBounds",
    "erf_sgd_walk_bounds",
]
