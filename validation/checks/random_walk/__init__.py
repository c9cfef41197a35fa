"""Checks of the random-walk area: PCA of Gaussian random walks and of noise-dominated SGD trajectories.

Importing the package registers ``random_walk.variance_ratios``, ``random_walk.cosine_overlap``
(module ``_walks``) and ``random_walk.sgd_trajectory`` (module ``_sgd``).
"""

from __future__ import annotations

from validation.checks.random_walk import _sgd, _walks  # noqa: F401  (register the checks)

__all__: list[str] = []
