r"""Random walks and PCA of parameter trajectories over time (area ``random_walk``).

* :func:`random_walks` -- Gaussian random walks, all replicates as one tensor program;
  :func:`walk_covariance` -- their centred time-time covariance, by construction;
* :func:`time_gram`, :func:`trajectory_pca` -- PCA over time in bounded memory (exact Gram
  route or a randomised eigensolver);
* :func:`pooled_pca` -- PCA of an ensemble's trajectories pooled over members, with a
  jackknife over members (bias correction and standard error);
* :class:`TrajectoryRecorder` -- stores or sketches parameter vectors during training.

Reference for the application: Antognini & Sohl-Dickstein, arXiv:1806.08805.
"""

from __future__ import annotations

from numerics.random_walk._pca import TrajectoryPCA, time_gram, trajectory_pca
from numerics.random_walk._pooled import PooledPCA, pooled_pca
from numerics.random_walk._recorder import TrajectoryRecorder
from numerics.random_walk._walks import random_walks, walk_covariance

__all__ = [
    "random_walks",
    "walk_covariance",
    "time_gram",
    "TrajectoryPCA",
    "trajectory_pca",
    "PooledPCA",
    "pooled_pca",
    "TrajectoryRecorder",
]
